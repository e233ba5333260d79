//! The tunable rules of the domain, with their defaults.

/// Retention and batching rules; every field has a default that suits most sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Deleted objects stay restorable from the trash this long.
    pub trash_days: u32,
    /// Revisions superseded longer ago than this are compacted, unless a snapshot pins them.
    pub revision_days: u32,
    /// Automatic snapshots older than this are dropped (manual ones are kept until deleted).
    pub automatic_snapshot_days: u32,
    /// Objects written per transaction by import, restore, dedupe and archive.
    pub batch_size: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            trash_days: 30,
            revision_days: 60,
            automatic_snapshot_days: 60,
            batch_size: 1000,
        }
    }
}

pub(crate) const DAY: i64 = 86_400;
