//! The current-state queries: pages, time ranges, fingerprints.

use std::sync::Arc;

use calvault_store::*;

use crate::fixtures::*;
use crate::harness::Backend;

pub async fn objects_are_found_by_uids_and_fingerprints(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let other = store
        .create_calendar(user.id, new_calendar("other"))
        .await
        .unwrap();
    commit(
        store,
        vec![
            put(cal.id, "a", "Lunch", Expect::Absent),
            put(cal.id, "b", "Lunch", Expect::Absent),
            put(cal.id, "c", "Dinner", Expect::Absent),
        ],
        1,
    )
    .await;
    commit(store, vec![put(other.id, "z", "Lunch", Expect::Absent)], 1).await;
    commit(store, vec![put(cal.id, "d", "Lunch", Expect::Absent)], 2).await;
    commit(store, vec![delete(cal.id, "d", Expect::Any)], 3).await;

    let uids =
        |objects: Vec<StoredObject>| objects.into_iter().map(|o| o.meta.uid).collect::<Vec<_>>();
    let found = store
        .objects_by_uids(cal.id, &["c".into(), "a".into(), "z".into(), "d".into()])
        .await
        .unwrap();
    assert_eq!(
        found
            .iter()
            .find(|o| o.meta.uid == "c")
            .map(|o| o.data.clone()),
        Some(ics("c", "Dinner"))
    );
    let mut found = uids(found);
    found.sort();
    assert_eq!(found, ["a", "c"], "only live objects of this calendar");
    assert!(store.objects_by_uids(cal.id, &[]).await.unwrap().is_empty());
    let mut lunch = uids(
        store
            .objects_by_fingerprint(cal.id, &["fp:Lunch".into(), "fp:none".into()])
            .await
            .unwrap(),
    );
    lunch.sort();
    assert_eq!(lunch, ["a", "b"]);

    let twins = store.fingerprint_twins(cal.id).await.unwrap();
    assert_eq!(twins.len(), 1);
    let mut group: Vec<&str> = twins[0].iter().map(|o| o.uid.as_str()).collect();
    group.sort();
    assert_eq!(group, ["a", "b"]);
    assert!(store.fingerprint_twins(other.id).await.unwrap().is_empty());
}

pub async fn objects_page_streams_a_whole_calendar(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let other = store
        .create_calendar(user.id, new_calendar("other"))
        .await
        .unwrap();
    commit(
        store,
        (0..25)
            .map(|i| put(cal.id, &format!("e{i:02}"), "x", Expect::Absent))
            .collect(),
        1,
    )
    .await;
    commit(
        store,
        (0..5)
            .map(|i| put(other.id, &format!("o{i}"), "x", Expect::Absent))
            .collect(),
        1,
    )
    .await;
    commit(
        store,
        vec![
            delete(cal.id, "e03", Expect::Any),
            put(cal.id, "e04", "y", Expect::Any),
        ],
        2,
    )
    .await;

    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = store.objects_page(cal.id, after, 7).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(
            page.windows(2).all(|w| w[0].meta.id < w[1].meta.id),
            "ordered by id"
        );
        after = page.last().unwrap().meta.id;
        seen.extend(page.into_iter().map(|o| (o.meta.uid, o.data)));
    }
    seen.sort();
    assert_eq!(seen.len(), 24);
    assert!(
        seen.iter()
            .all(|(uid, _)| uid.starts_with('e') && uid != "e03")
    );
    assert_eq!(
        seen.iter().find(|(uid, _)| uid == "e04").unwrap().1,
        ics("e04", "y")
    );
    // The same pages without the data: the same objects, the same order, the same metadata.
    let mut after = 0;
    let mut metas = Vec::new();
    loop {
        let page = store.object_metas_page(cal.id, after, 7).await.unwrap();
        let Some(last) = page.last() else { break };
        assert!(page.windows(2).all(|w| w[0].id < w[1].id), "ordered by id");
        after = last.id;
        metas.extend(page);
    }
    let mut listed = store.list_objects(cal.id).await.unwrap();
    listed.sort_by_key(|meta| meta.id);
    assert_eq!(metas, listed);
}

pub async fn objects_are_found_by_time_range(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "u").await;
    let c = cal.id;
    commit(
        store,
        vec![
            put_spanning(c, "past", "p", Some((100, Some(200)))),
            put_spanning(c, "touching", "t", Some((200, Some(300)))),
            put_spanning(c, "inside", "i", Some((350, Some(360)))),
            put_spanning(c, "around", "a", Some((100, Some(1_000)))),
            put_spanning(c, "forever", "f", Some((150, None))),
            put_spanning(c, "future", "u", Some((400, Some(500)))),
            put_spanning(c, "timeless", "x", None),
        ],
        1,
    )
    .await;
    let mut in_range: Vec<String> = store
        .objects_in_range(c, 300, 400)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.meta.uid)
        .collect();
    in_range.sort();
    // [300, 400): "touching" ends at 300 and "future" starts at 400, both outside.
    assert_eq!(in_range, ["around", "forever", "inside", "timeless"]);
    // From the span index alone: the same objects, and their data by revision.
    let whole = store.objects_in_range(c, 300, 400).await.unwrap();
    let refs = store.object_refs_in_range(c, 300, 400).await.unwrap();
    let expected: Vec<ObjectRef> = whole.iter().map(|o| ObjectRef::from(&o.meta)).collect();
    assert_eq!(refs, expected, "ordered by id");
    let seqs: Vec<i64> = refs.iter().map(|r| r.seq).chain([9_999]).collect();
    let mut texts = store.revision_texts(c, &seqs).await.unwrap();
    texts.sort();
    let mut expected: Vec<(i64, String)> =
        whole.iter().map(|o| (o.meta.seq, o.data.clone())).collect();
    expected.sort();
    assert_eq!(texts, expected, "a seq not found is absent");
    let ended: Vec<String> = store
        .objects_ended_before(c, 300)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.uid)
        .collect();
    assert_eq!(
        ended,
        ["past"],
        "ordered by end; never-ending ones excluded"
    );
    let ended: Vec<String> = store
        .objects_ended_before(c, 361)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.uid)
        .collect();
    assert_eq!(ended, ["past", "touching", "inside"]);
}

pub async fn objects_are_found_by_names(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, cal) = user_with_calendar(store, "u").await;
    let other = store
        .create_calendar(user.id, new_calendar("other"))
        .await
        .unwrap();
    commit(
        store,
        vec![
            put_named(cal.id, "a", "first.ics", "A", Expect::Absent),
            put_named(cal.id, "b", "second.ics", "B", Expect::Absent),
            put_named(cal.id, "c", "third.ics", "C", Expect::Absent),
            put_named(other.id, "z", "elsewhere.ics", "Z", Expect::Absent),
        ],
        1,
    )
    .await;
    commit(store, vec![delete(cal.id, "c", Expect::Any)], 2).await;

    let found = store
        .objects_by_names(
            cal.id,
            &[
                "second.ics".into(),
                "missing.ics".into(),
                "first.ics".into(),
                "third.ics".into(),
                "elsewhere.ics".into(),
                "%.ics".into(),
            ],
        )
        .await
        .unwrap();
    let mut found: Vec<(String, String, String)> = found
        .into_iter()
        .map(|o| (o.meta.name, o.meta.uid, o.data))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("first.ics".to_owned(), "a".to_owned(), ics("a", "A")),
            ("second.ics".to_owned(), "b".to_owned(), ics("b", "B")),
        ],
        "live objects of this calendar only, with their data"
    );
    assert!(
        store
            .objects_by_names(cal.id, &[])
            .await
            .unwrap()
            .is_empty()
    );
}
