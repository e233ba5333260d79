//! The trash, snapshots, retention and the integrity check.

use std::collections::BTreeMap;
use std::sync::Arc;

use calvault_store::*;

use crate::fixtures::*;
use crate::harness::Backend;

fn snapshot(
    calendar: CalendarId,
    position: Seq,
    automatic: bool,
    created_at: Timestamp,
) -> NewSnapshot {
    NewSnapshot {
        calendar_id: calendar,
        position,
        label: format!("at {position}"),
        reason: if automatic {
            "before import".into()
        } else {
            "manual".into()
        },
        automatic,
        created_at,
    }
}

pub async fn the_trash_lists_deletions_until_the_uid_comes_back(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    commit(
        store,
        vec![
            put(cal.id, "a", "A", Expect::Absent),
            put(cal.id, "b", "B", Expect::Absent),
            put(cal.id, "c", "C", Expect::Absent),
        ],
        100,
    )
    .await;
    let origin = Origin {
        at: 200,
        source: "syncml".into(),
        device_id: Some(9),
        note: None,
    };
    store
        .commit(vec![delete(cal.id, "a", Expect::Any)], &origin)
        .await
        .unwrap();
    commit(store, vec![delete(cal.id, "b", Expect::Any)], 300).await;

    let trash = store.tombstones(cal.id, 0).await.unwrap();
    let uids: Vec<&str> = trash.iter().map(|t| t.uid.as_str()).collect();
    assert_eq!(uids, ["b", "a"], "newest first");
    let a = &trash[1];
    assert_eq!(
        (a.calendar_id, a.name.as_str(), a.seq, a.deleted_at),
        (cal.id, "a.ics", 4, 200)
    );
    assert_eq!(
        (a.source.as_str(), a.device_id, a.summary.as_deref()),
        ("syncml", Some(9), Some("A"))
    );
    assert_eq!(a.data, ics("a", "A"));
    assert_eq!(
        store.tombstones(cal.id, 250).await.unwrap().len(),
        1,
        "since filters by deletion time"
    );
    assert_eq!(
        store.tombstones(cal.id, 200).await.unwrap().len(),
        2,
        "since is inclusive"
    );

    // Putting the UID back (a restore from the trash) takes it out of the trash.
    commit(store, vec![put(cal.id, "a", "A", Expect::Absent)], 400).await;
    let uids: Vec<String> = store
        .tombstones(cal.id, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.uid)
        .collect();
    assert_eq!(uids, ["b"]);
    // Deleted again: back in the trash with its new tombstone.
    commit(store, vec![delete(cal.id, "a", Expect::Exists)], 500).await;
    let trash = store.tombstones(cal.id, 0).await.unwrap();
    assert_eq!(
        trash
            .iter()
            .map(|t| (t.uid.as_str(), t.seq))
            .collect::<Vec<_>>(),
        [("a", 7), ("b", 5)]
    );
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn snapshots_reproduce_the_exact_old_state(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    commit(
        store,
        (0..7)
            .map(|i| put(cal.id, &format!("e{i}"), "v1", Expect::Absent))
            .collect(),
        100,
    )
    .await;
    commit(
        store,
        vec![
            put(cal.id, "e2", "v2", Expect::Any),
            delete(cal.id, "e4", Expect::Any),
        ],
        110,
    )
    .await;
    let position = store.position(cal.id).await.unwrap();
    let before = state_by_pages(store, cal.id, position, 1_000).await;
    assert_eq!(before.len(), 6);
    let snap = store
        .create_snapshot(snapshot(cal.id, position, false, 120))
        .await
        .unwrap();
    assert_eq!(
        (snap.calendar_id, snap.position, snap.automatic),
        (cal.id, position, false)
    );
    assert_eq!(store.snapshot(snap.id).await.unwrap(), Some(snap.clone()));

    commit(
        store,
        vec![
            put(cal.id, "e0", "v3", Expect::Any),
            delete(cal.id, "e1", Expect::Any),
            put(cal.id, "new", "n", Expect::Any),
        ],
        130,
    )
    .await;
    commit(
        store,
        vec![
            put(cal.id, "e4", "back", Expect::Absent),
            delete(cal.id, "e6", Expect::Any),
        ],
        140,
    )
    .await;

    for page in [1, 2, 4, 100] {
        assert_eq!(
            state_by_pages(store, cal.id, snap.position, page).await,
            before,
            "page size {page}"
        );
    }
    assert_eq!(
        store.count_objects_at(cal.id, snap.position).await.unwrap(),
        6
    );
    assert_eq!(store.count_objects_at(cal.id, 0).await.unwrap(), 0);
    assert_eq!(store.count_objects_at(cal.id, 7).await.unwrap(), 7);
    let now = store.position(cal.id).await.unwrap();
    assert_eq!(
        store.count_objects_at(cal.id, now).await.unwrap(),
        store.count_objects(cal.id).await.unwrap()
    );
    let current: Vec<(String, Seq)> = state_by_pages(store, cal.id, now, 3)
        .await
        .into_iter()
        .map(|(u, s, _)| (u, s))
        .collect();
    assert_eq!(current, live(store, cal.id).await);

    let later = store
        .create_snapshot(snapshot(cal.id, now, true, 150))
        .await
        .unwrap();
    let listed: Vec<SnapshotId> = store
        .list_snapshots(cal.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, [later.id, snap.id], "newest first");
    let future = store
        .create_snapshot(snapshot(cal.id, now + 1, false, 160))
        .await;
    assert!(
        future.is_err(),
        "a snapshot cannot name a position not reached yet"
    );
    assert!(matches!(
        store
            .create_snapshot(snapshot(9_999_999, 0, false, 1))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_snapshot(later.id).await.unwrap();
    assert_eq!(store.snapshot(later.id).await.unwrap(), None);
    assert!(matches!(
        store.delete_snapshot(later.id).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn automatic_snapshots_expire(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    let (_, other) = user_with_calendar(store, "v").await;
    let old_auto = store
        .create_snapshot(snapshot(cal.id, 0, true, 100))
        .await
        .unwrap();
    let old_named = store
        .create_snapshot(snapshot(cal.id, 0, false, 100))
        .await
        .unwrap();
    let new_auto = store
        .create_snapshot(snapshot(cal.id, 0, true, 300))
        .await
        .unwrap();
    let elsewhere = store
        .create_snapshot(snapshot(other.id, 0, true, 100))
        .await
        .unwrap();
    assert_eq!(
        store.expire_automatic_snapshots(cal.id, 200).await.unwrap(),
        1
    );
    assert_eq!(store.snapshot(old_auto.id).await.unwrap(), None);
    for kept in [old_named, new_auto, elsewhere] {
        assert!(store.snapshot(kept.id).await.unwrap().is_some());
    }
}

/// For every position from `oldest` on: the state recorded at that position, updated with the
/// current state of every UID that `changes_since` reports, is the current state.
async fn assert_sync_from_every_position(
    store: &dyn Store,
    cal: CalendarId,
    states: &BTreeMap<Seq, BTreeMap<String, Seq>>,
) {
    let calendar = store.calendar(cal).await.unwrap().unwrap();
    let current: BTreeMap<String, Seq> = live(store, cal).await.into_iter().collect();
    for (&position, state) in states.range(calendar.oldest_position..) {
        let mut synced = state.clone();
        for change in store.changes_since(cal, position, 10_000).await.unwrap() {
            match current.get(&change.uid) {
                Some(seq) => synced.insert(change.uid, *seq),
                None => synced.remove(&change.uid),
            };
        }
        assert_eq!(
            synced, current,
            "a client synced at {position} would diverge"
        );
    }
    for position in 0..calendar.oldest_position {
        let err = store.changes_since(cal, position, 10).await.unwrap_err();
        assert!(
            matches!(err, StoreError::PositionTooOld { position: p, oldest, .. } if p == position && oldest == calendar.oldest_position),
            "{err}"
        );
    }
}

async fn record_state(
    store: &dyn Store,
    cal: CalendarId,
    states: &mut BTreeMap<Seq, BTreeMap<String, Seq>>,
) {
    let position = store.position(cal).await.unwrap();
    states.insert(position, live(store, cal).await.into_iter().collect());
}

pub async fn compaction_keeps_pinned_and_current_revisions(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    let c = cal.id;
    let mut states = BTreeMap::new();
    record_state(store, c, &mut states).await;
    for (changes, at) in [
        (
            vec![
                put(c, "a", "A1", Expect::Absent),
                put(c, "b", "B1", Expect::Absent),
                put(c, "c", "C1", Expect::Absent),
            ],
            100,
        ), // 1 2 3
        (vec![put(c, "a", "A2", Expect::Any)], 200), // 4
    ] {
        commit(store, changes, at).await;
        record_state(store, c, &mut states).await;
    }
    let pinned = store
        .create_snapshot(snapshot(c, 4, false, 210))
        .await
        .unwrap();
    let at_snapshot = state_by_pages(store, c, 4, 2).await;
    for (changes, at) in [
        (
            vec![
                put(c, "a", "A3", Expect::Any),
                put(c, "b", "B2", Expect::Any),
            ],
            300,
        ), // 5 6
        (vec![delete(c, "c", Expect::Exists)], 300), // 7
        (vec![put(c, "d", "D1", Expect::Absent)], 300), // 8
        (vec![delete(c, "d", Expect::Exists)], 300), // 9
        (vec![put(c, "a", "A4", Expect::Any)], 1_000), // 10
    ] {
        commit(store, changes, at).await;
        record_state(store, c, &mut states).await;
    }

    let report = store.compact(c, 500, 500).await.unwrap();
    // Superseded and unpinned: a@1, a@5, d@8. The tombstone d@9 (d was born after the snapshot)
    // goes with the purge; c's tombstone stays: the snapshot still holds c.
    assert_eq!(
        report,
        CompactReport {
            revisions_removed: 4,
            tombstones_purged: 1
        }
    );
    for gone in [1, 5, 8, 9] {
        assert_eq!(
            store.revision(c, gone).await.unwrap(),
            None,
            "revision {gone} should be gone"
        );
    }
    for kept in [2, 3, 4, 6, 7, 10] {
        assert!(
            store.revision(c, kept).await.unwrap().is_some(),
            "revision {kept} should stay"
        );
    }
    let calendar = store.calendar(c).await.unwrap().unwrap();
    assert_eq!((calendar.oldest_position, calendar.position), (9, 10));
    assert_eq!(
        state_by_pages(store, c, 4, 2).await,
        at_snapshot,
        "the snapshot still reproduces its state"
    );
    assert_eq!(
        live(store, c).await,
        [("a".to_owned(), 10), ("b".to_owned(), 6)]
    );
    assert_eq!(
        store
            .tombstones(c, 0)
            .await
            .unwrap()
            .iter()
            .map(|t| t.uid.as_str())
            .collect::<Vec<_>>(),
        ["c"]
    );
    assert_sync_from_every_position(store, c, &states).await;
    assert!(store.check().await.unwrap().is_empty());
    assert_eq!(
        store.compact(c, 500, 500).await.unwrap(),
        CompactReport::default(),
        "compaction is idempotent"
    );

    // Without the snapshot, the rest of the old history goes, and c's tombstone with it.
    store.delete_snapshot(pinned.id).await.unwrap();
    let report = store.compact(c, 500, 500).await.unwrap();
    assert_eq!(
        report,
        CompactReport {
            revisions_removed: 4,
            tombstones_purged: 1
        }
    ); // a@4, b@2, c@3 + c@7
    let kept: Vec<Seq> = store
        .changes_since(c, 9, 100)
        .await
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect();
    assert_eq!(kept, [10]);
    assert!(store.tombstones(c, 0).await.unwrap().is_empty());
    assert!(
        store.history(c, "c").await.unwrap().is_empty(),
        "a purged UID leaves no trace"
    );
    assert_eq!(
        store
            .history(c, "b")
            .await
            .unwrap()
            .iter()
            .map(|r| r.seq)
            .collect::<Vec<_>>(),
        [6]
    );
    assert_eq!(store.calendar(c).await.unwrap().unwrap().oldest_position, 9);
    assert_sync_from_every_position(store, c, &states).await;
    assert!(store.check().await.unwrap().is_empty());
    assert!(matches!(
        store.compact(9_999_999, 1, 1).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn compaction_respects_its_time_limits(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    let c = cal.id;
    commit(
        store,
        vec![
            put(c, "a", "A1", Expect::Absent),
            put(c, "gone", "G", Expect::Absent),
        ],
        100,
    )
    .await; // 1 2
    commit(
        store,
        vec![
            put(c, "a", "A2", Expect::Any),
            delete(c, "gone", Expect::Any),
        ],
        900,
    )
    .await; // 3 4
    commit(store, vec![put(c, "a", "A3", Expect::Any)], 950).await; // 5

    // Nothing is old enough.
    assert_eq!(
        store.compact(c, 50, 50).await.unwrap(),
        CompactReport::default()
    );
    // Revisions before 500 go (a@1; gone@2 is superseded by its tombstone), the young tombstone stays.
    let report = store.compact(c, 500, 500).await.unwrap();
    assert_eq!(
        report,
        CompactReport {
            revisions_removed: 2,
            tombstones_purged: 0
        }
    );
    assert_eq!(
        store.calendar(c).await.unwrap().unwrap().oldest_position,
        0,
        "no tombstone purged, every token valid"
    );
    let trash = store.tombstones(c, 0).await.unwrap();
    assert_eq!(
        trash[0].data,
        ics("gone", "G"),
        "the tombstone still carries the deleted data"
    );
    // a@3 is superseded but written after `before`.
    assert!(store.revision(c, 3).await.unwrap().is_some());
    let report = store.compact(c, 920, 1_000).await.unwrap();
    assert_eq!(
        report,
        CompactReport {
            revisions_removed: 2,
            tombstones_purged: 1
        }
    );
    assert_eq!(store.calendar(c).await.unwrap().unwrap().oldest_position, 4);
    assert!(matches!(
        store.changes_since(c, 3, 10).await,
        Err(StoreError::PositionTooOld { oldest: 4, .. })
    ));
    assert_eq!(
        store
            .changes_since(c, 4, 10)
            .await
            .unwrap()
            .iter()
            .map(|r| r.seq)
            .collect::<Vec<_>>(),
        [5]
    );
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn check_is_clean_on_a_good_store_and_reports_broken_rows(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    commit(
        store,
        vec![
            put(cal.id, "a", "A", Expect::Absent),
            put(cal.id, "b", "B", Expect::Absent),
            put(cal.id, "c", "C", Expect::Absent),
        ],
        1,
    )
    .await;
    commit(store, vec![delete(cal.id, "c", Expect::Any)], 2).await;
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());

    // An object pointing at a revision that does not exist.
    assert_eq!(
        b.exec(&format!(
            "UPDATE objects SET seq = 77 WHERE calendar_id = {} AND uid = 'a'",
            cal.id
        ))
        .await,
        1
    );
    let problems = store.check().await.unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("UID a") && p.contains("revision 77") && p.contains("missing")),
        "{problems:#?}"
    );
    // A revision beyond the calendar's position.
    b.exec(&format!(
        "UPDATE calendars SET position = 2 WHERE id = {}",
        cal.id
    ))
    .await;
    let problems = store.check().await.unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("calendar {} is at position 2", cal.id))),
        "{problems:#?}"
    );
    // A trash entry for a live UID.
    b.exec(&format!(
        "INSERT INTO tombstones (calendar_id, uid, seq, deleted_at) VALUES ({}, 'b', 2, 5)",
        cal.id
    ))
    .await;
    let problems = store.check().await.unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("UID b") && p.contains("both live and in the trash")),
        "{problems:#?}"
    );
    assert!(problems.len() >= 4, "{problems:#?}");
}

pub async fn check_reports_broken_shares_alerts_and_webdav_files(b: Arc<Backend>) {
    let store = &*b.store;
    let (alice, home) = user_with_calendar(store, "alice").await;
    let (bob, bobs) = user_with_calendar(store, "bob").await;
    store
        .upsert_share(NewShare {
            calendar_id: home.id,
            grantee_id: bob.id,
            access: ShareAccess::Read,
            mount_name: "alice".into(),
            created_at: 1,
        })
        .await
        .unwrap();
    store
        .write_dav_files(
            bob.id,
            vec![DavFileChange::Put(DavFile {
                id: 0,
                user_id: bob.id,
                path: "f".into(),
                collection: false,
                content: b"f".to_vec(),
                content_type: None,
                etag: "e".into(),
                properties: Default::default(),
                created_at: 1,
                modified_at: 1,
            })],
        )
        .await
        .unwrap();
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());

    // A calendar shared with its owner.
    b.exec(&format!(
        "INSERT INTO shares (calendar_id, grantee_id, access, mount_name, created_at) \
         VALUES ({}, {}, 'read', 'self', 1)",
        bobs.id, bob.id
    ))
    .await;
    // An alert about another user's calendar.
    b.exec(&format!(
        "INSERT INTO alerts (user_id, calendar_id, kind, message, count, data, created_at) \
         VALUES ({}, {}, 'mass-deletion', 'm', 1, '{{}}', 1)",
        bob.id, home.id
    ))
    .await;
    // A file below a file.
    let below = match b.name() {
        "sqlite" => format!(
            "INSERT INTO dav_files (user_id, path, collection, content, etag, created_at, modified_at) \
             VALUES ({}, 'f/g', 0, X'00', 'e', 1, 1)",
            bob.id
        ),
        _ => format!(
            "INSERT INTO dav_files (user_id, path, path_key, collection, content, etag, created_at, modified_at) \
             VALUES ({}, 'f/g', convert_to('f/g', 'UTF8'), false, '\\x00', 'e', 1, 1)",
            bob.id
        ),
    };
    b.exec(&below).await;
    // Rows whose parents are gone.
    b.exec_without_foreign_keys(
        "INSERT INTO app_passwords (user_id, name, secret_sha256, created_at) VALUES (9999999, 'lost', 'h', 1)",
    )
    .await;
    b.exec_without_foreign_keys(&format!(
        "INSERT INTO shares (calendar_id, grantee_id, access, mount_name, created_at) \
         VALUES (9999998, {}, 'read', 'gone', 1)",
        alice.id
    ))
    .await;

    let problems = store.check().await.unwrap();
    let expected = [
        format!(
            "calendar {} is shared with its own owner, user {}",
            bobs.id, bob.id
        ),
        format!(
            "names calendar {}, which belongs to user {}",
            home.id, alice.id
        ),
        format!(
            "WebDAV resource f/g of user {} lies below f, which is not a collection",
            bob.id
        ),
        "app password".to_owned(),
        "of user 9999999 remains, but the user is gone".to_owned(),
        format!(
            "the share of calendar 9999998 with user {} remains, but the calendar is gone",
            alice.id
        ),
    ];
    for line in expected {
        assert!(
            problems.iter().any(|p| p.contains(&line)),
            "{line:?} not in {problems:#?}"
        );
    }
    if b.name() == "postgres" {
        b.exec(&format!(
            "UPDATE dav_files SET path_key = convert_to('elsewhere', 'UTF8') WHERE user_id = {} AND path = 'f'",
            bob.id
        ))
        .await;
        let problems = store.check().await.unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("its path key is not the bytes of its path f")),
            "{problems:#?}"
        );
    }
}
