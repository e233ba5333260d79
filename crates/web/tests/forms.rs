//! Tasks changed from the task list, the VTIMEZONE of events saved with a zone, and forms
//! refused with the user's input kept: each through the pages, checked in the vault.

mod common;

use calvault_core::store::Calendar;
use common::{Server, alice_calendar, encode, send, sign_in, start};

async fn stored(server: &Server, calendar: &Calendar, name: &str) -> String {
    let (actor, _) = alice_calendar(server).await;
    server
        .vault
        .get_object(actor, calendar, name)
        .await
        .unwrap()
        .data
}

async fn names(server: &Server, calendar: &Calendar) -> Vec<String> {
    server
        .vault
        .store()
        .list_objects(calendar.id)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect()
}

const TASK: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:task-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Water the plants\r\nDUE;VALUE=DATE:20260305\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

async fn put_task(server: &Server) -> (Calendar, String) {
    let (actor, calendar) = alice_calendar(server).await;
    server
        .vault
        .put_object(
            actor,
            &calendar,
            "task-1.ics",
            TASK,
            &calvault_core::Condition::default(),
            &calvault_core::Client::new("caldav"),
        )
        .await
        .unwrap();
    (calendar, "task-1.ics".to_string())
}

#[tokio::test]
async fn a_task_is_marked_done_then_not_done_from_the_list() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (calendar, name) = put_task(&server).await;
    let list = "/agenda?view=list&date=2026-03-01";
    let page = send(&server, "GET", list, &session, "").await;
    let href = format!("/tasks/{}/{name}", calendar.id);
    assert!(page.body.contains(&format!("{href}/done")), "{}", page.body);
    assert!(page.body.contains("Mark done"));
    let done = send(
        &server,
        "POST",
        &format!("{href}/done"),
        &session,
        &format!("csrf={csrf}&done=1&back={}", encode(list)),
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some(list));
    let data = stored(&server, &calendar, &name).await;
    assert!(data.contains("STATUS:COMPLETED"), "{data}");
    assert!(data.contains("\r\nCOMPLETED:20"), "{data}");
    assert!(data.contains("PERCENT-COMPLETE:100"), "{data}");
    assert!(!data.contains("NEEDS-ACTION"), "{data}");
    let page = send(&server, "GET", list, &session, "").await;
    assert!(page.body.contains("Mark not done"), "{}", page.body);
    assert!(page.body.contains("task done"));

    let undone = send(
        &server,
        "POST",
        &format!("{href}/done"),
        &session,
        &format!("csrf={csrf}&done=0&back=https%3A%2F%2Fevil.example%2F"),
    )
    .await;
    assert_eq!(undone.status, 303);
    assert_eq!(undone.header("location"), Some("/agenda"));
    let data = stored(&server, &calendar, &name).await;
    assert!(data.contains("STATUS:NEEDS-ACTION"), "{data}");
    assert!(!data.contains("\r\nCOMPLETED:"), "{data}");
    assert!(!data.contains("PERCENT-COMPLETE"), "{data}");
    // The change is a new revision, as a CalDAV or SyncML client would see it.
    let (actor, _) = alice_calendar(&server).await;
    let history = server
        .vault
        .object_history(actor, &calendar, "task-1")
        .await
        .unwrap();
    assert_eq!(history.len(), 3);

    let refused = send(
        &server,
        "POST",
        &format!("{href}/done"),
        &session,
        "csrf=nope&done=1",
    )
    .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_tasks_title_and_due_date_are_edited() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (calendar, name) = put_task(&server).await;
    let href = format!("/tasks/{}/{name}", calendar.id);
    let form = send(&server, "GET", &href, &session, "").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"Water the plants\""));
    assert!(form.body.contains("value=\"2026-03-05\""));
    let saved = send(
        &server,
        "POST",
        &href,
        &session,
        &format!(
            "csrf={csrf}&title=Water+the+garden&due_date=2026-03-10&due_time=14:30&tz=Europe%2FParis"
        ),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let data = stored(&server, &calendar, &name).await;
    assert!(data.contains("SUMMARY:Water the garden"), "{data}");
    assert!(
        data.contains("DUE;TZID=Europe/Paris:20260310T143000"),
        "{data}"
    );
    assert!(
        data.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris"),
        "{data}"
    );
    assert!(data.contains("SEQUENCE:1"), "{data}");
    let page = send(
        &server,
        "GET",
        "/agenda?view=list&date=2026-03-01",
        &session,
        "",
    )
    .await;
    assert!(page.body.contains("Water the garden"));

    // Without a due date the task has none, and no zone either.
    let cleared = send(
        &server,
        "POST",
        &href,
        &session,
        &format!("csrf={csrf}&title=Water+the+garden&due_date=&due_time=&tz=Europe%2FParis"),
    )
    .await;
    assert_eq!(cleared.status, 303);
    let data = stored(&server, &calendar, &name).await;
    assert!(!data.contains("DUE"), "{data}");
    assert!(!data.contains("VTIMEZONE"), "{data}");

    let empty = send(
        &server,
        "POST",
        &href,
        &session,
        &format!("csrf={csrf}&title=+&due_date=2026-03-10"),
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Give it a title."), "{}", empty.body);
    assert!(empty.body.contains("value=\"2026-03-10\""), "input kept");
    assert!(
        stored(&server, &calendar, &name)
            .await
            .contains("SUMMARY:Water the garden")
    );

    // Another user's task is not found, to read or to change.
    let (bob, bob_csrf) = sign_in(&server, "bob").await;
    assert_eq!(send(&server, "GET", &href, &bob, "").await.status, 404);
    for (path, body) in [
        (href.clone(), format!("csrf={bob_csrf}&title=Mine")),
        (format!("{href}/done"), format!("csrf={bob_csrf}&done=1")),
    ] {
        let answer = send(&server, "POST", &path, &bob, &body).await;
        assert_eq!(answer.status, 404, "{path}");
    }
    let data = stored(&server, &calendar, &name).await;
    assert!(data.contains("SUMMARY:Water the garden") && !data.contains("COMPLETED"));
}

#[tokio::test]
async fn an_event_saved_in_a_zone_carries_that_zones_vtimezone() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (_, calendar) = alice_calendar(&server).await;
    let body = |tz: &str| {
        format!(
            "csrf={csrf}&calendar={}&title=Call&start_date=2026-07-01&start_time=09:00&end_date=2026-07-01&end_time=10:00&tz={}",
            calendar.id,
            encode(tz)
        )
    };
    let created = send(&server, "POST", "/events", &session, &body("Europe/Paris")).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let name = names(&server, &calendar).await.remove(0);
    let data = stored(&server, &calendar, &name).await;
    assert!(data.contains("DTSTART;TZID=Europe/Paris:20260701T090000"));
    assert_eq!(data.matches("BEGIN:VTIMEZONE").count(), 1, "{data}");
    assert!(data.contains("TZID:Europe/Paris\r\n"), "{data}");
    assert!(
        data.contains(
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"
        ),
        "{data}"
    );
    assert!(
        data.find("BEGIN:VTIMEZONE") < data.find("BEGIN:VEVENT"),
        "{data}"
    );

    // Moved to another zone: that zone's definition replaces the old one.
    let href = format!("/events/{}/{}", calendar.id, encode(&name));
    let moved = send(&server, "POST", &href, &session, &body("America/New_York")).await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let data = stored(&server, &calendar, &name).await;
    assert!(data.contains("TZID:America/New_York\r\n"), "{data}");
    assert!(!data.contains("Europe/Paris"), "{data}");
    assert!(
        data.contains("TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400"),
        "{data}"
    );

    // In UTC there is no TZID, so no VTIMEZONE.
    let utc = send(&server, "POST", &href, &session, &body("UTC")).await;
    assert_eq!(utc.status, 303);
    let data = stored(&server, &calendar, &name).await;
    assert!(data.contains("DTSTART:20260701T090000Z"), "{data}");
    assert!(!data.contains("VTIMEZONE"), "{data}");
}

#[tokio::test]
async fn bad_input_shows_the_form_again_with_what_was_typed() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (_, calendar) = alice_calendar(&server).await;
    let post = |title: &str, start_date: &str, end_time: &str| {
        format!(
            "csrf={csrf}&calendar={}&title={}&start_date={start_date}&start_time=12:00&end_date=2026-05-04&end_time={end_time}&tz=UTC&location=Canteen",
            calendar.id,
            encode(title)
        )
    };
    for (body, message) in [
        (
            post("Team lunch", "2026-05-04", "11:00"),
            "The end must not come before the start.",
        ),
        (post("  ", "2026-05-04", "13:00"), "Give it a title."),
        (
            post("Team lunch", "2026-13-45", "13:00"),
            "Starts: this value cannot be read.",
        ),
        (
            post("Team lunch", "2026-05-04", "half past"),
            "Ends: this value cannot be read.",
        ),
    ] {
        let answer = send(&server, "POST", "/events", &session, &body).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert!(answer.body.contains(message), "{message}: {}", answer.body);
        assert!(answer.body.contains("role=\"alert\""));
        assert!(
            answer.body.contains("value=\"Canteen\""),
            "the input is kept"
        );
        assert!(
            answer
                .body
                .contains("<form method=\"post\" action=\"/events\"")
        );
    }
    let kept = send(
        &server,
        "POST",
        "/events",
        &session,
        &post("Team lunch", "2026-05-04", "11:00"),
    )
    .await;
    assert!(kept.body.contains("value=\"Team lunch\""));
    assert!(kept.body.contains("value=\"2026-05-04\""));
    assert!(names(&server, &calendar).await.is_empty(), "nothing saved");

    // The same on an existing event's form: its address and the typed values, nothing saved.
    let good = send(
        &server,
        "POST",
        "/events",
        &session,
        &post("Team lunch", "2026-05-04", "13:00"),
    )
    .await;
    assert_eq!(good.status, 303);
    let name = names(&server, &calendar).await.remove(0);
    let href = format!("/events/{}/{}", calendar.id, encode(&name));
    let edit = send(
        &server,
        "POST",
        &href,
        &session,
        &post("Long lunch", "2026-05-04", "10:00"),
    )
    .await;
    assert_eq!(edit.status, 422);
    assert!(edit.body.contains("value=\"Long lunch\""));
    assert!(edit.body.contains(&format!("action=\"{href}\"")));
    assert!(
        stored(&server, &calendar, &name)
            .await
            .contains("SUMMARY:Team lunch")
    );
    let french = send(
        &server,
        "POST",
        "/events",
        &format!("{session}; cv_lang=fr"),
        &post("Team lunch", "2026-05-04", "11:00"),
    )
    .await;
    assert!(
        french
            .body
            .contains("La fin ne doit pas précéder le début.")
    );
}

#[tokio::test]
async fn a_refused_app_password_name_shows_the_form_with_the_name_typed() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let created = send(
        &server,
        "POST",
        "/devices",
        &session,
        &format!("csrf={csrf}&name=phone"),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("id=\"new-secret\""));
    for (name, message) in [
        ("phone", "already exists"),
        ("my phone/1", "use 1 to 64 letters"),
    ] {
        let answer = send(
            &server,
            "POST",
            "/devices",
            &session,
            &format!("csrf={csrf}&name={}", encode(name)),
        )
        .await;
        assert_eq!(answer.status, 422, "{name}: {}", answer.body);
        assert!(answer.body.contains("Nothing was saved"), "{name}");
        assert!(answer.body.contains(message), "{name}: {}", answer.body);
        assert!(
            answer.body.contains(&format!("value=\"{name}\"")),
            "{name} kept: {}",
            answer.body
        );
        assert!(!answer.body.contains("id=\"new-secret\""));
    }
    let alice = server.vault.user_named("alice").await.unwrap();
    let passwords = server.vault.list_app_passwords(&alice.name).await.unwrap();
    assert_eq!(passwords.len(), 1);
}
