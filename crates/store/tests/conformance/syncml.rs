//! The SyncML state: sessions with their cached reply, LUID maps, auth-md5 credentials.

use std::sync::Arc;

use calvault_store::*;
use serde_json::json;

use crate::fixtures::*;
use crate::harness::Backend;

async fn syncml_device(store: &dyn Store, user: UserId, key: &str) -> Device {
    store
        .upsert_device(NewDevice {
            user_id: user,
            protocol: "syncml".into(),
            key: key.into(),
            name: key.into(),
            seen_at: 100,
        })
        .await
        .unwrap()
}

fn new_session(id: &str, user: UserId, device: DeviceId, client_session: &str) -> NewSyncmlSession {
    NewSyncmlSession {
        id: id.into(),
        user_id: user,
        device_id: device,
        client_uri: "IMEI:1".into(),
        client_session: client_session.into(),
        state: json!({"phase": "init"}).to_string(),
        created_at: 100,
        expires_at: 400,
    }
}

pub async fn syncml_sessions_keep_state_and_the_last_reply(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    let device = syncml_device(store, user.id, "IMEI:1").await;
    let created = store
        .create_syncml_session(new_session("s1", user.id, device.id, "5"))
        .await
        .unwrap();
    assert_eq!(created.state, json!({"phase": "init"}).to_string());
    assert_eq!(created.last_msg_id, None);
    assert_eq!(store.syncml_reply("s1").await.unwrap(), None);
    assert!(matches!(
        store
            .create_syncml_session(new_session("s1", user.id, device.id, "6"))
            .await,
        Err(StoreError::Conflict(_))
    ));

    let reply = SyncmlReply {
        msg_id: 1,
        content_type: "application/vnd.syncml+wbxml".into(),
        body: vec![0x02, 0x00, 0x00, 0x6a, 0xff, 0x00],
    };
    store
        .save_syncml_session("s1", r#"{"phase":"sync"}"#, &reply, 150, 450)
        .await
        .unwrap();
    let read = store.syncml_session("s1").await.unwrap().unwrap();
    assert_eq!(read.state, r#"{"phase":"sync"}"#, "kept as written");
    assert_eq!(read.last_msg_id, Some(1));
    assert_eq!(
        store.syncml_reply("s1").await.unwrap(),
        Some(reply.clone()),
        "bytes kept exactly"
    );
    assert_eq!(store.syncml_reply("nope").await.unwrap(), None);
    assert_eq!((read.updated_at, read.expires_at), (150, 450));
    assert!(store.syncml_session("nope").await.unwrap().is_none());
    assert!(matches!(
        store
            .save_syncml_session("nope", "{}", &reply, 150, 450)
            .await,
        Err(StoreError::NotFound(_))
    ));

    // A client reusing its SessionID later gets the newest session.
    store
        .create_syncml_session(NewSyncmlSession {
            created_at: 200,
            ..new_session("s2", user.id, device.id, "5")
        })
        .await
        .unwrap();
    let of_client = store
        .syncml_session_of_client("IMEI:1", "5")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(of_client.id, "s2");
    // A device's sessions, the newest first (a resume looks for the one cut off).
    let of_device: Vec<String> = store
        .syncml_sessions_of_device(device.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(of_device, ["s2", "s1"]);
    let other = syncml_device(store, user.id, "IMEI:2").await;
    assert!(
        store
            .syncml_sessions_of_device(other.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .syncml_session_of_client("IMEI:2", "5")
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn syncml_sessions_expire_and_go_with_their_device(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    let device = syncml_device(store, user.id, "IMEI:1").await;
    for (id, expires_at) in [("a", 300), ("b", 400), ("c", 500)] {
        store
            .create_syncml_session(NewSyncmlSession {
                expires_at,
                ..new_session(id, user.id, device.id, id)
            })
            .await
            .unwrap();
    }
    assert_eq!(store.expire_syncml_sessions(400).await.unwrap(), 2);
    assert!(store.syncml_session("b").await.unwrap().is_none());
    assert!(store.syncml_session("c").await.unwrap().is_some());
    store.delete_device(device.id).await.unwrap();
    assert!(store.syncml_session("c").await.unwrap().is_none());
    assert!(matches!(
        store
            .create_syncml_session(new_session("d", user.id, device.id, "1"))
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn syncml_maps_are_unique_per_device_datastore_and_luid(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    let phone = syncml_device(store, user.id, "IMEI:1").await;
    let tablet = syncml_device(store, user.id, "IMEI:2").await;
    let map = |luid: &str, uid: &str| SyncmlMapping {
        luid: luid.into(),
        uid: uid.into(),
    };
    store
        .put_syncml_maps(
            phone.id,
            "calendar",
            &[map("1", "uid-a"), map("2", "uid-b")],
        )
        .await
        .unwrap();
    store
        .put_syncml_maps(phone.id, "tasks", &[map("1", "uid-t")])
        .await
        .unwrap();
    store
        .put_syncml_maps(tablet.id, "calendar", &[map("1", "uid-x")])
        .await
        .unwrap();
    // The same LUID again: it now stands for another UID (no second row).
    store
        .put_syncml_maps(phone.id, "calendar", &[map("2", "uid-c")])
        .await
        .unwrap();
    assert_eq!(
        store.syncml_maps(phone.id, "calendar").await.unwrap(),
        vec![map("1", "uid-a"), map("2", "uid-c")]
    );
    assert_eq!(
        store
            .syncml_uid_of_luid(phone.id, "tasks", "1")
            .await
            .unwrap()
            .as_deref(),
        Some("uid-t")
    );
    assert_eq!(
        store
            .syncml_luid_of_uid(tablet.id, "calendar", "uid-x")
            .await
            .unwrap()
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        store
            .syncml_luid_of_uid(phone.id, "calendar", "uid-x")
            .await
            .unwrap(),
        None
    );
    store
        .put_syncml_maps(phone.id, "calendar", &[])
        .await
        .unwrap();
    // A LUID twice in one batch (a device that maps an item again in the same message): the
    // last one stands.
    store
        .put_syncml_maps(
            phone.id,
            "calendar",
            &[map("3", "uid-d"), map("3", "uid-e")],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .syncml_uid_of_luid(phone.id, "calendar", "3")
            .await
            .unwrap()
            .as_deref(),
        Some("uid-e")
    );

    let removed = store
        .delete_syncml_maps(phone.id, "calendar", &["1".into(), "3".into(), "9".into()])
        .await
        .unwrap();
    assert_eq!(removed, 2);
    assert_eq!(
        store.syncml_maps(phone.id, "calendar").await.unwrap(),
        vec![map("2", "uid-c")]
    );
    assert_eq!(
        store.clear_syncml_maps(phone.id, "calendar").await.unwrap(),
        1
    );
    assert!(
        store
            .syncml_maps(phone.id, "calendar")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.syncml_maps(phone.id, "tasks").await.unwrap().len(), 1);

    store.delete_device(tablet.id).await.unwrap();
    assert!(
        store
            .syncml_maps(tablet.id, "calendar")
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn syncml_md5_credentials_are_set_replaced_and_go_with_the_user(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    assert_eq!(store.syncml_md5(user.id).await.unwrap(), None);
    store.set_syncml_md5(user.id, "first==", 10).await.unwrap();
    store.set_syncml_md5(user.id, "second==", 20).await.unwrap();
    assert_eq!(
        store.syncml_md5(user.id).await.unwrap().as_deref(),
        Some("second==")
    );
    assert!(matches!(
        store.set_syncml_md5(user.id + 1000, "x", 10).await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_user(user.id).await.unwrap();
    assert_eq!(store.syncml_md5(user.id).await.unwrap(), None);
}
