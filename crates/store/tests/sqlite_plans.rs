//! SQLite query plans that keep imports and reports linear: each object look-up by UID, name or
//! fingerprint is an index search per key. (A scan here once made a 100,000-event import
//! quadratic.)

use calvault_store::{NewCalendar, NewUser, SqliteStore, Store};

async fn store_with_calendar(dir: &std::path::Path) -> (SqliteStore, i64) {
    let store = SqliteStore::open(dir).await.expect("store");
    let user = NewUser {
        name: "u".into(),
        email: None,
        password_hash: "x".into(),
        created_at: 1_000,
    };
    let calendar = NewCalendar {
        name: "home".into(),
        display_name: "Home".into(),
        color: None,
        description: None,
        components: vec!["VEVENT".into()],
        created_at: 1_000,
        timezone: None,
    };
    let (_, calendar) = store.create_user(user, calendar).await.expect("user");
    (store, calendar.id)
}

#[tokio::test]
async fn object_lookups_search_an_index_per_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, calendar) = store_with_calendar(dir.path()).await;
    let plans = store.object_lookup_plans(calendar).await.expect("plans");
    for (plan, key) in plans.iter().zip(["uid=?", "name=?", "fingerprint=?"]) {
        assert!(
            plan.contains("SEARCH o USING INDEX")
                && plan.contains(&format!("calendar_id=? AND {key}")),
            "{key}:\n{plan}"
        );
        assert!(
            plan.contains("SEARCH r USING"),
            "the data joins by key:\n{plan}"
        );
        assert!(
            !plan.contains("SCAN o") && !plan.contains("SCAN r"),
            "no scan:\n{plan}"
        );
    }
}

/// A time range is read from the index of both span ends: the objects outside it are rejected
/// there (at 100,000 events, half the work of a month's read was looking up rows it dropped).
#[tokio::test]
async fn a_time_range_reads_the_span_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, calendar) = store_with_calendar(dir.path()).await;
    let plan = store.objects_in_range_plan(calendar).await.expect("plan");
    assert!(
        plan.contains("SEARCH o USING INDEX objects_span (calendar_id=?)"),
        "{plan}"
    );
    assert!(!plan.contains("SCAN"), "no scan:\n{plan}");
    // What the agenda reads of each object is in the index: no look-up of its row.
    let plan = store
        .object_refs_in_range_plan(calendar)
        .await
        .expect("plan");
    assert!(
        plan.contains("SEARCH o USING COVERING INDEX objects_span (calendar_id=?)"),
        "{plan}"
    );
    assert!(!plan.contains("SCAN"), "no scan:\n{plan}");
}
