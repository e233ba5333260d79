//! The calendars page's settings over a real listener: the calendar SyncML devices sync by
//! default, and private subscription (webcal) addresses, made, fetched without signing in,
//! revoked (404 at once), and never usable across users or calendars.

mod common;

use calvault_core::store::{Calendar, CalendarId, ShareAccess};
use calvault_core::{Access, Actor, CalendarPath};
use common::{Answer, Server, post_csrf, send, sign_in_at};

/// Alice (calendars `calendar` and `work`) and Bob (`calendar`).
async fn start() -> Server {
    let server = common::start().await;
    server
        .vault
        .create_calendar(Actor::Admin, &path("alice", "work"), Some("Work"))
        .await
        .expect("calendar");
    server
}

/// Signs in and returns the session cookie and the CSRF token of the calendars page.
async fn sign_in(server: &Server, name: &str) -> (String, String) {
    sign_in_at(server, name, "/calendars").await
}

fn path(user: &str, calendar: &str) -> CalendarPath {
    CalendarPath {
        user: user.into(),
        calendar: calendar.into(),
    }
}

async fn calendar(server: &Server, user: &str, name: &str) -> Calendar {
    server
        .vault
        .calendar(Actor::Admin, &path(user, name), Access::Read)
        .await
        .expect("calendar")
}

async fn put_event(server: &Server, user: &str, name: &str, uid: &str, summary: &str) {
    let calendar = calendar(server, user, name).await;
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\nDTEND:20260301T110000Z\r\n\
         SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    server
        .vault
        .put_object(
            Actor::Admin,
            &calendar,
            &format!("{uid}.ics"),
            &text,
            &calvault_core::Condition::default(),
            &calvault_core::Client::new("caldav"),
        )
        .await
        .expect("put");
}

/// The path of the subscription address a page shows once (`/webcal/<token>.ics`).
fn shown_address(page: &str) -> String {
    let start = page
        .find("http://localhost/webcal/")
        .expect("the new address on the page")
        + "http://localhost".len();
    page[start..].split('<').next().unwrap_or("").to_string()
}

/// The ids of the revoke forms of a page, in order.
fn revoke_ids(page: &str) -> Vec<i64> {
    page.match_indices("action=\"/subscriptions/")
        .filter_map(|(at, m)| page[at + m.len()..].split('/').next()?.parse().ok())
        .collect()
}

async fn syncml_default(server: &Server, user: &str) -> String {
    let user = server.vault.user_named(user).await.unwrap();
    server
        .vault
        .syncml_calendar(user.id)
        .await
        .unwrap()
        .map(|c| c.name)
        .unwrap_or_default()
}

/// Posts the calendars page's choice of the SyncML default calendar.
async fn choose_syncml_default(
    server: &Server,
    cookie: &str,
    csrf: &str,
    calendar: CalendarId,
) -> Answer {
    send(
        server,
        "POST",
        "/calendars/syncml-default",
        cookie,
        &format!("csrf={csrf}&calendar={calendar}"),
    )
    .await
}

/// Asks for a new subscription address of a calendar.
async fn subscribe(server: &Server, cookie: &str, csrf: &str, calendar: CalendarId) -> Answer {
    post_csrf(
        server,
        &format!("/calendars/{calendar}/subscribe"),
        cookie,
        csrf,
    )
    .await
}

#[tokio::test]
async fn the_syncml_default_calendar_is_chosen_on_the_page() {
    let server = start().await;
    let (cookie, csrf) = sign_in(&server, "alice").await;
    let work = calendar(&server, "alice", "work").await;
    let home = calendar(&server, "alice", "calendar").await;

    let page = send(&server, "GET", "/calendars", &cookie, "").await;
    assert!(page.body.contains("Default calendar for SyncML devices"));
    assert!(
        page.body
            .contains(&format!("<option value=\"{}\" selected>", home.id)),
        "the calendar named `calendar` is the default at first"
    );

    let answer = choose_syncml_default(&server, &cookie, &csrf, work.id).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(syncml_default(&server, "alice").await, "work");
    let page = send(&server, "GET", "/calendars", &cookie, "").await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{}\" selected>", work.id))
    );
    assert!(page.body.contains("default for SyncML devices"));

    // Trashing the chosen calendar falls back to `calendar`, and a SyncML device that synced
    // `calendar` forgets its anchors there (its next sync is slow), not those of `calendar/work`.
    let alice = server.vault.user_named("alice").await.unwrap();
    let phone = server
        .vault
        .touch_device(alice.id, "syncml", "phone-1", "phone-1")
        .await
        .unwrap();
    let anchors = serde_json::json!({"client_anchor": "1", "server_anchor": "2", "position": 0,
        "sync_type": null, "at": 0});
    let state = serde_json::json!({"anchors": {"calendar": anchors, "calendar/work": anchors}});
    server
        .vault
        .save_device_state(phone.id, &state, true)
        .await
        .unwrap();
    let answer = post_csrf(
        &server,
        &format!("/calendars/{}/delete", work.id),
        &cookie,
        &csrf,
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(syncml_default(&server, "alice").await, "calendar");
    let phone = server
        .vault
        .store()
        .device(phone.id)
        .await
        .unwrap()
        .unwrap();
    assert!(phone.state["anchors"].get("calendar").is_none());
    assert!(phone.state["anchors"].get("calendar/work").is_some());

    // In French too.
    let page = send(
        &server,
        "GET",
        "/calendars",
        &format!("{cookie}; cv_lang=fr"),
        "",
    )
    .await;
    assert!(
        page.body
            .contains("Calendrier par défaut des appareils SyncML")
    );
}

#[tokio::test]
async fn the_syncml_default_is_refused_without_the_token_or_for_another_users_calendar() {
    let server = start().await;
    let (cookie, csrf) = sign_in(&server, "alice").await;
    let work = calendar(&server, "alice", "work").await;
    let bobs = calendar(&server, "bob", "calendar").await;

    let answer = choose_syncml_default(&server, &cookie, "wrong", work.id).await;
    assert_eq!(answer.status, 403);
    let answer = choose_syncml_default(&server, &cookie, &csrf, bobs.id).await;
    assert_eq!(answer.status, 404);
    // Even shared with her, Bob's calendar is not Alice's to sync as `calendar`.
    server
        .vault
        .share_calendar(
            Actor::Admin,
            &path("bob", "calendar"),
            "alice",
            ShareAccess::ReadWrite,
        )
        .await
        .unwrap();
    let answer = choose_syncml_default(&server, &cookie, &csrf, bobs.id).await;
    assert_eq!(answer.status, 404);
    assert_eq!(syncml_default(&server, "alice").await, "calendar");
    assert_eq!(syncml_default(&server, "bob").await, "calendar");
}

#[tokio::test]
async fn a_subscription_address_serves_the_calendar_without_signing_in_until_revoked() {
    let server = start().await;
    put_event(&server, "alice", "work", "w1@example.org", "Budget review").await;
    put_event(&server, "alice", "calendar", "h1@example.org", "Dentist").await;
    let (cookie, csrf) = sign_in(&server, "alice").await;
    let work = calendar(&server, "alice", "work").await;

    let made = subscribe(&server, &cookie, &csrf, work.id).await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.body.contains("shown only this once"));
    let address = shown_address(&made.body);
    let token = address
        .strip_prefix("/webcal/")
        .and_then(|t| t.strip_suffix(".ics"))
        .expect("a token");
    assert!(
        token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()),
        "{token}: at least 128 bits"
    );

    let feed = send(&server, "GET", &address, "", "").await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.header("content-type")
            .is_some_and(|t| t.starts_with("text/calendar")),
        "{:?}",
        feed.headers
    );
    assert!(feed.body.contains("BEGIN:VCALENDAR"));
    assert!(feed.body.contains("SUMMARY:Budget review"));
    assert!(
        !feed.body.contains("Dentist"),
        "only the subscribed calendar"
    );

    // Listed (without its token) and revocable.
    let page = send(&server, "GET", "/calendars", &cookie, "").await;
    assert!(!page.body.contains(token), "the token is shown once only");
    assert!(page.body.contains("Address made on"));
    let ids = revoke_ids(&page.body);
    assert_eq!(ids.len(), 1);
    let revoked = post_csrf(
        &server,
        &format!("/subscriptions/{}/revoke", ids[0]),
        &cookie,
        &csrf,
    )
    .await;
    assert_eq!(revoked.status, 303);
    assert_eq!(send(&server, "GET", &address, "", "").await.status, 404);
    let page = send(&server, "GET", "/calendars", &cookie, "").await;
    assert!(revoke_ids(&page.body).is_empty());
}

#[tokio::test]
async fn tokens_cannot_be_guessed_borrowed_or_outlive_access() {
    let server = start().await;
    put_event(&server, "alice", "work", "w1@example.org", "Budget review").await;
    put_event(&server, "bob", "calendar", "b1@example.org", "Bob's secret").await;
    let (alice, alice_csrf) = sign_in(&server, "alice").await;
    let (bob, bob_csrf) = sign_in(&server, "bob").await;
    let work = calendar(&server, "alice", "work").await;

    // Made-up and malformed tokens, and a calendar's name or id in place of a token.
    for address in [
        format!("/webcal/{}.ics", "0".repeat(64)),
        "/webcal/calendar.ics".to_string(),
        format!("/webcal/{}.ics", work.id),
        format!("/webcal/{}", "a".repeat(64)),
    ] {
        assert_eq!(
            send(&server, "GET", &address, "", "").await.status,
            404,
            "{address}"
        );
    }

    // Bob may not subscribe to Alice's calendar, nor revoke her addresses.
    let refused = subscribe(&server, &bob, &bob_csrf, work.id).await;
    assert_eq!(refused.status, 404);
    let made = subscribe(&server, &alice, &alice_csrf, work.id).await;
    let alices = shown_address(&made.body);
    let page = send(&server, "GET", "/calendars", &alice, "").await;
    let id = revoke_ids(&page.body)[0];
    let refused = post_csrf(
        &server,
        &format!("/subscriptions/{id}/revoke"),
        &bob,
        &bob_csrf,
    )
    .await;
    assert_eq!(refused.status, 404);
    let feed = send(&server, "GET", &alices, "", "").await;
    assert_eq!(feed.status, 200, "still Alice's");
    assert!(!feed.body.contains("Bob's secret"));

    // Shared with Bob, he may subscribe; once the share goes, so does his address.
    server
        .vault
        .share_calendar(
            Actor::Admin,
            &path("alice", "work"),
            "bob",
            ShareAccess::Read,
        )
        .await
        .unwrap();
    let made = subscribe(&server, &bob, &bob_csrf, work.id).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let bobs = shown_address(&made.body);
    assert_ne!(bobs, alices, "every address has its own token");
    let feed = send(&server, "GET", &bobs, "", "").await;
    assert!(feed.body.contains("SUMMARY:Budget review"));
    server
        .vault
        .unshare_calendar(Actor::Admin, &path("alice", "work"), "bob")
        .await
        .unwrap();
    assert_eq!(send(&server, "GET", &bobs, "", "").await.status, 404);
    assert_eq!(send(&server, "GET", &alices, "", "").await.status, 200);

    // A calendar in the trash is served to no one.
    server
        .vault
        .delete_calendar(Actor::Admin, &path("alice", "work"))
        .await
        .unwrap();
    assert_eq!(send(&server, "GET", &alices, "", "").await.status, 404);
}
