//! Retention: compact old revisions and expire old automatic snapshots.

use crate::policy::DAY;
use crate::{Result, Vault, now};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub calendars: u64,
    pub revisions_removed: u64,
    pub tombstones_purged: u64,
    pub snapshots_expired: u64,
}

impl Vault {
    /// Runs retention over every calendar of every user. Named (manual) snapshots pin the
    /// revisions they need; automatic ones expire after `automatic_snapshot_days`.
    pub async fn run_retention(&self) -> Result<RetentionReport> {
        let now = now();
        let revisions_before = now - i64::from(self.policy.revision_days) * DAY;
        let trash_before = now - i64::from(self.policy.trash_days) * DAY;
        let snapshots_before = now - i64::from(self.policy.automatic_snapshot_days) * DAY;
        let mut report = RetentionReport::default();
        for user in self.store.list_users().await? {
            for calendar in self.store.list_calendars(user.id, true).await? {
                report.snapshots_expired += self
                    .store
                    .expire_automatic_snapshots(calendar.id, snapshots_before)
                    .await?;
                let compacted = self
                    .store
                    .compact(calendar.id, revisions_before, trash_before)
                    .await?;
                report.revisions_removed += compacted.revisions_removed;
                report.tombstones_purged += compacted.tombstones_purged;
                report.calendars += 1;
            }
        }
        Ok(report)
    }

    /// The store's integrity check: an empty list means all is well.
    pub async fn check(&self) -> Result<Vec<String>> {
        Ok(self.store.check().await?)
    }
}
