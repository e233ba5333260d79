//! The pages end to end over a real listener: sign-in, CSRF, cross-user 404s, every page
//! rendering, and an event's round trip through the vault.

mod common;

use calvault_core::Actor;
use common::{
    PASSWORD, Server, alice_calendar, count, encode, form_value, post_csrf, send, sign_in, start,
};

#[tokio::test]
async fn sign_in_sets_a_safe_session_cookie() {
    let server = start().await;
    let page = send(&server, "GET", "/", "", "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("type=\"password\""));
    let token = form_value(&page.body, "csrf");
    let pre = page.cookies().join("; ");
    let wrong = send(
        &server,
        "POST",
        "/",
        &pre,
        &format!("csrf={token}&name=alice&password=nope"),
    )
    .await;
    assert_eq!(wrong.status, 401);
    let right = send(
        &server,
        "POST",
        "/",
        &pre,
        &format!("csrf={token}&name=alice&password={}", encode(PASSWORD)),
    )
    .await;
    assert_eq!(right.status, 303);
    let cookie = right
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("cv_session="))
        .map(|(_, v)| v.clone())
        .expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain loopback http keeps the cookie usable"
    );
    // Pages need a session; without one they send the visitor to sign in.
    assert_eq!(send(&server, "GET", "/agenda", "", "").await.status, 303);
}

#[tokio::test]
async fn sign_in_without_the_token_is_refused() {
    let server = start().await;
    let answer = send(
        &server,
        "POST",
        "/",
        "",
        &format!("csrf=x&name=alice&password={}", encode(PASSWORD)),
    )
    .await;
    assert_eq!(answer.status, 403);
}

#[tokio::test]
async fn too_many_failures_answer_429() {
    let server = start().await;
    let page = send(&server, "GET", "/", "", "").await;
    let token = form_value(&page.body, "csrf");
    let pre = page.cookies().join("; ");
    let mut last = 0;
    for _ in 0..12 {
        last = send(
            &server,
            "POST",
            "/",
            &pre,
            &format!("csrf={token}&name=alice&password=wrong"),
        )
        .await
        .status;
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn every_post_checks_the_csrf_token() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let posts = [
        (
            "/events",
            "title=x&start_date=2026-01-05&start_time=09:00&end_date=2026-01-05&end_time=10:00&tz=UTC&calendar=1",
        ),
        ("/trash/restore", "all=1"),
        ("/calendars", "name=other"),
        ("/devices", "name=phone"),
        ("/signout", ""),
    ];
    for (path, body) in posts {
        let answer = send(
            &server,
            "POST",
            path,
            &session,
            &format!("csrf=wrong&{body}"),
        )
        .await;
        assert_eq!(answer.status, 403, "{path}");
    }
    let answer = send(
        &server,
        "POST",
        "/devices",
        &session,
        &format!("csrf={csrf}&name=phone"),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn every_page_renders() {
    let server = start().await;
    let (session, _) = sign_in(&server, "alice").await;
    for path in [
        "/agenda",
        "/agenda?view=day&date=2026-01-05",
        "/agenda?view=week&date=2026-01-05",
        "/agenda?view=month&date=2026-01-05",
        "/events/new?date=2026-01-05",
        "/trash",
        "/backups",
        "/import",
        "/calendars",
        "/devices",
        "/alerts",
    ] {
        let answer = send(&server, "GET", path, &session, "").await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        assert!(answer.body.contains("<main id=\"main\""), "{path}");
        assert!(answer.header("content-security-policy").is_some(), "{path}");
    }
    let french = send(
        &server,
        "GET",
        "/agenda",
        &format!("{session}; cv_lang=fr"),
        "",
    )
    .await;
    assert!(french.body.contains("lang=\"fr\"") && french.body.contains("Corbeille"));
}

#[tokio::test]
async fn an_event_made_here_is_in_the_vault_and_comes_back_from_the_trash() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let alice = server.vault.user_named("alice").await.unwrap();
    let (_, calendar) = alice_calendar(&server).await;
    let body = format!(
        "csrf={csrf}&calendar={}&title=Dentist&start_date=2026-01-05&start_time=09:00&end_date=2026-01-05&end_time=10:00&tz=Europe%2FParis&location=&description=&freq=WEEKLY&until=&count=3&reminder=15",
        calendar.id
    );
    let created = send(&server, "POST", "/events", &session, &body).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let objects = server
        .vault
        .store()
        .list_objects(calendar.id)
        .await
        .unwrap();
    assert_eq!(objects.len(), 1);
    let stored = server
        .vault
        .get_object(Actor::User(alice.id), &calendar, &objects[0].name)
        .await
        .unwrap();
    assert!(stored.data.contains("SUMMARY:Dentist"));
    assert!(
        stored
            .data
            .contains("DTSTART;TZID=Europe/Paris:20260105T090000")
    );
    assert!(stored.data.contains("RRULE:FREQ=WEEKLY;COUNT=3"));
    assert!(stored.data.contains("TRIGGER:-PT15M"));
    let week = send(
        &server,
        "GET",
        "/agenda?view=week&date=2026-01-12",
        &format!("{session}; cv_tz=Europe%2FParis"),
        "",
    )
    .await;
    assert!(
        week.body.contains("Dentist") && week.body.contains("09:00"),
        "{}",
        week.body
    );

    let href = format!("/events/{}/{}", calendar.id, encode(&objects[0].name));
    let deleted = post_csrf(&server, &format!("{href}/delete"), &session, &csrf).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(count(&server, &calendar).await, 0);
    let trash = send(&server, "GET", "/trash", &session, "").await;
    let item = form_value(&trash.body, "item");
    let restored = send(
        &server,
        "POST",
        "/trash/restore",
        &session,
        &format!("csrf={csrf}&item={}", encode(&item)),
    )
    .await;
    assert_eq!(restored.status, 303);
    assert_eq!(count(&server, &calendar).await, 1);
}

#[tokio::test]
async fn another_users_things_are_not_found() {
    let server = start().await;
    let (alice_session, alice_csrf) = sign_in(&server, "alice").await;
    let alice = server.vault.user_named("alice").await.unwrap();
    let (_, calendar) = alice_calendar(&server).await;
    let body = format!(
        "csrf={alice_csrf}&calendar={}&title=Secret&start_date=2026-01-05&start_time=09:00&end_date=2026-01-05&end_time=10:00&tz=UTC",
        calendar.id
    );
    assert_eq!(
        send(&server, "POST", "/events", &alice_session, &body)
            .await
            .status,
        303
    );
    let name = server
        .vault
        .store()
        .list_objects(calendar.id)
        .await
        .unwrap()[0]
        .name
        .clone();
    let snapshot = server
        .vault
        .create_snapshot(Actor::User(alice.id), &calendar, "x")
        .await
        .unwrap();

    let (bob_session, bob_csrf) = sign_in(&server, "bob").await;
    let event = format!("/events/{}/{}", calendar.id, encode(&name));
    for path in [
        event.clone(),
        format!("/backups?calendar={}", calendar.id),
        format!("/snapshots/{}/restore", snapshot.id),
        format!("/snapshots/{}/download", snapshot.id),
    ] {
        let answer = send(&server, "GET", &path, &bob_session, "").await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(!answer.body.contains("Secret"));
    }
    for (path, body) in [
        (format!("{event}/delete"), String::new()),
        (
            event.clone(),
            "title=Mine&start_date=2026-01-05&end_date=2026-01-05&all_day=on".to_string(),
        ),
        (format!("/snapshots/{}/restore", snapshot.id), String::new()),
        (format!("/calendars/{}/delete", calendar.id), String::new()),
        (format!("/backups/{}/snapshot", calendar.id), String::new()),
        (
            "/trash/restore".to_string(),
            format!("item={}%3Ax", calendar.id),
        ),
        (
            "/import".to_string(),
            format!("calendar={}&ics=BEGIN", calendar.id),
        ),
    ] {
        let answer = send(
            &server,
            "POST",
            &path,
            &bob_session,
            &format!("csrf={bob_csrf}&{body}"),
        )
        .await;
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
    }
    let agenda = send(&server, "GET", "/agenda?date=2026-01-01", &bob_session, "").await;
    assert!(!agenda.body.contains("Secret"));
    assert_eq!(count(&server, &calendar).await, 1);
}

#[tokio::test]
async fn one_occurrence_of_a_series_is_edited_or_deleted_alone() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    let body = format!(
        "csrf={csrf}&calendar={}&title=Standup&start_date=2026-01-05&start_time=09:00&end_date=2026-01-05&end_time=09:15&tz=UTC&freq=DAILY&count=5",
        calendar.id
    );
    assert_eq!(
        send(&server, "POST", "/events", &session, &body)
            .await
            .status,
        303
    );
    let name = server
        .vault
        .store()
        .list_objects(calendar.id)
        .await
        .unwrap()[0]
        .name
        .clone();
    let href = format!("/events/{}/{}", calendar.id, encode(&name));
    // The third occurrence: 2026-01-07 09:00 UTC.
    let third = 1_767_776_400;
    let form = send(&server, "GET", &format!("{href}?at={third}"), &session, "").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"2026-01-07\"") && form.body.contains("scope-this"));
    let edit = format!(
        "csrf={csrf}&calendar={}&title=Standup+moved&start_date=2026-01-07&start_time=11:00&end_date=2026-01-07&end_time=11:15&tz=UTC&at={third}&scope=this",
        calendar.id
    );
    assert_eq!(
        send(&server, "POST", &href, &session, &edit).await.status,
        303
    );
    let fourth = third + 86_400;
    let delete = format!("csrf={csrf}&at={fourth}&scope=this");
    assert_eq!(
        send(
            &server,
            "POST",
            &format!("{href}/delete"),
            &session,
            &delete
        )
        .await
        .status,
        303
    );

    let stored = server
        .vault
        .get_object(actor, &calendar, &name)
        .await
        .unwrap();
    assert!(
        stored.data.contains("RECURRENCE-ID:20260107T090000Z"),
        "{}",
        stored.data
    );
    assert!(
        stored.data.contains("EXDATE:20260108T090000Z"),
        "{}",
        stored.data
    );
    assert!(stored.data.contains("RRULE:FREQ=DAILY;COUNT=5"));
    let week = send(
        &server,
        "GET",
        "/agenda?view=week&date=2026-01-05",
        &session,
        "",
    )
    .await;
    assert_eq!(week.body.matches(">Standup<").count(), 3, "{}", week.body);
    assert_eq!(week.body.matches(">Standup moved<").count(), 1);
    assert!(week.body.contains("11:00–11:15"));

    // Editing the whole series keeps the override and the removed occurrence.
    let series = format!(
        "csrf={csrf}&calendar={}&title=Daily&start_date=2026-01-05&start_time=09:00&end_date=2026-01-05&end_time=09:15&tz=UTC&freq=DAILY&count=5",
        calendar.id
    );
    assert_eq!(
        send(&server, "POST", &href, &session, &series).await.status,
        303
    );
    let week = send(
        &server,
        "GET",
        "/agenda?view=week&date=2026-01-05",
        &session,
        "",
    )
    .await;
    assert_eq!(week.body.matches(">Daily<").count(), 3, "{}", week.body);
    assert_eq!(week.body.matches(">Standup moved<").count(), 1);
}

#[tokio::test]
async fn a_shared_calendar_shows_for_the_grantee_and_read_only_stays_read_only() {
    let server = start().await;
    let (alice_session, alice_csrf) = sign_in(&server, "alice").await;
    let (_, calendar) = alice_calendar(&server).await;
    let body = format!(
        "csrf={alice_csrf}&calendar={}&title=Team+lunch&start_date=2026-01-05&start_time=12:00&end_date=2026-01-05&end_time=13:00&tz=UTC",
        calendar.id
    );
    assert_eq!(
        send(&server, "POST", "/events", &alice_session, &body)
            .await
            .status,
        303
    );
    let share = format!("csrf={alice_csrf}&user=bob&access=read");
    let shared = send(
        &server,
        "POST",
        &format!("/calendars/{}/share", calendar.id),
        &alice_session,
        &share,
    )
    .await;
    assert_eq!(shared.status, 303, "{}", shared.body);

    let (bob_session, bob_csrf) = sign_in(&server, "bob").await;
    let agenda = send(
        &server,
        "GET",
        "/agenda?view=week&date=2026-01-05",
        &bob_session,
        "",
    )
    .await;
    assert!(
        agenda.body.contains("Team lunch") && agenda.body.contains("(alice)"),
        "{}",
        agenda.body
    );
    let name = server
        .vault
        .store()
        .list_objects(calendar.id)
        .await
        .unwrap()[0]
        .name
        .clone();
    let href = format!("/events/{}/{}", calendar.id, encode(&name));
    let form = send(&server, "GET", &href, &bob_session, "").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("read-only"));
    let edit = format!(
        "csrf={bob_csrf}&calendar={}&title=Mine&start_date=2026-01-05&all_day=on",
        calendar.id
    );
    assert_eq!(
        send(&server, "POST", &href, &bob_session, &edit)
            .await
            .status,
        403
    );
    let delete = post_csrf(&server, &format!("{href}/delete"), &bob_session, &bob_csrf).await;
    assert_eq!(delete.status, 403);
    // Sharing and renaming are the owner's: for the grantee the calendar is not found.
    let rename = format!("csrf={bob_csrf}&display_name=Taken");
    assert_eq!(
        send(
            &server,
            "POST",
            &format!("/calendars/{}", calendar.id),
            &bob_session,
            &rename
        )
        .await
        .status,
        404
    );
    assert_eq!(count(&server, &calendar).await, 1);
}

async fn put_event(
    server: &Server,
    actor: Actor,
    calendar: &calvault_core::store::Calendar,
    uid: &str,
    title: &str,
    day: &str,
) {
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:{day}T090000Z\r\nDTEND:{day}T100000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    server
        .vault
        .put_object(
            actor,
            calendar,
            &format!("{uid}.ics"),
            &text,
            &calvault_core::Condition::default(),
            &calvault_core::Client::new("caldav"),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_safety_pages_render() {
    let server = start().await;
    let (session, _) = sign_in(&server, "alice").await;
    let (_, calendar) = alice_calendar(&server).await;
    for path in [
        "/duplicates".to_string(),
        format!("/duplicates?calendar={}", calendar.id),
        "/archive".to_string(),
        format!("/archive?calendar={}&before=2026-01-01", calendar.id),
    ] {
        let answer = send(&server, "GET", &path, &session, "").await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        assert!(answer.body.contains("<main id=\"main\""), "{path}");
        assert!(
            answer
                .header("server-timing")
                .is_some_and(|v| v.starts_with("app;dur="))
        );
    }
    let french = send(
        &server,
        "GET",
        "/duplicates",
        &format!("{session}; cv_lang=fr"),
        "",
    )
    .await;
    assert!(french.body.contains("Doublons") && french.body.contains("Aucun doublon"));
}

#[tokio::test]
async fn duplicates_are_previewed_then_merged_undoably() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    put_event(
        &server,
        actor,
        &calendar,
        "twin-1",
        "Board meeting",
        "20260105",
    )
    .await;
    put_event(
        &server,
        actor,
        &calendar,
        "twin-2",
        "Board meeting",
        "20260105",
    )
    .await;
    put_event(&server, actor, &calendar, "single", "Dentist", "20260106").await;
    let path = format!("/duplicates?calendar={}", calendar.id);
    let preview = send(&server, "GET", &path, &session, "").await;
    assert_eq!(preview.status, 200);
    assert!(
        preview.body.contains("Groups of duplicates (1)"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Board meeting") && !preview.body.contains("Dentist"));
    assert_eq!(
        count(&server, &calendar).await,
        3,
        "the preview changes nothing"
    );
    let merged = post_csrf(
        &server,
        &format!("/duplicates/{}/merge", calendar.id),
        &session,
        &csrf,
    )
    .await;
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert!(merged.body.contains("1 duplicate(s) moved to the trash."));
    assert_eq!(count(&server, &calendar).await, 2);
    let snapshots = server.vault.list_snapshots(actor, &calendar).await.unwrap();
    let undo = format!("/snapshots/{}/restore", snapshots[0].id);
    assert!(
        merged.body.contains(&undo),
        "the undo link: {}",
        merged.body
    );
    let wrong = post_csrf(
        &server,
        &format!("/duplicates/{}/merge", calendar.id),
        &session,
        "wrong",
    )
    .await;
    assert_eq!(wrong.status, 403);
}

#[tokio::test]
async fn archive_previews_then_moves_ended_events() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    put_event(&server, actor, &calendar, "old", "Old seminar", "20200105").await;
    put_event(
        &server,
        actor,
        &calendar,
        "new",
        "Future seminar",
        "20300105",
    )
    .await;
    let preview = send(
        &server,
        "GET",
        &format!("/archive?calendar={}&before=2025-01-01", calendar.id),
        &session,
        "",
    )
    .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("data-count=\"moved\">1<"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Old seminar") && !preview.body.contains("Future seminar"));
    assert_eq!(
        count(&server, &calendar).await,
        2,
        "the preview changes nothing"
    );
    let bad = send(
        &server,
        "GET",
        &format!("/archive?calendar={}&before=soon", calendar.id),
        &session,
        "",
    )
    .await;
    assert_eq!(bad.status, 400);
    let run = send(
        &server,
        "POST",
        &format!("/archive/{}", calendar.id),
        &session,
        &format!("csrf={csrf}&before=2025-01-01"),
    )
    .await;
    assert_eq!(run.status, 200, "{}", run.body);
    assert!(run.body.contains("1 event(s) moved to the archive."));
    assert!(run.body.contains("/snapshots/"), "undo links");
    assert_eq!(count(&server, &calendar).await, 1);
    let alice = server.vault.user_named("alice").await.unwrap();
    let archive = server
        .vault
        .store()
        .calendar_by_name(alice.id, calvault_core::ARCHIVE_CALENDAR)
        .await
        .unwrap()
        .expect("the archive calendar");
    assert_eq!(count(&server, &archive).await, 1);
    // The archive is not offered as a source.
    let page = send(&server, "GET", "/archive", &session, "").await;
    assert!(!page.body.contains(&format!("value=\"{}\"", archive.id)));
}

#[tokio::test]
async fn an_events_history_shows_versions_and_restores_one_undoably() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    put_event(&server, actor, &calendar, "hist", "Lunch", "20260105").await;
    put_event(&server, actor, &calendar, "hist", "Lunch moved", "20260106").await;
    let form = send(
        &server,
        "GET",
        &format!("/events/{}/hist.ics", calendar.id),
        &session,
        "",
    )
    .await;
    let base = format!("/history/{}/hist", calendar.id);
    assert!(
        form.body.contains(&format!("href=\"{base}\"")),
        "{}",
        form.body
    );
    let history = server
        .vault
        .object_history(actor, &calendar, "hist")
        .await
        .unwrap();
    let page = send(&server, "GET", &base, &session, "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Lunch moved") && page.body.contains(">Lunch<"));
    assert!(page.body.contains("caldav"));
    let old = history[1].seq;
    let version = send(&server, "GET", &format!("{base}/{old}"), &session, "").await;
    assert_eq!(version.status, 200);
    assert!(
        version.body.contains("SUMMARY:Lunch\r\n") && version.body.contains("2026-01-05 09:00")
    );
    let restored = post_csrf(&server, &format!("{base}/{old}/restore"), &session, &csrf).await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert!(restored.body.contains("Version restored."));
    let current = server
        .vault
        .store()
        .object_by_uid(calendar.id, "hist")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.meta.facts.summary.as_deref(), Some("Lunch"));
    let undo = format!("{base}/{}/restore", history[0].seq);
    assert!(
        restored.body.contains(&format!("action=\"{undo}\"")),
        "{}",
        restored.body
    );
    let undone = post_csrf(&server, &undo, &session, &csrf).await;
    assert_eq!(undone.status, 200);
    let current = server
        .vault
        .store()
        .object_by_uid(calendar.id, "hist")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.meta.facts.summary.as_deref(), Some("Lunch moved"));
    let missing = send(
        &server,
        "GET",
        &format!("/history/{}/nothing", calendar.id),
        &session,
        "",
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_syncml_device_is_reset_to_a_slow_sync() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let alice = server.vault.user_named("alice").await.unwrap();
    let phone = server
        .vault
        .touch_device(alice.id, "syncml", "IMEI:1", "IMEI:1")
        .await
        .unwrap();
    let state =
        serde_json::json!({"anchors": {"cal": {"last": "1", "next": "2"}}, "revoked": false});
    server
        .vault
        .save_device_state(phone.id, &state, true)
        .await
        .unwrap();
    let caldav = server
        .vault
        .touch_device(alice.id, "caldav", "k", "Thunderbird")
        .await
        .unwrap();
    let page = send(&server, "GET", "/devices", &session, "").await;
    assert!(page.body.contains(&format!("/devices/{}/reset", phone.id)));
    assert!(!page.body.contains(&format!("/devices/{}/reset", caldav.id)));
    let reset = post_csrf(
        &server,
        &format!("/devices/{}/reset", phone.id),
        &session,
        &csrf,
    )
    .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert!(reset.body.contains("its next sync will compare everything"));
    let after = server.vault.device(phone.id).await.unwrap().unwrap();
    assert_eq!(after.state["force_slow"], serde_json::json!(true));
    assert_eq!(after.state["anchors"], serde_json::json!({}));
    let not_syncml = post_csrf(
        &server,
        &format!("/devices/{}/reset", caldav.id),
        &session,
        &csrf,
    )
    .await;
    assert_eq!(not_syncml.status, 404);
}

#[tokio::test]
async fn another_users_safety_pages_are_not_found() {
    let server = start().await;
    let _ = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    put_event(&server, actor, &calendar, "secret-1", "Secret", "20200105").await;
    put_event(&server, actor, &calendar, "secret-2", "Secret", "20200105").await;
    let alice = server.vault.user_named("alice").await.unwrap();
    let phone = server
        .vault
        .touch_device(alice.id, "syncml", "IMEI:2", "IMEI:2")
        .await
        .unwrap();
    let seq = server
        .vault
        .object_history(actor, &calendar, "secret-1")
        .await
        .unwrap()[0]
        .seq;
    let (bob_session, bob_csrf) = sign_in(&server, "bob").await;
    for path in [
        format!("/duplicates?calendar={}", calendar.id),
        format!("/archive?calendar={}&before=2025-01-01", calendar.id),
        format!("/history/{}/secret-1", calendar.id),
        format!("/history/{}/secret-1/{seq}", calendar.id),
    ] {
        let answer = send(&server, "GET", &path, &bob_session, "").await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(!answer.body.contains("Secret"), "{path}");
    }
    for (path, body) in [
        (format!("/duplicates/{}/merge", calendar.id), String::new()),
        (
            format!("/archive/{}", calendar.id),
            "before=2025-01-01".to_string(),
        ),
        (
            format!("/history/{}/secret-1/{seq}/restore", calendar.id),
            String::new(),
        ),
        (format!("/devices/{}/reset", phone.id), String::new()),
    ] {
        let answer = send(
            &server,
            "POST",
            &path,
            &bob_session,
            &format!("csrf={bob_csrf}&{body}"),
        )
        .await;
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
    }
    assert_eq!(count(&server, &calendar).await, 2);
    let bob_duplicates = send(&server, "GET", "/duplicates", &bob_session, "").await;
    assert!(!bob_duplicates.body.contains("Secret"));
}
