//! Another user's data is unreachable through every route; shares; bad input and limits.

mod common;

use calvault_core::store::ShareAccess;
use calvault_core::{Actor, CalendarPath};
use common::{BOB, event, server};

const BOB_CAL: &str = "/dav/calendars/bob/calendar/";

#[tokio::test]
async fn another_users_data_is_404_everywhere() {
    let server = server().await;
    let put = server
        .send(
            "PUT",
            &format!("{BOB_CAL}secret.ics"),
            Some(BOB),
            &[("content-type", "text/calendar")],
            event("s", "Secret"),
        )
        .await;
    assert_eq!(put.status, 201);
    let object = format!("{BOB_CAL}secret.ics");
    type Try<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, String);
    let tries: Vec<Try> = vec![
        ("PROPFIND", "/dav/calendars/bob/".into(), vec![("depth", "1")], String::new()),
        ("PROPFIND", BOB_CAL.into(), vec![("depth", "1")], String::new()),
        ("PROPFIND", "/dav/principals/bob/".into(), vec![("depth", "0")], String::new()),
        ("PROPFIND", "/dav/calendars/".into(), vec![("depth", "1")], String::new()),
        ("GET", object.clone(), vec![], String::new()),
        ("GET", BOB_CAL.into(), vec![], String::new()),
        ("PUT", object.clone(), vec![("content-type", "text/calendar")], event("s", "Mine")),
        ("DELETE", object.clone(), vec![], String::new()),
        ("DELETE", BOB_CAL.into(), vec![], String::new()),
        ("PROPPATCH", BOB_CAL.into(), vec![], r#"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>"#.into()),
        ("MKCALENDAR", "/dav/calendars/bob/new/".into(), vec![], String::new()),
        ("MKCOL", "/dav/calendars/bob/new/".into(), vec![], String::new()),
        ("REPORT", BOB_CAL.into(), vec![], r#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:prop><D:getetag/></D:prop></D:sync-collection>"#.into()),
        ("COPY", object.clone(), vec![("destination", "/dav/calendars/alice/calendar/stolen.ics")], String::new()),
        ("MOVE", object.clone(), vec![("destination", "/dav/calendars/alice/calendar/stolen.ics")], String::new()),
    ];
    for (method, path, headers, body) in tries {
        let answer = server.alice(method, &path, &headers, &body).await;
        assert_eq!(answer.status, 404, "{method} {path}: {}", answer.body);
        assert!(!answer.body.contains("Secret"));
    }
    // Copying into bob's calendar is not possible either.
    server
        .put_event("/dav/calendars/alice/calendar/mine.ics", "m", "M")
        .await;
    let into = server
        .alice(
            "COPY",
            "/dav/calendars/alice/calendar/mine.ics",
            &[("destination", "/dav/calendars/bob/calendar/x.ics")],
            "",
        )
        .await;
    assert!(into.status == 409 || into.status == 404, "{}", into.status);
    let still = server.send("GET", &object, Some(BOB), &[], "").await;
    assert!(still.body.contains("Secret"));
}

#[tokio::test]
async fn shares_read_only_and_read_write() {
    let server = server().await;
    server
        .send(
            "PUT",
            &format!("{BOB_CAL}shared.ics"),
            Some(BOB),
            &[("content-type", "text/calendar")],
            event("sh", "Shared"),
        )
        .await;
    let path = CalendarPath::parse("bob").unwrap();
    server
        .vault
        .share_calendar(Actor::Admin, &path, "alice", ShareAccess::Read)
        .await
        .unwrap();
    let mount = "/dav/calendars/alice/bob_calendar/";
    let home = server
        .alice("PROPFIND", "/dav/calendars/alice/", &[("depth", "1")], "")
        .await;
    assert!(home.body.contains(mount));
    let got = server
        .alice("GET", &format!("{mount}shared.ics"), &[], "")
        .await;
    assert!(got.body.contains("Shared"));
    let privileges = server
        .alice(
            "PROPFIND",
            mount,
            &[("depth", "0")],
            r#"<propfind xmlns="DAV:"><prop><current-user-privilege-set/></prop></propfind>"#,
        )
        .await;
    assert!(!privileges.body.contains("<d:write/>"));
    let refused = server.put_event(&format!("{mount}new.ics"), "n", "N").await;
    assert_eq!(refused.status, 403);
    let refused = server
        .alice("DELETE", &format!("{mount}shared.ics"), &[], "")
        .await;
    assert_eq!(refused.status, 403);

    server
        .vault
        .share_calendar(Actor::Admin, &path, "alice", ShareAccess::ReadWrite)
        .await
        .unwrap();
    let allowed = server.put_event(&format!("{mount}new.ics"), "n", "N").await;
    assert_eq!(allowed.status, 201);
    let seen_by_bob = server
        .send("GET", &format!("{BOB_CAL}new.ics"), Some(BOB), &[], "")
        .await;
    assert_eq!(seen_by_bob.status, 200);
    // Deleting the mount would trash bob's calendar: refused.
    assert_eq!(server.alice("DELETE", mount, &[], "").await.status, 403);
}

#[tokio::test]
async fn bad_xml_gets_4xx_never_500() {
    let server = server().await;
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><D:propfind xmlns:D="DAV:"><D:prop>&lol2;</D:prop></D:propfind>"#;
    let bodies = [
        "<not-closed",
        laughs,
        "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:x>&undefined;</D:x></D:prop></D:propfind>",
        "\u{0}\u{1}binary",
    ];
    for method in ["PROPFIND", "PROPPATCH", "REPORT", "MKCALENDAR"] {
        for body in bodies {
            let answer = server
                .alice(
                    method,
                    "/dav/calendars/alice/calendar/",
                    &[("depth", "0")],
                    body,
                )
                .await;
            assert!(
                (400..500).contains(&answer.status),
                "{method} {body:?}: {}",
                answer.status
            );
        }
    }
    let bad_depth = server
        .alice("PROPFIND", "/dav/", &[("depth", "2")], "")
        .await;
    assert_eq!(bad_depth.status, 400);
    let bad_ical = server
        .alice(
            "PUT",
            "/dav/calendars/alice/calendar/x.ics",
            &[("content-type", "text/calendar")],
            "BEGIN:VCARD\r\nEND:VCARD\r\n",
        )
        .await;
    assert_eq!(bad_ical.status, 403);
    assert!(bad_ical.body.contains("valid-calendar-data"));
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let server = server().await;
    let huge = "x".repeat(300 * 1024);
    let answer = server
        .alice("PUT", "/dav/calendars/alice/file.bin", &[], &huge)
        .await;
    assert_eq!(answer.status, 413);
    let answer = server
        .alice("PROPFIND", "/dav/", &[("depth", "0")], &huge)
        .await;
    assert_eq!(answer.status, 413);
}

#[tokio::test]
async fn plain_collections_and_files() {
    let server = server().await;
    assert_eq!(
        server
            .alice("MKCOL", "/dav/calendars/alice/files/", &[], "")
            .await
            .status,
        201
    );
    assert_eq!(
        server
            .alice("MKCOL", "/dav/calendars/alice/files/", &[], "")
            .await
            .status,
        405
    );
    assert_eq!(
        server
            .alice("MKCOL", "/dav/calendars/alice/no/parent/", &[], "")
            .await
            .status,
        409
    );
    assert_eq!(
        server
            .alice(
                "MKCOL",
                "/dav/calendars/alice/body/",
                &[("content-type", "text/plain")],
                "garbage"
            )
            .await
            .status,
        415
    );
    let put = server
        .alice(
            "PUT",
            "/dav/calendars/alice/files/a.txt",
            &[("content-type", "text/plain")],
            "hello",
        )
        .await;
    assert_eq!(put.status, 201);
    assert_eq!(
        server
            .alice("GET", "/dav/calendars/alice/files/a.txt", &[], "")
            .await
            .body,
        "hello"
    );
    let copy = server
        .alice(
            "COPY",
            "/dav/calendars/alice/files/",
            &[("destination", "/dav/calendars/alice/copy/")],
            "",
        )
        .await;
    assert_eq!(copy.status, 201);
    assert_eq!(
        server
            .alice("GET", "/dav/calendars/alice/copy/a.txt", &[], "")
            .await
            .body,
        "hello"
    );
    assert_eq!(
        server
            .alice("DELETE", "/dav/calendars/alice/files/", &[], "")
            .await
            .status,
        204
    );
    assert_eq!(
        server
            .alice("GET", "/dav/calendars/alice/files/a.txt", &[], "")
            .await
            .status,
        404
    );
}
