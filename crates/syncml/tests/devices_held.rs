//! Whole sessions from bytes, then the owner's decisions on held deletions
//! (`calvault_syncml::devices`): each batch is decided on its own, a decided batch is never
//! applied again, and a stale device state cannot bring an applied batch back to life.

mod support;

use calvault_core::Actor;
use calvault_core::store::Device as StoredDevice;
use calvault_syncml::SyncmlConfig;
use calvault_syncml::devices;
use calvault_syncml_proto::Encoding;
use support::*;

const KEY: &str = "IMEI:held-batches";

/// Deletions of more than 2 events and more than 10 % of the calendar are held.
fn guarded() -> SyncmlConfig {
    SyncmlConfig {
        mass_deletion_count: 2,
        mass_deletion_percent: 10,
        ..SyncmlConfig::default()
    }
}

/// A two-way sync (`last` to `next`) in which the device deletes the events numbered `gone`.
async fn delete_in_one_sync(
    server: &Server,
    device: &mut Device,
    (last, next): (&str, &str),
    gone: std::ops::RangeInclusive<u32>,
) {
    device.new_session();
    let reply = device.send_alert(server, 200, Some(last), next).await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:200"]);
    let deletes = gone.map(|n| delete(n + 1, &n.to_string())).collect();
    let reply = device.send_sync(server, deletes).await;
    device.acknowledge(server, &reply, "m-").await;
}

/// A device with ten events synced that then deleted events 1–3 in one sync and 4–6 in the
/// next: two batches held.
async fn two_held_batches(server: &Server) -> (Device, StoredDevice, [i64; 2]) {
    let mut device = Device::new(KEY, Encoding::Xml);
    device
        .slow_sync(server, "d1", numbered_adds(1..=10, "e", "Event"), "m-")
        .await;
    delete_in_one_sync(server, &mut device, ("d1", "d2"), 1..=3).await;
    delete_in_one_sync(server, &mut device, ("d2", "d3"), 4..=6).await;
    assert_eq!(live_summaries(server).await.len(), 10, "both batches held");
    let state = device_state(server, KEY).await;
    let alerts: Vec<i64> = state.held.iter().map(|h| h.alert_id).collect();
    assert_eq!(alerts.len(), 2, "{:?}", state.held);
    let stored = devices::find(&server.vault, USER, KEY).await.unwrap();
    (device, stored, [alerts[0], alerts[1]])
}

fn events(numbers: std::ops::RangeInclusive<u32>) -> Vec<String> {
    let mut list: Vec<String> = numbers.map(|n| format!("Event {n}")).collect();
    list.sort();
    list
}

async fn resolution(server: &Server, alert: i64) -> Option<String> {
    server
        .vault
        .alert_by_id(alert)
        .await
        .unwrap()
        .and_then(|a| a.resolution)
}

#[tokio::test]
async fn approving_a_device_applies_only_the_batches_still_undecided() {
    let server = server(guarded()).await;
    let (_, device, [first, second]) = two_held_batches(&server).await;

    let kept = devices::keep_batch(&server.vault, Actor::Admin, &device, first).await;
    assert_eq!(kept.unwrap(), Some(3));
    let undecided = devices::undecided(&server.vault, &device).await.unwrap();
    assert_eq!(
        undecided.iter().map(|u| u.alert.id).collect::<Vec<_>>(),
        [second]
    );

    // The kept batch is still in the device state (it goes back at the next sync), but
    // approving the device applies only the other one.
    let deleted = devices::approve(&server.vault, Actor::Admin, &device).await;
    assert_eq!(deleted.unwrap(), 3);
    let mut expected = events(1..=3);
    expected.extend(events(7..=10));
    expected.sort();
    assert_eq!(live_summaries(&server).await, expected);
    assert_eq!(resolution(&server, first).await.as_deref(), Some("kept"));
    assert_eq!(
        resolution(&server, second).await.as_deref(),
        Some("applied")
    );
    let held: Vec<i64> = device_state(&server, KEY)
        .await
        .held
        .iter()
        .map(|h| h.alert_id)
        .collect();
    assert_eq!(
        held,
        [first],
        "the applied batch is dropped, the kept one waits"
    );

    // Deciding again does nothing.
    let again = devices::approve(&server.vault, Actor::Admin, &device).await;
    assert_eq!(again.unwrap(), 0);
    for alert in [first, second] {
        let one = devices::approve_batch(&server.vault, Actor::Admin, &device, alert).await;
        assert_eq!(one.unwrap(), None);
        let one = devices::keep_batch(&server.vault, Actor::Admin, &device, alert).await;
        assert_eq!(one.unwrap(), None);
    }
    assert_eq!(live_summaries(&server).await, expected);
    assert_eq!(resolution(&server, first).await.as_deref(), Some("kept"));
}

#[tokio::test]
async fn approving_one_batch_leaves_the_other_waiting() {
    let server = server(guarded()).await;
    let (mut phone, device, [first, second]) = two_held_batches(&server).await;
    let deleted = devices::approve_batch(&server.vault, Actor::Admin, &device, second).await;
    assert_eq!(deleted.unwrap(), Some(3));
    let mut expected = events(1..=3);
    expected.extend(events(7..=10));
    expected.sort();
    assert_eq!(live_summaries(&server).await, expected);
    assert_eq!(resolution(&server, first).await, None, "still undecided");

    // The device's next sync leaves the undecided batch held and sends nothing back.
    phone.new_session();
    phone.send_alert(&server, 200, Some("d3"), "d4").await;
    let reply = phone.send_sync(&server, Vec::new()).await;
    assert!(server_adds(&reply).is_empty());
    phone.acknowledge(&server, &reply, "m-").await;
    let state = device_state(&server, KEY).await;
    assert_eq!(
        state.held.iter().map(|h| h.alert_id).collect::<Vec<_>>(),
        [first]
    );
    assert_eq!(live_summaries(&server).await, expected);
}

#[tokio::test]
async fn a_stale_device_state_does_not_apply_an_approved_batch_to_an_event_made_again() {
    let server = server(guarded()).await;
    let (mut phone, device, [first, second]) = two_held_batches(&server).await;
    devices::keep_batch(&server.vault, Actor::Admin, &device, first)
        .await
        .unwrap();
    let stale = devices::find(&server.vault, USER, KEY).await.unwrap().state;
    devices::approve_batch(&server.vault, Actor::Admin, &device, second)
        .await
        .unwrap();
    // A sync that read the device state before the approval writes it back after: the
    // applied batch is in it again.
    server
        .vault
        .save_device_state(device.id, &stale, false)
        .await
        .unwrap();
    // Event 4 is made again after the approval (a later second than it), with its UID.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    put_from_elsewhere(&server, "e4", "Event 4 again", 0).await;

    // The device's next sync settles both: the kept events come back to it, the applied
    // batch is dropped without deleting the new event 4.
    phone.new_session();
    phone.send_alert(&server, 200, Some("d3"), "d4").await;
    let reply = phone.send_sync(&server, Vec::new()).await;
    let mut sent = server_adds(&reply);
    sent.sort();
    assert_eq!(
        sent,
        ["e1", "e2", "e3", "e4"],
        "kept ones and the new event 4"
    );
    phone.acknowledge(&server, &reply, "m-").await;
    assert!(device_state(&server, KEY).await.held.is_empty());
    let mut expected = events(1..=3);
    expected.extend(events(7..=10));
    expected.push("Event 4 again".to_string());
    expected.sort();
    assert_eq!(live_summaries(&server).await, expected);
}
