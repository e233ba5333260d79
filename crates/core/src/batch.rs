//! Several puts into one calendar as one durable commit: a SyncML message carries dozens of
//! items, and a commit (an fsync) per item cost more than everything else done for it. Each
//! put keeps its own outcome: a put the store refuses fails alone and the others are
//! committed again without it.

use calvault_ical::CalendarObject;
use calvault_store::{Calendar, Change, Expect, Seq, StoreError};

use crate::objects::put_change;
use crate::{Access, Actor, Client, CoreError, ETag, PutOutcome, Result, Vault};

/// One object to write, with what the caller knows of the resource it replaces.
#[derive(Debug, Clone)]
pub struct BatchPut {
    /// The resource name (for a replaced object: its current name).
    pub name: String,
    pub object: CalendarObject,
    /// None: a new object (its UID and its name must both be free); Some(seq): replaces the
    /// object holding the UID, which must still be at that revision.
    pub replaces: Option<Seq>,
}

impl Vault {
    /// Writes the puts into the calendar, all in one commit when the store takes them all.
    /// The answer has one outcome per put, in order; an Err of the whole call is a refused
    /// access or a failing store.
    pub async fn put_objects(
        &self,
        actor: Actor,
        calendar: &Calendar,
        puts: &[BatchPut],
        client: &Client,
    ) -> Result<Vec<Result<PutOutcome>>> {
        self.check_access(actor, calendar, Access::Write).await?;
        let mut outcomes: Vec<Option<Result<PutOutcome>>> = puts
            .iter()
            .map(|put| accepted(calendar, &put.object).err().map(Err))
            .collect();
        // Indexes into `puts` of what is still to commit.
        let mut waiting: Vec<usize> = (0..puts.len()).filter(|&i| outcomes[i].is_none()).collect();
        let origin = client.origin(None);
        while !waiting.is_empty() {
            let changes: Vec<Change> = waiting
                .iter()
                .map(|&i| change_of(calendar, &puts[i]))
                .collect();
            match self.store.commit(changes, &origin).await {
                Ok(revisions) => {
                    for (&i, revision) in waiting.iter().zip(revisions) {
                        outcomes[i] = Some(Ok(outcome(calendar, &puts[i], revision.seq)));
                    }
                    waiting.clear();
                }
                Err(StoreError::PreconditionFailed { index, reason, .. })
                    if index < waiting.len() =>
                {
                    let i = waiting.remove(index);
                    outcomes[i] = Some(Err(self.refused(calendar, &puts[i], reason).await));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or_else(|| {
                    Err(CoreError::Invalid("a put was left unwritten".to_string()))
                })
            })
            .collect())
    }

    /// Why the store refused a put: for a new object, another resource holding its UID
    /// (RFC 4791 §5.3.2.1 no-uid-conflict); else the object changed meanwhile.
    async fn refused(&self, calendar: &Calendar, put: &BatchPut, reason: String) -> CoreError {
        if put.replaces.is_some() {
            return CoreError::PreconditionFailed(reason);
        }
        match self
            .store
            .object_by_uid(calendar.id, put.object.uid())
            .await
        {
            Ok(Some(holder)) if holder.meta.name != put.name => CoreError::UidConflict {
                uid: put.object.uid().to_string(),
                existing_name: holder.meta.name,
            },
            Ok(_) => CoreError::PreconditionFailed(reason),
            Err(error) => error.into(),
        }
    }
}

/// Whether the calendar takes this kind of component (RFC 4791 §5.2.3
/// supported-calendar-component-set).
fn accepted(calendar: &Calendar, object: &CalendarObject) -> Result<()> {
    let kind = object.kind().as_str();
    if calendar
        .components
        .iter()
        .any(|c| c.eq_ignore_ascii_case(kind))
    {
        Ok(())
    } else {
        Err(CoreError::Invalid(format!(
            "this calendar does not take {kind}"
        )))
    }
}

fn change_of(calendar: &Calendar, put: &BatchPut) -> Change {
    let expect = match put.replaces {
        Some(seq) => Expect::Seq(seq),
        None => Expect::Absent,
    };
    put_change(calendar, &put.name, &put.object, expect)
}

fn outcome(calendar: &Calendar, put: &BatchPut, seq: Seq) -> PutOutcome {
    PutOutcome {
        etag: ETag::new(calendar.id, seq),
        created: put.replaces.is_none(),
        uid: put.object.uid().to_string(),
    }
}
