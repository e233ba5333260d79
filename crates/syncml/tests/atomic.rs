//! Whole sessions from bytes: Atomic and Sequence inside a Sync (SyncML RepPro 1.2 §6.6.3,
//! §6.6.14), in XML and WBXML. A Sequence runs its commands in order, each with its Status;
//! an Atomic applies all of its commands or none.

mod support;

use calvault_syncml::SyncmlConfig;
use calvault_syncml_proto::{Command, Encoding, SyncMl};
use support::*;

/// A device that completed a slow sync with these items (LUID, UID, summary) on both sides,
/// now in a two-way sync whose package 3 is the next message.
async fn two_way(server: &Server, encoding: Encoding, items: &[(&str, &str, &str)]) -> Device {
    let mut device = Device::new(&format!("IMEI:atomic-{encoding:?}"), encoding);
    let adds = items
        .iter()
        .enumerate()
        .map(|(n, (luid, uid, summary))| add(n as u32 + 2, luid, &event(uid, summary, 0)))
        .collect();
    device.slow_sync(server, "s1", adds, "x-").await;
    device.new_session();
    let reply = device.send_alert(server, 200, Some("s1"), "s2").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:200"]);
    device
}

/// A fresh server, and a device in a two-way sync (see `two_way`) that has sent `commands` in
/// its Sync. Returns the server, the device and the server's reply.
async fn two_way_sync(
    encoding: Encoding,
    items: &[(&str, &str, &str)],
    commands: Vec<Command>,
) -> (Server, Device, SyncMl) {
    let server = server(SyncmlConfig::default()).await;
    let mut device = two_way(&server, encoding, items).await;
    let reply = device.send_sync(&server, commands).await;
    (server, device, reply)
}

async fn sequence_runs_in_order(encoding: Encoding) {
    let commands = vec![sequence(
        2,
        vec![
            add(3, "2", &event("two", "Two", 0)),
            replace(4, "2", &event("two", "Two, changed", 0)),
            delete(5, "1"),
            replace(6, "404", &event("lost", "Lost", 0)),
        ],
    )];
    let (server, _, reply) = two_way_sync(encoding, &[("1", "one", "One")], commands).await;
    assert_eq!(
        statuses(&reply),
        [
            "SyncHdr:200",
            "Sync:200",
            "Sequence:200",
            "Add:201",
            "Replace:200",
            "Delete:200",
            "Replace:200"
        ]
    );
    // A Replace of an item the server does not know adds it.
    assert_eq!(
        live_summaries(&server).await,
        ["Lost", "Two, changed"],
        "applied in order, the delete at the end of the package"
    );
}

#[tokio::test]
async fn a_sequence_runs_its_commands_in_order_in_xml() {
    sequence_runs_in_order(Encoding::Xml).await;
}

#[tokio::test]
async fn a_sequence_runs_its_commands_in_order_in_wbxml() {
    sequence_runs_in_order(Encoding::Wbxml).await;
}

async fn atomic_applies_all(encoding: Encoding) {
    let commands = vec![atomic(
        2,
        vec![
            add(3, "2", &event("two", "Two", 0)),
            replace(4, "1", &event("one", "One, changed", 0)),
        ],
    )];
    let (server, _, reply) = two_way_sync(encoding, &[("1", "one", "One")], commands).await;
    assert_eq!(
        statuses(&reply),
        [
            "SyncHdr:200",
            "Sync:200",
            "Atomic:200",
            "Add:201",
            "Replace:200"
        ]
    );
    assert_eq!(live_summaries(&server).await, ["One, changed", "Two"]);
}

#[tokio::test]
async fn an_atomic_that_succeeds_is_applied_in_xml() {
    atomic_applies_all(Encoding::Xml).await;
}

#[tokio::test]
async fn an_atomic_that_succeeds_is_applied_in_wbxml() {
    atomic_applies_all(Encoding::Wbxml).await;
}

async fn atomic_rolls_back(encoding: Encoding) {
    let commands = vec![
        atomic(
            2,
            vec![
                add(3, "2", &event("two", "Two", 0)),
                replace(4, "1", &event("one", "One, changed", 0)),
                delete(5, "5"),
                add(6, "3", "BEGIN:VCALENDAR\r\nthis is not"),
                add(7, "4", &event("four", "Four", 0)),
            ],
        ),
        add(8, "6", &event("six", "Six", 0)),
    ];
    let items = [("1", "one", "One"), ("5", "five", "Five")];
    let (server, mut device, reply) = two_way_sync(encoding, &items, commands).await;
    assert_eq!(
        statuses(&reply),
        [
            "SyncHdr:200",
            "Sync:200",
            "Atomic:507",
            "Add:216",
            "Replace:216",
            "Delete:216",
            "Add:400",
            "Add:215",
            "Add:201"
        ]
    );
    // Nothing of the Atomic stays: the new event is gone, the changed one is as it was, the
    // deletion is not applied; the command after the Atomic is.
    assert_eq!(live_summaries(&server).await, ["Five", "One", "Six"]);
    // The rolled-back item has no LUID map: the device sends it again as new later.
    device.acknowledge(&server, &reply, "y-").await;
    device.new_session();
    device.send_alert(&server, 200, Some("s2"), "s3").await;
    let retry = vec![add(2, "2", &event("two", "Two", 0))];
    let reply = device.send_sync(&server, retry).await;
    assert_eq!(statuses(&reply), ["SyncHdr:200", "Sync:200", "Add:201"]);
    assert_eq!(live_summaries(&server).await, ["Five", "One", "Six", "Two"]);
}

#[tokio::test]
async fn an_atomic_with_a_failing_command_applies_nothing_in_xml() {
    atomic_rolls_back(Encoding::Xml).await;
}

#[tokio::test]
async fn an_atomic_with_a_failing_command_applies_nothing_in_wbxml() {
    atomic_rolls_back(Encoding::Wbxml).await;
}

#[tokio::test]
async fn a_failing_atomic_inside_a_sequence_leaves_the_sequences_other_commands() {
    let commands = vec![sequence(
        2,
        vec![
            add(3, "1", &event("one", "One", 0)),
            atomic(
                4,
                vec![
                    add(5, "2", &event("two", "Two", 0)),
                    add(6, "3", "not a calendar"),
                ],
            ),
            add(7, "4", &event("four", "Four", 0)),
        ],
    )];
    let (server, _, reply) = two_way_sync(Encoding::Xml, &[], commands).await;
    assert_eq!(
        statuses(&reply),
        [
            "SyncHdr:200",
            "Sync:200",
            "Sequence:200",
            "Add:201",
            "Atomic:507",
            "Add:216",
            "Add:400",
            "Add:201"
        ]
    );
    assert_eq!(live_summaries(&server).await, ["Four", "One"]);
}

#[tokio::test]
async fn a_sequence_around_a_sync_runs_its_commands_in_order() {
    let server = server(SyncmlConfig::default()).await;
    let mut device = Device::new("IMEI:sequence-top", Encoding::Xml);
    device.send_alert(&server, 201, None, "q1").await;
    // RepPro 1.2 §6.6.14: a Sequence may hold the Sync itself; a change outside any Sync is
    // still not offered.
    let commands = vec![sequence(
        1,
        vec![
            sync(2, numbered_adds(3..=4, "seq-", "Sequenced")),
            add(9, "loose", &event("loose-1", "Loose", 0)),
        ],
    )];
    let reply = device.send(&server, commands, true).await;
    assert_eq!(
        statuses(&reply),
        [
            "SyncHdr:200",
            "Sequence:200",
            "Sync:200",
            "Add:201",
            "Add:201",
            "Add:406"
        ]
    );
    device.acknowledge(&server, &reply, "q-").await;
    assert_eq!(
        live_summaries(&server).await,
        ["Sequenced 3", "Sequenced 4"]
    );

    // An Atomic around a Sync is still refused as a whole.
    device.new_session();
    device.send_alert(&server, 200, Some("q1"), "q2").await;
    let commands = vec![atomic(
        1,
        vec![sync(2, numbered_adds(5..=5, "seq-", "Sequenced"))],
    )];
    let reply = device.send(&server, commands, true).await;
    assert_eq!(statuses(&reply), ["SyncHdr:200", "Atomic:406"]);
    assert_eq!(live_summaries(&server).await.len(), 2);
}
