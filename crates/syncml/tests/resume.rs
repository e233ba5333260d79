//! Whole sessions from bytes: a sync suspended (Alert 224) or cut off, then resumed with
//! Alert 225 (OMA DS Protocol 1.2 §7): nothing applied twice, nothing lost; and a Resume with
//! nothing to continue answered 508 with a slow sync.

mod support;

use calvault_syncml::SyncmlConfig;
use calvault_syncml_proto::{AlertCode, Encoding};
use support::*;

#[tokio::test]
async fn a_suspended_upload_resumes_without_duplicates_and_gets_the_servers_events() {
    let server = server(SyncmlConfig::default()).await;
    put_from_elsewhere(&server, "server-1", "Server 1", 0).await;
    put_from_elsewhere(&server, "server-2", "Server 2", 0).await;
    let mut device = Device::new("IMEI:resume-1", Encoding::Xml);

    // Session 1: a slow sync; three of the device's five events go up, then it suspends.
    let reply = device.send_alert(&server, 201, None, "c1").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:200"]);
    let items = numbered_adds(1..=3, "dev-", "Device");
    let reply = device.send(&server, vec![sync(1, items)], false).await;
    assert_eq!(
        statuses(&reply),
        ["SyncHdr:200", "Sync:200", "Add:201", "Add:201", "Add:201"]
    );
    let reply = device.suspend(&server).await;
    assert_eq!(statuses(&reply), ["SyncHdr:200", "Alert:200"]);
    assert!(reply.body.final_);
    assert!(server_adds(&reply).is_empty(), "a suspend sends nothing");
    let state = device_state(&server, &device.key).await;
    assert!(state.suspended.contains_key("calendar"));
    assert!(
        state.anchors.is_empty(),
        "the suspended sync did not complete"
    );

    // Session 2: resumed. The device sends item 3 again (its status was lost) and the two
    // it had not sent; the server sends its own two events, not the device's.
    device.new_session();
    let reply = device.send_alert(&server, 225, None, "c1").await;
    assert_eq!(
        statuses(&reply),
        ["SyncHdr:212", "Alert:200"],
        "resumed, not 508"
    );
    assert_eq!(
        server_alerts(&reply),
        [201],
        "the suspended sync type goes on"
    );
    let items = numbered_adds(3..=5, "dev-", "Device");
    let reply = device.send_sync(&server, items).await;
    let mut sent = server_adds(&reply);
    sent.sort();
    assert_eq!(sent, ["server-1", "server-2"]);
    assert!(reply.body.final_);
    let reply = device.acknowledge(&server, &reply, "dev-luid-").await;
    assert!(reply.body.final_);

    assert_eq!(
        live_summaries(&server).await,
        [
            "Device 1", "Device 2", "Device 3", "Device 4", "Device 5", "Server 1", "Server 2"
        ]
    );
    let state = device_state(&server, &device.key).await;
    assert!(state.suspended.is_empty(), "the resumed sync completed");
    assert_eq!(state.anchors["calendar"].client_anchor, "c1");

    // The next two-way sync has nothing to send either way.
    device.new_session();
    let reply = device.send_alert(&server, 200, Some("c1"), "c2").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:200"]);
    let reply = device.send_sync(&server, Vec::new()).await;
    assert!(server_adds(&reply).is_empty());
}

#[tokio::test]
async fn changes_the_device_never_acknowledged_are_sent_again_after_a_cut() {
    let server = server(SyncmlConfig::default()).await;
    for n in 1..=8 {
        put_from_elsewhere(&server, &format!("big-{n}"), &format!("Big {n}"), 900).await;
    }
    let mut device = Device::new("IMEI:resume-2", Encoding::Wbxml);
    device.max_msg_size = Some(3000);

    // Session 1: the server's package takes several messages. The device acknowledges the
    // first, asks for the next, and is killed before it answers that one.
    device.send_alert(&server, 201, None, "k1").await;
    let first = device.send_sync(&server, Vec::new()).await;
    assert!(!first.body.final_, "more to come");
    let acknowledged = server_adds(&first);
    assert!(!acknowledged.is_empty());
    let mut next = acknowledge(&first, 1, "luid-");
    next.push(bare_alert(next.len() as u32 + 1, AlertCode::NEXT_MESSAGE));
    let lost = device.send(&server, next, false).await;
    let in_flight = server_adds(&lost);
    assert!(!in_flight.is_empty());

    // Session 2: resumed; what the device never acknowledged comes first, then the rest.
    device.new_session();
    let reply = device.send_alert(&server, 225, None, "k1").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:200"]);
    let reply = device.send_sync(&server, Vec::new()).await;
    let resent = device.receive_package(&server, reply, "luid-").await;
    assert_eq!(
        resent[..in_flight.len()],
        in_flight[..],
        "the unacknowledged first"
    );
    assert!(
        acknowledged.iter().all(|guid| !resent.contains(guid)),
        "acknowledged changes are not sent again"
    );
    let mut all: Vec<String> = acknowledged.iter().chain(&resent).cloned().collect();
    all.sort();
    let expected: Vec<String> = {
        let mut uids: Vec<String> = (1..=8).map(|n| format!("big-{n}")).collect();
        uids.sort();
        uids
    };
    assert_eq!(all, expected, "every event reached the device once");
    let state = device_state(&server, &device.key).await;
    assert_eq!(state.anchors["calendar"].client_anchor, "k1");
    assert_eq!(live_summaries(&server).await.len(), 8);
}

#[tokio::test]
async fn a_resume_with_nothing_to_continue_is_answered_508_with_a_slow_sync() {
    let server = server(SyncmlConfig::default()).await;
    let mut device = Device::new("IMEI:resume-3", Encoding::Xml);
    let reply = device.send_alert(&server, 225, None, "r1").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:508"]);
    assert_eq!(server_alerts(&reply), [201]);
}

#[tokio::test]
async fn a_suspended_sync_is_not_resumed_once_another_sync_completed() {
    let server = server(SyncmlConfig::default()).await;
    let mut device = Device::new("IMEI:resume-4", Encoding::Xml);
    device.send_alert(&server, 201, None, "a1").await;
    device.suspend(&server).await;
    // A complete slow sync in between.
    device.new_session();
    device.slow_sync(&server, "a2", Vec::new(), "l-").await;
    assert!(
        device_state(&server, &device.key)
            .await
            .suspended
            .is_empty()
    );

    device.new_session();
    let reply = device.send_alert(&server, 225, Some("a2"), "a3").await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:508"]);
}

#[tokio::test]
async fn resume_is_ds_1_2_only() {
    let server = server(SyncmlConfig::default()).await;
    let mut device = Device::new("IMEI:resume-5", Encoding::Xml);
    device.send_alert(&server, 201, None, "v1").await;
    device.suspend(&server).await;
    device.new_session();
    let mut msg = device.message(vec![alert(1, 225, None, "v1")], true);
    msg.hdr.ver_dtd = calvault_syncml_proto::VerDtd::V1_1;
    msg.hdr.ver_proto = "SyncML/1.1".into();
    let reply = device.post(&server, &msg).await;
    assert_eq!(statuses(&reply), ["SyncHdr:212", "Alert:508"]);
}
