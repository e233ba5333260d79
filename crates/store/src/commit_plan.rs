//! The pure half of `Store::commit`: given a batch of changes and the current rows it touches,
//! checks every precondition in order and decides which rows to write. Both backends read the
//! current state, call [`plan`], then write the plan with a few multi-row statements.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::rows::CurrentObjectRow;
use crate::{
    CalendarId, Change, ChangeKind, Expect, ObjectFacts, Origin, RevisionKind, RevisionMeta, Seq,
    StoreError,
};

/// Where a revision's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataSource {
    /// The data of the put at this index of the batch.
    Batch(usize),
    /// The data of a revision already stored in the same calendar (a tombstone of a stored version).
    Stored(Seq),
}

/// A revision to append. Everything borrows from the batch or the rows read for it: planning a
/// batch of thousands of changes allocates next to nothing.
#[derive(Debug, Clone)]
pub(crate) struct PlannedRevision<'a> {
    pub calendar_id: CalendarId,
    pub seq: Seq,
    pub uid: &'a str,
    pub name: &'a str,
    pub kind: RevisionKind,
    pub data: DataSource,
    /// The facts of a put; None for a tombstone.
    pub facts: Option<&'a ObjectFacts>,
    pub summary: Option<&'a str>,
}

/// The final state of a live object after the batch.
#[derive(Debug, Clone)]
pub(crate) struct PlannedObject<'a> {
    /// The id of its stored row; None for a new row.
    pub id: Option<i64>,
    pub calendar_id: CalendarId,
    pub uid: &'a str,
    pub name: &'a str,
    pub seq: Seq,
    pub facts: &'a ObjectFacts,
}

#[derive(Debug, Default)]
pub(crate) struct Plan<'a> {
    /// In the order of the changes that wrote them.
    pub revisions: Vec<PlannedRevision<'a>>,
    /// The new position of every calendar that gets revisions.
    pub positions: Vec<(CalendarId, Seq)>,
    /// Stored object rows (by UID) that leave the current state.
    pub object_deletes: Vec<(CalendarId, &'a str)>,
    /// Ids of stored rows whose name changes: parked under a unique temporary name before the
    /// rows are written, so a batch may move names between objects in any order.
    pub object_renames: Vec<(CalendarId, i64)>,
    /// Final state of every object the batch leaves live: new rows, then stored rows.
    pub object_inserts: Vec<PlannedObject<'a>>,
    pub object_updates: Vec<PlannedObject<'a>>,
    /// UIDs live after the batch: no trash entry may remain for them.
    pub tombstone_clears: Vec<(CalendarId, &'a str)>,
    /// UIDs deleted by the batch: (calendar, uid, seq of the tombstone).
    pub tombstone_sets: Vec<(CalendarId, &'a str, Seq)>,
}

impl Plan<'_> {
    pub fn revision_metas(&self, origin: &Origin) -> Vec<RevisionMeta> {
        self.revisions
            .iter()
            .map(|r| RevisionMeta {
                calendar_id: r.calendar_id,
                seq: r.seq,
                uid: r.uid.to_owned(),
                name: r.name.to_owned(),
                kind: r.kind,
                at: origin.at,
                source: origin.source.clone(),
                device_id: origin.device_id,
                note: origin.note.clone(),
                summary: r.summary.map(str::to_owned),
            })
            .collect()
    }

    /// Calendars with object deletes, and their UIDs.
    pub fn deletes_by_calendar(&self) -> Vec<(CalendarId, Vec<&str>)> {
        group_by_calendar(self.object_deletes.iter().copied())
    }

    pub fn tombstone_clears_by_calendar(&self) -> Vec<(CalendarId, Vec<&str>)> {
        group_by_calendar(self.tombstone_clears.iter().copied())
    }

    /// The temporary name a renamed row holds inside the transaction.
    pub fn parking_name(id: i64) -> String {
        format!("\u{1}calvault-rename\u{1}{id}")
    }
}

pub(crate) fn group_by_calendar<T>(
    items: impl Iterator<Item = (CalendarId, T)>,
) -> Vec<(CalendarId, Vec<T>)> {
    let mut groups: Vec<(CalendarId, Vec<T>)> = Vec::new();
    for (calendar, item) in items {
        match groups.iter_mut().find(|(c, _)| *c == calendar) {
            Some((_, list)) => list.push(item),
            None => groups.push((calendar, vec![item])),
        }
    }
    groups
}

/// The calendars a batch touches, ascending (the order in which their rows are locked), each with
/// the UIDs and the put names its changes mention.
pub(crate) struct Touched<'a> {
    pub calendar_id: CalendarId,
    pub uids: Vec<&'a str>,
    pub names: Vec<&'a str>,
}

pub(crate) fn touched(changes: &[Change]) -> Vec<Touched<'_>> {
    let mut by_calendar: BTreeMap<CalendarId, Touched<'_>> = BTreeMap::new();
    let mut seen_uid = HashSet::with_capacity(changes.len());
    let mut seen_name = HashSet::with_capacity(changes.len());
    for change in changes {
        let calendar_id = change.calendar_id;
        let entry = by_calendar.entry(calendar_id).or_insert_with(|| Touched {
            calendar_id,
            uids: vec![],
            names: vec![],
        });
        if seen_uid.insert((calendar_id, change.uid.as_str())) {
            entry.uids.push(&change.uid);
        }
        if let ChangeKind::Put { name, .. } = &change.kind
            && seen_name.insert((calendar_id, name.as_str()))
        {
            entry.names.push(name);
        }
    }
    by_calendar.into_values().collect()
}

/// The put names of a batch that the rows found by UID do not already account for: only those
/// need a look-up by name (an update that keeps its name needs none).
pub(crate) fn names_to_check<'n>(
    names: &[&'n str],
    found_by_uid: &[CurrentObjectRow],
) -> Vec<&'n str> {
    let held: HashSet<&str> = found_by_uid.iter().map(|row| row.name.as_str()).collect();
    names
        .iter()
        .copied()
        .filter(|name| !held.contains(name))
        .collect()
}

/// The live version of a UID during planning.
#[derive(Debug, Clone, Copy)]
struct Live<'a> {
    name: &'a str,
    seq: Seq,
    summary: Option<&'a str>,
    data: DataSource,
    /// The facts of the batch's put; None for the stored version.
    facts: Option<&'a ObjectFacts>,
}

#[derive(Debug, Default)]
struct Slot<'a> {
    /// The stored row at the start of the batch: (id, name).
    stored: Option<(i64, &'a str)>,
    live: Option<Live<'a>>,
    /// The seq of the batch's tombstone of this UID, when the batch's last change to it is one.
    deleted_at_seq: Option<Seq>,
    touched: bool,
}

type Key<'a> = (CalendarId, &'a str);

/// Checks the batch against the current rows and plans its writes.
///
/// `positions` holds the current position of every touched calendar; `current` the stored rows
/// whose UID or name the batch mentions.
pub(crate) fn plan<'a>(
    changes: &'a [Change],
    positions: &HashMap<CalendarId, Seq>,
    current: &'a [(CalendarId, CurrentObjectRow)],
) -> Result<Plan<'a>, StoreError> {
    let mut slots: HashMap<Key<'a>, Slot<'a>> =
        HashMap::with_capacity(changes.len() + current.len());
    // Who holds each name right now, as the batch proceeds.
    let mut names: HashMap<Key<'a>, &'a str> =
        HashMap::with_capacity(changes.len() + current.len());
    let mut order: Vec<Key<'a>> = Vec::with_capacity(changes.len());
    for (calendar, row) in current {
        names.insert((*calendar, &row.name), &row.uid);
        let live = Live {
            name: &row.name,
            seq: row.seq,
            summary: row.summary.as_deref(),
            data: DataSource::Stored(row.seq),
            facts: None,
        };
        let slot = Slot {
            stored: Some((row.id, &row.name)),
            live: Some(live),
            ..Default::default()
        };
        slots.insert((*calendar, &row.uid), slot);
    }
    let mut next: HashMap<CalendarId, Seq> = positions.clone();
    let mut out = Plan {
        revisions: Vec::with_capacity(changes.len()),
        ..Default::default()
    };

    for (index, change) in changes.iter().enumerate() {
        let calendar = change.calendar_id;
        let key: Key<'a> = (calendar, &change.uid);
        let fail = |reason: String| StoreError::PreconditionFailed {
            index,
            uid: change.uid.clone(),
            reason,
        };
        let Some(position) = next.get(&calendar).copied() else {
            return Err(StoreError::NotFound(format!("calendar {calendar}")));
        };
        let slot = slots.entry(key).or_default();
        check_expect(change.expect, slot.live.as_ref(), &change.kind).map_err(fail)?;
        let seq = position + 1;

        let revision = match &change.kind {
            ChangeKind::Put { name, facts, .. } => {
                let holder = names.get(&(calendar, name.as_str())).copied();
                let taken_by_other = holder.is_some_and(|uid| uid != change.uid);
                let target: &'a str = match &slot.live {
                    // RFC 4791 keeps resource names stable: an existing object moves to a new name
                    // only when that name is free.
                    Some(live) if taken_by_other => live.name,
                    Some(_) => name,
                    None if taken_by_other => {
                        let other = holder.unwrap_or_default();
                        return Err(fail(format!("the name {name:?} is taken by UID {other:?}")));
                    }
                    None => name,
                };
                if let Some(live) = &slot.live
                    && live.name != target
                {
                    names.remove(&(calendar, live.name));
                }
                names.insert((calendar, target), &change.uid);
                let summary = facts.summary.as_deref();
                let data = DataSource::Batch(index);
                slot.live = Some(Live {
                    name: target,
                    seq,
                    summary,
                    data,
                    facts: Some(facts),
                });
                slot.deleted_at_seq = None;
                let kind = RevisionKind::Put;
                let uid = &change.uid;
                PlannedRevision {
                    calendar_id: calendar,
                    seq,
                    uid,
                    name: target,
                    kind,
                    data,
                    facts: Some(facts),
                    summary,
                }
            }
            ChangeKind::Delete => {
                // Deleting what is not there is a no-op (its precondition allowed it).
                let Some(live) = slot.live.take() else {
                    continue;
                };
                names.remove(&(calendar, live.name));
                slot.deleted_at_seq = Some(seq);
                PlannedRevision {
                    calendar_id: calendar,
                    seq,
                    uid: &change.uid,
                    name: live.name,
                    kind: RevisionKind::Delete,
                    data: live.data,
                    facts: None,
                    summary: live.summary,
                }
            }
        };
        if !slot.touched {
            slot.touched = true;
            order.push(key);
        }
        next.insert(calendar, seq);
        out.revisions.push(revision);
    }

    for key in order {
        finish_slot(&mut out, key, &slots[&key]);
    }
    let mut new_positions: Vec<(CalendarId, Seq)> = next
        .into_iter()
        .filter(|(calendar, seq)| positions.get(calendar) != Some(seq))
        .collect();
    new_positions.sort_unstable();
    out.positions = new_positions;
    Ok(out)
}

fn finish_slot<'a>(out: &mut Plan<'a>, (calendar, uid): Key<'a>, slot: &Slot<'a>) {
    let Some(live) = slot.live else {
        if slot.stored.is_some() {
            out.object_deletes.push((calendar, uid));
        }
        if let Some(seq) = slot.deleted_at_seq {
            out.tombstone_sets.push((calendar, uid, seq));
        }
        return;
    };
    // Live but untouched by a put: a touched slot always ends with a revision of the batch.
    let Some(facts) = live.facts else { return };
    let object = PlannedObject {
        id: None,
        calendar_id: calendar,
        uid,
        name: live.name,
        seq: live.seq,
        facts,
    };
    match slot.stored {
        Some((id, stored_name)) => {
            if stored_name != live.name {
                out.object_renames.push((calendar, id));
            }
            out.object_updates.push(PlannedObject {
                id: Some(id),
                ..object
            });
        }
        None => out.object_inserts.push(object),
    }
    out.tombstone_clears.push((calendar, uid));
}

/// The data of the put at `change` (the plan points only at puts for batch data).
pub(crate) fn batch_data(change: &Change) -> &str {
    match &change.kind {
        ChangeKind::Put { data, .. } => data,
        ChangeKind::Delete => "",
    }
}

fn check_expect(expect: Expect, live: Option<&Live>, kind: &ChangeKind) -> Result<(), String> {
    match (expect, live) {
        (Expect::Any, _) | (Expect::Absent, None) | (Expect::Exists, Some(_)) => Ok(()),
        (Expect::Absent, Some(live)) => {
            Err(format!("expected no object, found revision {}", live.seq))
        }
        (Expect::Exists, None) => Err("expected an object, found none".to_owned()),
        (Expect::Seq(seq), Some(live)) if live.seq == seq => Ok(()),
        (Expect::Seq(seq), Some(live)) => Err(format!(
            "expected revision {seq}, found revision {}",
            live.seq
        )),
        (Expect::Seq(seq), None) => {
            let what = if matches!(kind, ChangeKind::Delete) {
                "to delete"
            } else {
                "to replace"
            };
            Err(format!("expected revision {seq} {what}, found no object"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(summary: &str) -> ObjectFacts {
        ObjectFacts {
            component: "VEVENT".into(),
            first_start: None,
            last_end: None,
            fingerprint: format!("fp-{summary}"),
            summary: Some(summary.into()),
        }
    }

    fn put(uid: &str, name: &str, expect: Expect) -> Change {
        let kind = ChangeKind::Put {
            name: name.into(),
            data: format!("data {uid}"),
            facts: facts(uid),
        };
        Change {
            calendar_id: 1,
            uid: uid.into(),
            expect,
            kind,
        }
    }

    fn delete(uid: &str, expect: Expect) -> Change {
        Change {
            calendar_id: 1,
            uid: uid.into(),
            expect,
            kind: ChangeKind::Delete,
        }
    }

    fn row(id: i64, uid: &str, name: &str, seq: Seq) -> (CalendarId, CurrentObjectRow) {
        let summary = Some(uid.into());
        (
            1,
            CurrentObjectRow {
                id,
                uid: uid.into(),
                name: name.into(),
                seq,
                summary,
            },
        )
    }

    fn at(position: Seq) -> HashMap<CalendarId, Seq> {
        HashMap::from([(1, position)])
    }

    #[test]
    fn seqs_follow_the_position_and_skip_no_ops() {
        let changes = [
            put("a", "a.ics", Expect::Absent),
            delete("zz", Expect::Any),
            put("b", "b.ics", Expect::Any),
        ];
        let plan = plan(&changes, &at(7), &[]).unwrap();
        let seqs: Vec<Seq> = plan.revisions.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [8, 9]);
        assert_eq!(plan.positions, [(1, 9)]);
        assert_eq!(plan.object_inserts.len(), 2);
    }

    #[test]
    fn expect_seq_sees_earlier_changes_of_the_batch() {
        let current = [row(5, "a", "a.ics", 3)];
        let changes = [
            put("a", "a.ics", Expect::Seq(3)),
            put("a", "a.ics", Expect::Seq(11)),
        ];
        let plan = plan(&changes, &at(10), &current).unwrap();
        assert!(plan.object_inserts.is_empty());
        assert_eq!(
            (plan.object_updates[0].id, plan.object_updates[0].seq),
            (Some(5), 12)
        );
        let stale = [
            put("a", "a.ics", Expect::Seq(3)),
            put("a", "a.ics", Expect::Seq(3)),
        ];
        let err = super::plan(&stale, &at(10), &current).unwrap_err();
        assert!(
            matches!(err, StoreError::PreconditionFailed { index: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn a_new_uid_may_not_take_a_used_name_but_an_old_one_keeps_its_own() {
        let current = [row(5, "a", "a.ics", 1), row(6, "b", "b.ics", 2)];
        let err = plan(&[put("c", "a.ics", Expect::Any)], &at(2), &current).unwrap_err();
        assert!(
            matches!(err, StoreError::PreconditionFailed { index: 0, .. }),
            "{err}"
        );
        let changes = [put("b", "a.ics", Expect::Any)];
        let plan = plan(&changes, &at(2), &current).unwrap();
        assert_eq!(plan.object_updates[0].name, "b.ics");
        assert!(plan.object_renames.is_empty());
    }

    #[test]
    fn a_name_freed_by_the_batch_can_be_reused() {
        let current = [row(5, "a", "a.ics", 1)];
        let changes = [
            delete("a", Expect::Exists),
            put("b", "a.ics", Expect::Absent),
        ];
        let plan = plan(&changes, &at(1), &current).unwrap();
        assert_eq!(plan.object_deletes, [(1, "a")]);
        assert_eq!(plan.tombstone_sets, [(1, "a", 2)]);
        assert_eq!(plan.object_inserts[0].name, "a.ics");
        assert_eq!(plan.tombstone_clears, [(1, "b")]);
    }

    #[test]
    fn a_tombstone_carries_the_data_it_deleted() {
        let current = [row(5, "a", "a.ics", 1)];
        let changes = [
            put("n", "n.ics", Expect::Absent),
            delete("n", Expect::Exists),
            delete("a", Expect::Seq(1)),
        ];
        let plan = plan(&changes, &at(1), &current).unwrap();
        assert_eq!(plan.revisions[1].data, DataSource::Batch(0));
        assert_eq!(plan.revisions[2].data, DataSource::Stored(1));
        assert_eq!(plan.revisions[2].summary, Some("a"));
        assert!(plan.object_inserts.is_empty() && plan.object_updates.is_empty());
        assert_eq!(plan.object_deletes, [(1, "a")]);
        assert_eq!(plan.tombstone_sets, [(1, "n", 3), (1, "a", 4)]);
    }

    #[test]
    fn delete_of_an_absent_uid_fails_only_when_it_expected_one() {
        assert!(
            plan(&[delete("x", Expect::Any)], &at(0), &[])
                .unwrap()
                .revisions
                .is_empty()
        );
        assert!(
            plan(&[delete("x", Expect::Absent)], &at(0), &[])
                .unwrap()
                .revisions
                .is_empty()
        );
        assert!(plan(&[delete("x", Expect::Exists)], &at(0), &[]).is_err());
        assert!(plan(&[delete("x", Expect::Seq(1))], &at(0), &[]).is_err());
    }

    #[test]
    fn a_rename_parks_the_stored_row() {
        let current = [row(5, "a", "a.ics", 1)];
        let changes = [put("a", "new.ics", Expect::Any)];
        let plan = plan(&changes, &at(1), &current).unwrap();
        assert_eq!(plan.object_renames, [(1, 5)]);
        assert_eq!(plan.object_updates[0].name, "new.ics");
    }

    #[test]
    fn an_unknown_calendar_is_not_found() {
        let change = Change {
            calendar_id: 2,
            ..delete("x", Expect::Any)
        };
        assert!(matches!(
            plan(&[change], &at(0), &[]),
            Err(StoreError::NotFound(_))
        ));
    }
}
