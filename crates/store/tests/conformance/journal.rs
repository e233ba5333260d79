//! Commits, preconditions, sequence numbers and the journal reads.

use std::collections::BTreeMap;
use std::sync::Arc;

use calvault_store::*;

use crate::fixtures::*;
use crate::harness::Backend;

pub async fn a_put_is_read_back_by_uid_name_and_revision(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    let mut change = put_spanning(cal.id, "uid-1", "Dentist", Some((1_000, Some(2_000))));
    if let ChangeKind::Put { name, .. } = &mut change.kind {
        *name = "dentist.ics".into();
    }
    let origin = Origin {
        at: 77,
        source: "caldav".into(),
        device_id: Some(5),
        note: Some("hello".into()),
    };
    let revs = store.commit(vec![change], &origin).await.unwrap();
    assert_eq!(revs.len(), 1);
    let rev = &revs[0];
    assert_eq!(
        (
            rev.calendar_id,
            rev.seq,
            rev.uid.as_str(),
            rev.name.as_str()
        ),
        (cal.id, 1, "uid-1", "dentist.ics")
    );
    assert_eq!(
        (rev.kind, rev.at, rev.source.as_str(), rev.device_id),
        (RevisionKind::Put, 77, "caldav", Some(5))
    );
    assert_eq!(
        (rev.note.as_deref(), rev.summary.as_deref()),
        (Some("hello"), Some("Dentist"))
    );

    let by_uid = store.object_by_uid(cal.id, "uid-1").await.unwrap().unwrap();
    let by_name = store
        .object_by_name(cal.id, "dentist.ics")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_uid, by_name);
    assert_eq!(by_uid.data, ics("uid-1", "Dentist"));
    assert_eq!(
        by_uid.meta.facts,
        facts("Dentist", Some((1_000, Some(2_000))))
    );
    assert_eq!(
        (
            by_uid.meta.seq,
            by_uid.meta.updated_at,
            by_uid.meta.calendar_id
        ),
        (1, 77, cal.id)
    );
    assert_eq!(store.object_by_uid(cal.id, "nope").await.unwrap(), None);
    assert_eq!(
        store.object_by_name(cal.id, "nope.ics").await.unwrap(),
        None
    );

    let full = store.revision(cal.id, 1).await.unwrap().unwrap();
    assert_eq!(full.meta, *rev);
    assert_eq!(full.data, by_uid.data);
    assert_eq!(full.facts, Some(by_uid.meta.facts.clone()));
    assert_eq!(store.revision(cal.id, 2).await.unwrap(), None);
    assert_eq!(store.position(cal.id).await.unwrap(), 1);
    assert_eq!(store.calendar(cal.id).await.unwrap().unwrap().position, 1);
    assert!(matches!(
        store.position(9_999_999).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.count_objects(cal.id).await.unwrap(), 1);
    assert!(store.commit(vec![], &origin).await.unwrap().is_empty());
}

pub async fn preconditions_are_checked_and_a_failed_batch_writes_nothing(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    commit(store, vec![put(cal.id, "a", "A1", Expect::Absent)], 10).await;

    let fails = [
        put(cal.id, "a", "A2", Expect::Absent),
        put(cal.id, "a", "A2", Expect::Seq(7)),
        put(cal.id, "new", "N", Expect::Exists),
        put(cal.id, "new", "N", Expect::Seq(1)),
        delete(cal.id, "new", Expect::Exists),
        delete(cal.id, "new", Expect::Seq(1)),
        delete(cal.id, "a", Expect::Seq(2)),
        delete(cal.id, "a", Expect::Absent),
    ];
    for failing in fails {
        // A valid change first: it must not survive the failure of the second.
        let batch = vec![put(cal.id, "b", "B", Expect::Absent), failing.clone()];
        let err = store.commit(batch, &origin(11)).await.unwrap_err();
        match err {
            StoreError::PreconditionFailed { index, uid, .. } => {
                assert_eq!((index, uid), (1, failing.uid.clone()))
            }
            other => panic!("{failing:?}: expected PreconditionFailed, got {other}"),
        }
        assert_eq!(store.position(cal.id).await.unwrap(), 1, "{failing:?}");
        assert_eq!(
            store.object_by_uid(cal.id, "b").await.unwrap(),
            None,
            "{failing:?}"
        );
    }
    assert_eq!(live(store, cal.id).await, [("a".to_owned(), 1)]);

    // The matching preconditions pass.
    commit(store, vec![put(cal.id, "a", "A2", Expect::Seq(1))], 12).await;
    commit(store, vec![put(cal.id, "a", "A3", Expect::Exists)], 13).await;
    commit(store, vec![put(cal.id, "a", "A4", Expect::Any)], 14).await;
    commit(store, vec![delete(cal.id, "a", Expect::Seq(4))], 15).await;
    commit(store, vec![put(cal.id, "a", "A5", Expect::Absent)], 16).await;
    assert_eq!(live(store, cal.id).await, [("a".to_owned(), 6)]);
    let unknown = store
        .commit(vec![put(9_999_999, "x", "X", Expect::Any)], &origin(1))
        .await
        .unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound(_)), "{unknown}");
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn a_batch_sees_its_own_earlier_changes(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    let revs = commit(
        store,
        vec![
            put(cal.id, "a", "A1", Expect::Absent),
            put(cal.id, "a", "A2", Expect::Seq(1)),
            put(cal.id, "b", "B1", Expect::Absent),
            delete(cal.id, "b", Expect::Seq(3)),
            delete(cal.id, "b", Expect::Any),
            put(cal.id, "c", "C", Expect::Absent),
        ],
        10,
    )
    .await;
    let seqs: Vec<Seq> = revs.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5], "the no-op delete writes nothing");
    assert_eq!(
        live(store, cal.id).await,
        [("a".to_owned(), 2), ("c".to_owned(), 5)]
    );
    let a = store.object_by_uid(cal.id, "a").await.unwrap().unwrap();
    assert_eq!(a.data, ics("a", "A2"));
    let tomb = store.revision(cal.id, 4).await.unwrap().unwrap();
    assert_eq!(
        (tomb.meta.kind, tomb.data.clone(), tomb.facts.clone()),
        (RevisionKind::Delete, ics("b", "B1"), None)
    );
    let trash = store.tombstones(cal.id, 0).await.unwrap();
    assert_eq!(trash.len(), 1);
    assert_eq!(
        (trash[0].uid.as_str(), trash[0].seq, trash[0].data.as_str()),
        ("b", 4, ics("b", "B1").as_str())
    );
    let stale = vec![
        put(cal.id, "a", "A3", Expect::Seq(2)),
        put(cal.id, "a", "A4", Expect::Seq(2)),
    ];
    assert!(matches!(
        store.commit(stale, &origin(11)).await,
        Err(StoreError::PreconditionFailed { index: 1, .. })
    ));
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn seqs_increase_per_calendar_independently(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, one) = user_with_calendar(store, "u").await;
    let two = store
        .create_calendar(user.id, new_calendar("two"))
        .await
        .unwrap();
    let mut expected: BTreeMap<CalendarId, Seq> = BTreeMap::new();
    for round in 0..5 {
        for cal in [one.id, two.id, one.id] {
            let revs = commit(
                store,
                vec![
                    put(cal, &format!("u{round}"), "x", Expect::Any),
                    put(cal, "same", "y", Expect::Any),
                ],
                round,
            )
            .await;
            let next = expected.entry(cal).or_insert(0);
            assert_eq!(
                revs.iter().map(|r| r.seq).collect::<Vec<_>>(),
                [*next + 1, *next + 2]
            );
            *next += 2;
        }
    }
    assert_eq!(store.position(one.id).await.unwrap(), 20);
    assert_eq!(store.position(two.id).await.unwrap(), 10);
}

pub async fn concurrent_commits_to_one_calendar_take_turns(b: Arc<Backend>) {
    let store = b.store.clone();
    let (_, cal) = user_with_calendar(&*store, "u").await;
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for round in 0..10 {
                let uid = format!("w{worker}-{round}");
                let revs = store
                    .commit(
                        vec![
                            put(cal.id, &uid, "x", Expect::Absent),
                            put(cal.id, "shared", "s", Expect::Any),
                        ],
                        &origin(round),
                    )
                    .await
                    .expect("commit");
                seqs.extend(revs.iter().map(|r| r.seq));
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=160).collect::<Vec<_>>(),
        "every seq used exactly once"
    );
    assert_eq!(store.position(cal.id).await.unwrap(), 160);
    assert_eq!(store.count_objects(cal.id).await.unwrap(), 81);
    assert!(store.check().await.unwrap().is_empty());
}

/// Commits that arrive together may share one transaction (group commit): a batch that fails
/// there must fail alone, and every other batch must land whole.
pub async fn concurrent_failing_batches_fail_alone(b: Arc<Backend>) {
    let store = b.store.clone();
    let (_, cal) = user_with_calendar(&*store, "u").await;
    commit(&*store, vec![put(cal.id, "fixed", "f", Expect::Absent)], 1).await;
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            let mut failures = 0;
            for round in 0..10 {
                let uid = format!("w{worker}-{round}");
                let fails = (worker + round) % 3 == 0;
                let second = if fails {
                    put(cal.id, "fixed", "again", Expect::Absent)
                } else {
                    put(cal.id, "shared", "s", Expect::Any)
                };
                let batch = vec![put(cal.id, &uid, "x", Expect::Absent), second];
                match store.commit(batch, &origin(round)).await {
                    Ok(revs) => {
                        assert!(!fails, "{uid} should have failed");
                        seqs.extend(revs.iter().map(|r| r.seq));
                    }
                    Err(StoreError::PreconditionFailed { index: 1, .. }) if fails => {
                        failures += 1;
                    }
                    Err(other) => panic!("{uid}: {other}"),
                }
            }
            (seqs, failures)
        }));
    }
    let (mut all, mut failures) = (Vec::new(), 0);
    for task in tasks {
        let (seqs, failed) = task.await.unwrap();
        all.extend(seqs);
        failures += failed;
    }
    let landed = 160 - failures;
    assert!(failures > 0 && landed > 0);
    all.sort_unstable();
    assert_eq!(
        all,
        (2..=1 + 2 * landed as i64).collect::<Vec<_>>(),
        "no gap and no seq used twice"
    );
    assert_eq!(store.position(cal.id).await.unwrap(), 1 + 2 * landed as i64);
    // fixed + shared + one object per landed batch; no failed batch left anything.
    assert_eq!(
        store.count_objects(cal.id).await.unwrap(),
        2 + landed as u64
    );
    for worker in 0..16 {
        for round in 0..10 {
            let found = store
                .object_by_uid(cal.id, &format!("w{worker}-{round}"))
                .await
                .unwrap();
            assert_eq!(found.is_some(), (worker + round) % 3 != 0);
        }
    }
    let fixed = store.object_by_uid(cal.id, "fixed").await.unwrap().unwrap();
    assert_eq!(fixed.meta.seq, 1);
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn names_stay_with_their_object(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    commit(
        store,
        vec![
            put_named(cal.id, "a", "a.ics", "A", Expect::Absent),
            put_named(cal.id, "b", "b.ics", "B", Expect::Absent),
        ],
        1,
    )
    .await;
    let a = store.object_by_uid(cal.id, "a").await.unwrap().unwrap();

    // A new UID may not take a name in use.
    let err = store
        .commit(
            vec![put_named(cal.id, "c", "a.ics", "C", Expect::Any)],
            &origin(2),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::PreconditionFailed { index: 0, .. }),
        "{err}"
    );
    let err = store
        .commit(
            vec![put_named(cal.id, "c", "a.ics", "C", Expect::Absent)],
            &origin(2),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::PreconditionFailed { index: 0, .. }),
        "{err}"
    );

    // An update keeps the row; its name moves only to a free name.
    commit(
        store,
        vec![put_named(cal.id, "a", "b.ics", "A2", Expect::Any)],
        3,
    )
    .await;
    let kept = store.object_by_uid(cal.id, "a").await.unwrap().unwrap();
    assert_eq!(
        (kept.meta.id, kept.meta.name.as_str(), kept.meta.seq),
        (a.meta.id, "a.ics", 3)
    );
    commit(
        store,
        vec![put_named(cal.id, "a", "renamed.ics", "A3", Expect::Any)],
        4,
    )
    .await;
    let moved = store.object_by_uid(cal.id, "a").await.unwrap().unwrap();
    assert_eq!(
        (moved.meta.id, moved.meta.name.as_str()),
        (a.meta.id, "renamed.ics")
    );
    assert_eq!(store.object_by_name(cal.id, "a.ics").await.unwrap(), None);
    assert_eq!(
        store.revision(cal.id, 4).await.unwrap().unwrap().meta.name,
        "renamed.ics"
    );

    // Names move between objects inside one batch, in any order (a swap through a free name).
    commit(
        store,
        vec![
            put_named(cal.id, "a", "tmp.ics", "A4", Expect::Any),
            put_named(cal.id, "b", "renamed.ics", "B2", Expect::Any),
            put_named(cal.id, "a", "b.ics", "A5", Expect::Any),
        ],
        5,
    )
    .await;
    assert_eq!(
        store
            .object_by_name(cal.id, "b.ics")
            .await
            .unwrap()
            .unwrap()
            .meta
            .uid,
        "a"
    );
    assert_eq!(
        store
            .object_by_name(cal.id, "renamed.ics")
            .await
            .unwrap()
            .unwrap()
            .meta
            .uid,
        "b"
    );
    // A name freed by a delete in the same batch can be taken.
    commit(
        store,
        vec![
            delete(cal.id, "b", Expect::Exists),
            put_named(cal.id, "c", "renamed.ics", "C", Expect::Absent),
        ],
        6,
    )
    .await;
    assert_eq!(
        store
            .object_by_name(cal.id, "renamed.ics")
            .await
            .unwrap()
            .unwrap()
            .meta
            .uid,
        "c"
    );
    let names: Vec<String> = store
        .list_objects(cal.id)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(
        names,
        ["b.ics", "renamed.ics"],
        "list_objects is ordered by name"
    );
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn a_delete_writes_a_tombstone_with_the_deleted_data(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    commit(store, vec![put(cal.id, "a", "A1", Expect::Absent)], 1).await;
    commit(store, vec![put(cal.id, "a", "A2", Expect::Any)], 2).await;
    let revs = commit(store, vec![delete(cal.id, "a", Expect::Seq(2))], 3).await;
    assert_eq!(
        (
            revs[0].kind,
            revs[0].seq,
            revs[0].name.as_str(),
            revs[0].summary.as_deref()
        ),
        (RevisionKind::Delete, 3, "a.ics", Some("A2"))
    );
    assert_eq!(store.object_by_uid(cal.id, "a").await.unwrap(), None);
    assert_eq!(store.count_objects(cal.id).await.unwrap(), 0);
    let tomb = store.revision(cal.id, 3).await.unwrap().unwrap();
    assert_eq!((tomb.data, tomb.facts), (ics("a", "A2"), None));
    let history: Vec<(Seq, RevisionKind)> = store
        .history(cal.id, "a")
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.seq, r.kind))
        .collect();
    assert_eq!(
        history,
        [
            (3, RevisionKind::Delete),
            (2, RevisionKind::Put),
            (1, RevisionKind::Put)
        ]
    );
    assert!(store.history(cal.id, "nope").await.unwrap().is_empty());

    // Deleting what is gone: a no-op with Any, a failure with Exists.
    assert!(
        commit(store, vec![delete(cal.id, "a", Expect::Any)], 4)
            .await
            .is_empty()
    );
    assert_eq!(store.position(cal.id).await.unwrap(), 3);
    assert!(
        store
            .commit(vec![delete(cal.id, "a", Expect::Exists)], &origin(4))
            .await
            .is_err()
    );
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn changes_since_pages_without_skipping(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let other = store
        .create_calendar(user.id, new_calendar("other"))
        .await
        .unwrap();
    commit(
        store,
        (0..10)
            .map(|i| put(cal.id, &format!("e{i}"), "x", Expect::Absent))
            .collect(),
        1,
    )
    .await;
    commit(
        store,
        vec![put(other.id, "elsewhere", "x", Expect::Absent)],
        1,
    )
    .await;
    commit(
        store,
        vec![
            put(cal.id, "e3", "y", Expect::Any),
            delete(cal.id, "e5", Expect::Any),
        ],
        2,
    )
    .await;
    commit(store, vec![put(cal.id, "e3", "z", Expect::Any)], 3).await;

    let all = store.changes_since(cal.id, 0, 1_000).await.unwrap();
    assert_eq!(
        all.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=13).collect::<Vec<_>>()
    );
    assert!(all.iter().all(|r| r.calendar_id == cal.id));
    let since = store.changes_since(cal.id, 10, 1_000).await.unwrap();
    let summary: Vec<(String, RevisionKind)> =
        since.iter().map(|r| (r.uid.clone(), r.kind)).collect();
    assert_eq!(
        summary,
        [
            ("e3".to_owned(), RevisionKind::Put),
            ("e5".to_owned(), RevisionKind::Delete),
            ("e3".to_owned(), RevisionKind::Put)
        ]
    );
    for limit in [1, 3, 4, 13] {
        let mut position = 0;
        let mut seen = Vec::new();
        loop {
            let page = store.changes_since(cal.id, position, limit).await.unwrap();
            assert!(page.len() <= limit as usize);
            let Some(last) = page.last() else { break };
            position = last.seq;
            seen.extend(page.iter().map(|r| r.seq));
        }
        assert_eq!(seen, (1..=13).collect::<Vec<_>>(), "limit {limit}");
    }
    assert!(
        store
            .changes_since(cal.id, 13, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .changes_since(cal.id, 99, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.changes_since(9_999_999, 0, 10).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn changes_since_is_an_index_range_scan(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let other = store
        .create_calendar(user.id, new_calendar("other"))
        .await
        .unwrap();
    for round in 0..3 {
        for c in [cal.id, other.id] {
            commit(
                store,
                (0..1_000)
                    .map(|i| put(c, &format!("e{i}"), &format!("r{round}"), Expect::Any))
                    .collect(),
                round,
            )
            .await;
        }
    }
    let plan = b.changes_since_plan(cal.id, 2_990, 100).await;
    match b.name() {
        "sqlite" => {
            // e.g. "SEARCH r USING INDEX sqlite_autoindex_revisions_1 (calendar_id=? AND seq>?)"
            assert!(
                plan.contains("SEARCH r USING") && plan.contains("calendar_id=? AND seq>?"),
                "{plan}"
            );
            assert!(
                !plan.contains("SCAN") && !plan.contains("TEMP B-TREE"),
                "no full scan, no sort:\n{plan}"
            );
        }
        _ => {
            assert!(
                plan.contains("Index Scan using revisions_pkey on revisions"),
                "{plan}"
            );
            assert!(
                plan.contains("seq >"),
                "the seq bound is an index condition:\n{plan}"
            );
            assert!(
                !plan.contains("Seq Scan") && !plan.contains("Sort"),
                "no full scan, no sort:\n{plan}"
            );
        }
    }
}

pub async fn cross_calendar_commits_are_atomic(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, from) = user_with_calendar(store, "u").await;
    let to = store
        .create_calendar(user.id, new_calendar("to"))
        .await
        .unwrap();
    commit(
        store,
        vec![
            put(from.id, "m", "M", Expect::Absent),
            put(to.id, "x", "X", Expect::Absent),
        ],
        1,
    )
    .await;

    // A MOVE whose second half fails leaves both calendars untouched.
    let failing = vec![
        delete(from.id, "m", Expect::Seq(1)),
        put(to.id, "x", "M", Expect::Absent),
    ];
    assert!(matches!(
        store.commit(failing, &origin(2)).await,
        Err(StoreError::PreconditionFailed { index: 1, .. })
    ));
    assert_eq!(live(store, from.id).await, [("m".to_owned(), 1)]);
    assert_eq!(store.position(to.id).await.unwrap(), 1);

    let moved = commit(
        store,
        vec![
            delete(from.id, "m", Expect::Seq(1)),
            put(to.id, "m", "M", Expect::Absent),
        ],
        3,
    )
    .await;
    assert_eq!(
        moved
            .iter()
            .map(|r| (r.calendar_id, r.seq))
            .collect::<Vec<_>>(),
        [(from.id, 2), (to.id, 2)]
    );
    assert!(live(store, from.id).await.is_empty());
    assert_eq!(
        live(store, to.id).await,
        [("m".to_owned(), 2), ("x".to_owned(), 1)]
    );
    assert!(store.check().await.unwrap().is_empty());
}

pub async fn state_at_gives_the_newest_revision_at_a_position(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    commit(
        store,
        vec![
            put(cal.id, "a", "A1", Expect::Absent),
            put(cal.id, "b", "B1", Expect::Absent),
        ],
        1,
    )
    .await; // 1, 2
    commit(store, vec![put(cal.id, "c", "C1", Expect::Absent)], 2).await; // 3
    commit(store, vec![delete(cal.id, "c", Expect::Any)], 3).await; // 4
    let position = store.position(cal.id).await.unwrap();
    commit(
        store,
        vec![
            put(cal.id, "a", "A2", Expect::Any),
            delete(cal.id, "b", Expect::Any),
        ],
        4,
    )
    .await; // 5, 6
    commit(
        store,
        vec![
            put(cal.id, "c", "C2", Expect::Any),
            put(cal.id, "d", "D1", Expect::Any),
        ],
        5,
    )
    .await; // 7, 8

    let state = store.state_at(cal.id, position).await.unwrap();
    let seen: Vec<(String, Option<(Seq, String)>)> = state
        .into_iter()
        .map(|(uid, rev)| (uid, rev.map(|r| (r.meta.seq, r.data))))
        .collect();
    assert_eq!(
        seen,
        [
            ("a".to_owned(), Some((1, ics("a", "A1")))),
            ("b".to_owned(), Some((2, ics("b", "B1")))),
            ("c".to_owned(), None), // deleted at that position
            ("d".to_owned(), None), // not yet created
        ]
    );
    assert!(
        store.state_at(cal.id, 8).await.unwrap().is_empty(),
        "nothing changed after the newest position"
    );
    let from_zero = store.state_at(cal.id, 0).await.unwrap();
    assert_eq!(from_zero.len(), 4);
    assert!(from_zero.iter().all(|(_, rev)| rev.is_none()));
}

pub async fn big_batches_commit_whole(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    // More rows than one multi-row statement carries on SQLite.
    let revs = commit(
        store,
        (0..2_500)
            .map(|i| put(cal.id, &format!("e{i:05}"), "x", Expect::Absent))
            .collect(),
        1,
    )
    .await;
    assert_eq!(revs.len(), 2_500);
    assert_eq!(store.count_objects(cal.id).await.unwrap(), 2_500);
    let mut changes: Vec<Change> = (0..2_500)
        .step_by(2)
        .map(|i| put(cal.id, &format!("e{i:05}"), "y", Expect::Seq(i + 1)))
        .collect();
    changes.extend(
        (1..2_500)
            .step_by(2)
            .map(|i| delete(cal.id, &format!("e{i:05}"), Expect::Exists)),
    );
    commit(store, changes, 2).await;
    assert_eq!(store.count_objects(cal.id).await.unwrap(), 1_250);
    assert_eq!(store.tombstones(cal.id, 0).await.unwrap().len(), 1_250);
    assert_eq!(store.position(cal.id).await.unwrap(), 5_000);
    assert!(store.check().await.unwrap().is_empty());
}

/// A calendar's modified time is its creation until a commit or a patch changes it; it never
/// goes back (an older origin, as a restore replays, leaves it).
pub async fn a_calendar_is_modified_by_its_commits_and_patches(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    assert_eq!(cal.modified_at, cal.created_at);
    store
        .commit(vec![put(cal.id, "a", "A", Expect::Any)], &origin(5_000))
        .await
        .unwrap();
    let modified = store.calendar(cal.id).await.unwrap().unwrap().modified_at;
    assert_eq!(modified, 5_000);
    store
        .commit(vec![put(cal.id, "b", "B", Expect::Any)], &origin(4_000))
        .await
        .unwrap();
    let still = store.calendar(cal.id).await.unwrap().unwrap();
    assert_eq!(still.modified_at, 5_000);
    let patch = CalendarPatch {
        display_name: Some("renamed".into()),
        ..CalendarPatch::default()
    };
    let patched = store.update_calendar(cal.id, patch).await.unwrap();
    // The patch is made now: far after the fixtures' times.
    assert!(
        patched.modified_at > 1_700_000_000,
        "{}",
        patched.modified_at
    );
}
