//! Archive: move events that ended before a date into the user's archive calendar.

use calvault_store::{Calendar, Change, ChangeKind, Expect, Snapshot};

use crate::calendars::new_calendar;
use crate::snapshots::DiffEntry;
use crate::{Access, Actor, CoreError, Result, Vault, origin};

/// The calendar that receives archived events, created on first use.
pub const ARCHIVE_CALENDAR: &str = "archive";

#[derive(Debug, Clone, Default)]
pub struct ArchiveReport {
    pub moved: Vec<DiffEntry>,
    pub archive: Option<Calendar>,
    /// Automatic snapshots of the source and the archive taken first.
    pub snapshots: Vec<Snapshot>,
    pub dry_run: bool,
}

impl Vault {
    /// Moves every event of `calendar` whose last occurrence ended before `before` (unix
    /// seconds) into the archive calendar, each move atomic. Never-ending series stay.
    pub async fn archive(
        &self,
        actor: Actor,
        calendar: &Calendar,
        before: i64,
        dry_run: bool,
    ) -> Result<ArchiveReport> {
        self.check_access(actor, calendar, Access::Write).await?;
        if calendar.name == ARCHIVE_CALENDAR {
            return Err(CoreError::Invalid(
                "the archive calendar cannot be archived into itself".to_string(),
            ));
        }
        let ended = self.store.objects_ended_before(calendar.id, before).await?;
        let ended: Vec<_> = ended
            .into_iter()
            .filter(|m| m.facts.component == "VEVENT")
            .collect();
        let mut report = ArchiveReport {
            dry_run,
            ..ArchiveReport::default()
        };
        report.moved = ended
            .iter()
            .map(|m| DiffEntry {
                uid: m.uid.clone(),
                name: m.name.clone(),
                summary: m.facts.summary.clone(),
            })
            .collect();
        let existing = self
            .store
            .calendar_by_name(calendar.user_id, ARCHIVE_CALENDAR)
            .await?;
        if dry_run || ended.is_empty() {
            report.archive = existing;
            return Ok(report);
        }
        let archive = match existing {
            Some(archive) => archive,
            None => {
                self.store
                    .create_calendar(calendar.user_id, new_calendar(ARCHIVE_CALENDAR, "Archive"))
                    .await?
            }
        };
        report
            .snapshots
            .push(self.snapshot_automatic(calendar, "before archive").await?);
        report
            .snapshots
            .push(self.snapshot_automatic(&archive, "before archive").await?);
        let uids: Vec<String> = ended.iter().map(|m| m.uid.clone()).collect();
        for chunk in uids.chunks(self.policy.batch_size / 2) {
            let objects = self.store.objects_by_uids(calendar.id, chunk).await?;
            let mut changes = Vec::with_capacity(objects.len() * 2);
            for object in objects {
                changes.push(Change {
                    calendar_id: archive.id,
                    uid: object.meta.uid.clone(),
                    expect: Expect::Any,
                    kind: ChangeKind::Put {
                        name: object.meta.name.clone(),
                        data: object.data,
                        facts: object.meta.facts,
                    },
                });
                changes.push(Change {
                    calendar_id: calendar.id,
                    uid: object.meta.uid,
                    expect: Expect::Seq(object.meta.seq),
                    kind: ChangeKind::Delete,
                });
            }
            let note = Some(format!("archived from {}", calendar.name));
            self.store.commit(changes, &origin("archive", note)).await?;
        }
        report.archive = Some(archive);
        Ok(report)
    }
}
