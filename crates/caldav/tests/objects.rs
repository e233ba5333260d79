//! Calendars and objects: MKCALENDAR, PUT/GET/DELETE with ETags, preconditions, COPY/MOVE.

mod common;

use common::{event, server};
use insta::assert_snapshot;

const CAL: &str = "/dav/calendars/alice/calendar/";

#[tokio::test]
async fn mkcalendar_with_and_without_body() {
    let server = server().await;
    let bare = server
        .alice("MKCALENDAR", "/dav/calendars/alice/bare/", &[], "")
        .await;
    assert_snapshot!("mkcalendar_bare", bare.render());
    let body = r#"<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
  <D:set><D:prop>
    <D:displayname>Work</D:displayname>
    <C:calendar-description>Office</C:calendar-description>
    <I:calendar-color>#FF0000FF</I:calendar-color>
    <C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>"#;
    let work = server
        .alice("MKCALENDAR", "/dav/calendars/alice/work/", &[], body)
        .await;
    assert_eq!(work.status, 201);
    let props = server
        .alice(
            "PROPFIND",
            "/dav/calendars/alice/work/",
            &[("depth", "0")],
            r#"<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/"><prop><displayname/><C:calendar-description/><I:calendar-color/><C:supported-calendar-component-set/></prop></propfind>"#,
        )
        .await;
    assert_snapshot!("mkcalendar_props", props.render());
    let again = server
        .alice("MKCALENDAR", "/dav/calendars/alice/work/", &[], "")
        .await;
    assert_eq!(again.status, 405);
    // A VEVENT is refused by a VTODO-only calendar.
    let refused = server
        .put_event("/dav/calendars/alice/work/e.ics", "e1", "x")
        .await;
    assert_snapshot!("unsupported_component", refused.render());
    let nested = server
        .alice("MKCALENDAR", "/dav/calendars/alice/work/sub/", &[], "")
        .await;
    assert_eq!(nested.status, 403);
    // A property that cannot be set fails the whole MKCALENDAR and leaves nothing behind:
    // no calendar, nothing in the trash, and the name is free again.
    let bad = r#"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/></D:resourcetype><D:displayname>Bad</D:displayname></D:prop></D:set></C:mkcalendar>"#;
    let failed = server
        .alice("MKCALENDAR", "/dav/calendars/alice/bad/", &[], bad)
        .await;
    assert_eq!(failed.status, 403, "{}", failed.body);
    let gone = server
        .alice(
            "PROPFIND",
            "/dav/calendars/alice/bad/",
            &[("depth", "0")],
            "",
        )
        .await;
    assert_eq!(gone.status, 404);
    let alice = server.vault.user_named("alice").await.expect("alice");
    let all = server
        .vault
        .store()
        .list_calendars(alice.id, true)
        .await
        .expect("calendars");
    assert!(all.iter().all(|calendar| calendar.name != "bad"), "{all:?}");
    let retry = server
        .alice("MKCALENDAR", "/dav/calendars/alice/bad/", &[], "")
        .await;
    assert_eq!(retry.status, 201);
}

#[tokio::test]
async fn extended_mkcol_creates_a_calendar() {
    let server = server().await;
    let body = r#"<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Ext</D:displayname></D:prop></D:set></D:mkcol>"#;
    let answer = server
        .alice("MKCOL", "/dav/calendars/alice/ext/", &[], body)
        .await;
    assert_eq!(answer.status, 201);
    let put = server
        .put_event("/dav/calendars/alice/ext/a.ics", "a", "A")
        .await;
    assert_eq!(put.status, 201);
}

#[tokio::test]
async fn put_get_delete_with_etags() {
    let server = server().await;
    let path = format!("{CAL}one.ics");
    let created = server.put_event(&path, "uid-1", "First").await;
    assert_snapshot!("put_created", created.render());
    let etag = created.header("etag").expect("etag").to_string();
    let got = server.alice("GET", &path, &[], "").await;
    assert_eq!(got.header("etag"), Some(etag.as_str()));
    assert_snapshot!("get", got.render());
    let head = server.alice("HEAD", &path, &[], "").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // RFC 9110 §13.1: a current copy gets 304 with the ETag; a failing If-Match gets 412.
    let current = server
        .alice("GET", &path, &[("if-none-match", etag.as_str())], "")
        .await;
    assert_eq!(current.status, 304);
    assert!(current.body.is_empty());
    assert_eq!(current.header("etag"), Some(etag.as_str()));
    let stale = server
        .alice("GET", &path, &[("if-none-match", "\"1-999\"")], "")
        .await;
    assert_eq!(stale.status, 200);
    let wrong = server
        .alice("GET", &path, &[("if-match", "\"1-999\"")], "")
        .await;
    assert_eq!(wrong.status, 412);

    // A stale ETag: 412, and nothing is lost.
    let updated = server
        .alice(
            "PUT",
            &path,
            &[("content-type", "text/calendar"), ("if-match", &etag)],
            &event("uid-1", "Second"),
        )
        .await;
    assert_eq!(updated.status, 204);
    let stale = server
        .alice(
            "PUT",
            &path,
            &[("content-type", "text/calendar"), ("if-match", &etag)],
            &event("uid-1", "Lost?"),
        )
        .await;
    assert_snapshot!("put_stale", stale.render());
    let kept = server.alice("GET", &path, &[], "").await;
    assert!(kept.body.contains("SUMMARY:Second"));

    // If-None-Match: * on an existing resource.
    let exists = server
        .alice(
            "PUT",
            &path,
            &[("content-type", "text/calendar"), ("if-none-match", "*")],
            &event("uid-1", "x"),
        )
        .await;
    assert_eq!(exists.status, 412);

    let stale_delete = server
        .alice("DELETE", &path, &[("if-match", &etag)], "")
        .await;
    assert_eq!(stale_delete.status, 412);
    let deleted = server.alice("DELETE", &path, &[], "").await;
    assert_eq!(deleted.status, 204);
    assert_eq!(server.alice("GET", &path, &[], "").await.status, 404);
    // Deleted objects go to the trash.
    let calendar = server
        .vault
        .calendar(
            calvault_core::Actor::Admin,
            &calvault_core::CalendarPath::parse("alice").unwrap(),
            calvault_core::Access::Read,
        )
        .await
        .unwrap();
    let trash = server
        .vault
        .store()
        .tombstones(calendar.id, 0)
        .await
        .unwrap();
    assert_eq!(trash.len(), 1);
}

#[tokio::test]
async fn put_preconditions() {
    let server = server().await;
    server
        .put_event(&format!("{CAL}a.ics"), "same-uid", "A")
        .await;
    let conflict = server
        .put_event(&format!("{CAL}b.ics"), "same-uid", "B")
        .await;
    assert_snapshot!("no_uid_conflict", conflict.render());
    let wrong_type = server
        .alice(
            "PUT",
            &format!("{CAL}c.ics"),
            &[("content-type", "text/plain")],
            &event("c", "C"),
        )
        .await;
    assert_snapshot!("supported_calendar_data", wrong_type.render());
    let garbage = server
        .alice(
            "PUT",
            &format!("{CAL}d.ics"),
            &[("content-type", "text/calendar")],
            "BEGIN:VCALENDAR\r\nthis is not",
        )
        .await;
    assert_snapshot!("valid_calendar_data", garbage.render());
    let two = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:u2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let several = server
        .alice(
            "PUT",
            &format!("{CAL}e.ics"),
            &[("content-type", "text/calendar")],
            two,
        )
        .await;
    assert_snapshot!("valid_calendar_object_resource", several.render());
    let big = event("big", &"x".repeat(70 * 1024));
    let too_big = server
        .alice(
            "PUT",
            &format!("{CAL}f.ics"),
            &[("content-type", "text/calendar")],
            &big,
        )
        .await;
    assert_snapshot!("max_resource_size", too_big.render());
}

#[tokio::test]
async fn get_calendar_as_one_ics() {
    let server = server().await;
    server.put_event(&format!("{CAL}a.ics"), "a", "A").await;
    server.put_event(&format!("{CAL}b.ics"), "b", "B").await;
    let whole = server.alice("GET", CAL, &[], "").await;
    assert_eq!(whole.status, 200);
    assert!(whole.body.contains("UID:a") && whole.body.contains("UID:b"));
    assert_eq!(whole.body.matches("BEGIN:VCALENDAR").count(), 1);
}

#[tokio::test]
async fn copy_and_move_between_calendars() {
    let server = server().await;
    server
        .alice("MKCALENDAR", "/dav/calendars/alice/other/", &[], "")
        .await;
    server.put_event(&format!("{CAL}a.ics"), "a", "A").await;
    let copy = server
        .alice(
            "COPY",
            &format!("{CAL}a.ics"),
            &[("destination", "/dav/calendars/alice/other/a.ics")],
            "",
        )
        .await;
    assert_eq!(copy.status, 201);
    let again = server
        .alice(
            "COPY",
            &format!("{CAL}a.ics"),
            &[
                ("destination", "/dav/calendars/alice/other/a.ics"),
                ("overwrite", "F"),
            ],
            "",
        )
        .await;
    assert_eq!(again.status, 412);
    server
        .alice("DELETE", "/dav/calendars/alice/other/a.ics", &[], "")
        .await;
    let moved = server
        .alice(
            "MOVE",
            &format!("{CAL}a.ics"),
            &[(
                "destination",
                "http://localhost/dav/calendars/alice/other/moved.ics",
            )],
            "",
        )
        .await;
    assert_eq!(moved.status, 201);
    assert_eq!(
        server
            .alice("GET", &format!("{CAL}a.ics"), &[], "")
            .await
            .status,
        404
    );
    let there = server
        .alice("GET", "/dav/calendars/alice/other/moved.ics", &[], "")
        .await;
    assert!(there.body.contains("UID:a"));
    let rename = server
        .alice(
            "MOVE",
            "/dav/calendars/alice/other/moved.ics",
            &[("destination", "/dav/calendars/alice/other/renamed.ics")],
            "",
        )
        .await;
    assert_eq!(rename.status, 201);
}

#[tokio::test]
async fn delete_calendar_goes_to_trash() {
    let server = server().await;
    server
        .alice("MKCALENDAR", "/dav/calendars/alice/gone/", &[], "")
        .await;
    assert_eq!(
        server
            .alice("DELETE", "/dav/calendars/alice/gone/", &[], "")
            .await
            .status,
        204
    );
    assert_eq!(
        server
            .alice(
                "PROPFIND",
                "/dav/calendars/alice/gone/",
                &[("depth", "0")],
                ""
            )
            .await
            .status,
        404
    );
    server
        .vault
        .restore_calendar(calvault_core::Actor::Admin, "alice", "gone")
        .await
        .expect("restorable");
}

#[tokio::test]
async fn proppatch_live_and_dead_properties() {
    let server = server().await;
    let body = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:I="http://apple.com/ns/ical/" xmlns:X="urn:example:x"><D:set><D:prop><D:displayname>Renamed</D:displayname><I:calendar-color>#00FF00</I:calendar-color><X:custom lang="en">value <X:b>bold</X:b></X:custom></D:prop></D:set></D:propertyupdate>"#;
    let patched = server.alice("PROPPATCH", CAL, &[], body).await;
    assert_snapshot!("proppatch", patched.render());
    let read = server
        .alice(
            "PROPFIND",
            CAL,
            &[("depth", "0")],
            r#"<propfind xmlns="DAV:" xmlns:I="http://apple.com/ns/ical/" xmlns:X="urn:example:x"><prop><displayname/><I:calendar-color/><X:custom/></prop></propfind>"#,
        )
        .await;
    assert_snapshot!("proppatch_read_back", read.render());
    let protected = server
        .alice(
            "PROPPATCH",
            CAL,
            &[],
            r#"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag><D:displayname>No</D:displayname></D:prop></D:set></D:propertyupdate>"#,
        )
        .await;
    assert_snapshot!("proppatch_protected", protected.render());
}

#[tokio::test]
async fn new_calendars_take_journals() {
    let server = server().await;
    server
        .alice("MKCALENDAR", "/dav/calendars/alice/notes/", &[], "")
        .await;
    let journal = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VJOURNAL\r\nUID:j1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Note\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n";
    let answer = server
        .alice(
            "PUT",
            "/dav/calendars/alice/notes/j1.ics",
            &[("content-type", "text/calendar")],
            journal,
        )
        .await;
    assert_eq!(answer.status, 201);
}

#[tokio::test]
async fn mass_deletion_by_one_device_raises_the_guard() {
    let server = server().await;
    for i in 0..20 {
        server
            .put_event(&format!("{CAL}e{i}.ics"), &format!("e{i}"), "E")
            .await;
    }
    for i in 0..12 {
        let answer = server
            .alice("DELETE", &format!("{CAL}e{i}.ics"), &[], "")
            .await;
        assert_eq!(answer.status, 204);
    }
    let alerts = server
        .vault
        .alerts(calvault_core::Actor::Admin, "alice", false)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].kind, calvault_core::MASS_DELETION);
}
