//! Whole sessions from bytes: the server's settings change what a session does.

mod support;

use calvault_syncml::SyncmlConfig;
use calvault_syncml_proto::Encoding;
use support::*;

/// A device with five events synced, that then deletes three of them.
async fn delete_three_of_five(server: &Server) {
    let mut device = Device::new("IMEI:settings", Encoding::Xml);
    let adds = numbered_adds(1..=5, "e", "Event");
    device.slow_sync(server, "d1", adds, "m-").await;
    device.new_session();
    device.send_alert(server, 200, Some("d1"), "d2").await;
    let deletes = (1..=3).map(|n| delete(n + 1, &n.to_string())).collect();
    let reply = device.send_sync(server, deletes).await;
    assert_eq!(
        statuses(&reply),
        [
            "SyncHdr:200",
            "Sync:200",
            "Delete:200",
            "Delete:200",
            "Delete:200"
        ]
    );
    device.acknowledge(server, &reply, "m-").await;
}

#[tokio::test]
async fn deletions_under_the_mass_deletion_threshold_are_applied() {
    let server = server(SyncmlConfig::default()).await;
    delete_three_of_five(&server).await;
    assert_eq!(live_summaries(&server).await, ["Event 4", "Event 5"]);
}

#[tokio::test]
async fn the_mass_deletion_threshold_is_the_configured_one() {
    let server = server(SyncmlConfig {
        mass_deletion_count: 2,
        mass_deletion_percent: 50,
        ..SyncmlConfig::default()
    })
    .await;
    delete_three_of_five(&server).await;
    assert_eq!(
        live_summaries(&server).await.len(),
        5,
        "more than 2 events and 50%: held"
    );
    let state = device_state(&server, "IMEI:settings").await;
    assert_eq!(state.held.len(), 1);
    assert_eq!(state.held[0].uids.len(), 3);
}
