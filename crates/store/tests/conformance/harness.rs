//! One backend under test: the store as `dyn Store`, plus the raw SQL access a few tests need
//! (to break a row, to read a query plan). SQLite runs in a temporary folder; PostgreSQL in a fresh
//! schema of the database named by `CALVAULT_TEST_DATABASE_URL`, dropped at the end.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use calvault_store::{CalendarId, DeviceId, PostgresStore, Seq, SqliteStore, Store, Timestamp};
use futures::FutureExt;

pub const DEFAULT_DATABASE_URL: &str = "postgres://root@127.0.0.1:5432/test";

enum Raw {
    Sqlite(Arc<SqliteStore>, tempfile::TempDir),
    Postgres(Arc<PostgresStore>, String),
}

pub struct Backend {
    pub store: Arc<dyn Store>,
    raw: Raw,
}

impl Backend {
    pub fn name(&self) -> &'static str {
        self.store.backend()
    }

    /// Runs raw SQL (the same text on both backends) and returns the rows it changed.
    pub async fn exec(&self, sql: &str) -> u64 {
        let result = match &self.raw {
            Raw::Sqlite(store, _) => store.execute_unchecked(sql).await,
            Raw::Postgres(store, _) => store.execute_unchecked(sql).await,
        };
        result.unwrap_or_else(|e| panic!("raw SQL failed: {e}\n{sql}"))
    }

    /// The query plan of `changes_since` as the database prints it.
    pub async fn changes_since_plan(&self, calendar: CalendarId, since: Seq, limit: u32) -> String {
        let result = match &self.raw {
            Raw::Sqlite(store, _) => store.changes_since_plan(calendar, since, limit).await,
            Raw::Postgres(store, _) => store.changes_since_plan(calendar, since, limit).await,
        };
        result.expect("query plan")
    }

    /// Runs raw SQL with foreign keys unchecked (to leave an orphan row on purpose).
    pub async fn exec_without_foreign_keys(&self, sql: &str) -> u64 {
        let wrapped = match &self.raw {
            Raw::Sqlite(..) => {
                format!("PRAGMA foreign_keys = OFF; {sql}; PRAGMA foreign_keys = ON;")
            }
            // Foreign keys are triggers, which a replica session does not fire (superuser only).
            Raw::Postgres(..) => {
                format!("BEGIN; SET LOCAL session_replication_role = replica; {sql}; COMMIT;")
            }
        };
        self.exec(&wrapped).await
    }

    /// The query plan of `recent_deletions` as the database prints it.
    pub async fn recent_deletions_plan(
        &self,
        calendar: CalendarId,
        device: DeviceId,
        since: Timestamp,
    ) -> String {
        let result = match &self.raw {
            Raw::Sqlite(store, _) => store.recent_deletions_plan(calendar, device, since).await,
            Raw::Postgres(store, _) => store.recent_deletions_plan(calendar, device, since).await,
        };
        result.expect("query plan")
    }

    async fn finish(self) {
        match self.raw {
            Raw::Sqlite(store, dir) => {
                store.close().await;
                drop(dir);
            }
            Raw::Postgres(store, schema) => {
                store
                    .execute_unchecked(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                    .await
                    .expect("drop test schema");
                store.close().await;
            }
        }
    }
}

pub async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("data"))
            .await
            .expect("open SQLite store"),
    );
    Backend {
        store: store.clone(),
        raw: Raw::Sqlite(store, dir),
    }
}

/// None when the run opted out of PostgreSQL (`CALVAULT_SKIP_POSTGRES=1`); an unreachable server
/// otherwise fails the test.
pub async fn postgres(test: &str) -> Option<Backend> {
    if std::env::var("CALVAULT_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("{test}: skipped, CALVAULT_SKIP_POSTGRES=1");
        return None;
    }
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let url = std::env::var("CALVAULT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!(
        "cvtest_{}_{}_{}_{nanos}",
        test.chars().take(30).collect::<String>(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let store = PostgresStore::connect_in_schema(&url, &schema)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL at {url} is needed (set CALVAULT_SKIP_POSTGRES=1 to skip): {e}")
        });
    let store = Arc::new(store);
    Some(Backend {
        store: store.clone(),
        raw: Raw::Postgres(store, schema),
    })
}

/// Runs one test on a backend and cleans up afterwards, also when the test panics.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Arc<Backend>) -> Fut,
    Fut: Future<Output = ()>,
{
    let backend = Arc::new(backend);
    let outcome = AssertUnwindSafe(test(backend.clone())).catch_unwind().await;
    if let Ok(backend) = Arc::try_unwrap(backend) {
        backend.finish().await;
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
