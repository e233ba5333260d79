//! Whole sessions from bytes: a slow sync's download reads the calendar as its messages go.
//! What another client changes meanwhile is left to the next sync, which sends it: every event
//! reaches the device once, and one deleted before it was sent never does.

mod support;

use calvault_core::{Actor, Client};
use calvault_syncml::SyncmlConfig;
use calvault_syncml_proto::{Command, Encoding, SyncMl};
use support::*;

/// NumberOfChanges of the server's Sync in a reply.
fn number_of_changes(msg: &SyncMl) -> Option<u32> {
    msg.body.commands.iter().find_map(|command| match command {
        Command::Sync(sync) => sync.number_of_changes,
        _ => None,
    })
}

/// Deletes `{uid}.ics` as another client (CalDAV, the web) would.
async fn delete_from_elsewhere(server: &Server, uid: &str) {
    let (user, calendar) = user_calendar(server).await;
    server
        .vault
        .delete_object(
            Actor::User(user.id),
            &calendar,
            &format!("{uid}.ics"),
            None,
            &Client::new("caldav"),
        )
        .await
        .unwrap();
}

const EVENTS: usize = 70;

fn uid(n: usize) -> String {
    format!("ev-{n:02}")
}

#[tokio::test]
async fn what_changes_during_a_slow_download_comes_with_the_next_sync() {
    let server = server(SyncmlConfig::default()).await;
    for n in 1..=EVENTS {
        put_from_elsewhere(&server, &uid(n), &format!("Event {n}"), 100).await;
    }
    let mut device = Device::new("IMEI:scan-1", Encoding::Wbxml);
    device.max_msg_size = Some(3000);

    device.send_alert(&server, 201, None, "k1").await;
    let first = device.send_sync(&server, Vec::new()).await;
    assert!(!first.body.final_, "more to come");
    assert_eq!(number_of_changes(&first), Some(EVENTS as u32));
    assert!(server_adds(&first).len() < 9, "{:?}", server_adds(&first));

    // Meanwhile another client changes two events not sent yet (one already read into the
    // queue, one the scan has not reached), deletes one, adds one.
    put_from_elsewhere(&server, &uid(10), "Changed meanwhile", 100).await;
    put_from_elsewhere(&server, &uid(EVENTS), "Changed meanwhile", 100).await;
    delete_from_elsewhere(&server, &uid(11)).await;
    put_from_elsewhere(&server, "ev-new", "New meanwhile", 100).await;

    let mut received = device.receive_package(&server, first, "luid-").await;
    received.sort();
    // Event 10 goes in its new version; event 70, changed after the sync's position, and the
    // new one wait for the next sync; the deleted one never goes.
    let expected: Vec<String> = (1..EVENTS).filter(|n| *n != 11).map(uid).collect();
    assert_eq!(received, expected, "each event once");

    // The next sync brings what changed meanwhile: new to the device, or a Replace of what it
    // got in an older version.
    device.new_session();
    device.send_alert(&server, 200, Some("k1"), "k2").await;
    let reply = device.send_sync(&server, Vec::new()).await;
    let mut added = server_adds(&reply);
    added.sort();
    assert_eq!(added, vec![uid(EVENTS), "ev-new".to_string()]);
    assert_eq!(server_replaces(&reply), vec![format!("luid-{}", uid(10))]);
    let deletes = reply.body.commands.iter().any(|command| match command {
        Command::Sync(sync) => sync
            .commands
            .iter()
            .any(|c| matches!(c, Command::Delete(_))),
        _ => false,
    });
    assert!(!deletes, "the device never had the deleted event");
}
