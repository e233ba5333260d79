//! Alerts (e.g. a mass deletion) and the index the mass-deletion guard counts with.

use std::sync::Arc;

use calvault_store::*;
use serde_json::json;

use crate::fixtures::*;
use crate::harness::Backend;

fn new_alert(user: UserId, calendar: Option<CalendarId>, at: Timestamp) -> NewAlert {
    NewAlert {
        user_id: user,
        calendar_id: calendar,
        device_id: Some(7),
        kind: "mass-deletion".into(),
        message: format!("deletions at {at}"),
        snapshot_id: None,
        count: 1,
        data: json!({"uids": ["a"], "at": at}),
        created_at: at,
    }
}

fn ids(alerts: Vec<Alert>) -> Vec<i64> {
    alerts.into_iter().map(|a| a.id).collect()
}

pub async fn alerts_are_listed_newest_first_updated_and_resolved(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let (other, _) = user_with_calendar(store, "other").await;
    commit(store, vec![put(cal.id, "a", "A", Expect::Absent)], 5).await;
    let snapshot = store
        .create_snapshot(NewSnapshot {
            calendar_id: cal.id,
            position: 1,
            label: "before".into(),
            reason: "mass-deletion".into(),
            automatic: true,
            created_at: 5,
        })
        .await
        .unwrap();

    let first = store
        .create_alert(NewAlert {
            snapshot_id: Some(snapshot.id),
            ..new_alert(user.id, Some(cal.id), 10)
        })
        .await
        .unwrap();
    assert_eq!(
        first,
        Alert {
            id: first.id,
            user_id: user.id,
            calendar_id: Some(cal.id),
            device_id: Some(7),
            kind: "mass-deletion".into(),
            message: "deletions at 10".into(),
            snapshot_id: Some(snapshot.id),
            count: 1,
            data: json!({"uids": ["a"], "at": 10}),
            created_at: 10,
            resolved_at: None,
            resolution: None,
        }
    );
    assert_eq!(store.alert(first.id).await.unwrap(), Some(first.clone()));
    let newest = store
        .create_alert(new_alert(user.id, None, 30))
        .await
        .unwrap();
    let middle = store
        .create_alert(new_alert(user.id, Some(cal.id), 20))
        .await
        .unwrap();
    store
        .create_alert(new_alert(other.id, None, 40))
        .await
        .unwrap();
    assert_eq!(
        ids(store.list_alerts(user.id, false).await.unwrap()),
        [newest.id, middle.id, first.id]
    );

    let data = json!({"uids": ["a", "b", "c"]});
    store
        .update_alert(first.id, "3 deletions", 3, &data)
        .await
        .unwrap();
    let updated = store.alert(first.id).await.unwrap().unwrap();
    assert_eq!(
        (updated.message.as_str(), updated.count, &updated.data),
        ("3 deletions", 3, &data)
    );
    assert_eq!(updated.created_at, 10, "an update keeps the alert's place");

    store.resolve_alert(middle.id, 50, "kept").await.unwrap();
    let resolved = store.alert(middle.id).await.unwrap().unwrap();
    assert_eq!(
        (resolved.resolved_at, resolved.resolution.as_deref()),
        (Some(50), Some("kept"))
    );
    assert_eq!(
        ids(store.list_alerts(user.id, false).await.unwrap()),
        [newest.id, first.id]
    );
    assert_eq!(
        ids(store.list_alerts(user.id, true).await.unwrap()),
        [newest.id, middle.id, first.id]
    );
    // A resolved alert is closed: it neither grows nor resolves twice.
    assert!(matches!(
        store.update_alert(middle.id, "more", 9, &data).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.resolve_alert(middle.id, 60, "restored").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .alert(middle.id)
            .await
            .unwrap()
            .unwrap()
            .resolution
            .as_deref(),
        Some("kept")
    );
    assert!(matches!(
        store.update_alert(9_999_999, "x", 1, &data).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.resolve_alert(9_999_999, 1, "x").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.alert(9_999_999).await.unwrap(), None);
    for orphan in [
        new_alert(9_999_999, None, 1),
        new_alert(user.id, Some(9_999_999), 1),
        NewAlert {
            snapshot_id: Some(9_999_999),
            ..new_alert(user.id, None, 1)
        },
    ] {
        let missing = store.create_alert(orphan).await.unwrap_err();
        assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");
    }
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());

    // The snapshot goes: the alert stays without it. The calendar goes: its alerts go.
    store.delete_snapshot(snapshot.id).await.unwrap();
    assert_eq!(
        store.alert(first.id).await.unwrap().unwrap().snapshot_id,
        None
    );
    store.purge_calendar(cal.id).await.unwrap();
    assert_eq!(
        ids(store.list_alerts(user.id, true).await.unwrap()),
        [newest.id]
    );
    store.delete_user(user.id).await.unwrap();
    assert_eq!(store.alert(newest.id).await.unwrap(), None);
    assert_eq!(store.list_alerts(other.id, false).await.unwrap().len(), 1);
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());
}

fn by_device(device: Option<DeviceId>, at: Timestamp) -> Origin {
    Origin {
        device_id: device,
        ..origin(at)
    }
}

pub async fn recent_deletions_count_a_devices_tombstones_since_a_time(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let other = store
        .create_calendar(user.id, new_calendar("other"))
        .await
        .unwrap();
    let uids: Vec<String> = (0..8).map(|i| format!("e{i}")).collect();
    for c in [cal.id, other.id] {
        commit(
            store,
            uids.iter().map(|u| put(c, u, u, Expect::Absent)).collect(),
            1,
        )
        .await;
    }
    let delete_by = |calendar: CalendarId, uids: &[&str], device: Option<DeviceId>, at| {
        let changes = uids
            .iter()
            .map(|u| delete(calendar, u, Expect::Exists))
            .collect();
        async move { store.commit(changes, &by_device(device, at)).await.unwrap() }
    };
    delete_by(cal.id, &["e0"], Some(1), 50).await;
    let recent = delete_by(cal.id, &["e1", "e2"], Some(1), 100).await;
    delete_by(cal.id, &["e3"], Some(2), 100).await;
    delete_by(cal.id, &["e4"], None, 100).await;
    delete_by(other.id, &["e1"], Some(1), 100).await;
    // Puts by the same device do not count.
    store
        .commit(
            vec![put(cal.id, "e9", "new", Expect::Absent)],
            &by_device(Some(1), 120),
        )
        .await
        .unwrap();
    let last = delete_by(cal.id, &["e5"], Some(1), 150).await;

    assert_eq!(
        store.recent_deletions(cal.id, 1, 100).await.unwrap(),
        (3, Some(recent[0].seq))
    );
    assert_eq!(
        store.recent_deletions(cal.id, 1, 101).await.unwrap(),
        (1, Some(last[0].seq))
    );
    let first = store.recent_deletions(cal.id, 1, 0).await.unwrap();
    assert_eq!(first.0, 4);
    assert_eq!(store.recent_deletions(cal.id, 2, 0).await.unwrap().0, 1);
    assert_eq!(store.recent_deletions(other.id, 1, 0).await.unwrap().0, 1);
    assert_eq!(
        store.recent_deletions(cal.id, 3, 0).await.unwrap(),
        (0, None)
    );
    assert_eq!(
        store.recent_deletions(cal.id, 1, 151).await.unwrap(),
        (0, None)
    );
    assert_eq!(
        store.recent_deletions(9_999_999, 1, 0).await.unwrap(),
        (0, None)
    );
}

pub async fn recent_deletions_read_an_index_of_tombstones(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let other = store
        .create_calendar(user.id, new_calendar("other"))
        .await
        .unwrap();
    for c in [cal.id, other.id] {
        for device in 1..=3 {
            let uids: Vec<String> = (0..500).map(|i| format!("d{device}-{i}")).collect();
            store
                .commit(
                    uids.iter().map(|u| put(c, u, u, Expect::Absent)).collect(),
                    &by_device(Some(device), 10),
                )
                .await
                .unwrap();
            store
                .commit(
                    uids.iter()
                        .take(250)
                        .map(|u| delete(c, u, Expect::Exists))
                        .collect(),
                    &by_device(Some(device), 20 + device),
                )
                .await
                .unwrap();
        }
    }
    assert_eq!(store.recent_deletions(cal.id, 2, 22).await.unwrap().0, 250);
    let plan = b.recent_deletions_plan(cal.id, 2, 22).await;
    match b.name() {
        "sqlite" => {
            // e.g. "SEARCH revisions USING COVERING INDEX revisions_deletes (calendar_id=? AND
            // device_id=? AND at>?)"
            assert!(
                plan.contains("USING COVERING INDEX revisions_deletes")
                    && plan.contains("calendar_id=? AND device_id=? AND at>?"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN"), "no full scan:\n{plan}");
        }
        _ => {
            assert!(
                plan.contains("using revisions_deletes on revisions"),
                "{plan}"
            );
            assert!(
                plan.contains("at >="),
                "the time bound is an index condition:\n{plan}"
            );
            assert!(!plan.contains("Seq Scan"), "no full scan:\n{plan}");
        }
    }
}
