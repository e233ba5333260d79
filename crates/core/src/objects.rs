//! Calendar objects: read, create or replace, delete — with ETag preconditions.

use calvault_ical::CalendarObject;
use calvault_store::{
    Calendar, Change, ChangeKind, Device, DeviceId, Expect, ObjectFacts, Origin, Seq, StoreError,
    StoredObject,
};

use crate::{Access, Actor, CoreError, Result, Vault};

/// A strong entity tag: the calendar and the journal position of the object's newest revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    pub fn new(calendar: i64, seq: Seq) -> Self {
        ETag(format!("\"{calendar}-{seq}\""))
    }

    /// Parses a quoted tag as sent in If-Match; weak tags never match a strong one.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (text.len() >= 2 && text.starts_with('"') && text.ends_with('"'))
            .then(|| ETag(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn seq_for(&self, calendar: i64) -> Option<Seq> {
        let inner = self.0.trim_matches('"');
        let (cal, seq) = inner.split_once('-')?;
        (cal.parse::<i64>().ok()? == calendar).then(|| seq.parse().ok())?
    }
}

impl std::fmt::Display for ETag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// HTTP-style conditions on a write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    /// If-Match: the resource must exist with this tag.
    pub if_match: Option<ETag>,
    /// If-None-Match: *: the resource must not exist.
    pub if_none_match: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    pub etag: ETag,
    pub created: bool,
    pub uid: String,
}

/// The indexable facts the store keeps beside an object's text.
pub(crate) fn facts_of(object: &CalendarObject) -> ObjectFacts {
    let span = object.time_span();
    ObjectFacts {
        component: object.kind().as_str().to_string(),
        first_start: span.first_start,
        last_end: span.last_end,
        fingerprint: object.fingerprint().0,
        summary: object.summary().summary,
    }
}

pub(crate) fn put_change(
    calendar: &Calendar,
    name: &str,
    object: &CalendarObject,
    expect: Expect,
) -> Change {
    Change {
        calendar_id: calendar.id,
        uid: object.uid().to_string(),
        expect,
        kind: ChangeKind::Put {
            name: name.to_string(),
            data: object.to_ics(),
            facts: facts_of(object),
        },
    }
}

pub(crate) fn delete_change(calendar: &Calendar, uid: &str, expect: Expect) -> Change {
    Change {
        calendar_id: calendar.id,
        uid: uid.to_string(),
        expect,
        kind: ChangeKind::Delete,
    }
}

impl Vault {
    pub async fn get_object(
        &self,
        actor: Actor,
        calendar: &Calendar,
        name: &str,
    ) -> Result<StoredObject> {
        self.check_access(actor, calendar, Access::Read).await?;
        self.store
            .object_by_name(calendar.id, name)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("object {name}")))
    }

    /// Creates or replaces the object at `name` with `text` (one UID), under `condition`.
    pub async fn put_object(
        &self,
        actor: Actor,
        calendar: &Calendar,
        name: &str,
        text: &str,
        condition: &Condition,
        client: &Client,
    ) -> Result<PutOutcome> {
        self.check_access(actor, calendar, Access::Write).await?;
        let object = CalendarObject::parse(text)?;
        if !calendar
            .components
            .iter()
            .any(|c| c.eq_ignore_ascii_case(object.kind().as_str()))
        {
            return Err(CoreError::Invalid(format!(
                "this calendar does not take {}",
                object.kind().as_str()
            )));
        }
        let current = self.store.object_by_name(calendar.id, name).await?;
        check_condition(calendar, current.as_ref(), condition)?;
        let mut changes = Vec::with_capacity(2);
        let expect = match &current {
            // The resource keeps its name but its body now carries another UID: the old
            // object leaves (to the trash) in the same transaction.
            Some(old) if old.meta.uid != object.uid() => {
                changes.push(delete_change(
                    calendar,
                    &old.meta.uid,
                    Expect::Seq(old.meta.seq),
                ));
                Expect::Absent
            }
            Some(old) => Expect::Seq(old.meta.seq),
            None => Expect::Absent,
        };
        let new_uid = expect == Expect::Absent;
        changes.push(put_change(calendar, name, &object, expect));
        // A UID new to this name must be new to the calendar: the commit checks it, and only
        // when it refuses is the object holding the UID looked up, to name it (RFC 4791
        // §5.3.2.1 no-uid-conflict).
        let revisions = match self.store.commit(changes, &client.origin(None)).await {
            Ok(revisions) => revisions,
            Err(StoreError::PreconditionFailed { .. }) if new_uid => {
                return Err(self.uid_conflict(calendar, name, object.uid()).await);
            }
            Err(error) => return Err(error.into()),
        };
        let seq = revisions.last().map(|r| r.seq).unwrap_or_default();
        Ok(PutOutcome {
            etag: ETag::new(calendar.id, seq),
            created: current.is_none(),
            uid: object.uid().to_string(),
        })
    }

    /// Why a put of `uid` at `name` was refused: another resource holds the UID, else the
    /// calendar changed under the request.
    async fn uid_conflict(&self, calendar: &Calendar, name: &str, uid: &str) -> CoreError {
        match self.store.object_by_uid(calendar.id, uid).await {
            Ok(Some(holder)) if holder.meta.name != name => CoreError::UidConflict {
                uid: uid.to_string(),
                existing_name: holder.meta.name,
            },
            Ok(_) => CoreError::PreconditionFailed("the resource changed meanwhile".to_string()),
            Err(error) => error.into(),
        }
    }

    /// Deletes the object at `name`: a tombstone, restorable from the trash.
    pub async fn delete_object(
        &self,
        actor: Actor,
        calendar: &Calendar,
        name: &str,
        if_match: Option<&ETag>,
        client: &Client,
    ) -> Result<()> {
        self.check_access(actor, calendar, Access::Write).await?;
        let current = self
            .store
            .object_by_name(calendar.id, name)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("object {name}")))?;
        let condition = Condition {
            if_match: if_match.cloned(),
            if_none_match: false,
        };
        check_condition(calendar, Some(&current), &condition)?;
        self.guard_deletions(calendar, client, 1).await?;
        let change = delete_change(calendar, &current.meta.uid, Expect::Seq(current.meta.seq));
        self.store
            .commit(vec![change], &client.origin(None))
            .await?;
        Ok(())
    }

    /// Moves (or with `keep_source`, copies) the object at `name` to `to_name` in `to`, in one
    /// transaction: never lost, never doubled. With `overwrite` false an existing destination
    /// fails the move. A copy into the same calendar would hold one UID twice and is refused.
    #[allow(clippy::too_many_arguments)]
    pub async fn transfer_object(
        &self,
        actor: Actor,
        from: &Calendar,
        name: &str,
        to: &Calendar,
        to_name: &str,
        overwrite: bool,
        keep_source: bool,
        client: &Client,
    ) -> Result<PutOutcome> {
        self.check_access(
            actor,
            from,
            if keep_source {
                Access::Read
            } else {
                Access::Write
            },
        )
        .await?;
        self.check_access(actor, to, Access::Write).await?;
        let source = self.get_object(actor, from, name).await?;
        let object = CalendarObject::parse(&source.data)?;
        if !to
            .components
            .iter()
            .any(|c| c.eq_ignore_ascii_case(object.kind().as_str()))
        {
            return Err(CoreError::Invalid(format!(
                "the destination does not take {}",
                object.kind().as_str()
            )));
        }
        let same_calendar = from.id == to.id;
        if same_calendar && name == to_name {
            return Err(CoreError::Invalid(
                "source and destination are the same".to_string(),
            ));
        }
        let destination = self.store.object_by_name(to.id, to_name).await?;
        if destination.is_some() && !overwrite {
            return Err(CoreError::PreconditionFailed(
                "the destination exists".to_string(),
            ));
        }
        if let Some(holder) = self.store.object_by_uid(to.id, object.uid()).await?
            && holder.meta.name != to_name
            && !(same_calendar && holder.meta.name == name && !keep_source)
        {
            return Err(CoreError::UidConflict {
                uid: object.uid().to_string(),
                existing_name: holder.meta.name,
            });
        }
        let mut changes = Vec::with_capacity(3);
        let mut expect = Expect::Absent;
        if let Some(old) = &destination {
            if old.meta.uid == object.uid() {
                expect = Expect::Seq(old.meta.seq);
            } else {
                changes.push(delete_change(to, &old.meta.uid, Expect::Seq(old.meta.seq)));
            }
        }
        if same_calendar {
            // A rename within one calendar: the object keeps its UID and takes the new name.
            expect = Expect::Seq(source.meta.seq);
        }
        changes.push(put_change(to, to_name, &object, expect));
        if !keep_source && !same_calendar {
            changes.push(delete_change(
                from,
                &source.meta.uid,
                Expect::Seq(source.meta.seq),
            ));
        }
        let revisions = self.store.commit(changes, &client.origin(None)).await?;
        let seq = revisions
            .iter()
            .filter(|r| r.calendar_id == to.id)
            .map(|r| r.seq)
            .max()
            .unwrap_or_default();
        Ok(PutOutcome {
            etag: ETag::new(to.id, seq),
            created: destination.is_none(),
            uid: object.uid().to_string(),
        })
    }
}

/// Where a change comes from: kept with its revision, and what the guard counts by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Client {
    /// `caldav`, `syncml`, `web`, `cli`, `import`, ...
    pub source: String,
    pub device_id: Option<DeviceId>,
    pub device_name: Option<String>,
}

impl Client {
    pub fn new(source: &str) -> Self {
        Client {
            source: source.to_string(),
            device_id: None,
            device_name: None,
        }
    }

    pub fn device(source: &str, device: &Device) -> Self {
        Client {
            source: source.to_string(),
            device_id: Some(device.id),
            device_name: Some(device.name.clone()),
        }
    }

    pub(crate) fn origin(&self, note: Option<String>) -> Origin {
        Origin {
            at: crate::now(),
            source: self.source.clone(),
            device_id: self.device_id,
            note,
        }
    }
}

fn check_condition(
    calendar: &Calendar,
    current: Option<&StoredObject>,
    condition: &Condition,
) -> Result<()> {
    if condition.if_none_match && current.is_some() {
        return Err(CoreError::PreconditionFailed(
            "the resource already exists".to_string(),
        ));
    }
    let Some(tag) = &condition.if_match else {
        return Ok(());
    };
    match current {
        Some(object) if tag.seq_for(calendar.id) == Some(object.meta.seq) => Ok(()),
        Some(_) => Err(CoreError::PreconditionFailed(
            "the resource has changed".to_string(),
        )),
        None => Err(CoreError::PreconditionFailed(
            "the resource does not exist".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_round_trip() {
        let tag = ETag::new(7, 42);
        assert_eq!(tag.as_str(), "\"7-42\"");
        assert_eq!(ETag::parse("\"7-42\"").and_then(|t| t.seq_for(7)), Some(42));
        assert_eq!(tag.seq_for(8), None);
        assert_eq!(ETag::parse("W/\"7-42\""), None);
    }
}
