//! The trash: recent tombstones, and bringing deleted objects back.

use calvault_store::{Calendar, Change, ChangeKind, Expect, Tombstone};

use crate::objects::facts_of;
use crate::policy::DAY;
use crate::{Access, Actor, CoreError, Result, Vault, now, origin};

impl Vault {
    /// Objects deleted within the trash retention, newest first.
    pub async fn trash(&self, actor: Actor, calendar: &Calendar) -> Result<Vec<Tombstone>> {
        self.check_access(actor, calendar, Access::Read).await?;
        let since = now() - i64::from(self.policy.trash_days) * DAY;
        Ok(self.store.tombstones(calendar.id, since).await?)
    }

    /// Restores deleted objects by UID (all of the trash when `uids` is empty). Each comes back
    /// as a new revision with the data it had when deleted. Returns the restored tombstones.
    pub async fn restore_from_trash(
        &self,
        actor: Actor,
        calendar: &Calendar,
        uids: &[String],
    ) -> Result<Vec<Tombstone>> {
        self.check_access(actor, calendar, Access::Write).await?;
        let trash = self.trash(actor, calendar).await?;
        let chosen: Vec<Tombstone> = if uids.is_empty() {
            trash
        } else {
            let mut chosen = Vec::with_capacity(uids.len());
            for uid in uids {
                let found = trash.iter().find(|t| &t.uid == uid).cloned();
                chosen
                    .push(found.ok_or_else(|| CoreError::NotFound(format!("{uid} in the trash")))?);
            }
            chosen
        };
        for batch in chosen.chunks(self.policy.batch_size) {
            let changes = batch
                .iter()
                .map(|t| restore_change(calendar, t))
                .collect::<Result<Vec<_>>>()?;
            let note = Some("restored from the trash".to_string());
            self.store.commit(changes, &origin("trash", note)).await?;
        }
        Ok(chosen)
    }
}

fn restore_change(calendar: &Calendar, tombstone: &Tombstone) -> Result<Change> {
    let object = calvault_ical::CalendarObject::parse(&tombstone.data)?;
    Ok(Change {
        calendar_id: calendar.id,
        uid: tombstone.uid.clone(),
        expect: Expect::Absent,
        kind: ChangeKind::Put {
            name: tombstone.name.clone(),
            data: tombstone.data.clone(),
            facts: facts_of(&object),
        },
    })
}
