//! The domain's rules end to end, on both real backends (SQLite in a temporary folder, and
//! PostgreSQL in a schema of its own).

use std::sync::Arc;

use calvault_core::{
    Access, Actor, CalendarPath, Client, Condition, CoreError, ETag, ImportOutcome, Policy, Vault,
};
use calvault_store::{PostgresStore, SqliteStore, Store};

struct Backend {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(dir.path())
        .await
        .expect("open SQLite store");
    Backend {
        store: Arc::new(store),
        _dir: Some(dir),
        schema: None,
    }
}

fn postgres_url() -> String {
    std::env::var("CALVAULT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

async fn postgres(test: &str) -> Option<Backend> {
    if std::env::var("CALVAULT_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        return None;
    }
    let schema = format!("core_{test}_{}", std::process::id());
    let store = PostgresStore::connect_in_schema(&postgres_url(), &schema)
        .await
        .expect("PostgreSQL at CALVAULT_TEST_DATABASE_URL");
    Some(Backend {
        store: Arc::new(store),
        _dir: None,
        schema: Some(schema),
    })
}

async fn drop_schema(schema: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_url()).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
        )))
        .execute(&mut conn)
        .await;
    }
}

/// Runs one scenario on SQLite and on PostgreSQL.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let backend = super::sqlite().await;
                    super::scenarios::$name(super::vault(&backend)).await;
                }
            )*
        }
        mod postgres_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(backend) = super::postgres(stringify!($name)).await else { return };
                    super::scenarios::$name(super::vault(&backend)).await;
                    if let Some(schema) = &backend.schema {
                        super::drop_schema(schema).await;
                    }
                }
            )*
        }
    };
}

fn vault(backend: &Backend) -> Vault {
    Vault::new(
        backend.store.clone(),
        Policy {
            batch_size: 50,
            ..Policy::default()
        },
    )
}

on_both_backends!(
    users_and_default_calendar,
    put_get_delete_with_etags,
    uid_conflict_is_refused,
    trash_restores_deleted_objects,
    snapshot_restore_rolls_forward_and_undoes,
    import_detects_twins_and_reports_bad_objects,
    import_dry_run_changes_nothing,
    dedupe_keeps_richest_copy,
    archive_moves_ended_events,
    export_current_and_snapshot,
    access_is_limited_to_the_owner,
    calendar_delete_and_restore,
    sharing_grants_exactly_what_it_says,
    app_passwords_and_failed_login_throttle,
    mass_deletion_guard_snapshots_before_the_burst,
    transfer_moves_and_copies_atomically,
    import_name_taken_fails_one,
);

mod scenarios {
    use super::*;

    pub fn event(uid: &str, summary: &str, start: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:{start}\r\nDTEND:{start}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    fn body(uid: &str, summary: &str, start: &str) -> String {
        let full = event(uid, summary, start);
        let begin = full.find("BEGIN:VEVENT").unwrap();
        let end = full.find("END:VCALENDAR").unwrap();
        full[begin..end].to_string()
    }

    fn file(events: &[String]) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\n{}END:VCALENDAR\r\n",
            events.concat()
        )
    }

    async fn setup(vault: &Vault) -> calvault_store::Calendar {
        vault
            .add_user("alice", Some("alice@example.org"), "correct horse")
            .await
            .unwrap();
        vault
            .calendar(
                Actor::Admin,
                &CalendarPath::parse("alice").unwrap(),
                Access::Write,
            )
            .await
            .unwrap()
    }

    async fn summaries(vault: &Vault, calendar: &calvault_store::Calendar) -> Vec<String> {
        let mut names: Vec<String> = vault
            .store()
            .list_objects(calendar.id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.facts.summary.unwrap_or_default())
            .collect();
        names.sort();
        names
    }

    pub async fn users_and_default_calendar(vault: Vault) {
        let (user, calendar) = vault
            .add_user("alice", None, "correct horse")
            .await
            .unwrap();
        assert_eq!(calendar.name, "calendar");
        assert_eq!(calendar.user_id, user.id);
        assert!(matches!(
            vault.add_user("alice", None, "another one").await,
            Err(CoreError::AlreadyExists(_))
        ));
        assert!(matches!(
            vault.add_user("bob", None, "short").await,
            Err(CoreError::Invalid(_))
        ));
        assert!(matches!(
            vault.add_user("../x", None, "long enough").await,
            Err(CoreError::Invalid(_))
        ));
        assert_eq!(
            vault
                .authenticate("alice", "correct horse", "127.0.0.1")
                .await
                .unwrap()
                .user
                .id,
            user.id
        );
        assert!(matches!(
            vault
                .authenticate("alice", "wrong horse", "127.0.0.1")
                .await,
            Err(CoreError::BadCredentials)
        ));
        assert!(matches!(
            vault
                .authenticate("nobody", "correct horse", "127.0.0.1")
                .await,
            Err(CoreError::BadCredentials)
        ));
        vault.set_password("alice", "battery staple").await.unwrap();
        assert!(
            vault
                .authenticate("alice", "battery staple", "127.0.0.1")
                .await
                .is_ok()
        );
        vault.delete_user("alice").await.unwrap();
        assert!(vault.list_users().await.unwrap().is_empty());
    }

    pub async fn put_get_delete_with_etags(vault: Vault) {
        let calendar = setup(&vault).await;
        let create = Condition {
            if_match: None,
            if_none_match: true,
        };
        let first = vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("a", "One", "20240105T090000Z"),
                &create,
                &Client::new("test"),
            )
            .await
            .unwrap();
        assert!(first.created);
        // If-None-Match: * on an existing resource fails.
        let again = vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("a", "One", "20240105T090000Z"),
                &create,
                &Client::new("test"),
            )
            .await;
        assert!(matches!(again, Err(CoreError::PreconditionFailed(_))));
        let update = Condition {
            if_match: Some(first.etag.clone()),
            if_none_match: false,
        };
        let second = vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("a", "Two", "20240105T090000Z"),
                &update,
                &Client::new("test"),
            )
            .await
            .unwrap();
        assert!(!second.created);
        assert_ne!(second.etag, first.etag);
        // A stale tag loses nothing: the update is refused and the stored version stays.
        let stale = vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("a", "Three", "20240105T090000Z"),
                &update,
                &Client::new("test"),
            )
            .await;
        assert!(matches!(stale, Err(CoreError::PreconditionFailed(_))));
        let stored = vault
            .get_object(Actor::Admin, &calendar, "a.ics")
            .await
            .unwrap();
        assert!(stored.data.contains("SUMMARY:Two"));
        assert_eq!(ETag::new(calendar.id, stored.meta.seq), second.etag);
        let bad = vault
            .delete_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                Some(&first.etag),
                &Client::new("test"),
            )
            .await;
        assert!(matches!(bad, Err(CoreError::PreconditionFailed(_))));
        vault
            .delete_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                Some(&second.etag),
                &Client::new("test"),
            )
            .await
            .unwrap();
        assert!(matches!(
            vault.get_object(Actor::Admin, &calendar, "a.ics").await,
            Err(CoreError::NotFound(_))
        ));
        let invalid = vault
            .put_object(
                Actor::Admin,
                &calendar,
                "b.ics",
                "BEGIN:VCALENDAR\r\nnot ical",
                &Condition::default(),
                &Client::new("test"),
            )
            .await;
        assert!(
            matches!(invalid, Err(CoreError::InvalidData(_))),
            "{invalid:?}"
        );
    }

    pub async fn uid_conflict_is_refused(vault: Vault) {
        let calendar = setup(&vault).await;
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("same", "One", "20240105T090000Z"),
                &Condition::default(),
                &Client::new("test"),
            )
            .await
            .unwrap();
        let twin = vault
            .put_object(
                Actor::Admin,
                &calendar,
                "b.ics",
                &event("same", "One", "20240105T090000Z"),
                &Condition::default(),
                &Client::new("test"),
            )
            .await;
        match twin {
            Err(CoreError::UidConflict { existing_name, .. }) => assert_eq!(existing_name, "a.ics"),
            other => panic!("expected a UID conflict, got {other:?}"),
        }
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 1);
    }

    pub async fn trash_restores_deleted_objects(vault: Vault) {
        let calendar = setup(&vault).await;
        for (uid, summary) in [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")] {
            vault
                .put_object(
                    Actor::Admin,
                    &calendar,
                    &format!("{uid}.ics"),
                    &event(uid, summary, "20240105T090000Z"),
                    &Condition::default(),
                    &Client::new("test"),
                )
                .await
                .unwrap();
        }
        for name in ["a.ics", "b.ics", "c.ics"] {
            vault
                .delete_object(Actor::Admin, &calendar, name, None, &Client::new("test"))
                .await
                .unwrap();
        }
        let trash = vault.trash(Actor::Admin, &calendar).await.unwrap();
        assert_eq!(trash.len(), 3);
        assert!(summaries(&vault, &calendar).await.is_empty());
        vault
            .restore_from_trash(Actor::Admin, &calendar, &["b".to_string()])
            .await
            .unwrap();
        assert_eq!(summaries(&vault, &calendar).await, vec!["Beta"]);
        assert_eq!(vault.trash(Actor::Admin, &calendar).await.unwrap().len(), 2);
        vault
            .restore_from_trash(Actor::Admin, &calendar, &[])
            .await
            .unwrap();
        assert_eq!(
            summaries(&vault, &calendar).await,
            vec!["Alpha", "Beta", "Gamma"]
        );
        assert!(
            vault
                .trash(Actor::Admin, &calendar)
                .await
                .unwrap()
                .is_empty()
        );
        let missing = vault
            .restore_from_trash(Actor::Admin, &calendar, &["zzz".to_string()])
            .await;
        assert!(matches!(missing, Err(CoreError::NotFound(_))));
    }

    pub async fn snapshot_restore_rolls_forward_and_undoes(vault: Vault) {
        let calendar = setup(&vault).await;
        let any = Condition::default();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "keep.ics",
                &event("keep", "Keep", "20240105T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "edit.ics",
                &event("edit", "Before", "20240106T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "gone.ics",
                &event("gone", "Gone", "20240107T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let snapshot = vault
            .create_snapshot(Actor::Admin, &calendar, "before the mess")
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "edit.ics",
                &event("edit", "After", "20240106T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        vault
            .delete_object(
                Actor::Admin,
                &calendar,
                "gone.ics",
                None,
                &Client::new("test"),
            )
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "new.ics",
                &event("new", "New", "20240108T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let mess = summaries(&vault, &calendar).await;
        assert_eq!(mess, vec!["After", "Keep", "New"]);

        let diff = vault
            .diff_snapshot(Actor::Admin, snapshot.id)
            .await
            .unwrap();
        assert_eq!(
            diff.bring_back
                .iter()
                .map(|e| e.uid.as_str())
                .collect::<Vec<_>>(),
            vec!["gone"]
        );
        assert_eq!(
            diff.remove
                .iter()
                .map(|e| e.uid.as_str())
                .collect::<Vec<_>>(),
            vec!["new"]
        );
        assert_eq!(
            diff.change
                .iter()
                .map(|e| e.uid.as_str())
                .collect::<Vec<_>>(),
            vec!["edit"]
        );

        let dry = vault
            .restore_snapshot(Actor::Admin, snapshot.id, true)
            .await
            .unwrap();
        assert_eq!(dry.diff, diff);
        assert!(dry.undo.is_none());
        assert_eq!(summaries(&vault, &calendar).await, mess);

        let before = vault.store().position(calendar.id).await.unwrap();
        let report = vault
            .restore_snapshot(Actor::Admin, snapshot.id, false)
            .await
            .unwrap();
        assert_eq!(
            summaries(&vault, &calendar).await,
            vec!["Before", "Gone", "Keep"]
        );
        // Rolled forward: the journal grew, positions never went back.
        let after = vault.store().position(calendar.id).await.unwrap();
        assert!(after >= before + 3, "position {before} -> {after}");
        let changes = vault
            .store()
            .changes_since(calendar.id, before, 100)
            .await
            .unwrap();
        assert_eq!(changes.len(), 3);
        // A second restore of the same snapshot has nothing left to do.
        assert!(
            vault
                .diff_snapshot(Actor::Admin, snapshot.id)
                .await
                .unwrap()
                .is_empty()
        );
        // And the restore itself can be undone.
        let undo = report
            .undo
            .expect("an automatic snapshot before the restore");
        assert!(undo.automatic);
        vault
            .restore_snapshot(Actor::Admin, undo.id, false)
            .await
            .unwrap();
        assert_eq!(summaries(&vault, &calendar).await, mess);
    }

    pub async fn import_detects_twins_and_reports_bad_objects(vault: Vault) {
        let calendar = setup(&vault).await;
        let events: Vec<String> = (0..120)
            .map(|i| {
                body(
                    &format!("ev{i}"),
                    &format!("Event {i}"),
                    &format!("2024{:02}{:02}T090000Z", 1 + i % 12, 1 + i % 28),
                )
            })
            .collect();
        let report = vault
            .import(Actor::Admin, &calendar, &file(&events), false)
            .await
            .unwrap();
        assert_eq!(
            report.count(ImportOutcome::Created),
            120,
            "{}",
            report.summary_line()
        );
        assert!(report.snapshot.is_some());
        // The same file again: all duplicates, nothing doubled.
        let again = vault
            .import(Actor::Admin, &calendar, &file(&events), false)
            .await
            .unwrap();
        assert_eq!(
            again.summary_line(),
            "created 0, updated 0, duplicates skipped 120, failed 0"
        );
        // The same events under other UIDs (another client's export): twins by fingerprint.
        let copies: Vec<String> = (0..120)
            .map(|i| {
                body(
                    &format!("copy{i}"),
                    &format!("Event {i}"),
                    &format!("2024{:02}{:02}T090000Z", 1 + i % 12, 1 + i % 28),
                )
            })
            .collect();
        let twins = vault
            .import(Actor::Admin, &calendar, &file(&copies), false)
            .await
            .unwrap();
        assert_eq!(
            twins.count(ImportOutcome::Duplicate),
            120,
            "{}",
            twins.summary_line()
        );
        // A changed event updates in place; a broken one fails alone, naming its line.
        let mut mixed = vec![
            body("ev0", "Event 0 renamed", "20240101T090000Z"),
            body("fresh", "Fresh", "20250101T090000Z"),
        ];
        mixed.push(
            "BEGIN:VEVENT\r\nUID:broken\r\nDTSTART:not-a-date\r\nBEGIN:VALARM\r\nEND:VEVENT\r\n"
                .to_string(),
        );
        let report = vault
            .import(Actor::Admin, &calendar, &file(&mixed), false)
            .await
            .unwrap();
        assert_eq!(
            report.count(ImportOutcome::Updated),
            1,
            "{}",
            report.summary_line()
        );
        assert_eq!(
            report.count(ImportOutcome::Created),
            1,
            "{}",
            report.summary_line()
        );
        assert_eq!(
            report.count(ImportOutcome::Failed),
            1,
            "{}",
            report.summary_line()
        );
        let failure = report
            .items
            .iter()
            .find(|i| i.outcome == ImportOutcome::Failed)
            .unwrap();
        assert!(
            failure.error.as_deref().unwrap_or("").contains("line"),
            "{failure:?}"
        );
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 121);
    }

    pub async fn import_dry_run_changes_nothing(vault: Vault) {
        let calendar = setup(&vault).await;
        let mut events: Vec<String> = (0..10)
            .map(|i| body(&format!("d{i}"), &format!("Dry {i}"), "20240301T100000Z"))
            .collect();
        events.push(body("copy-of-d3", "Dry 3", "20240301T100000Z"));
        let before = vault.store().position(calendar.id).await.unwrap();
        let report = vault
            .import(Actor::Admin, &calendar, &file(&events), true)
            .await
            .unwrap();
        // The copy of d3 under another UID is a twin within the file itself.
        assert_eq!(
            report.summary_line(),
            "dry run: would have created 10, updated 0, duplicates skipped 1, failed 0"
        );
        assert_eq!(vault.store().position(calendar.id).await.unwrap(), before);
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 0);
        assert!(
            vault
                .list_snapshots(Actor::Admin, &calendar)
                .await
                .unwrap()
                .is_empty()
        );
    }

    pub async fn dedupe_keeps_richest_copy(vault: Vault) {
        let calendar = setup(&vault).await;
        let any = Condition::default();
        let plain = event("plain", "Meeting", "20240105T090000Z");
        let rich = plain.replace("UID:plain", "UID:rich").replace(
            "SUMMARY:Meeting\r\n",
            "SUMMARY:Meeting\r\nDESCRIPTION:agenda\r\nCATEGORIES:work\r\n",
        );
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "plain.ics",
                &plain,
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "rich.ics",
                &rich,
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "other.ics",
                &event("other", "Other", "20240106T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let dry = vault.dedupe(Actor::Admin, &calendar, true).await.unwrap();
        assert_eq!(dry.groups.len(), 1);
        assert_eq!(dry.groups[0].keep.uid, "rich");
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 3);
        let done = vault.dedupe(Actor::Admin, &calendar, false).await.unwrap();
        assert_eq!(done.removed(), 1);
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 2);
        assert!(
            vault
                .get_object(Actor::Admin, &calendar, "rich.ics")
                .await
                .is_ok()
        );
        // The removed copy is in the trash, and the automatic snapshot undoes the whole merge.
        assert_eq!(
            vault.trash(Actor::Admin, &calendar).await.unwrap()[0].uid,
            "plain"
        );
        vault
            .restore_snapshot(Actor::Admin, done.snapshot.unwrap().id, false)
            .await
            .unwrap();
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 3);
    }

    pub async fn archive_moves_ended_events(vault: Vault) {
        let calendar = setup(&vault).await;
        let any = Condition::default();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "old.ics",
                &event("old", "Old", "20200105T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "recent.ics",
                &event("recent", "Recent", "20300105T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let forever = event("forever", "Weekly", "20190105T090000Z")
            .replace("SUMMARY:Weekly", "SUMMARY:Weekly\r\nRRULE:FREQ=WEEKLY");
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "forever.ics",
                &forever,
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let before = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        let dry = vault
            .archive(Actor::Admin, &calendar, before, true)
            .await
            .unwrap();
        assert_eq!(
            dry.moved.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(),
            vec!["old"]
        );
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 3);
        let done = vault
            .archive(Actor::Admin, &calendar, before, false)
            .await
            .unwrap();
        let archive = done.archive.unwrap();
        assert_eq!(archive.name, "archive");
        assert_eq!(summaries(&vault, &calendar).await, vec!["Recent", "Weekly"]);
        assert_eq!(summaries(&vault, &archive).await, vec!["Old"]);
    }

    pub async fn export_current_and_snapshot(vault: Vault) {
        let calendar = setup(&vault).await;
        let any = Condition::default();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("a", "Alpha", "20240105T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let snapshot = vault
            .create_snapshot(Actor::Admin, &calendar, "one")
            .await
            .unwrap();
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "b.ics",
                &event("b", "Beta", "20240106T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let (count, now) = vault
            .export(Actor::Admin, &calendar, None, Vec::new())
            .await
            .unwrap();
        let now = String::from_utf8(now).unwrap();
        assert_eq!(count, 2);
        assert!(
            now.contains("SUMMARY:Alpha") && now.contains("SUMMARY:Beta"),
            "{now}"
        );
        assert_eq!(now.matches("BEGIN:VCALENDAR").count(), 1);
        let parsed = calvault_ical::parse_file(&now).unwrap();
        assert_eq!(parsed.objects.len(), 2);
        let (count, then) = vault
            .export(Actor::Admin, &calendar, Some(snapshot.id), Vec::new())
            .await
            .unwrap();
        let then = String::from_utf8(then).unwrap();
        assert_eq!(count, 1);
        assert!(
            then.contains("SUMMARY:Alpha") && !then.contains("SUMMARY:Beta"),
            "{then}"
        );
    }

    pub async fn access_is_limited_to_the_owner(vault: Vault) {
        let calendar = setup(&vault).await;
        let (bob, _) = vault.add_user("bob", None, "bob's password").await.unwrap();
        let bob = Actor::User(bob.id);
        let alice_path = CalendarPath::parse("alice").unwrap();
        assert!(matches!(
            vault.calendar(bob, &alice_path, Access::Read).await,
            Err(CoreError::NotFound(_))
        ));
        assert!(matches!(
            vault.list_calendars(bob, "alice").await,
            Err(CoreError::NotFound(_))
        ));
        let put = vault
            .put_object(
                bob,
                &calendar,
                "x.ics",
                &event("x", "X", "20240105T090000Z"),
                &Condition::default(),
                &Client::new("test"),
            )
            .await;
        assert!(matches!(put, Err(CoreError::NotFound(_))));
        assert!(matches!(
            vault.trash(bob, &calendar).await,
            Err(CoreError::NotFound(_))
        ));
        let snapshot = vault
            .create_snapshot(Actor::Admin, &calendar, "s")
            .await
            .unwrap();
        assert!(matches!(
            vault.restore_snapshot(bob, snapshot.id, false).await,
            Err(CoreError::NotFound(_))
        ));
        assert!(matches!(
            vault.export(bob, &calendar, None, Vec::new()).await,
            Err(CoreError::NotFound(_))
        ));
    }

    pub async fn calendar_delete_and_restore(vault: Vault) {
        let calendar = setup(&vault).await;
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("a", "Alpha", "20240105T090000Z"),
                &Condition::default(),
                &Client::new("test"),
            )
            .await
            .unwrap();
        let path = CalendarPath::parse("alice/work").unwrap();
        vault
            .create_calendar(Actor::Admin, &path, Some("Work"))
            .await
            .unwrap();
        assert!(matches!(
            vault.create_calendar(Actor::Admin, &path, None).await,
            Err(CoreError::AlreadyExists(_))
        ));
        let default = CalendarPath::parse("alice").unwrap();
        vault.delete_calendar(Actor::Admin, &default).await.unwrap();
        assert!(matches!(
            vault.calendar(Actor::Admin, &default, Access::Read).await,
            Err(CoreError::NotFound(_))
        ));
        assert_eq!(
            vault
                .list_calendars(Actor::Admin, "alice")
                .await
                .unwrap()
                .len(),
            1
        );
        let restored = vault
            .restore_calendar(Actor::Admin, "alice", "calendar")
            .await
            .unwrap();
        assert_eq!(restored.id, calendar.id);
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 1);
    }

    pub async fn sharing_grants_exactly_what_it_says(vault: Vault) {
        let calendar = setup(&vault).await;
        let (bob, _) = vault.add_user("bob", None, "bob's password").await.unwrap();
        let (carol, _) = vault
            .add_user("carol", None, "carol's password")
            .await
            .unwrap();
        let path = CalendarPath::parse("alice").unwrap();
        let any = Condition::default();
        let share = vault
            .share_calendar(
                Actor::Admin,
                &path,
                "bob",
                calvault_store::ShareAccess::Read,
            )
            .await
            .unwrap();
        assert_eq!(share.mount_name, "alice_calendar");
        let bob_actor = Actor::User(bob.id);
        // Bob sees it in his home and may read, not write.
        let home = vault.home_calendars(bob_actor, &bob).await.unwrap();
        let names: Vec<&str> = home.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, vec!["calendar", "alice_calendar"]);
        let mounted = vault
            .home_calendar(bob_actor, &bob, "alice_calendar", Access::Read)
            .await
            .unwrap();
        assert_eq!(mounted.calendar.id, calendar.id);
        assert!(vault.trash(bob_actor, &calendar).await.is_ok());
        let put = vault
            .put_object(
                bob_actor,
                &calendar,
                "b.ics",
                &event("b", "Bob's", "20240105T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await;
        assert!(matches!(put, Err(CoreError::Forbidden)), "{put:?}");
        // Read-write lets him write; carol, not shared with, cannot even see it.
        vault
            .share_calendar(
                Actor::Admin,
                &path,
                "bob",
                calvault_store::ShareAccess::ReadWrite,
            )
            .await
            .unwrap();
        vault
            .put_object(
                bob_actor,
                &calendar,
                "b.ics",
                &event("b", "Bob's", "20240105T090000Z"),
                &any,
                &Client::new("test"),
            )
            .await
            .unwrap();
        let carol_actor = Actor::User(carol.id);
        assert!(matches!(
            vault.get_object(carol_actor, &calendar, "b.ics").await,
            Err(CoreError::NotFound(_))
        ));
        assert!(matches!(
            vault
                .home_calendar(carol_actor, &carol, "alice_calendar", Access::Read)
                .await,
            Err(CoreError::NotFound(_))
        ));
        assert!(matches!(
            vault.home_calendars(carol_actor, &bob).await,
            Err(CoreError::NotFound(_))
        ));
        // Bob cannot re-share what is not his.
        assert!(
            vault
                .share_calendar(bob_actor, &path, "carol", calvault_store::ShareAccess::Read)
                .await
                .is_err()
        );
        vault
            .unshare_calendar(Actor::Admin, &path, "bob")
            .await
            .unwrap();
        assert!(matches!(
            vault.get_object(bob_actor, &calendar, "b.ics").await,
            Err(CoreError::NotFound(_))
        ));
        assert!(
            vault
                .share_calendar(
                    Actor::Admin,
                    &path,
                    "alice",
                    calvault_store::ShareAccess::Read
                )
                .await
                .is_err()
        );
    }

    pub async fn app_passwords_and_failed_login_throttle(vault: Vault) {
        setup(&vault).await;
        let (created, secret) = vault.add_app_password("alice", "phone").await.unwrap();
        assert_eq!(created.name, "phone");
        assert!(secret.len() >= 24);
        assert!(!created.secret_sha256.contains(&secret));
        let signed_in = vault
            .authenticate("alice", &secret, "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(
            signed_in.app_password.as_ref().map(|a| a.name.as_str()),
            Some("phone")
        );
        assert!(
            vault
                .authenticate("alice", "correct horse", "10.0.0.1")
                .await
                .unwrap()
                .app_password
                .is_none()
        );
        assert!(matches!(
            vault.add_app_password("alice", "phone").await,
            Err(CoreError::AlreadyExists(_))
        ));
        let listed = vault.list_app_passwords("alice").await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].last_used_at.is_some());
        // Another process (the command line) revokes it: this server refuses it at once.
        let other_process = Vault::new(vault.store_handle(), Policy::default());
        other_process
            .revoke_app_password("alice", "phone")
            .await
            .unwrap();
        assert!(matches!(
            vault.authenticate("alice", &secret, "10.0.0.1").await,
            Err(CoreError::BadCredentials)
        ));
        // The same for a password changed elsewhere, though the old one was just verified.
        assert!(
            vault
                .authenticate("alice", "correct horse", "10.0.0.1")
                .await
                .is_ok()
        );
        other_process
            .set_password("alice", "new password here")
            .await
            .unwrap();
        assert!(matches!(
            vault
                .authenticate("alice", "correct horse", "10.0.0.1")
                .await,
            Err(CoreError::BadCredentials)
        ));
        assert!(
            vault
                .authenticate("alice", "new password here", "10.0.0.1")
                .await
                .is_ok()
        );
        other_process
            .set_password("alice", "correct horse")
            .await
            .unwrap();
        let (_, secret) = vault.add_app_password("alice", "phone").await.unwrap();
        assert!(
            vault
                .authenticate("alice", &secret, "10.0.0.1")
                .await
                .is_ok()
        );
        // A revoked app password stops working at once, even though it was just used.
        vault.revoke_app_password("alice", "phone").await.unwrap();
        assert!(matches!(
            vault.authenticate("alice", &secret, "10.0.0.1").await,
            Err(CoreError::BadCredentials)
        ));
        // Ten failures from one address block it for a while, whatever the password.
        for _ in 0..9 {
            assert!(matches!(
                vault.authenticate("alice", "guess", "10.0.0.2").await,
                Err(CoreError::BadCredentials)
            ));
        }
        let blocked = vault
            .authenticate("alice", "correct horse", "10.0.0.3")
            .await;
        assert!(
            blocked.is_ok(),
            "another address and the right password still work: {blocked:?}"
        );
        for _ in 0..2 {
            let _ = vault.authenticate("mallory", "guess", "10.0.0.2").await;
        }
        let refused = vault
            .authenticate("alice", "correct horse", "10.0.0.2")
            .await;
        assert!(
            matches!(refused, Err(CoreError::TooManyAttempts { .. })),
            "{refused:?}"
        );
    }

    pub async fn mass_deletion_guard_snapshots_before_the_burst(vault: Vault) {
        let calendar = setup(&vault).await;
        let events: Vec<String> = (0..40)
            .map(|i| {
                body(
                    &format!("g{i}"),
                    &format!("Guarded {i}"),
                    &format!("202402{:02}T090000Z", i % 28 + 1),
                )
            })
            .collect();
        vault
            .import(Actor::Admin, &calendar, &file(&events), false)
            .await
            .unwrap();
        let (alice, _) = (vault.user_named("alice").await.unwrap(), ());
        let phone = vault
            .touch_device(alice.id, "caldav", "phone-key", "Alice's phone")
            .await
            .unwrap();
        let client = Client::device("caldav", &phone);
        let names: Vec<String> = vault
            .store()
            .list_objects(calendar.id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect();
        // Ten deletions stay under the threshold: no alert.
        for name in &names[..10] {
            vault
                .delete_object(Actor::User(alice.id), &calendar, name, None, &client)
                .await
                .unwrap();
        }
        assert!(
            vault
                .alerts(Actor::Admin, "alice", false)
                .await
                .unwrap()
                .is_empty()
        );
        // The eleventh passes it (11 > 10 and 11 > 25% of 40): snapshot and alert.
        for name in &names[10..20] {
            vault
                .delete_object(Actor::User(alice.id), &calendar, name, None, &client)
                .await
                .unwrap();
        }
        let alerts = vault.alerts(Actor::Admin, "alice", false).await.unwrap();
        assert_eq!(alerts.len(), 1, "one alert per burst");
        let alert = &alerts[0];
        assert_eq!(alert.kind, calvault_core::MASS_DELETION);
        assert_eq!(alert.count, 20);
        assert_eq!(alert.device_id, Some(phone.id));
        assert!(
            alert.message.contains("Alice's phone deleted 20 objects"),
            "{}",
            alert.message
        );
        let snapshot = alert
            .snapshot_id
            .expect("the alert names the snapshot that restores");
        assert!(
            alert
                .message
                .contains(&format!("calvault snapshot restore {snapshot}")),
            "{}",
            alert.message
        );
        // The snapshot holds the calendar from before the first deletion of the burst.
        let (taken, _) = vault
            .snapshot(Actor::Admin, snapshot, Access::Read)
            .await
            .unwrap();
        assert_eq!(vault.snapshot_size(&taken).await.unwrap(), 40);
        vault
            .restore_snapshot(Actor::Admin, snapshot, false)
            .await
            .unwrap();
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 40);
        vault
            .resolve_alert(Actor::Admin, alert.id, "restored")
            .await
            .unwrap();
        assert!(
            vault
                .alerts(Actor::Admin, "alice", false)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            vault
                .alerts(Actor::Admin, "alice", true)
                .await
                .unwrap()
                .len(),
            1
        );
        // Deletions without a device (the owner at a page or the command line) are not guarded.
        for name in &names[..15] {
            vault
                .delete_object(Actor::Admin, &calendar, name, None, &Client::new("cli"))
                .await
                .unwrap();
        }
        assert!(
            vault
                .alerts(Actor::Admin, "alice", false)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(vault.list_devices("alice").await.unwrap().len(), 1);
    }

    pub async fn transfer_moves_and_copies_atomically(vault: Vault) {
        let calendar = setup(&vault).await;
        let work = vault
            .create_calendar(
                Actor::Admin,
                &CalendarPath::parse("alice/work").unwrap(),
                None,
            )
            .await
            .unwrap();
        let any = Condition::default();
        let client = Client::new("test");
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &event("a", "Alpha", "20240105T090000Z"),
                &any,
                &client,
            )
            .await
            .unwrap();
        // A copy into the same calendar would hold the UID twice.
        let twin = vault
            .transfer_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &calendar,
                "copy.ics",
                false,
                true,
                &client,
            )
            .await;
        assert!(
            matches!(twin, Err(CoreError::UidConflict { .. })),
            "{twin:?}"
        );
        // Rename within the calendar.
        vault
            .transfer_object(
                Actor::Admin,
                &calendar,
                "a.ics",
                &calendar,
                "renamed.ics",
                false,
                false,
                &client,
            )
            .await
            .unwrap();
        assert!(
            vault
                .get_object(Actor::Admin, &calendar, "a.ics")
                .await
                .is_err()
        );
        assert!(
            vault
                .get_object(Actor::Admin, &calendar, "renamed.ics")
                .await
                .is_ok()
        );
        // Copy to another calendar, then a move there without overwrite fails and changes nothing.
        vault
            .transfer_object(
                Actor::Admin,
                &calendar,
                "renamed.ics",
                &work,
                "a.ics",
                false,
                true,
                &client,
            )
            .await
            .unwrap();
        let refused = vault
            .transfer_object(
                Actor::Admin,
                &calendar,
                "renamed.ics",
                &work,
                "a.ics",
                false,
                false,
                &client,
            )
            .await;
        assert!(
            matches!(refused, Err(CoreError::PreconditionFailed(_))),
            "{refused:?}"
        );
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 1);
        // With overwrite the move goes through: one copy in work, none left behind.
        vault
            .transfer_object(
                Actor::Admin,
                &calendar,
                "renamed.ics",
                &work,
                "a.ics",
                true,
                false,
                &client,
            )
            .await
            .unwrap();
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 0);
        assert_eq!(vault.store().count_objects(work.id).await.unwrap(), 1);
        assert_eq!(vault.trash(Actor::Admin, &calendar).await.unwrap().len(), 1);
    }

    pub async fn import_name_taken_fails_one(vault: Vault) {
        let calendar = setup(&vault).await;
        // A client stored another UID under the name the import would give to "n7".
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                "n7.ics",
                &event("someone-else", "Squatter", "20230101T090000Z"),
                &Condition::default(),
                &Client::new("test"),
            )
            .await
            .unwrap();
        let events: Vec<String> = (0..120)
            .map(|i| {
                body(
                    &format!("n{i}"),
                    &format!("Named {i}"),
                    &format!("2024{:02}{:02}T090000Z", 1 + i % 12, 1 + i % 28),
                )
            })
            .collect();
        let report = vault
            .import(Actor::Admin, &calendar, &file(&events), false)
            .await
            .unwrap();
        assert_eq!(
            report.summary_line(),
            "created 119, updated 0, duplicates skipped 0, failed 1"
        );
        let failed = report
            .items
            .iter()
            .find(|i| i.outcome == ImportOutcome::Failed)
            .unwrap();
        assert_eq!(failed.uid, "n7");
        assert!(
            failed.error.as_deref().unwrap_or("").starts_with("n7: "),
            "{failed:?}"
        );
        assert_eq!(vault.store().count_objects(calendar.id).await.unwrap(), 120);
    }
}
