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
    /// The mass-deletion guard fires when one device deletes more than `guard_count` objects
    /// and more than `guard_percent` percent of a calendar within `guard_window_secs`.
    pub guard_count: u64,
    pub guard_percent: u64,
    pub guard_window_secs: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            trash_days: 30,
            revision_days: 60,
            automatic_snapshot_days: 60,
            batch_size: 1000,
            guard_count: 10,
            guard_percent: 25,
            guard_window_secs: 600,
        }
    }
}

pub(crate) const DAY: i64 = 86_400;
