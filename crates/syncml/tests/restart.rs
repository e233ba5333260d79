//! A client killed in the middle of a session and started again may reuse its SessionID; its
//! MsgID 1 opens a new session and never continues what is left of the old one.

mod support;

use calvault_syncml::SyncmlConfig;
use calvault_syncml_proto::{Command, Encoding};
use support::*;

fn has_server_sync(msg: &calvault_syncml_proto::SyncMl) -> bool {
    msg.body
        .commands
        .iter()
        .any(|c| matches!(c, Command::Sync(_)))
}

#[tokio::test]
async fn a_restarted_client_gets_a_new_session() {
    let server = server(SyncmlConfig::default()).await;
    let key = "IMEI:restarted";
    let mut killed = Device::new(key, Encoding::Wbxml);
    killed.send_alert(&server, 201, None, "a1").await;
    // The first message of its upload, not final: the device dies after the reply.
    let adds = numbered_adds(1..=3, "k-", "Killed");
    killed.send(&server, vec![sync(1, adds)], false).await;

    // Same device, same SessionID, MsgID 1 again.
    let mut again = Device::new(key, Encoding::Wbxml);
    let reply = again.send_alert(&server, 201, None, "a2").await;
    assert!(
        !has_server_sync(&reply),
        "the Alert opens a session: the server's changes come after the device's"
    );
    assert_eq!(statuses(&reply)[1..], ["Alert:200"]);
    // What the old session stored is matched again, not doubled.
    let reply = again
        .send_sync(&server, numbered_adds(1..=5, "k-", "Killed"))
        .await;
    assert_eq!(
        statuses(&reply)[1..],
        [
            "Sync:200", "Add:201", "Add:201", "Add:201", "Add:201", "Add:201"
        ]
    );
    assert_eq!(live_summaries(&server).await.len(), 5);
}
