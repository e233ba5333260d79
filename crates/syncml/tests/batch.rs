//! The items of one message are written together, after all of them are read; each still gets
//! its own Status, and one the store refuses fails alone, with no LUID map (OMA DS Protocol
//! 1.2 §5.3: a Status per item).

mod support;

use calvault_syncml::SyncmlConfig;
use calvault_syncml_proto::Encoding;
use support::*;

fn journal(uid: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VJOURNAL\r\nUID:{uid}\r\n\
         DTSTAMP:20260101T000000Z\r\nSUMMARY:Notes\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n"
    )
}

async fn a_refused_item_fails_alone(encoding: Encoding) {
    let server = server(SyncmlConfig::default()).await;
    let key = format!("IMEI:batch-{encoding:?}");
    let mut device = Device::new(&key, encoding);
    device.send_alert(&server, 201, None, "s1").await;
    let reply = device
        .send_sync(
            &server,
            vec![
                add(2, "1", &event("e1", "One", 0)),
                // The calendar takes VEVENT and VTODO only: the store refuses this one.
                add(3, "2", &journal("j1")),
                add(4, "3", &event("e3", "Three", 0)),
                replace(5, "1", &event("e1", "One, changed", 0)),
            ],
        )
        .await;
    assert_eq!(
        statuses(&reply),
        [
            "SyncHdr:200",
            "Sync:200",
            "Add:201",
            "Add:415",
            "Add:201",
            "Replace:200"
        ]
    );
    assert_eq!(live_summaries(&server).await, ["One, changed", "Three"]);

    let (user, _) = user_calendar(&server).await;
    let device_id = server
        .vault
        .touch_device(user.id, "syncml", &key, &key)
        .await
        .unwrap()
        .id;
    let maps = server.vault.syncml_store();
    let uid_of = |luid: &'static str| maps.syncml_uid_of_luid(device_id, "calendar", luid);
    assert_eq!(uid_of("1").await.unwrap().as_deref(), Some("e1"));
    assert_eq!(
        uid_of("2").await.unwrap(),
        None,
        "no map for a refused item"
    );
    assert_eq!(uid_of("3").await.unwrap().as_deref(), Some("e3"));
}

#[tokio::test]
async fn a_refused_item_of_a_message_fails_alone_in_xml() {
    a_refused_item_fails_alone(Encoding::Xml).await;
}

#[tokio::test]
async fn a_refused_item_of_a_message_fails_alone_in_wbxml() {
    a_refused_item_fails_alone(Encoding::Wbxml).await;
}
