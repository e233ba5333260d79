//! Import of .ics files with twin detection: an upsert that never makes a duplicate.

use std::collections::{HashMap, HashSet};

use calvault_ical::{CalendarObject, ObjectError, ObjectStream, stream_file, vcal};
use calvault_store::{
    Calendar, Change, ChangeKind, Expect, ObjectFacts, Snapshot, StoreError, StoredObject,
};

use crate::objects::facts_of;
use crate::{Access, Actor, CoreError, Result, Vault, origin};

/// What happened (or, in a dry run, would happen) to one object of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    Updated,
    /// Already there: the same UID with the same content, or a twin with the same fingerprint.
    Duplicate,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportItem {
    pub uid: String,
    pub summary: Option<String>,
    pub outcome: ImportOutcome,
    /// Why it failed, naming the line where the object starts.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub items: Vec<ImportItem>,
    /// The automatic snapshot taken before writing (none for a dry run).
    pub snapshot: Option<Snapshot>,
    pub dry_run: bool,
}

impl ImportReport {
    pub fn count(&self, outcome: ImportOutcome) -> usize {
        self.items
            .iter()
            .filter(|item| item.outcome == outcome)
            .count()
    }

    /// The one-line summary: `created 120, updated 3, duplicates skipped 7, failed 1`.
    pub fn summary_line(&self) -> String {
        format!(
            "{}created {}, updated {}, duplicates skipped {}, failed {}",
            if self.dry_run {
                "dry run: would have "
            } else {
                ""
            },
            self.count(ImportOutcome::Created),
            self.count(ImportOutcome::Updated),
            self.count(ImportOutcome::Duplicate),
            self.count(ImportOutcome::Failed),
        )
    }
}

/// A resource name for an imported object: its UID when that is safe in a URL, else a digest.
pub(crate) fn name_for_uid(uid: &str) -> String {
    let safe = uid.len() <= 120
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if safe && !uid.starts_with('.') {
        format!("{uid}.ics")
    } else {
        use sha2::Digest;
        format!(
            "{}.ics",
            hex::encode(&sha2::Sha256::digest(uid.as_bytes())[..16])
        )
    }
}

/// Twins seen so far in this import: fingerprints of objects stored or about to be.
#[derive(Default)]
struct Seen {
    fingerprints: HashSet<String>,
}

impl Vault {
    /// Imports every object of `text` into the calendar. Objects that fail to parse are
    /// reported and the others still go in. An automatic snapshot comes first.
    pub async fn import(
        &self,
        actor: Actor,
        calendar: &Calendar,
        text: &str,
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.check_access(actor, calendar, Access::Write).await?;
        // vCalendar 1.0 (phones, old desktop programs) is stored as the iCalendar 2.0 it means,
        // so that every client and every export reads it.
        let converted;
        let text = if vcal::is_vcalendar(text) {
            converted = vcal::to_icalendar(text)
                .map_err(|error| CoreError::InvalidData(format!("vCalendar 1.0: {error}")))?;
            converted.as_str()
        } else {
            text
        };
        // Objects come one UID at a time: a file of any size imports in bounded memory.
        let mut stream = stream_file(text)?;
        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        if !dry_run {
            report.snapshot = Some(self.snapshot_automatic(calendar, "before import").await?);
        }
        let mut seen = Seen::default();
        // While one batch commits (on the database's side), the next is read and planned
        // (parsing, fingerprints, twin look-ups): the two halves of the work overlap.
        let mut committing: Option<tokio::task::JoinHandle<Result<Vec<ImportItem>>>> = None;
        loop {
            let batch = next_batch(
                &mut stream,
                self.policy.batch_size.max(1),
                &mut report.items,
            );
            if batch.is_empty() {
                break;
            }
            let planned = self.plan_import(calendar, &batch, &mut seen).await?;
            if let Some(previous) = committing.take() {
                report.items.extend(join(previous).await?);
            }
            if dry_run {
                report.items.extend(planned.items);
                continue;
            }
            let vault = self.clone();
            let calendar = calendar.clone();
            committing = Some(tokio::spawn(async move {
                vault.commit_import(&calendar, &batch, planned).await
            }));
        }
        if let Some(previous) = committing.take() {
            report.items.extend(join(previous).await?);
        }
        report
            .items
            .extend(stream.file_failures().iter().map(failed_item));
        Ok(report)
    }

    async fn plan_import(
        &self,
        calendar: &Calendar,
        objects: &[CalendarObject],
        seen: &mut Seen,
    ) -> Result<Planned> {
        let uids: Vec<String> = objects.iter().map(|o| o.uid().to_string()).collect();
        let by_uid: HashMap<String, StoredObject> = self
            .store
            .objects_by_uids(calendar.id, &uids)
            .await?
            .into_iter()
            .map(|o| (o.meta.uid.clone(), o))
            .collect();
        let facts: Vec<ObjectFacts> = objects.iter().map(facts_of).collect();
        let fingerprints: Vec<String> = facts.iter().map(|f| f.fingerprint.clone()).collect();
        for twin in self
            .store
            .objects_by_fingerprint(calendar.id, &fingerprints)
            .await?
        {
            seen.fingerprints.insert(twin.meta.facts.fingerprint);
        }
        let mut planned = Planned::default();
        for (object, facts) in objects.iter().zip(facts) {
            let uid = object.uid().to_string();
            let existing = by_uid.get(&uid);
            let twin = seen.fingerprints.contains(&facts.fingerprint);
            seen.fingerprints.insert(facts.fingerprint.clone());
            let summary = facts.summary.clone();
            let data = object.to_ics();
            let (outcome, change) = match existing {
                Some(existing) if existing.data == data => (ImportOutcome::Duplicate, None),
                Some(existing) => {
                    let kind = ChangeKind::Put {
                        name: existing.meta.name.clone(),
                        data,
                        facts,
                    };
                    let expect = Expect::Seq(existing.meta.seq);
                    (ImportOutcome::Updated, Some((expect, kind)))
                }
                None if twin => (ImportOutcome::Duplicate, None),
                None => {
                    let kind = ChangeKind::Put {
                        name: name_for_uid(&uid),
                        data,
                        facts,
                    };
                    (ImportOutcome::Created, Some((Expect::Absent, kind)))
                }
            };
            if let Some((expect, kind)) = change {
                planned.changes.push(Change {
                    calendar_id: calendar.id,
                    uid: uid.clone(),
                    expect,
                    kind,
                });
            }
            planned.items.push(ImportItem {
                uid,
                summary,
                outcome,
                error: None,
            });
        }
        Ok(planned)
    }

    /// Commits a planned batch; if a precondition fails (someone wrote meanwhile, or a name
    /// is taken), plans the batch again and commits it object by object, so only the
    /// offending objects fail.
    async fn commit_import(
        &self,
        calendar: &Calendar,
        objects: &[CalendarObject],
        planned: Planned,
    ) -> Result<Vec<ImportItem>> {
        if planned.changes.is_empty() {
            return Ok(planned.items);
        }
        match self
            .store
            .commit(planned.changes, &origin("import", None))
            .await
        {
            Ok(_) => Ok(planned.items),
            Err(StoreError::PreconditionFailed { .. }) => {
                let again = self
                    .plan_import(calendar, objects, &mut Seen::default())
                    .await?;
                self.commit_one_by_one(again).await
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn commit_one_by_one(&self, planned: Planned) -> Result<Vec<ImportItem>> {
        let mut items = planned.items;
        for change in planned.changes {
            let uid = change.uid.clone();
            match self
                .store
                .commit(vec![change], &origin("import", None))
                .await
            {
                Ok(_) => {}
                Err(StoreError::PreconditionFailed { reason, .. }) => {
                    if let Some(item) = items.iter_mut().find(|i| i.uid == uid) {
                        item.outcome = ImportOutcome::Failed;
                        item.error = Some(format!("{uid}: {reason}"));
                    }
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(items)
    }
}

/// Up to `size` objects from the stream; the objects that fail to parse are reported on the way.
fn next_batch(
    stream: &mut ObjectStream<'_>,
    size: usize,
    items: &mut Vec<ImportItem>,
) -> Vec<CalendarObject> {
    let mut batch = Vec::with_capacity(size);
    while batch.len() < size {
        match stream.next() {
            Some(Ok(object)) => batch.push(object),
            Some(Err(failure)) => items.push(failed_item(&failure)),
            None => break,
        }
    }
    batch
}

fn failed_item(failure: &ObjectError) -> ImportItem {
    ImportItem {
        uid: failure.uid.clone().unwrap_or_default(),
        summary: None,
        outcome: ImportOutcome::Failed,
        error: Some(failure.to_string()),
    }
}

/// A batch as planned: what each object will become, and the changes that make it so.
#[derive(Default)]
struct Planned {
    items: Vec<ImportItem>,
    changes: Vec<Change>,
}

async fn join(handle: tokio::task::JoinHandle<Result<Vec<ImportItem>>>) -> Result<Vec<ImportItem>> {
    handle
        .await
        .map_err(|error| CoreError::Invalid(format!("an import batch stopped: {error}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_uids() {
        assert_eq!(
            name_for_uid("abc-123@example.com"),
            "abc-123@example.com.ics"
        );
        let odd = name_for_uid("a/b c");
        assert!(odd.ends_with(".ics") && odd.len() == 36, "{odd}");
        assert_eq!(odd, name_for_uid("a/b c"));
    }
}
