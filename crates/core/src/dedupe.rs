//! Dedupe: find twins already in a calendar and keep the richest copy of each.

use calvault_ical::CalendarObject;
use calvault_store::{Calendar, Change, ChangeKind, Expect, Snapshot, StoredObject};

use crate::snapshots::DiffEntry;
use crate::{Access, Actor, Result, Vault, origin};

/// Objects sharing one fingerprint: the copy kept and those that go to the trash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupeGroup {
    pub keep: DiffEntry,
    pub remove: Vec<DiffEntry>,
}

#[derive(Debug, Clone, Default)]
pub struct DedupeReport {
    pub groups: Vec<DedupeGroup>,
    pub snapshot: Option<Snapshot>,
    pub dry_run: bool,
}

impl DedupeReport {
    pub fn removed(&self) -> usize {
        self.groups.iter().map(|g| g.remove.len()).sum()
    }
}

fn entry(object: &StoredObject) -> DiffEntry {
    DiffEntry {
        uid: object.meta.uid.clone(),
        name: object.meta.name.clone(),
        summary: object.meta.facts.summary.clone(),
    }
}

/// The richest copy wins; on a tie the oldest (lowest id) stays, so repeated runs agree.
fn richest(group: &[StoredObject]) -> usize {
    let score = |o: &StoredObject| {
        CalendarObject::parse(&o.data)
            .map(|p| p.richness())
            .unwrap_or(0)
    };
    let mut best = 0;
    let mut best_score = None;
    for (index, object) in group.iter().enumerate() {
        let candidate = (score(object), std::cmp::Reverse(object.meta.id));
        if best_score.is_none_or(|b| candidate > b) {
            best = index;
            best_score = Some(candidate);
        }
    }
    best
}

impl Vault {
    /// Merges twins (same fingerprint) by keeping the richest copy and moving the others to
    /// the trash. An automatic snapshot comes first; a dry run only reports.
    pub async fn dedupe(
        &self,
        actor: Actor,
        calendar: &Calendar,
        dry_run: bool,
    ) -> Result<DedupeReport> {
        self.check_access(actor, calendar, Access::Write).await?;
        let mut report = DedupeReport {
            dry_run,
            ..DedupeReport::default()
        };
        let mut changes = Vec::new();
        for metas in self.store.fingerprint_twins(calendar.id).await? {
            let uids: Vec<String> = metas.iter().map(|m| m.uid.clone()).collect();
            let mut group = self.store.objects_by_uids(calendar.id, &uids).await?;
            group.sort_by_key(|o| o.meta.id);
            if group.len() < 2 {
                continue;
            }
            let keep = group.remove(richest(&group));
            for object in &group {
                changes.push(Change {
                    calendar_id: calendar.id,
                    uid: object.meta.uid.clone(),
                    expect: Expect::Seq(object.meta.seq),
                    kind: ChangeKind::Delete,
                });
            }
            report.groups.push(DedupeGroup {
                keep: entry(&keep),
                remove: group.iter().map(entry).collect(),
            });
        }
        if dry_run || changes.is_empty() {
            return Ok(report);
        }
        report.snapshot = Some(self.snapshot_automatic(calendar, "before dedupe").await?);
        for batch in changes.chunks(self.policy.batch_size) {
            self.store
                .commit(
                    batch.to_vec(),
                    &origin("dedupe", Some("duplicate removed".to_string())),
                )
                .await?;
        }
        Ok(report)
    }
}
