//! Discovery as iOS and DAVx5 do it, OPTIONS, and authentication.

mod common;

use common::{ALICE, server};
use insta::assert_snapshot;

const CUP: &str = r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/><d:resourcetype/></d:prop></d:propfind>"#;

const PRINCIPAL_PROPS: &str = r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/><c:calendar-user-address-set/><d:displayname/><d:principal-URL/><d:supported-report-set/></d:prop></d:propfind>"#;

const HOME_PROPS: &str = r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:ic="http://apple.com/ns/ical/"><d:prop><d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/><c:supported-calendar-component-set/><ic:calendar-color/><c:calendar-description/><d:current-user-privilege-set/><d:owner/><c:max-resource-size/></d:prop></d:propfind>"#;

#[tokio::test]
async fn well_known_redirects() {
    let server = server().await;
    let answer = server
        .send("GET", "/.well-known/caldav", None, &[], "")
        .await;
    assert_snapshot!(answer.render());
}

#[tokio::test]
async fn discovery_chain_like_davx5() {
    let server = server().await;
    let root = server
        .alice("PROPFIND", "/dav/", &[("depth", "0")], CUP)
        .await;
    assert_snapshot!("root", root.render());
    let principal = server
        .alice(
            "PROPFIND",
            "/dav/principals/alice/",
            &[("depth", "0")],
            PRINCIPAL_PROPS,
        )
        .await;
    assert_snapshot!("principal", principal.render());
    let home = server
        .alice(
            "PROPFIND",
            "/dav/calendars/alice/",
            &[("depth", "1")],
            HOME_PROPS,
        )
        .await;
    assert_snapshot!("home", home.render());
}

#[tokio::test]
async fn discovery_like_ios_uses_allprop_and_propname() {
    let server = server().await;
    let allprop = server
        .alice(
            "PROPFIND",
            "/dav/calendars/alice/calendar/",
            &[("depth", "0")],
            "",
        )
        .await;
    assert_eq!(allprop.status, 207);
    assert_snapshot!("allprop", allprop.render());
    let propname = server
        .alice(
            "PROPFIND",
            "/dav/calendars/alice/calendar/",
            &[("depth", "0")],
            r#"<propfind xmlns="DAV:"><propname/></propfind>"#,
        )
        .await;
    assert_snapshot!("propname", propname.render());
}

#[tokio::test]
async fn depth_infinity_is_refused() {
    let server = server().await;
    let answer = server
        .alice(
            "PROPFIND",
            "/dav/calendars/alice/",
            &[("depth", "infinity")],
            CUP,
        )
        .await;
    assert_eq!(answer.status, 403);
    assert_snapshot!(answer.render());
}

#[tokio::test]
async fn options_lists_what_works() {
    let server = server().await;
    let answer = server
        .send("OPTIONS", "/dav/calendars/alice/", None, &[], "")
        .await;
    assert_eq!(
        answer.header("dav"),
        Some("1, 3, calendar-access, extended-mkcol")
    );
    assert_snapshot!(answer.render());
}

#[tokio::test]
async fn unauthenticated_and_wrong_password_get_401() {
    let server = server().await;
    let none = server
        .send("PROPFIND", "/dav/", None, &[("depth", "0")], CUP)
        .await;
    assert_snapshot!("no_credentials", none.render());
    let wrong = server
        .send(
            "PROPFIND",
            "/dav/",
            Some(("alice", "nope")),
            &[("depth", "0")],
            CUP,
        )
        .await;
    assert_eq!(wrong.status, 401);
}

#[tokio::test]
async fn too_many_failures_get_429_with_retry_after() {
    let server = server().await;
    let mut last = None;
    for _ in 0..12 {
        last = Some(
            server
                .send(
                    "PROPFIND",
                    "/dav/",
                    Some(("alice", "wrong")),
                    &[("depth", "0")],
                    CUP,
                )
                .await,
        );
    }
    let last = last.expect("answers");
    assert_eq!(last.status, 429);
    assert!(last.header("retry-after").is_some());
    // The right password from the same client is also held back while blocked.
    let right = server
        .send("PROPFIND", "/dav/", Some(ALICE), &[("depth", "0")], CUP)
        .await;
    assert_eq!(right.status, 429);
}

#[tokio::test]
async fn devices_are_recorded() {
    let server = server().await;
    server
        .alice("PROPFIND", "/dav/", &[("depth", "0")], CUP)
        .await;
    let devices = server.vault.list_devices("alice").await.expect("devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].name, "calvault-tests");
    assert_eq!(devices[0].protocol, "caldav");
}

#[tokio::test]
async fn an_app_password_is_its_own_device() {
    let server = server().await;
    let (_, secret) = server
        .vault
        .add_app_password("alice", "phone")
        .await
        .expect("app password");
    let answer = server
        .send(
            "PROPFIND",
            "/dav/",
            Some(("alice", &secret)),
            &[("depth", "0")],
            CUP,
        )
        .await;
    assert_eq!(answer.status, 207);
    let devices = server.vault.list_devices("alice").await.expect("devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].key, "app:phone");
    assert_eq!(devices[0].name, "phone");
}
