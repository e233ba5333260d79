//! Small builders for the records the tests write.

use calvault_store::*;

pub fn new_user(name: &str) -> NewUser {
    NewUser {
        name: name.into(),
        email: Some(format!("{name}@example.org")),
        password_hash: "$argon2id$x".into(),
        created_at: 1_000,
    }
}

pub fn new_calendar(name: &str) -> NewCalendar {
    NewCalendar {
        name: name.into(),
        display_name: format!("Calendar {name}"),
        color: Some("#336699".into()),
        description: None,
        components: vec!["VEVENT".into(), "VTODO".into()],
        created_at: 1_000,
        timezone: None,
    }
}

/// A user with one calendar named `home`.
pub async fn user_with_calendar(store: &dyn Store, name: &str) -> (User, Calendar) {
    store
        .create_user(new_user(name), new_calendar("home"))
        .await
        .expect("create user")
}

pub fn facts(summary: &str, span: Option<(i64, Option<i64>)>) -> ObjectFacts {
    ObjectFacts {
        component: "VEVENT".into(),
        first_start: span.map(|(start, _)| start),
        last_end: span.and_then(|(_, end)| end),
        fingerprint: format!("fp:{summary}"),
        summary: Some(summary.into()),
    }
}

pub fn ics(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// A put of `uid` named `{uid}.ics`.
pub fn put(calendar: CalendarId, uid: &str, summary: &str, expect: Expect) -> Change {
    put_named(calendar, uid, &format!("{uid}.ics"), summary, expect)
}

pub fn put_named(
    calendar: CalendarId,
    uid: &str,
    name: &str,
    summary: &str,
    expect: Expect,
) -> Change {
    Change {
        calendar_id: calendar,
        uid: uid.into(),
        expect,
        kind: ChangeKind::Put {
            name: name.into(),
            data: ics(uid, summary),
            facts: facts(summary, None),
        },
    }
}

pub fn put_spanning(
    calendar: CalendarId,
    uid: &str,
    summary: &str,
    span: Option<(i64, Option<i64>)>,
) -> Change {
    Change {
        calendar_id: calendar,
        uid: uid.into(),
        expect: Expect::Any,
        kind: ChangeKind::Put {
            name: format!("{uid}.ics"),
            data: ics(uid, summary),
            facts: facts(summary, span),
        },
    }
}

pub fn delete(calendar: CalendarId, uid: &str, expect: Expect) -> Change {
    Change {
        calendar_id: calendar,
        uid: uid.into(),
        expect,
        kind: ChangeKind::Delete,
    }
}

pub fn origin(at: Timestamp) -> Origin {
    Origin {
        at,
        source: "test".into(),
        device_id: None,
        note: None,
    }
}

/// Commits and panics on failure.
pub async fn commit(store: &dyn Store, changes: Vec<Change>, at: Timestamp) -> Vec<RevisionMeta> {
    store.commit(changes, &origin(at)).await.expect("commit")
}

/// The live objects of a calendar as (uid, seq), sorted by UID.
pub async fn live(store: &dyn Store, calendar: CalendarId) -> Vec<(String, Seq)> {
    let mut objects: Vec<(String, Seq)> = store
        .list_objects(calendar)
        .await
        .expect("list")
        .into_iter()
        .map(|o| (o.uid, o.seq))
        .collect();
    objects.sort();
    objects
}

/// Every object live at `position`, through `objects_at_page` in pages of `page`, as (uid, seq, data).
pub async fn state_by_pages(
    store: &dyn Store,
    calendar: CalendarId,
    position: Seq,
    page: u32,
) -> Vec<(String, Seq, String)> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let batch = store
            .objects_at_page(calendar, position, &after, page)
            .await
            .expect("objects_at_page");
        let Some(last) = batch.last() else { break };
        after = last.meta.uid.clone();
        let full = batch.len() == page as usize;
        out.extend(batch.into_iter().map(|r| (r.meta.uid, r.meta.seq, r.data)));
        if !full {
            break;
        }
    }
    out
}
