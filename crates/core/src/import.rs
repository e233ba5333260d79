//! Import of .ics files with twin detection: an upsert that never makes a duplicate.

use std::collections::{HashMap, HashSet};

use calvault_ical::{CalendarObject, parse_file};
use calvault_store::{Calendar, Change, Expect, Snapshot, StoreError, StoredObject};

use crate::objects::put_change;
use crate::{Access, Actor, Result, Vault, origin};

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
        let parsed = parse_file(text)?;
        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        for failure in &parsed.failed {
            report.items.push(ImportItem {
                uid: failure.uid.clone().unwrap_or_default(),
                summary: None,
                outcome: ImportOutcome::Failed,
                error: Some(failure.to_string()),
            });
        }
        if !dry_run {
            report.snapshot = Some(self.snapshot_automatic(calendar, "before import").await?);
        }
        let mut seen = Seen::default();
        for chunk in parsed.objects.chunks(self.policy.batch_size) {
            let mut planned = self.plan_import(calendar, chunk, &mut seen).await?;
            if !dry_run {
                self.commit_import(&mut planned).await?;
            }
            report
                .items
                .extend(planned.into_iter().map(|(item, _)| item));
        }
        Ok(report)
    }

    async fn plan_import(
        &self,
        calendar: &Calendar,
        objects: &[CalendarObject],
        seen: &mut Seen,
    ) -> Result<Vec<(ImportItem, Option<Change>)>> {
        let uids: Vec<String> = objects.iter().map(|o| o.uid().to_string()).collect();
        let by_uid: HashMap<String, StoredObject> = self
            .store
            .objects_by_uids(calendar.id, &uids)
            .await?
            .into_iter()
            .map(|o| (o.meta.uid.clone(), o))
            .collect();
        let fingerprints: Vec<String> = objects.iter().map(|o| o.fingerprint().0).collect();
        for twin in self
            .store
            .objects_by_fingerprint(calendar.id, &fingerprints)
            .await?
        {
            seen.fingerprints.insert(twin.meta.facts.fingerprint);
        }
        let mut planned = Vec::with_capacity(objects.len());
        for (object, fingerprint) in objects.iter().zip(fingerprints) {
            let (outcome, change) = match by_uid.get(object.uid()) {
                Some(existing) if existing.data == object.to_ics() => {
                    (ImportOutcome::Duplicate, None)
                }
                Some(existing) => {
                    let change = put_change(
                        calendar,
                        &existing.meta.name,
                        object,
                        Expect::Seq(existing.meta.seq),
                    );
                    (ImportOutcome::Updated, Some(change))
                }
                None if seen.fingerprints.contains(&fingerprint) => {
                    (ImportOutcome::Duplicate, None)
                }
                None => {
                    let change = put_change(
                        calendar,
                        &name_for_uid(object.uid()),
                        object,
                        Expect::Absent,
                    );
                    (ImportOutcome::Created, Some(change))
                }
            };
            seen.fingerprints.insert(fingerprint);
            let item = ImportItem {
                uid: object.uid().to_string(),
                summary: object.summary().summary,
                outcome,
                error: None,
            };
            planned.push((item, change));
        }
        Ok(planned)
    }

    /// Commits a planned batch; if a precondition fails (someone wrote meanwhile, or a name
    /// is taken), commits its changes one by one so only the offending objects fail.
    async fn commit_import(&self, planned: &mut [(ImportItem, Option<Change>)]) -> Result<()> {
        let changes: Vec<Change> = planned
            .iter()
            .filter_map(|(_, change)| change.clone())
            .collect();
        if changes.is_empty() {
            return Ok(());
        }
        match self.store.commit(changes, &origin("import", None)).await {
            Ok(_) => Ok(()),
            Err(StoreError::PreconditionFailed { .. }) => self.commit_one_by_one(planned).await,
            Err(other) => Err(other.into()),
        }
    }

    async fn commit_one_by_one(&self, planned: &mut [(ImportItem, Option<Change>)]) -> Result<()> {
        for (item, change) in planned {
            let Some(change) = change else { continue };
            match self
                .store
                .commit(vec![change.clone()], &origin("import", None))
                .await
            {
                Ok(_) => {}
                Err(StoreError::PreconditionFailed { reason, .. }) => {
                    item.outcome = ImportOutcome::Failed;
                    item.error = Some(format!("{}: {reason}", item.uid));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }
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
