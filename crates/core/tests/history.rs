//! An object's history on SQLite: revisions listed newest first, an old version read back,
//! restored as a new revision (and that restore undone), and no way in for another user.

use std::sync::Arc;

use calvault_core::{Actor, Client, Condition, CoreError, Policy, Vault};
use calvault_store::{Calendar, RevisionKind, SqliteStore};

fn event(summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\nBEGIN:VEVENT\r\nUID:ev-1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240105T090000Z\r\nDTEND:20240105T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

struct Setup {
    vault: Vault,
    calendar: Calendar,
    alice: Actor,
    bob: Actor,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(dir.path()).await.expect("store");
    let vault = Vault::new(Arc::new(store), Policy::default());
    let (alice, calendar) = vault
        .add_user("alice", None, "correct horse")
        .await
        .unwrap();
    let (bob, _) = vault.add_user("bob", None, "battery staple").await.unwrap();
    Setup {
        vault,
        calendar,
        alice: Actor::User(alice.id),
        bob: Actor::User(bob.id),
        _dir: dir,
    }
}

async fn put(setup: &Setup, summary: &str) {
    setup
        .vault
        .put_object(
            setup.alice,
            &setup.calendar,
            "ev-1.ics",
            &event(summary),
            &Condition::default(),
            &Client::new("caldav"),
        )
        .await
        .unwrap();
}

async fn current_summary(setup: &Setup) -> Option<String> {
    setup
        .vault
        .store()
        .object_by_uid(setup.calendar.id, "ev-1")
        .await
        .unwrap()
        .and_then(|o| o.meta.facts.summary)
}

#[tokio::test]
async fn history_lists_revisions_and_reads_an_old_one() {
    let setup = setup().await;
    put(&setup, "First").await;
    put(&setup, "Second").await;
    let history = setup
        .vault
        .object_history(setup.alice, &setup.calendar, "ev-1")
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].seq > history[1].seq, "newest first");
    assert_eq!(history[0].summary.as_deref(), Some("Second"));
    assert_eq!(history[1].source, "caldav");
    let old = setup
        .vault
        .object_revision(setup.alice, &setup.calendar, "ev-1", history[1].seq)
        .await
        .unwrap();
    assert!(old.data.contains("SUMMARY:First"));
    // A seq is only reached through its own object.
    let other = setup
        .vault
        .object_revision(setup.alice, &setup.calendar, "ev-2", history[1].seq)
        .await;
    assert!(matches!(other, Err(CoreError::NotFound(_))));
    let none = setup
        .vault
        .object_history(setup.alice, &setup.calendar, "never-there")
        .await;
    assert!(matches!(none, Err(CoreError::NotFound(_))));
}

#[tokio::test]
async fn restoring_a_revision_writes_a_new_one_and_is_undoable() {
    let setup = setup().await;
    put(&setup, "First").await;
    put(&setup, "Second").await;
    let history = setup
        .vault
        .object_history(setup.alice, &setup.calendar, "ev-1")
        .await
        .unwrap();
    let first = history[1].seq;
    let client = Client::new("web");
    let restore = setup
        .vault
        .restore_revision(setup.alice, &setup.calendar, "ev-1", first, &client)
        .await
        .unwrap();
    assert_eq!(current_summary(&setup).await.as_deref(), Some("First"));
    assert_eq!(restore.undo, history[0].seq);
    assert_eq!(restore.revision.source, "web");
    assert!(restore.revision.seq > history[0].seq, "a new revision");
    let after = setup
        .vault
        .object_history(setup.alice, &setup.calendar, "ev-1")
        .await
        .unwrap();
    assert_eq!(after.len(), 3);
    assert_eq!(
        after[0].note.as_deref(),
        Some(&*format!("restore of revision {first}"))
    );
    // The current revision cannot be "restored" again.
    let again = setup
        .vault
        .restore_revision(setup.alice, &setup.calendar, "ev-1", after[0].seq, &client)
        .await;
    assert!(matches!(again, Err(CoreError::Invalid(_))));
    // Undo: restore the revision that was current before.
    setup
        .vault
        .restore_revision(setup.alice, &setup.calendar, "ev-1", restore.undo, &client)
        .await
        .unwrap();
    assert_eq!(current_summary(&setup).await.as_deref(), Some("Second"));
}

#[tokio::test]
async fn a_delete_revision_deletes_and_an_old_version_brings_a_deleted_event_back() {
    let setup = setup().await;
    put(&setup, "Kept").await;
    let client = Client::new("web");
    setup
        .vault
        .delete_object(setup.alice, &setup.calendar, "ev-1.ics", None, &client)
        .await
        .unwrap();
    let history = setup
        .vault
        .object_history(setup.alice, &setup.calendar, "ev-1")
        .await
        .unwrap();
    assert_eq!(history[0].kind, RevisionKind::Delete);
    let put_seq = history[1].seq;
    let delete_seq = history[0].seq;
    setup
        .vault
        .restore_revision(setup.alice, &setup.calendar, "ev-1", put_seq, &client)
        .await
        .unwrap();
    let back = setup
        .vault
        .store()
        .object_by_uid(setup.calendar.id, "ev-1")
        .await
        .unwrap()
        .expect("the event is back");
    assert_eq!(back.meta.name, "ev-1.ics");
    // Restoring the delete revision deletes it again (to the trash).
    setup
        .vault
        .restore_revision(setup.alice, &setup.calendar, "ev-1", delete_seq, &client)
        .await
        .unwrap();
    assert_eq!(current_summary(&setup).await, None);
    let trash = setup
        .vault
        .trash(setup.alice, &setup.calendar)
        .await
        .unwrap();
    assert_eq!(trash.len(), 1);
}

#[tokio::test]
async fn another_user_sees_no_history_and_restores_nothing() {
    let setup = setup().await;
    put(&setup, "First").await;
    put(&setup, "Second").await;
    let history = setup
        .vault
        .object_history(setup.alice, &setup.calendar, "ev-1")
        .await
        .unwrap();
    let listed = setup
        .vault
        .object_history(setup.bob, &setup.calendar, "ev-1")
        .await;
    assert!(matches!(listed, Err(CoreError::NotFound(_))));
    let read = setup
        .vault
        .object_revision(setup.bob, &setup.calendar, "ev-1", history[1].seq)
        .await;
    assert!(matches!(read, Err(CoreError::NotFound(_))));
    let restored = setup
        .vault
        .restore_revision(
            setup.bob,
            &setup.calendar,
            "ev-1",
            history[1].seq,
            &Client::new("web"),
        )
        .await;
    assert!(matches!(restored, Err(CoreError::NotFound(_))));
    assert_eq!(current_summary(&setup).await.as_deref(), Some("Second"));
}
