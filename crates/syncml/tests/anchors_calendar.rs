//! Whole sessions from bytes: the anchors of `calendar` belong to the calendar they were made
//! against. When the datastore names another one by the next sync (the chosen calendar
//! deleted over CalDAV, here through the Vault as CalDAV does), the sync is slow (OMA DS
//! Protocol 1.2 §4.1: 508 and Alert 201), and nothing is doubled.

mod support;

use calvault_core::{Actor, CalendarPath};
use calvault_syncml::SyncmlConfig;
use calvault_syncml_proto::Encoding;
use support::*;

#[tokio::test]
async fn a_default_calendar_deleted_over_caldav_makes_the_next_sync_slow() {
    let server = server(SyncmlConfig::default()).await;
    let (user, _) = user_calendar(&server).await;
    let work = CalendarPath {
        user: USER.to_string(),
        calendar: "work".to_string(),
    };
    let work = server
        .vault
        .create_calendar(Actor::User(user.id), &work, None)
        .await
        .unwrap();
    let mut device = Device::new("IMEI:anchors-1", Encoding::Xml);
    device
        .slow_sync(&server, "a1", numbered_adds(1..=2, "dev-", "Device"), "m-")
        .await;

    // Another client writes to work, then deletes the calendar `calendar` names.
    let text = event("work-1", "Work 1", 0);
    server
        .vault
        .put_object(
            Actor::User(user.id),
            &work,
            "work-1.ics",
            &text,
            &calvault_core::Condition::default(),
            &calvault_core::Client::new("caldav"),
        )
        .await
        .unwrap();
    let default = CalendarPath {
        user: USER.to_string(),
        calendar: "calendar".to_string(),
    };
    server
        .vault
        .delete_calendar(Actor::User(user.id), &default)
        .await
        .unwrap();

    // The device's anchors are right, but for the calendar that went.
    device.new_session();
    let reply = device.send_alert(&server, 200, Some("a1"), "a2").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:508"]);
    assert_eq!(server_alerts(&reply), [201]);
    // A slow sync: the device sends all it has, the server what the device lacks.
    let reply = device
        .send_sync(&server, numbered_adds(1..=2, "dev-", "Device"))
        .await;
    assert_eq!(server_adds(&reply), ["work-1"]);
    device.acknowledge(&server, &reply, "m-").await;
    assert_eq!(
        summaries_in(&server, &work).await,
        ["Device 1", "Device 2", "Work 1"],
        "each once"
    );

    // The anchors now belong to work: the next two-way sync goes ahead, with nothing to send.
    device.new_session();
    let reply = device.send_alert(&server, 200, Some("a2"), "a3").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:200"]);
    let reply = device.send_sync(&server, Vec::new()).await;
    assert!(server_adds(&reply).is_empty());
    device.acknowledge(&server, &reply, "m-").await;
    assert_eq!(summaries_in(&server, &work).await.len(), 3);
}

#[tokio::test]
async fn anchors_saved_before_their_calendar_was_recorded_are_still_trusted() {
    let server = server(SyncmlConfig::default()).await;
    let mut device = Device::new("IMEI:anchors-2", Encoding::Xml);
    device
        .slow_sync(&server, "b1", numbered_adds(1..=2, "dev-", "Device"), "m-")
        .await;
    // The state as an older server saved it: no record of the anchors' calendar.
    let stored = calvault_syncml::devices::find(&server.vault, USER, "IMEI:anchors-2")
        .await
        .unwrap();
    let mut state = stored.state.clone();
    let removed = state
        .pointer_mut("/anchors/calendar")
        .and_then(|anchors| anchors.as_object_mut())
        .and_then(|anchors| anchors.remove("calendar_id"));
    assert!(removed.is_some(), "the calendar is recorded: {state}");
    server
        .vault
        .save_device_state(stored.id, &state, false)
        .await
        .unwrap();

    device.new_session();
    let reply = device.send_alert(&server, 200, Some("b1"), "b2").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:200"]);
}
