//! The task list shows every task of the home, whatever the agenda's window of days: open
//! ones by due date (a task due years from now, and one with no date at all, included), then
//! the done ones.

mod common;

use calvault_core::{Client, Condition};
use common::{alice_calendar, send, sign_in, start};

fn todo(uid: &str, lines: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n{lines}END:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

#[tokio::test]
async fn every_task_is_listed_open_ones_by_due_date_then_done_ones() {
    let server = start().await;
    let (session, _) = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    let tasks = [
        (
            "far",
            "SUMMARY:Renew the passport\r\nDUE;VALUE=DATE:20310615\r\n",
        ),
        ("none", "SUMMARY:Sort the photos\r\n"),
        (
            "done",
            "SUMMARY:File the taxes\r\nDUE:20260302T170000Z\r\nSTATUS:COMPLETED\r\nCOMPLETED:20260301T100000Z\r\n",
        ),
        (
            "soon",
            "SUMMARY:Water the plants\r\nDUE;VALUE=DATE:20260305\r\nSTATUS:NEEDS-ACTION\r\n",
        ),
        (
            "past",
            "SUMMARY:Call the bank\r\nDTSTART:20250101T090000Z\r\nDUE:20250110T090000Z\r\n",
        ),
    ];
    for (uid, lines) in tasks {
        server
            .vault
            .put_object(
                actor,
                &calendar,
                &format!("{uid}.ics"),
                &todo(uid, lines),
                &Condition::default(),
                &Client::new("caldav"),
            )
            .await
            .unwrap();
    }
    let page = send(
        &server,
        "GET",
        "/agenda?view=list&date=2026-03-01",
        &session,
        "",
    )
    .await;
    let tasks = page
        .body
        .split("<ul class=\"tasks\">")
        .nth(1)
        .expect("a task list");
    let at = |title: &str| {
        tasks
            .find(title)
            .unwrap_or_else(|| panic!("{title} is not listed: {tasks}"))
    };
    let order = [
        at("Call the bank"),
        at("Water the plants"),
        at("Renew the passport"),
        at("Sort the photos"),
        at("File the taxes"),
    ];
    assert!(order.is_sorted(), "{order:?}: {tasks}");
    assert!(tasks.contains("2031-06-15"), "{tasks}");
}
