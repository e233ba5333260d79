//! An object's history: its revisions from the journal, one old version, and bringing an old
//! version back as a new revision (so the restore itself can be undone the same way).

use calvault_ical::CalendarObject;
use calvault_store::{
    Calendar, Change, ChangeKind, Expect, Revision, RevisionKind, RevisionMeta, Seq,
};

use crate::objects::facts_of;
use crate::{Access, Actor, Client, CoreError, Result, Vault};

/// What a restore of a revision wrote, and the revision to restore to undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRestore {
    /// The new revision the restore appended.
    pub revision: RevisionMeta,
    /// The object's newest revision before the restore: restoring it undoes this one.
    pub undo: Seq,
}

impl Vault {
    /// The revisions of the object `uid` of `calendar`, newest first (deleted objects too,
    /// as long as the journal keeps them). NotFound when the UID was never in the calendar.
    pub async fn object_history(
        &self,
        actor: Actor,
        calendar: &Calendar,
        uid: &str,
    ) -> Result<Vec<RevisionMeta>> {
        self.check_access(actor, calendar, Access::Read).await?;
        let history = self.store.history(calendar.id, uid).await?;
        if history.is_empty() {
            return Err(CoreError::NotFound(format!("history of {uid}")));
        }
        Ok(history)
    }

    /// One revision of the object `uid`, with its data. A seq of another object answers
    /// NotFound, so a revision is only reached through the object it belongs to.
    pub async fn object_revision(
        &self,
        actor: Actor,
        calendar: &Calendar,
        uid: &str,
        seq: Seq,
    ) -> Result<Revision> {
        self.check_access(actor, calendar, Access::Read).await?;
        self.store
            .revision(calendar.id, seq)
            .await?
            .filter(|r| r.meta.uid == uid)
            .ok_or_else(|| CoreError::NotFound(format!("revision {seq} of {uid}")))
    }

    /// Makes the object what it was at revision `seq`: a put of that version's data, or a
    /// delete (to the trash) when that revision was a delete. The change is conditional on the
    /// object's newest revision, so a change made meanwhile is never overwritten unseen.
    pub async fn restore_revision(
        &self,
        actor: Actor,
        calendar: &Calendar,
        uid: &str,
        seq: Seq,
        client: &Client,
    ) -> Result<RevisionRestore> {
        self.check_access(actor, calendar, Access::Write).await?;
        let target = self.object_revision(actor, calendar, uid, seq).await?;
        let newest = self
            .store
            .history(calendar.id, uid)
            .await?
            .first()
            .map(|r| r.seq)
            .ok_or_else(|| CoreError::NotFound(format!("history of {uid}")))?;
        if newest == seq {
            return Err(CoreError::Invalid(
                "this revision is already the current version".to_string(),
            ));
        }
        let current = self.store.object_by_uid(calendar.id, uid).await?;
        let change = match (target.meta.kind, &current) {
            (RevisionKind::Delete, None) => {
                return Err(CoreError::Invalid(
                    "the event is already deleted".to_string(),
                ));
            }
            (RevisionKind::Delete, Some(live)) => {
                self.guard_deletions(calendar, client, 1).await?;
                Change {
                    calendar_id: calendar.id,
                    uid: uid.to_string(),
                    expect: Expect::Seq(live.meta.seq),
                    kind: ChangeKind::Delete,
                }
            }
            (RevisionKind::Put, _) => {
                let object = CalendarObject::parse(&target.data)?;
                // A live object keeps its resource name (clients know it by that href); a
                // deleted one comes back under the name it had.
                let (name, expect) = match &current {
                    Some(live) => (live.meta.name.clone(), Expect::Seq(live.meta.seq)),
                    None => (target.meta.name.clone(), Expect::Absent),
                };
                Change {
                    calendar_id: calendar.id,
                    uid: uid.to_string(),
                    expect,
                    kind: ChangeKind::Put {
                        name,
                        data: target.data.clone(),
                        facts: facts_of(&object),
                    },
                }
            }
        };
        let note = Some(format!("restore of revision {seq}"));
        let revision = self
            .store
            .commit(vec![change], &client.origin(note))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::Invalid("the restore wrote nothing".to_string()))?;
        Ok(RevisionRestore {
            revision,
            undo: newest,
        })
    }
}
