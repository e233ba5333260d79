//! `Vault::put_objects`: several puts as one commit, each with its own outcome, on both real
//! backends (SQLite in a temporary folder, PostgreSQL in a schema of its own).

use std::sync::Arc;

use calvault_core::{Actor, BatchPut, Client, Condition, CoreError, Policy, Vault};
use calvault_ical::CalendarObject;
use calvault_store::{PostgresStore, SqliteStore, Store};

fn event(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20240101T000000Z\r\nDTSTART:20240301T100000Z\r\nDTEND:20240301T110000Z\r\n\
         SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn journal(uid: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\nBEGIN:VJOURNAL\r\nUID:{uid}\r\n\
         DTSTAMP:20240101T000000Z\r\nSUMMARY:Notes\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n"
    )
}

fn put(name: &str, text: &str, replaces: Option<i64>) -> BatchPut {
    BatchPut {
        name: name.to_string(),
        object: CalendarObject::parse(text).expect("a valid object"),
        replaces,
    }
}

async fn seq_of(vault: &Vault, calendar: i64, uid: &str) -> i64 {
    let object = vault.store().object_by_uid(calendar, uid).await.unwrap();
    object.expect("the object is stored").meta.seq
}

async fn summaries(vault: &Vault, calendar: i64) -> Vec<String> {
    let mut list: Vec<String> = vault
        .store()
        .list_objects(calendar)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.facts.summary.unwrap_or_default())
        .collect();
    list.sort();
    list
}

/// A batch with a stale replace, a UID held by another resource and a component the calendar
/// does not take: those three fail, each with its own error, and the rest is written.
async fn each_put_keeps_its_own_outcome(store: Arc<dyn Store>) {
    let vault = Vault::new(store, Policy::default());
    let (user, calendar) = vault.add_user("alice", None, "secret-pass").await.unwrap();
    let actor = Actor::User(user.id);
    let client = Client::new("test");
    vault
        .put_object(
            actor,
            &calendar,
            "a.ics",
            &event("a", "A"),
            &Condition::default(),
            &client,
        )
        .await
        .unwrap();
    let seq_a = seq_of(&vault, calendar.id, "a").await;
    vault
        .put_object(
            actor,
            &calendar,
            "a.ics",
            &event("a", "A2"),
            &Condition::default(),
            &client,
        )
        .await
        .unwrap();

    let puts = [
        put("b.ics", &event("b", "B"), None),
        put("a.ics", &event("a", "A stale"), Some(seq_a)),
        put("other.ics", &event("a", "A again"), None),
        put("j.ics", &journal("j"), None),
        put("c.ics", &event("c", "C"), None),
    ];
    let outcomes = vault
        .put_objects(actor, &calendar, &puts, &client)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 5);
    assert!(
        outcomes[0]
            .as_ref()
            .is_ok_and(|o| o.created && o.uid == "b")
    );
    assert!(
        matches!(outcomes[1], Err(CoreError::PreconditionFailed(_))),
        "{:?}",
        outcomes[1]
    );
    assert!(
        matches!(&outcomes[2], Err(CoreError::UidConflict { existing_name, .. }) if existing_name == "a.ics"),
        "{:?}",
        outcomes[2]
    );
    assert!(
        matches!(outcomes[3], Err(CoreError::Invalid(_))),
        "{:?}",
        outcomes[3]
    );
    assert!(
        outcomes[4]
            .as_ref()
            .is_ok_and(|o| o.created && o.uid == "c")
    );
    assert_eq!(summaries(&vault, calendar.id).await, ["A2", "B", "C"]);

    // A replace at the right revision goes through; the batch's revisions follow each other.
    let seq_b = seq_of(&vault, calendar.id, "b").await;
    assert_eq!(seq_of(&vault, calendar.id, "c").await, seq_b + 1);
    let again = vault
        .put_objects(
            actor,
            &calendar,
            &[put("b.ics", &event("b", "B2"), Some(seq_b))],
            &client,
        )
        .await
        .unwrap();
    assert!(again[0].as_ref().is_ok_and(|o| !o.created));
    assert_eq!(summaries(&vault, calendar.id).await, ["A2", "B2", "C"]);
}

/// Someone without write access gets a refusal of the whole call, and nothing is written.
async fn write_access_is_checked(store: Arc<dyn Store>) {
    let vault = Vault::new(store, Policy::default());
    let (_, calendar) = vault.add_user("alice", None, "secret-pass").await.unwrap();
    let (bob, _) = vault.add_user("bob", None, "secret-pass").await.unwrap();
    let refused = vault
        .put_objects(
            Actor::User(bob.id),
            &calendar,
            &[put("x.ics", &event("x", "X"), None)],
            &Client::new("test"),
        )
        .await;
    assert!(refused.is_err());
    assert!(summaries(&vault, calendar.id).await.is_empty());
}

fn postgres_url() -> String {
    std::env::var("CALVAULT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

async fn on_both<F, Fut>(test: &str, scenario: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(dir.path()).await.unwrap();
    scenario(Arc::new(sqlite)).await;
    if std::env::var("CALVAULT_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        return;
    }
    let schema = format!("core_batch_{test}_{}", std::process::id());
    let postgres = PostgresStore::connect_in_schema(&postgres_url(), &schema)
        .await
        .expect("PostgreSQL at CALVAULT_TEST_DATABASE_URL");
    scenario(Arc::new(postgres)).await;
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_url()).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
        )))
        .execute(&mut conn)
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_put_of_a_batch_keeps_its_own_outcome() {
    on_both("outcomes", each_put_keeps_its_own_outcome).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_needs_write_access() {
    on_both("access", write_access_is_checked).await;
}
