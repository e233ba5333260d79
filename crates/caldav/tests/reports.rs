//! Reports: calendar-multiget and sync-collection (initial, incremental, limited, invalid).

mod common;

use common::server;
use insta::assert_snapshot;

const CAL: &str = "/dav/calendars/alice/calendar/";

fn sync_body(token: &str, limit: Option<u32>) -> String {
    let limit = limit
        .map(|n| format!("<D:limit><D:nresults>{n}</D:nresults></D:limit>"))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>{limit}<D:prop><D:getetag/></D:prop></D:sync-collection>"#
    )
}

fn token_of(body: &str) -> String {
    let start = body.find("<d:sync-token>").expect("token") + "<d:sync-token>".len();
    let end = body[start..].find('<').expect("end");
    body[start..start + end].to_string()
}

#[tokio::test]
async fn multiget_answers_found_and_missing() {
    let server = server().await;
    server.put_event(&format!("{CAL}a.ics"), "a", "A").await;
    server.put_event(&format!("{CAL}b.ics"), "b", "B").await;
    let body = r#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>/dav/calendars/alice/calendar/a.ics</D:href><D:href>/dav/calendars/alice/calendar/missing.ics</D:href><D:href>/dav/calendars/bob/calendar/x.ics</D:href></C:calendar-multiget>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], body).await;
    assert_snapshot!(answer.render());
}

/// A multiget larger than one page of the streamed answer: every href answered once, in the
/// order asked, found ones with their data.
#[tokio::test]
async fn multiget_over_many_pages_answers_every_href_in_order() {
    let server = server().await;
    for i in 0..1100 {
        let put = server
            .put_event(
                &format!("{CAL}e{i}.ics"),
                &format!("e{i}"),
                &format!("E{i}"),
            )
            .await;
        assert_eq!(put.status, 201);
    }
    // Newest first, with a missing name after every hundredth.
    let mut asked = Vec::new();
    for i in (0..1100).rev() {
        asked.push(format!("{CAL}e{i}.ics"));
        if i % 100 == 0 {
            asked.push(format!("{CAL}nothing{i}.ics"));
        }
    }
    let hrefs: String = asked
        .iter()
        .map(|href| format!("<D:href>{href}</D:href>"))
        .collect();
    let body = format!(
        r#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"#
    );
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], &body).await;
    assert_eq!(answer.status, 207);
    assert!(
        answer.body.ends_with("</d:multistatus>"),
        "{}",
        &answer.body[answer.body.len() - 200..]
    );
    let responses: Vec<&str> = answer.body.split("<d:response>").skip(1).collect();
    assert_eq!(responses.len(), asked.len());
    for (response, href) in responses.iter().zip(&asked) {
        assert!(
            response.starts_with(&format!("<d:href>{href}</d:href>")),
            "{href}: {response}"
        );
        if href.contains("nothing") {
            assert!(response.contains("404 Not Found"), "{response}");
        } else {
            let uid = href.trim_start_matches(CAL).trim_end_matches(".ics");
            assert!(response.contains(&format!("UID:{uid}&#13;")), "{response}");
            assert!(response.contains("<d:getetag>"), "{response}");
        }
    }
    // The initial sync-collection is streamed the same way: every object once, token last.
    let initial = server.alice("REPORT", CAL, &[], &sync_body("", None)).await;
    assert_eq!(initial.status, 207);
    assert_eq!(initial.body.matches("<d:response>").count(), 1100);
    for i in 0..1100 {
        assert!(
            initial
                .body
                .contains(&format!("<d:href>{CAL}e{i}.ics</d:href>"))
        );
    }
    assert!(initial.body.ends_with("</d:sync-token></d:multistatus>"));
    // PROPFIND Depth 1 too, from the index alone (getetag) and with the objects' text
    // (getcontentlength): the calendar first, then every object once.
    for prop in ["<D:getetag/>", "<D:getcontentlength/>"] {
        let body = format!(r#"<D:propfind xmlns:D="DAV:"><D:prop>{prop}</D:prop></D:propfind>"#);
        let listing = server
            .alice("PROPFIND", CAL, &[("depth", "1")], &body)
            .await;
        assert_eq!(listing.status, 207);
        assert!(
            listing
                .body
                .contains(&format!("<d:response><d:href>{CAL}</d:href>"))
        );
        assert_eq!(listing.body.matches("<d:response>").count(), 1101, "{prop}");
        for i in 0..1100 {
            assert!(
                listing
                    .body
                    .contains(&format!("<d:href>{CAL}e{i}.ics</d:href>"))
            );
        }
        assert!(listing.body.ends_with("</d:multistatus>"));
    }
}

#[tokio::test]
async fn sync_collection_initial_incremental_limited() {
    let server = server().await;
    for name in ["a", "b", "c"] {
        server
            .put_event(&format!("{CAL}{name}.ics"), name, name)
            .await;
    }
    let initial = server.alice("REPORT", CAL, &[], &sync_body("", None)).await;
    assert_snapshot!("sync_initial", initial.render());
    let token = token_of(&initial.body);

    let nothing = server
        .alice("REPORT", CAL, &[], &sync_body(&token, None))
        .await;
    assert_eq!(token_of(&nothing.body), token);
    assert!(!nothing.body.contains("<d:response>"));

    server
        .alice("DELETE", &format!("{CAL}b.ics"), &[], "")
        .await;
    server.put_event(&format!("{CAL}d.ics"), "d", "d").await;
    let changes = server
        .alice("REPORT", CAL, &[], &sync_body(&token, None))
        .await;
    assert_snapshot!("sync_incremental", changes.render());

    // Truncated at 2: 507 for the collection and a token that continues exactly there.
    let first = server
        .alice("REPORT", CAL, &[], &sync_body("", Some(2)))
        .await;
    assert_snapshot!("sync_limited", first.render());
    let next = server
        .alice(
            "REPORT",
            CAL,
            &[],
            &sync_body(&token_of(&first.body), Some(2)),
        )
        .await;
    assert_snapshot!("sync_continued", next.render());
    let rest = server
        .alice(
            "REPORT",
            CAL,
            &[],
            &sync_body(&token_of(&next.body), Some(2)),
        )
        .await;
    assert!(!rest.body.contains("507"));
}

/// An initial sync lists what exists now, read from the objects (not the journal): nothing
/// deleted or renamed away, each object with its data when calendar-data is asked, and a token
/// after which nothing is reported again.
#[tokio::test]
async fn initial_sync_lists_what_exists_with_its_data() {
    let server = server().await;
    for name in ["a", "b", "c"] {
        server
            .put_event(
                &format!("{CAL}{name}.ics"),
                name,
                &format!("summary {name}"),
            )
            .await;
    }
    server
        .alice("DELETE", &format!("{CAL}b.ics"), &[], "")
        .await;
    let destination = format!("http://localhost{CAL}renamed.ics");
    let moved = server
        .alice(
            "MOVE",
            &format!("{CAL}c.ics"),
            &[("destination", &destination)],
            "",
        )
        .await;
    assert_eq!(moved.status, 201);
    let body = r#"<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/><C:calendar-data/></D:prop></D:sync-collection>"#;
    let initial = server.alice("REPORT", CAL, &[], body).await;
    assert_eq!(initial.status, 207);
    assert_eq!(initial.body.matches("<d:response>").count(), 2);
    assert!(
        initial
            .body
            .contains(&format!("<d:href>{CAL}a.ics</d:href>"))
    );
    assert!(
        initial
            .body
            .contains(&format!("<d:href>{CAL}renamed.ics</d:href>"))
    );
    assert!(initial.body.contains("SUMMARY:summary a"));
    assert!(initial.body.contains("SUMMARY:summary c"));
    assert!(!initial.body.contains("404"));
    assert!(!initial.body.contains("b.ics"));
    let token = token_of(&initial.body);
    let after = server
        .alice("REPORT", CAL, &[], &sync_body(&token, None))
        .await;
    assert!(!after.body.contains("<d:response>"), "{}", after.body);
}

#[tokio::test]
async fn invalid_sync_tokens_get_valid_sync_token() {
    let server = server().await;
    for token in [
        "garbage",
        "http://calvault.invalid/sync/999/1",
        "http://calvault.invalid/sync/1/99999",
    ] {
        let answer = server
            .alice("REPORT", CAL, &[], &sync_body(token, None))
            .await;
        assert_eq!(answer.status, 403, "{token}");
        assert!(answer.body.contains("valid-sync-token"), "{token}");
    }
}

#[tokio::test]
async fn unsupported_report_on_home() {
    let server = server().await;
    let answer = server
        .alice("REPORT", "/dav/calendars/alice/", &[], &sync_body("", None))
        .await;
    assert_eq!(answer.status, 403);
    assert!(answer.body.contains("supported-report"));
}

#[tokio::test]
async fn principal_reports() {
    let server = server().await;
    let expand = r#"<D:expand-property xmlns:D="DAV:"><D:property name="current-user-principal"><D:property name="displayname"/></D:property></D:expand-property>"#;
    let answer = server
        .alice("REPORT", "/dav/principals/alice/", &[], expand)
        .await;
    assert_snapshot!("expand_property", answer.render());
    let search = r#"<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop><D:match>ali</D:match></D:property-search><D:prop><D:displayname/></D:prop></D:principal-property-search>"#;
    let found = server
        .alice("REPORT", "/dav/principals/", &[], search)
        .await;
    assert!(found.body.contains("/dav/principals/alice/"));
    let bob = search.replace("ali", "bob");
    let none = server.alice("REPORT", "/dav/principals/", &[], &bob).await;
    assert!(!none.body.contains("/dav/principals/bob/"));
    let set = server
        .alice(
            "REPORT",
            "/dav/principals/",
            &[],
            r#"<D:principal-search-property-set xmlns:D="DAV:"/>"#,
        )
        .await;
    assert_eq!(set.status, 200);
}

const WEEKLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

async fn query_fixture() -> common::Server {
    let server = server().await;
    server
        .put_event(&format!("{CAL}jan10.ics"), "jan10", "Dentist")
        .await;
    let put = server
        .alice(
            "PUT",
            &format!("{CAL}weekly.ics"),
            &[("content-type", "text/calendar")],
            WEEKLY,
        )
        .await;
    assert_eq!(put.status, 201);
    let todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:todo1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Taxes\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    server
        .alice(
            "PUT",
            &format!("{CAL}todo.ics"),
            &[("content-type", "text/calendar")],
            todo,
        )
        .await;
    server
}

#[tokio::test]
async fn calendar_query_time_range_on_recurrences() {
    let server = query_fixture().await;
    // Only the weekly series has an instance in March (week 9 of 10).
    let body = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260302T000000Z" end="20260303T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], body).await;
    assert_snapshot!("query_time_range", answer.render());
    let todos = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter></C:calendar-query>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], todos).await;
    assert!(answer.body.contains("todo.ics") && !answer.body.contains("weekly.ics"));
    let text = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;ascii-casemap">dentist</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], text).await;
    assert!(answer.body.contains("jan10.ics") && !answer.body.contains("weekly.ics"));
}

#[tokio::test]
async fn calendar_query_with_expand() {
    let server = query_fixture().await;
    let body = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:expand start="20260105T000000Z" end="20260120T000000Z"/></C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260105T000000Z" end="20260120T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], body).await;
    assert_eq!(answer.status, 207);
    assert_eq!(
        answer.body.matches("RECURRENCE-ID").count(),
        3,
        "{}",
        answer.body
    );
    assert!(!answer.body.contains("RRULE"));
}

#[tokio::test]
async fn free_busy_query_answers_vfreebusy() {
    let server = query_fixture().await;
    let body = r#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20260105T000000Z" end="20260113T000000Z"/></C:free-busy-query>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], body).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .body
            .contains("FREEBUSY;FBTYPE=BUSY:20260105T090000Z/20260105T100000Z"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("20260110T100000Z/20260110T110000Z"),
        "{}",
        answer.body
    );
    let bad = server
        .alice("REPORT", CAL, &[], r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VEVENT"/></C:filter></C:calendar-query>"#)
        .await;
    assert_eq!(bad.status, 403);
}

#[tokio::test]
async fn principal_search_without_filter_lists_only_oneself() {
    let server = server().await;
    let body = r#"<D:principal-property-search xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop/><C:calendar-home-set/><D:displayname/></D:principal-property-search>"#;
    let answer = server.alice("REPORT", "/dav/", &[], body).await;
    assert_eq!(answer.status, 207);
    assert!(answer.body.contains("<d:displayname>alice</d:displayname>"));
    assert!(!answer.body.contains("bob"));
}

#[tokio::test]
async fn report_on_a_missing_calendar_is_404() {
    let server = server().await;
    let answer = server
        .alice(
            "REPORT",
            "/dav/calendars/alice/nothing/",
            &[],
            &sync_body("", None),
        )
        .await;
    assert_eq!(answer.status, 404);
}

/// The object existed before the token: the journal since then holds only its new name.
#[tokio::test]
async fn sync_reports_the_old_name_of_an_object_renamed_after_the_token() {
    let server = server().await;
    server
        .put_event(&format!("{CAL}before.ics"), "b", "B")
        .await;
    server.put_event(&format!("{CAL}stays.ics"), "s", "S").await;
    let start = server.alice("REPORT", CAL, &[], &sync_body("", None)).await;
    let token = token_of(&start.body);
    let moved = server
        .alice(
            "MOVE",
            &format!("{CAL}before.ics"),
            &[("destination", "/dav/calendars/alice/calendar/after.ics")],
            "",
        )
        .await;
    assert_eq!(moved.status, 201);
    let changes = server
        .alice("REPORT", CAL, &[], &sync_body(&token, None))
        .await;
    let body = &changes.body;
    assert!(body.contains("after.ics</d:href><d:propstat>"), "{body}");
    assert!(
        body.contains("before.ics</d:href><d:status>HTTP/1.1 404"),
        "{body}"
    );
    assert!(!body.contains("stays.ics"), "{body}");
}

#[tokio::test]
async fn sync_reports_the_old_name_of_a_renamed_object() {
    let server = server().await;
    let start = server.alice("REPORT", CAL, &[], &sync_body("", None)).await;
    let token = token_of(&start.body);
    server.put_event(&format!("{CAL}old.ics"), "r", "R").await;
    let moved = server
        .alice(
            "MOVE",
            &format!("{CAL}old.ics"),
            &[("destination", "/dav/calendars/alice/calendar/new.ics")],
            "",
        )
        .await;
    assert_eq!(moved.status, 201);
    let changes = server
        .alice("REPORT", CAL, &[], &sync_body(&token, None))
        .await;
    assert!(
        changes.body.contains("new.ics</d:href><d:propstat>"),
        "{}",
        changes.body
    );
    assert!(
        changes
            .body
            .contains("old.ics</d:href><d:status>HTTP/1.1 404"),
        "{}",
        changes.body
    );
}
