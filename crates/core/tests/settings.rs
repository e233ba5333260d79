//! The user's settings through the domain, on both real backends: the calendar SyncML devices
//! sync by default, and private subscription (webcal) addresses with their access checks.

use std::sync::Arc;

use calvault_core::{Actor, CalendarPath, CoreError, Policy, Vault, is_webcal_token};
use calvault_store::{PostgresStore, ShareAccess, SqliteStore};

fn postgres_url() -> String {
    std::env::var("CALVAULT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
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

/// Runs one scenario on SQLite and on PostgreSQL (unless `CALVAULT_SKIP_POSTGRES=1`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().expect("temporary folder");
                    let store = SqliteStore::open(dir.path()).await.expect("store");
                    super::scenarios::$name(super::vault(Arc::new(store))).await;
                }
            )*
            use super::*;
        }
        mod postgres_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if std::env::var("CALVAULT_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
                        return;
                    }
                    // PostgreSQL names are at most 63 bytes.
                    let test: String = stringify!($name).chars().take(30).collect();
                    let schema = format!("core_settings_{test}_{}", std::process::id());
                    let store = PostgresStore::connect_in_schema(&super::postgres_url(), &schema)
                        .await
                        .expect("PostgreSQL at CALVAULT_TEST_DATABASE_URL");
                    super::scenarios::$name(super::vault(Arc::new(store))).await;
                    super::drop_schema(&schema).await;
                }
            )*
            use super::*;
        }
    };
}

fn vault(store: Arc<dyn calvault_store::Store>) -> Vault {
    Vault::new(store, Policy::default())
}

on_both_backends!(
    the_syncml_calendar_is_chosen_by_its_user_among_their_own,
    the_syncml_calendar_falls_back_when_the_choice_is_trashed,
    webcal_addresses_open_only_what_their_subscriber_may_read,
);

mod scenarios {
    use super::*;

    fn path(user: &str, calendar: &str) -> CalendarPath {
        CalendarPath {
            user: user.into(),
            calendar: calendar.into(),
        }
    }

    pub async fn the_syncml_calendar_is_chosen_by_its_user_among_their_own(vault: Vault) {
        let (alice, _) = vault.add_user("alice", None, "pw-alice-123").await.unwrap();
        let (bob, _) = vault.add_user("bob", None, "pw-bob-12345").await.unwrap();
        vault
            .create_calendar(Actor::Admin, &path("alice", "work"), None)
            .await
            .unwrap();
        let name = |c: Option<calvault_store::Calendar>| c.map(|c| c.name);
        assert_eq!(
            name(vault.syncml_calendar(alice.id).await.unwrap()).as_deref(),
            Some("calendar")
        );
        assert_eq!(vault.chosen_syncml_calendar(alice.id).await.unwrap(), None);

        let set = vault
            .set_syncml_calendar(Actor::User(alice.id), "alice", Some("work"))
            .await
            .unwrap();
        assert_eq!(name(set).as_deref(), Some("work"));
        assert_eq!(
            name(vault.syncml_calendar(alice.id).await.unwrap()).as_deref(),
            Some("work")
        );

        // Bob can neither choose for Alice nor pick a calendar that is not his own.
        assert!(matches!(
            vault
                .set_syncml_calendar(Actor::User(bob.id), "alice", Some("calendar"))
                .await,
            Err(CoreError::NotFound(_))
        ));
        vault
            .share_calendar(
                Actor::Admin,
                &path("alice", "work"),
                "bob",
                ShareAccess::ReadWrite,
            )
            .await
            .unwrap();
        assert!(matches!(
            vault
                .set_syncml_calendar(Actor::User(bob.id), "bob", Some("work"))
                .await,
            Err(CoreError::NotFound(_))
        ));
        assert_eq!(
            name(vault.syncml_calendar(bob.id).await.unwrap()).as_deref(),
            Some("calendar")
        );

        // None goes back to the calendar named `calendar`.
        vault
            .set_syncml_calendar(Actor::Admin, "alice", None)
            .await
            .unwrap();
        assert_eq!(
            name(vault.syncml_calendar(alice.id).await.unwrap()).as_deref(),
            Some("calendar")
        );
    }

    pub async fn the_syncml_calendar_falls_back_when_the_choice_is_trashed(vault: Vault) {
        let (alice, _) = vault.add_user("alice", None, "pw-alice-123").await.unwrap();
        vault
            .create_calendar(Actor::Admin, &path("alice", "work"), None)
            .await
            .unwrap();
        vault
            .set_syncml_calendar(Actor::Admin, "alice", Some("work"))
            .await
            .unwrap();
        vault
            .delete_calendar(Actor::Admin, &path("alice", "work"))
            .await
            .unwrap();
        let in_effect = vault.syncml_calendar(alice.id).await.unwrap().unwrap();
        assert_eq!(in_effect.name, "calendar");
        assert_eq!(vault.chosen_syncml_calendar(alice.id).await.unwrap(), None);

        // Restored, it is the choice again.
        vault
            .restore_calendar(Actor::Admin, "alice", "work")
            .await
            .unwrap();
        let in_effect = vault.syncml_calendar(alice.id).await.unwrap().unwrap();
        assert_eq!(in_effect.name, "work");

        // With `calendar` trashed as well, the first live calendar.
        vault
            .set_syncml_calendar(Actor::Admin, "alice", None)
            .await
            .unwrap();
        vault
            .delete_calendar(Actor::Admin, &path("alice", "calendar"))
            .await
            .unwrap();
        let in_effect = vault.syncml_calendar(alice.id).await.unwrap().unwrap();
        assert_eq!(in_effect.name, "work");
    }

    pub async fn webcal_addresses_open_only_what_their_subscriber_may_read(vault: Vault) {
        let (alice, _) = vault.add_user("alice", None, "pw-alice-123").await.unwrap();
        let (bob, _) = vault.add_user("bob", None, "pw-bob-12345").await.unwrap();
        let home = path("alice", "calendar");

        let (feed, token) = vault
            .add_webcal(Actor::User(alice.id), "alice", &home)
            .await
            .unwrap();
        assert!(is_webcal_token(&token), "{token}");
        assert_eq!(token.len() * 4, 256, "256 bits");
        assert_ne!(feed.token_sha256, token, "only the hash is kept");
        let (actor, calendar) = vault.webcal_calendar(&token).await.unwrap();
        assert_eq!(
            (actor, calendar.name.as_str()),
            (Actor::User(alice.id), "calendar")
        );
        let (_, count, bytes) = vault.export_webcal(&token, Vec::new()).await.unwrap();
        assert_eq!(count, 0);
        assert!(
            String::from_utf8(bytes)
                .unwrap()
                .contains("BEGIN:VCALENDAR")
        );

        // Bob cannot subscribe to Alice's calendar, list or revoke her addresses.
        assert!(matches!(
            vault.add_webcal(Actor::User(bob.id), "bob", &home).await,
            Err(CoreError::NotFound(_))
        ));
        assert!(matches!(
            vault.add_webcal(Actor::User(bob.id), "alice", &home).await,
            Err(CoreError::NotFound(_))
        ));
        assert!(
            vault
                .list_webcals(Actor::User(bob.id), "alice")
                .await
                .is_err()
        );
        assert!(matches!(
            vault
                .revoke_webcal(Actor::User(bob.id), "bob", feed.id)
                .await,
            Err(CoreError::NotFound(_))
        ));

        // Shared with him, he can; unshared, his address stops.
        vault
            .share_calendar(Actor::Admin, &home, "bob", ShareAccess::Read)
            .await
            .unwrap();
        let (_, bobs) = vault
            .add_webcal(Actor::User(bob.id), "bob", &home)
            .await
            .unwrap();
        assert!(vault.webcal_calendar(&bobs).await.is_ok());
        vault
            .unshare_calendar(Actor::Admin, &home, "bob")
            .await
            .unwrap();
        assert!(matches!(
            vault.webcal_calendar(&bobs).await,
            Err(CoreError::NotFound(_))
        ));

        // Revoked: gone at once; unknown and malformed tokens alike.
        let listed = vault
            .list_webcals(Actor::User(alice.id), "alice")
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        vault
            .revoke_webcal(Actor::User(alice.id), "alice", feed.id)
            .await
            .unwrap();
        for token in [token.as_str(), "not-a-token", &"f".repeat(64)] {
            assert!(matches!(
                vault.webcal_calendar(token).await,
                Err(CoreError::NotFound(_))
            ));
        }
    }
}
