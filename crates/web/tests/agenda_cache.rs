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

fn event(uid: &str, day: &str, title: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:{day}T090000Z\r\nDTEND:{day}T100000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// A shown month is updated from the objects changed since (the others are kept as they
/// were read), and read whole again when more changed than an update is worth.
#[tokio::test]
async fn a_month_is_updated_by_what_changed_and_read_whole_after_many_changes() {
    let server = start().await;
    let (session, _) = sign_in(&server, "alice").await;
    let (actor, calendar) = alice_calendar(&server).await;
    let caldav = Client::new("caldav");
    let put = |name: &'static str, text: String| {
        let vault = server.vault.clone();
        let calendar = calendar.clone();
        let caldav = caldav.clone();
        async move {
            vault
                .put_object(
                    actor,
                    &calendar,
                    name,
                    &text,
                    &Condition::default(),
                    &caldav,
                )
                .await
                .unwrap();
        }
    };
    put("a.ics", event("a", "20240305", "Dentist")).await;
    put("b.ics", event("b", "20240306", "Plumber")).await;
    let march = "/agenda?view=month&date=2024-03-15";
    let april = "/agenda?view=month&date=2024-04-15";
    let page = send(&server, "GET", march, &session, "").await;
    assert!(page.body.contains("Dentist") && page.body.contains("Plumber"));

    // One event leaves the month, one arrives, one is renamed: the others stay as they were.
    put("b.ics", event("b", "20240416", "Plumber")).await;
    put("c.ics", event("c", "20240307", "Haircut")).await;
    put("a.ics", event("a", "20240305", "Dentist (moved)")).await;
    let page = send(&server, "GET", march, &session, "").await;
    assert!(page.body.contains("Dentist (moved)"), "{}", page.body);
    assert_eq!(page.body.matches("Dentist").count(), 1, "{}", page.body);
    assert!(page.body.contains("Haircut"), "{}", page.body);
    assert!(!page.body.contains("Plumber"), "{}", page.body);
    let page = send(&server, "GET", april, &session, "").await;
    assert!(page.body.contains("Plumber"), "{}", page.body);

    // A change, then both months again: each is updated from what it showed before.
    put("d.ics", event("d", "20240418", "Electrician")).await;
    let page = send(&server, "GET", march, &session, "").await;
    assert!(!page.body.contains("Electrician"), "{}", page.body);
    assert!(page.body.contains("Haircut"), "{}", page.body);
    let page = send(&server, "GET", april, &session, "").await;
    assert!(page.body.contains("Electrician"), "{}", page.body);
    assert_eq!(page.body.matches("Plumber").count(), 1, "{}", page.body);

    // More changes than an update is worth, one of them deleting an event shown.
    let mut many = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for index in 0..600 {
        many.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:many-{index}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240320T090000Z\r\nDTEND:20240320T100000Z\r\nSUMMARY:Many {index}\r\nEND:VEVENT\r\n"
        ));
    }
    many.push_str("END:VCALENDAR\r\n");
    server
        .vault
        .import(actor, &calendar, &many, false)
        .await
        .unwrap();
    server
        .vault
        .delete_object(actor, &calendar, "c.ics", None, &caldav)
        .await
        .unwrap();
    let page = send(&server, "GET", march, &session, "").await;
    // Three titles in the day's cell, the rest counted.
    assert!(page.body.contains("597 more"), "{}", page.body);
    assert!(!page.body.contains("Haircut"), "{}", page.body);
    assert!(page.body.contains("Dentist (moved)"), "{}", page.body);
}
