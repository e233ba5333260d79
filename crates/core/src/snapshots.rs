//! Snapshots: named journal positions; diff against now; restore by rolling forward.

use std::collections::HashMap;

use calvault_store::{
    Calendar, Change, ChangeKind, Expect, NewSnapshot, Revision, RevisionKind, Snapshot,
    SnapshotId, StoredObject,
};

use crate::objects::facts_of;
use crate::{Access, Actor, CoreError, Result, Vault, now, origin};

/// One object in a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffEntry {
    pub uid: String,
    pub name: String,
    pub summary: Option<String>,
}

/// What a restore of a snapshot would do to the calendar as it is now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotDiff {
    /// Deleted since the snapshot: they come back.
    pub bring_back: Vec<DiffEntry>,
    /// Created since the snapshot: they go (to the trash).
    pub remove: Vec<DiffEntry>,
    /// Changed since the snapshot: they get their old content back.
    pub change: Vec<DiffEntry>,
}

impl SnapshotDiff {
    pub fn is_empty(&self) -> bool {
        self.bring_back.is_empty() && self.remove.is_empty() && self.change.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub diff: SnapshotDiff,
    /// The automatic snapshot taken just before: restoring it undoes this restore.
    pub undo: Option<Snapshot>,
}

/// One planned step of a restore, with the change it makes.
struct Step {
    entry: DiffEntry,
    change: Change,
}

impl Vault {
    pub async fn create_snapshot(
        &self,
        actor: Actor,
        calendar: &Calendar,
        label: &str,
    ) -> Result<Snapshot> {
        self.check_access(actor, calendar, Access::Write).await?;
        self.take_snapshot(calendar, label, "manual", false).await
    }

    /// The automatic snapshot taken before every risky operation.
    pub(crate) async fn snapshot_automatic(
        &self,
        calendar: &Calendar,
        reason: &str,
    ) -> Result<Snapshot> {
        self.take_snapshot(calendar, &format!("automatic: {reason}"), reason, true)
            .await
    }

    async fn take_snapshot(
        &self,
        calendar: &Calendar,
        label: &str,
        reason: &str,
        automatic: bool,
    ) -> Result<Snapshot> {
        let position = self.store.position(calendar.id).await?;
        let snapshot = NewSnapshot {
            calendar_id: calendar.id,
            position,
            label: label.to_string(),
            reason: reason.to_string(),
            automatic,
            created_at: now(),
        };
        Ok(self.store.create_snapshot(snapshot).await?)
    }

    pub async fn list_snapshots(&self, actor: Actor, calendar: &Calendar) -> Result<Vec<Snapshot>> {
        self.check_access(actor, calendar, Access::Read).await?;
        Ok(self.store.list_snapshots(calendar.id).await?)
    }

    /// A snapshot and its calendar, after the access check.
    pub async fn snapshot(
        &self,
        actor: Actor,
        id: SnapshotId,
        access: Access,
    ) -> Result<(Snapshot, Calendar)> {
        let snapshot = self
            .store
            .snapshot(id)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("snapshot {id}")))?;
        let calendar = self
            .calendar_by_id(actor, snapshot.calendar_id, access)
            .await?;
        Ok((snapshot, calendar))
    }

    /// The number of objects the calendar held at the snapshot.
    pub async fn snapshot_size(&self, snapshot: &Snapshot) -> Result<u64> {
        Ok(self
            .store
            .count_objects_at(snapshot.calendar_id, snapshot.position)
            .await?)
    }

    pub async fn diff_snapshot(&self, actor: Actor, id: SnapshotId) -> Result<SnapshotDiff> {
        let (snapshot, calendar) = self.snapshot(actor, id, Access::Read).await?;
        let steps = self.restore_steps(&calendar, &snapshot).await?;
        Ok(diff_of(&steps))
    }

    /// Brings the calendar back to the snapshot by writing new revisions, after taking an
    /// automatic snapshot of the present, so sync positions never go back and the restore can
    /// be undone by restoring that snapshot.
    pub async fn restore_snapshot(
        &self,
        actor: Actor,
        id: SnapshotId,
        dry_run: bool,
    ) -> Result<RestoreReport> {
        let (snapshot, calendar) = self.snapshot(actor, id, Access::Write).await?;
        let steps = self.restore_steps(&calendar, &snapshot).await?;
        let diff = diff_of(&steps);
        if dry_run || steps.is_empty() {
            return Ok(RestoreReport { diff, undo: None });
        }
        let undo = self
            .snapshot_automatic(&calendar, &format!("before restoring snapshot {id}"))
            .await?;
        let note = format!("restore of snapshot {id}");
        let mut steps = steps;
        while !steps.is_empty() {
            let rest = steps.split_off(steps.len().min(self.policy.batch_size));
            let changes = std::mem::replace(&mut steps, rest)
                .into_iter()
                .map(|s| s.change)
                .collect();
            self.store
                .commit(changes, &origin("restore", Some(note.clone())))
                .await?;
        }
        Ok(RestoreReport {
            diff,
            undo: Some(undo),
        })
    }

    async fn restore_steps(&self, calendar: &Calendar, snapshot: &Snapshot) -> Result<Vec<Step>> {
        let then = self.store.state_at(calendar.id, snapshot.position).await?;
        let uids: Vec<String> = then.iter().map(|(uid, _)| uid.clone()).collect();
        let mut current: HashMap<String, StoredObject> = HashMap::with_capacity(uids.len());
        for chunk in uids.chunks(self.policy.batch_size) {
            for object in self.store.objects_by_uids(calendar.id, chunk).await? {
                current.insert(object.meta.uid.clone(), object);
            }
        }
        let mut steps = Vec::new();
        for (uid, revision) in then {
            let past = revision.filter(|r| r.meta.kind == RevisionKind::Put);
            if let Some(step) = restore_step(calendar, &uid, past, current.remove(&uid))? {
                steps.push(step);
            }
        }
        Ok(steps)
    }
}

fn restore_step(
    calendar: &Calendar,
    uid: &str,
    past: Option<Revision>,
    now: Option<StoredObject>,
) -> Result<Option<Step>> {
    let step = match (past, now) {
        (None, None) => None,
        (None, Some(now)) => Some(Step {
            entry: DiffEntry {
                uid: uid.to_string(),
                name: now.meta.name.clone(),
                summary: now.meta.facts.summary.clone(),
            },
            change: Change {
                calendar_id: calendar.id,
                uid: uid.to_string(),
                expect: Expect::Seq(now.meta.seq),
                kind: ChangeKind::Delete,
            },
        }),
        (Some(past), now) => {
            if now.as_ref().is_some_and(|n| n.data == past.data) {
                return Ok(None);
            }
            let object = calvault_ical::CalendarObject::parse(&past.data)?;
            let expect = now
                .as_ref()
                .map_or(Expect::Absent, |n| Expect::Seq(n.meta.seq));
            Some(Step {
                entry: DiffEntry {
                    uid: uid.to_string(),
                    name: past.meta.name.clone(),
                    summary: past.meta.summary.clone(),
                },
                change: Change {
                    calendar_id: calendar.id,
                    uid: uid.to_string(),
                    expect,
                    kind: ChangeKind::Put {
                        name: past.meta.name.clone(),
                        data: past.data,
                        facts: facts_of(&object),
                    },
                },
            })
        }
    };
    Ok(step)
}

fn diff_of(steps: &[Step]) -> SnapshotDiff {
    let mut diff = SnapshotDiff::default();
    for step in steps {
        let list = match (&step.change.kind, step.change.expect) {
            (ChangeKind::Delete, _) => &mut diff.remove,
            (ChangeKind::Put { .. }, Expect::Absent) => &mut diff.bring_back,
            (ChangeKind::Put { .. }, _) => &mut diff.change,
        };
        list.push(step.entry.clone());
    }
    diff
}
