//! The agenda keeps the occurrences of windows it has shown, and shows every change made to
//! a calendar since, whoever made it: a new series, a moved occurrence, a deleted event.

mod common;

use calvault_core::{Client, Condition};
use common::{alice_calendar, send, sign_in, start};

const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:choir\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240305T180000Z\r\nDTEND:20240305T200000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Choir practice\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[tokio::test]
async fn a_shown_month_shows_later_changes() {
    let server = start().await;
    let (session, _) = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    let month = "/agenda?view=month&date=2024-03-15";
    let caldav = Client::new("caldav");
    let page = send(&server, "GET", month, &session, "").await;
    assert!(!page.body.contains("Choir practice"));
    // Twice: the second answer comes from what the first read.
    let page = send(&server, "GET", month, &session, "").await;
    assert!(!page.body.contains("Choir practice"));

    server
        .vault
        .put_object(
            actor,
            &calendar,
            "choir.ics",
            SERIES,
            &Condition::default(),
            &caldav,
        )
        .await
        .unwrap();
    let page = send(&server, "GET", month, &session, "").await;
    assert_eq!(
        page.body.matches("Choir practice").count(),
        4,
        "{}",
        page.body
    );

    let moved = SERIES.replace(
        "END:VEVENT\r\nEND:VCALENDAR",
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:choir\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID:20240312T180000Z\r\nDTSTART:20240313T180000Z\r\nDTEND:20240313T200000Z\r\nSUMMARY:Choir concert\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    server
        .vault
        .put_object(
            actor,
            &calendar,
            "choir.ics",
            &moved,
            &Condition::default(),
            &caldav,
        )
        .await
        .unwrap();
    let page = send(&server, "GET", month, &session, "").await;
    assert_eq!(
        page.body.matches("Choir practice").count(),
        3,
        "{}",
        page.body
    );
    assert_eq!(
        page.body.matches("Choir concert").count(),
        1,
        "{}",
        page.body
    );

    server
        .vault
        .delete_object(actor, &calendar, "choir.ics", None, &caldav)
        .await
        .unwrap();
    let page = send(&server, "GET", month, &session, "").await;
    assert!(!page.body.contains("Choir"), "{}", page.body);
}
