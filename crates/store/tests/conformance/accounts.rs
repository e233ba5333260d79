//! Users, calendars and devices.

use std::sync::Arc;

use calvault_store::*;

use crate::fixtures::*;
use crate::harness::Backend;

pub async fn users_are_created_found_listed_and_counted(b: Arc<Backend>) {
    let store = &*b.store;
    let (bob, home) = store
        .create_user(new_user("bob"), new_calendar("home"))
        .await
        .unwrap();
    let (alice, _) = user_with_calendar(store, "alice").await;
    assert_eq!(bob.name, "bob");
    assert_eq!(bob.email.as_deref(), Some("bob@example.org"));
    assert_eq!(home.user_id, bob.id);
    assert_eq!(
        (home.position, home.oldest_position, home.deleted_at),
        (0, 0, None)
    );
    assert_eq!(
        home.components,
        vec!["VEVENT".to_owned(), "VTODO".to_owned()]
    );
    assert_eq!(store.user(bob.id).await.unwrap(), Some(bob.clone()));
    assert_eq!(
        store.user_by_name("alice").await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(store.user_by_name("carol").await.unwrap(), None);
    assert_eq!(store.user(9_999_999).await.unwrap(), None);
    let names: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(store.count_users().await.unwrap(), 2);

    let dup = store
        .create_user(new_user("bob"), new_calendar("home"))
        .await
        .unwrap_err();
    assert!(
        matches!(dup, StoreError::Conflict(ref m) if m.contains("bob")),
        "{dup}"
    );
    assert_eq!(
        store.count_users().await.unwrap(),
        2,
        "a failed create_user leaves nothing"
    );

    store
        .set_password_hash(bob.id, "$argon2id$new")
        .await
        .unwrap();
    assert_eq!(
        store.user(bob.id).await.unwrap().unwrap().password_hash,
        "$argon2id$new"
    );
    assert!(matches!(
        store.set_password_hash(9_999_999, "h").await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn delete_user_cascades(b: Arc<Backend>) {
    let store = &*b.store;
    let (gone, home) = user_with_calendar(store, "gone").await;
    let (kept, kept_home) = user_with_calendar(store, "kept").await;
    let second = store
        .create_calendar(gone.id, new_calendar("work"))
        .await
        .unwrap();
    commit(
        store,
        vec![
            put(home.id, "a", "A", Expect::Absent),
            put(second.id, "b", "B", Expect::Absent),
        ],
        10,
    )
    .await;
    commit(store, vec![delete(home.id, "a", Expect::Exists)], 11).await;
    commit(store, vec![put(kept_home.id, "k", "K", Expect::Absent)], 12).await;
    store
        .create_snapshot(snapshot_of(home.id, 1))
        .await
        .unwrap();
    store
        .upsert_device(new_device(gone.id, "phone"))
        .await
        .unwrap();
    store
        .upsert_device(new_device(kept.id, "phone"))
        .await
        .unwrap();

    store.delete_user(gone.id).await.unwrap();
    assert_eq!(store.user(gone.id).await.unwrap(), None);
    assert_eq!(store.calendar(home.id).await.unwrap(), None);
    assert_eq!(store.calendar(second.id).await.unwrap(), None);
    assert!(store.list_devices(gone.id).await.unwrap().is_empty());
    assert!(store.list_snapshots(home.id).await.unwrap().is_empty());
    for table in ["revisions", "objects", "tombstones", "snapshots"] {
        let sql = format!(
            "DELETE FROM {table} WHERE calendar_id IN ({}, {})",
            home.id, second.id
        );
        assert_eq!(
            b.exec(&sql).await,
            0,
            "{table} rows of a deleted user remain"
        );
    }
    // The other user is untouched.
    assert_eq!(live(store, kept_home.id).await.len(), 1);
    assert_eq!(store.list_devices(kept.id).await.unwrap().len(), 1);
    assert!(store.check().await.unwrap().is_empty());
    assert!(matches!(
        store.delete_user(gone.id).await,
        Err(StoreError::NotFound(_))
    ));
}

fn snapshot_of(calendar: CalendarId, position: Seq) -> NewSnapshot {
    NewSnapshot {
        calendar_id: calendar,
        position,
        label: "s".into(),
        reason: "test".into(),
        automatic: false,
        created_at: 50,
    }
}

fn new_device(user: UserId, key: &str) -> NewDevice {
    NewDevice {
        user_id: user,
        protocol: "syncml".into(),
        key: key.into(),
        name: format!("device {key}"),
        seen_at: 100,
    }
}

pub async fn calendars_are_created_renamed_and_conflict_on_names(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, home) = user_with_calendar(store, "u").await;
    let (other, _) = user_with_calendar(store, "other").await;
    let work = store
        .create_calendar(user.id, new_calendar("work"))
        .await
        .unwrap();
    assert_eq!(store.calendar(work.id).await.unwrap(), Some(work.clone()));
    assert_eq!(
        store.calendar_by_name(user.id, "work").await.unwrap(),
        Some(work.clone())
    );
    assert_eq!(
        store.calendar_by_name(other.id, "work").await.unwrap(),
        None
    );
    assert!(
        store
            .create_calendar(other.id, new_calendar("work"))
            .await
            .is_ok(),
        "names are per user"
    );
    let dup = store
        .create_calendar(user.id, new_calendar("work"))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");
    let missing = store
        .create_calendar(9_999_999, new_calendar("x"))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");

    let patch = CalendarPatch {
        name: Some("job".into()),
        color: Some(None),
        description: Some(Some("the job".into())),
        components: Some(vec!["VTODO".into()]),
        ..Default::default()
    };
    let job = store.update_calendar(work.id, patch).await.unwrap();
    assert_eq!(
        (
            job.name.as_str(),
            job.color.as_deref(),
            job.description.as_deref()
        ),
        ("job", None, Some("the job"))
    );
    assert_eq!(job.display_name, work.display_name, "unpatched fields stay");
    assert_eq!(job.components, vec!["VTODO".to_owned()]);
    assert_eq!(store.calendar(work.id).await.unwrap(), Some(job.clone()));
    let clash = store
        .update_calendar(
            job.id,
            CalendarPatch {
                name: Some("home".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    let missing = store
        .update_calendar(9_999_999, CalendarPatch::default())
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    let names: Vec<String> = store
        .list_calendars(user.id, false)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["home", "job"]);
    assert_eq!(home.name, "home");
}

pub async fn calendars_go_to_the_trash_come_back_and_purge(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, home) = user_with_calendar(store, "u").await;
    let work = store
        .create_calendar(user.id, new_calendar("work"))
        .await
        .unwrap();
    commit(store, vec![put(work.id, "a", "A", Expect::Absent)], 10).await;

    store.trash_calendar(work.id, 500).await.unwrap();
    assert_eq!(
        store.calendar(work.id).await.unwrap().unwrap().deleted_at,
        Some(500)
    );
    assert_eq!(store.calendar_by_name(user.id, "work").await.unwrap(), None);
    let live_names: Vec<_> = store
        .list_calendars(user.id, false)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(live_names, [home.id]);
    assert_eq!(store.list_calendars(user.id, true).await.unwrap().len(), 2);
    assert_eq!(
        live(store, work.id).await.len(),
        1,
        "a trashed calendar keeps its objects"
    );

    // Its name is free again while it is in the trash; restoring it then clashes.
    let new_work = store
        .create_calendar(user.id, new_calendar("work"))
        .await
        .unwrap();
    assert!(matches!(
        store.restore_calendar(work.id).await,
        Err(StoreError::Conflict(_))
    ));
    store.purge_calendar(new_work.id).await.unwrap();
    store.restore_calendar(work.id).await.unwrap();
    assert_eq!(
        store
            .calendar_by_name(user.id, "work")
            .await
            .unwrap()
            .map(|c| c.id),
        Some(work.id)
    );

    store.purge_calendar(work.id).await.unwrap();
    assert_eq!(store.calendar(work.id).await.unwrap(), None);
    assert_eq!(
        b.exec(&format!(
            "DELETE FROM revisions WHERE calendar_id = {}",
            work.id
        ))
        .await,
        0
    );
    assert!(matches!(
        store.purge_calendar(work.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.trash_calendar(work.id, 1).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.restore_calendar(work.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn devices_upsert_on_their_key(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    let phone = store
        .upsert_device(new_device(user.id, "IMEI:1"))
        .await
        .unwrap();
    assert_eq!(
        (phone.created_at, phone.seen_at, phone.last_sync),
        (100, 100, None)
    );
    assert_eq!(phone.state, serde_json::json!({}));
    let again = NewDevice {
        name: "renamed".into(),
        seen_at: 200,
        ..new_device(user.id, "IMEI:1")
    };
    let same = store.upsert_device(again).await.unwrap();
    assert_eq!(
        same.id, phone.id,
        "same user, protocol and key: same device"
    );
    assert_eq!(
        (same.name.as_str(), same.created_at, same.seen_at),
        ("renamed", 100, 200)
    );
    let caldav = NewDevice {
        protocol: "caldav".into(),
        ..new_device(user.id, "IMEI:1")
    };
    let other = store.upsert_device(caldav).await.unwrap();
    assert_ne!(other.id, phone.id, "the protocol is part of the key");

    let state = serde_json::json!({"anchor": "42", "luids": {"1": "uid-a"}});
    store
        .update_device_state(phone.id, &state, Some(300))
        .await
        .unwrap();
    store
        .update_device_state(phone.id, &state, None)
        .await
        .unwrap();
    let stored = store.device(phone.id).await.unwrap().unwrap();
    assert_eq!((stored.state, stored.last_sync), (state.clone(), Some(300)));
    let ids: Vec<_> = store
        .list_devices(user.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, [phone.id, other.id]);

    store.delete_device(phone.id).await.unwrap();
    assert_eq!(store.device(phone.id).await.unwrap(), None);
    assert!(matches!(
        store.delete_device(phone.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.update_device_state(phone.id, &state, None).await,
        Err(StoreError::NotFound(_))
    ));
    let orphan = store
        .upsert_device(new_device(9_999_999, "x"))
        .await
        .unwrap_err();
    assert!(matches!(orphan, StoreError::NotFound(_)), "{orphan}");
}

pub async fn calendars_keep_a_timezone_and_dead_properties(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, home) = user_with_calendar(store, "u").await;
    assert_eq!((home.timezone.as_deref(), home.properties.len()), (None, 0));
    let vtimezone = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
    let work = store
        .create_calendar(
            user.id,
            NewCalendar {
                timezone: Some(vtimezone.into()),
                ..new_calendar("work")
            },
        )
        .await
        .unwrap();
    assert_eq!(work.timezone.as_deref(), Some(vtimezone));
    assert!(work.properties.is_empty(), "properties start empty");
    assert_eq!(store.calendar(work.id).await.unwrap(), Some(work.clone()));

    let properties = std::collections::BTreeMap::from([
        (
            "{http://apple.com/ns/ical/}calendar-order".to_owned(),
            "<calendar-order xmlns=\"http://apple.com/ns/ical/\">3</calendar-order>".to_owned(),
        ),
        (
            "{urn:x}note".to_owned(),
            "<note xmlns=\"urn:x\">l'été &amp; \"quotes\"</note>".to_owned(),
        ),
    ]);
    let patched = store
        .update_calendar(
            work.id,
            CalendarPatch {
                properties: Some(properties.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(patched.properties, properties);
    assert_eq!(
        patched.timezone.as_deref(),
        Some(vtimezone),
        "unpatched fields stay"
    );
    assert_eq!(
        store.calendar(work.id).await.unwrap(),
        Some(patched.clone())
    );

    let renamed = store
        .update_calendar(
            work.id,
            CalendarPatch {
                display_name: Some("Work".into()),
                timezone: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.timezone.as_deref(), &renamed.properties),
        (None, &properties)
    );
    let emptied = store
        .update_calendar(
            work.id,
            CalendarPatch {
                properties: Some(Default::default()),
                timezone: Some(Some("tz".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(emptied.properties.is_empty(), "the map is replaced whole");
    let listed = store.list_calendars(user.id, false).await.unwrap();
    assert_eq!(listed.iter().find(|c| c.id == work.id), Some(&emptied));
    assert_eq!(
        store.calendar_by_name(user.id, "work").await.unwrap(),
        Some(emptied)
    );
}
