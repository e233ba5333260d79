//! The SQLite backend: the embedded default, one file in the data folder, WAL journal.
//!
//! Every write is a `BEGIN IMMEDIATE` transaction (a second writer, connection or process,
//! waits on the busy timeout instead of failing mid-transaction): journal commits on the
//! committer's own connection, where those that arrive together share one transaction and one
//! fsync (`group_commit`), other writes on one writer connection. Reads come from WAL
//! snapshots: the ones every request makes on the calling thread (`direct`), scans through a
//! small sqlx pool. `synchronous=FULL`: an acknowledged write survives a power cut.

mod direct;
mod group_commit;
mod settings;
mod syncml;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Sqlite, SqliteConnection, Transaction};

use crate::dav_tree;
use crate::rows::*;
use crate::sql_error::{classify, expect_row, unique};
use crate::*;

/// The database file inside the data folder.
const DATABASE_FILE: &str = "calvault.db";
const READERS: u32 = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// SQLite accepts at most 32766 bound parameters per statement; multi-row statements stay well
/// below it.
const ROWS_PER_STATEMENT: usize = 1000;

/// How often a background task copies the WAL into the database file, so that commits do not.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// The writer checkpoints by itself only past this many WAL pages (64 MiB): a safety net should
/// the background task fall behind.
const WAL_AUTOCHECKPOINT_PAGES: &str = "16384";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    checkpointer: SqlitePool,
    checkpoint_task: tokio::task::JoinHandle<()>,
    commits: group_commit::Committer,
    direct: std::sync::Arc<direct::DirectReads>,
    path: PathBuf,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.checkpoint_task.abort();
    }
}

impl SqliteStore {
    /// Opens (creating it if needed) `calvault.db` in `data_dir` and runs the migrations. Starts
    /// the WAL checkpointer on the current tokio runtime; it stops when the store is dropped.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        tokio::fs::create_dir_all(data_dir).await?;
        let path = data_dir.join(DATABASE_FILE);
        let base = SqliteConnectOptions::new()
            .filename(&path)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Full)
            // Each connection keeps its own page cache, counted in the server's memory: readers
            // and the checkpointer keep 8 MiB and lean on the operating system's file cache.
            .pragma("cache_size", "-8192")
            .pragma("temp_store", "MEMORY")
            // Rows cross from SQLite's worker thread in a channel; a deep one spares a thread
            // wake-up per row on large results.
            .row_buffer_size(1024);
        // Journal commits have a connection of their own (`group_commit`); this one makes the
        // other writes (calendars, accounts, settings), small ones.
        let writer_options = base
            .clone()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(writer_options)
            .await?;
        MIGRATOR.run(&writer).await?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(base.clone())
            .await?;
        // The reads every request makes go through `direct`; these connections scan (a whole
        // calendar, a time range) and lean on the operating system's file cache.
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(
                base.pragma("query_only", "ON")
                    .pragma("cache_size", "-2048"),
            )
            .await?;
        let checkpoint_task = tokio::spawn(checkpoint_continuously(checkpointer.clone()));
        let commits = group_commit::Committer::start(&path)?;
        Ok(SqliteStore {
            writer,
            readers,
            checkpointer,
            checkpoint_task,
            commits,
            direct: std::sync::Arc::new(direct::DirectReads::new(path.clone())),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection (the WAL is checkpointed when the last one goes).
    pub async fn close(&self) {
        self.checkpoint_task.abort();
        self.commits.stop();
        self.checkpointer.close().await;
        self.readers.close().await;
        self.writer.close().await;
    }

    /// Runs raw SQL on the writer connection and returns the number of rows it changed. For tests
    /// (to break a row on purpose) and repair tools; the program itself never calls it.
    #[doc(hidden)]
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64> {
        let done = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// The query plan of `changes_since`, as `EXPLAIN QUERY PLAN` prints it (one line per step).
    pub async fn changes_since_plan(
        &self,
        calendar: CalendarId,
        since: Seq,
        limit: u32,
    ) -> Result<String> {
        let sql = concat!("EXPLAIN QUERY PLAN ", changes_since_sql!());
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(_, _, _, detail)| detail)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// The query plans of the object look-ups by UID, name and fingerprint, as `EXPLAIN QUERY
    /// PLAN` prints them, in that order.
    pub async fn object_lookup_plans(&self, calendar: CalendarId) -> Result<Vec<String>> {
        let mut plans = Vec::new();
        for sql in [
            concat!("EXPLAIN QUERY PLAN ", objects_by_uids_sql!()),
            concat!("EXPLAIN QUERY PLAN ", objects_by_names_sql!()),
            concat!("EXPLAIN QUERY PLAN ", objects_by_fingerprint_sql!()),
        ] {
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sql)
                .bind(calendar)
                .bind(r#"["a","b"]"#)
                .fetch_all(&self.readers)
                .await?;
            let details: Vec<String> = rows.into_iter().map(|(_, _, _, detail)| detail).collect();
            plans.push(details.join("\n"));
        }
        Ok(plans)
    }

    /// The query plan of `recent_deletions`, as `EXPLAIN QUERY PLAN` prints it.
    pub async fn recent_deletions_plan(
        &self,
        calendar: CalendarId,
        device: DeviceId,
        since: Timestamp,
    ) -> Result<String> {
        let sql = concat!("EXPLAIN QUERY PLAN ", recent_deletions_sql!());
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(device)
            .bind(since)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(_, _, _, detail)| detail)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// The query plan of `objects_in_range`, as `EXPLAIN QUERY PLAN` prints it.
    pub async fn objects_in_range_plan(&self, calendar: CalendarId) -> Result<String> {
        self.range_plan(
            concat!("EXPLAIN QUERY PLAN ", objects_in_range_sql!()),
            calendar,
        )
        .await
    }

    /// The query plan of `object_refs_in_range`.
    pub async fn object_refs_in_range_plan(&self, calendar: CalendarId) -> Result<String> {
        let sql = concat!("EXPLAIN QUERY PLAN ", object_refs_in_range_sql!());
        self.range_plan(sql, calendar).await
    }

    async fn range_plan(&self, sql: &'static str, calendar: CalendarId) -> Result<String> {
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(0_i64)
            .bind(1_i64)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(_, _, _, detail)| detail)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn read_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.readers.begin().await?)
    }
}

/// Checkpoints the WAL in the background (PASSIVE: never waits for readers or the writer). With
/// `synchronous=FULL` a checkpoint syncs the database file; done here, a commit pays only for its
/// own WAL sync.
async fn checkpoint_continuously(pool: SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        tick.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}

macro_rules! changes_since_sql {
    () => {
        concat!(
            "SELECT ",
            revision_meta_columns!(),
            " FROM revisions r WHERE r.calendar_id = $1 AND r.seq > $2 ORDER BY r.seq LIMIT $3"
        )
    };
}
use changes_since_sql;

/// A JSON array, bound as one parameter and read with `json_each` (SQLite's `= ANY($1)`).
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// `head VALUES (row), (row), ... tail` for `rows` rows.
fn values_sql(head: &str, row: &str, rows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * (row.len() + 2) + 8);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(row);
    }
    sql.push(' ');
    sql.push_str(tail);
    sql
}

async fn calendar_in(conn: &mut SqliteConnection, id: CalendarId) -> Result<Calendar> {
    let sql = concat!(
        "SELECT ",
        calendar_columns!(),
        " FROM calendars WHERE id = $1"
    );
    let row: Option<CalendarRow> = sqlx::query_as(sql).bind(id).fetch_optional(conn).await?;
    row.ok_or_else(|| StoreError::NotFound(format!("calendar {id}")))?
        .try_into()
}

async fn insert_calendar(
    conn: &mut SqliteConnection,
    user: UserId,
    calendar: &NewCalendar,
) -> Result<Calendar> {
    let sql = concat!(
        "INSERT INTO calendars (user_id, name, display_name, color, description, components, created_at, timezone, modified_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) RETURNING ",
        calendar_columns!()
    );
    let row: CalendarRow = sqlx::query_as(sql)
        .bind(user)
        .bind(&calendar.name)
        .bind(&calendar.display_name)
        .bind(&calendar.color)
        .bind(&calendar.description)
        .bind(encode_components(&calendar.components))
        .bind(calendar.created_at)
        .bind(&calendar.timezone)
        .fetch_one(conn)
        .await
        .map_err(|e| {
            classify(
                e,
                || format!("a calendar named {:?} already exists", calendar.name),
                || format!("user {user}"),
            )
        })?;
    row.try_into()
}

// ---- commit ----

// ---- compaction ----

/// Revisions written before `$2` that a newer revision of their UID supersedes and that no
/// snapshot pins (a snapshot at P pins the newest revision at or before P: the one whose seq is
/// at most P and whose successor's seq is above P).
const SUPERSEDED_UNPINNED: &str = "DELETE FROM revisions WHERE calendar_id = $1 AND seq IN ( \
     WITH chain AS (SELECT seq, at, LEAD(seq) OVER (PARTITION BY uid ORDER BY seq) AS next_seq \
                    FROM revisions WHERE calendar_id = $1) \
     SELECT seq FROM chain \
     WHERE next_seq IS NOT NULL AND at < $2 AND NOT EXISTS ( \
         SELECT 1 FROM snapshots s WHERE s.calendar_id = $1 AND s.position >= chain.seq AND s.position < chain.next_seq))";

/// Tombstones older than `$2` whose UID no snapshot still holds: a snapshot at or after the
/// UID's first remaining revision pins one of its revisions, so the UID must stay whole.
const PURGEABLE_TOMBSTONES: &str = "SELECT t.uid, t.seq FROM tombstones t \
     WHERE t.calendar_id = $1 AND t.deleted_at < $2 AND NOT EXISTS ( \
         SELECT 1 FROM snapshots s WHERE s.calendar_id = $1 AND s.position >= \
             (SELECT min(r.seq) FROM revisions r WHERE r.calendar_id = $1 AND r.uid = t.uid))";

// ---- plain WebDAV resources ----

macro_rules! recent_deletions_sql {
    () => {
        "SELECT count(*), min(seq) FROM revisions \
         WHERE calendar_id = $1 AND device_id = $2 AND kind = 'delete' AND at >= $3"
    };
}
use recent_deletions_sql;

async fn put_dav_file(conn: &mut SqliteConnection, user: UserId, file: &DavFile) -> Result<()> {
    dav_tree::validate(&file.path)?;
    let ancestors = dav_tree::ancestors(&file.path);
    if !ancestors.is_empty() {
        let blocking: Option<String> = sqlx::query_scalar(
            "SELECT path FROM dav_files WHERE user_id = $1 AND path IN (SELECT value FROM json_each($2)) \
             AND NOT collection LIMIT 1",
        )
        .bind(user)
        .bind(json_list(&ancestors))
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(blocking) = blocking {
            return Err(dav_tree::below_a_file(&file.path, &blocking));
        }
    }
    if !file.collection {
        let (low, high) = dav_tree::below(&file.path);
        let member: Option<String> = sqlx::query_scalar(
            "SELECT path FROM dav_files WHERE user_id = $1 AND path >= $2 AND path < $3 LIMIT 1",
        )
        .bind(user)
        .bind(&low)
        .bind(&high)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(member) = member {
            return Err(dav_tree::has_members(&file.path, &member));
        }
    }
    // A replaced resource keeps its id and creation time.
    sqlx::query(
        "INSERT INTO dav_files (user_id, path, collection, content, content_type, etag, properties, \
             created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (user_id, path) DO UPDATE SET collection = excluded.collection, content = excluded.content, \
             content_type = excluded.content_type, etag = excluded.etag, properties = excluded.properties, \
             modified_at = excluded.modified_at",
    )
    .bind(user)
    .bind(&file.path)
    .bind(file.collection)
    .bind(&file.content)
    .bind(&file.content_type)
    .bind(&file.etag)
    .bind(encode_properties(&file.properties))
    .bind(file.created_at)
    .bind(file.modified_at)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        classify(
            e,
            || format!("WebDAV resource {:?}", file.path),
            || format!("user {user}"),
        )
    })?;
    Ok(())
}

async fn delete_dav_tree(conn: &mut SqliteConnection, user: UserId, path: &str) -> Result<()> {
    dav_tree::validate(path)?;
    let (low, high) = dav_tree::below(path);
    sqlx::query(
        "DELETE FROM dav_files WHERE user_id = $1 AND (path = $2 OR (path >= $3 AND path < $4))",
    )
    .bind(user)
    .bind(path)
    .bind(&low)
    .bind(&high)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    // ---- users ----

    async fn create_user(
        &self,
        user: NewUser,
        first_calendar: NewCalendar,
    ) -> Result<(User, Calendar)> {
        let mut tx = self.write_tx().await?;
        let sql = concat!(
            "INSERT INTO users (name, email, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING ",
            user_columns!()
        );
        let row: UserRow = sqlx::query_as(sql)
            .bind(&user.name)
            .bind(&user.email)
            .bind(&user.password_hash)
            .bind(user.created_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| unique(e, || format!("a user named {:?} already exists", user.name)))?;
        let user = User::from(row);
        let calendar = insert_calendar(&mut tx, user.id, &first_calendar).await?;
        tx.commit().await?;
        Ok((user, calendar))
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
        let row: Option<UserRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.map(User::from))
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE name = $1");
        let row: Option<UserRow> = sqlx::query_as(sql)
            .bind(name)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.map(User::from))
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users ORDER BY name");
        let rows: Vec<UserRow> = sqlx::query_as(sql).fetch_all(&self.readers).await?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    async fn count_users(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&self.readers)
            .await?;
        Ok(n as u64)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || format!("user {id}"))
    }

    async fn delete_user(&self, id: UserId) -> Result<()> {
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || format!("user {id}"))
    }

    // ---- calendars ----

    async fn create_calendar(&self, user: UserId, calendar: NewCalendar) -> Result<Calendar> {
        let mut tx = self.write_tx().await?;
        let calendar = insert_calendar(&mut tx, user, &calendar).await?;
        tx.commit().await?;
        Ok(calendar)
    }

    async fn calendar(&self, id: CalendarId) -> Result<Option<Calendar>> {
        let sql = concat!(
            "SELECT ",
            calendar_columns!(),
            " FROM calendars WHERE id = $1"
        );
        let params: direct::Named = &[("$1", &id)];
        let row = self
            .direct
            .optional(sql, params, crate::rows::direct::calendar)?;
        row.map(Calendar::try_from).transpose()
    }

    async fn calendar_by_name(&self, user: UserId, name: &str) -> Result<Option<Calendar>> {
        let sql = concat!(
            "SELECT ",
            calendar_columns!(),
            " FROM calendars WHERE user_id = $1 AND name = $2 AND deleted_at IS NULL"
        );
        let params: direct::Named = &[("$1", &user), ("$2", &name)];
        let row = self
            .direct
            .optional(sql, params, crate::rows::direct::calendar)?;
        row.map(Calendar::try_from).transpose()
    }

    async fn list_calendars(&self, user: UserId, include_deleted: bool) -> Result<Vec<Calendar>> {
        let sql = concat!(
            "SELECT ",
            calendar_columns!(),
            " FROM calendars WHERE user_id = $1 AND ($2 OR deleted_at IS NULL) ORDER BY name, id"
        );
        let rows: Vec<CalendarRow> = sqlx::query_as(sql)
            .bind(user)
            .bind(include_deleted)
            .fetch_all(&self.readers)
            .await?;
        convert_all(rows)
    }

    async fn update_calendar(&self, id: CalendarId, patch: CalendarPatch) -> Result<Calendar> {
        let mut tx = self.write_tx().await?;
        let mut calendar = calendar_in(&mut tx, id).await?;
        patch.apply(&mut calendar);
        let sql = concat!(
            "UPDATE calendars SET name = $2, display_name = $3, color = $4, description = $5, components = $6, ",
            "timezone = $7, properties = $8, modified_at = max(modified_at, unixepoch()) WHERE id = $1 RETURNING ",
            calendar_columns!()
        );
        let row: CalendarRow = sqlx::query_as(sql)
            .bind(id)
            .bind(&calendar.name)
            .bind(&calendar.display_name)
            .bind(&calendar.color)
            .bind(&calendar.description)
            .bind(encode_components(&calendar.components))
            .bind(&calendar.timezone)
            .bind(encode_properties(&calendar.properties))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                unique(e, || {
                    format!("a calendar named {:?} already exists", calendar.name)
                })
            })?;
        tx.commit().await?;
        row.try_into()
    }

    async fn trash_calendar(&self, id: CalendarId, at: Timestamp) -> Result<()> {
        let done =
            sqlx::query("UPDATE calendars SET deleted_at = COALESCE(deleted_at, $2) WHERE id = $1")
                .bind(id)
                .bind(at)
                .execute(&self.writer)
                .await?;
        expect_row(done.rows_affected(), || format!("calendar {id}"))
    }

    async fn restore_calendar(&self, id: CalendarId) -> Result<()> {
        let done = sqlx::query("UPDATE calendars SET deleted_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(|e| {
                unique(e, || {
                    format!("calendar {id}: a live calendar already has its name")
                })
            })?;
        expect_row(done.rows_affected(), || format!("calendar {id}"))
    }

    async fn purge_calendar(&self, id: CalendarId) -> Result<()> {
        let done = sqlx::query("DELETE FROM calendars WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || format!("calendar {id}"))
    }

    // ---- objects ----

    async fn object_by_uid(&self, calendar: CalendarId, uid: &str) -> Result<Option<StoredObject>> {
        let sql = concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.uid = $2"
        );
        let row: Option<StoredObjectRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(uid)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.map(StoredObject::from))
    }

    async fn object_by_name(
        &self,
        calendar: CalendarId,
        name: &str,
    ) -> Result<Option<StoredObject>> {
        let sql = concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.name = $2"
        );
        let params: direct::Named = &[("$1", &calendar), ("$2", &name)];
        let row = self
            .direct
            .optional(sql, params, crate::rows::direct::stored_object)?;
        Ok(row.map(StoredObject::from))
    }

    async fn objects_by_fingerprint(
        &self,
        calendar: CalendarId,
        fingerprints: &[String],
    ) -> Result<Vec<StoredObject>> {
        let list = json_list(fingerprints);
        let params: direct::Named = &[("$1", &calendar), ("$2", &list)];
        let rows = self.direct.all(
            objects_by_fingerprint_sql!(),
            params,
            crate::rows::direct::stored_object,
        )?;
        let objects: Vec<StoredObject> = rows.into_iter().map(StoredObject::from).collect();
        Ok(sorted(objects, |o| o.meta.id))
    }

    async fn objects_by_uids(
        &self,
        calendar: CalendarId,
        uids: &[String],
    ) -> Result<Vec<StoredObject>> {
        let list = json_list(uids);
        let params: direct::Named = &[("$1", &calendar), ("$2", &list)];
        let rows = self.direct.all(
            objects_by_uids_sql!(),
            params,
            crate::rows::direct::stored_object,
        )?;
        let objects: Vec<StoredObject> = rows.into_iter().map(StoredObject::from).collect();
        Ok(sorted(objects, |o| o.meta.id))
    }

    async fn objects_by_names(
        &self,
        calendar: CalendarId,
        names: &[String],
    ) -> Result<Vec<StoredObject>> {
        let list = json_list(names);
        let params: direct::Named = &[("$1", &calendar), ("$2", &list)];
        let rows = self.direct.all(
            objects_by_names_sql!(),
            params,
            crate::rows::direct::stored_object,
        )?;
        let objects: Vec<StoredObject> = rows.into_iter().map(StoredObject::from).collect();
        Ok(sorted(objects, |o| o.meta.name.clone()))
    }

    async fn list_objects(&self, calendar: CalendarId) -> Result<Vec<ObjectMeta>> {
        let sql = concat!(
            "SELECT ",
            object_columns!(),
            " FROM objects o WHERE o.calendar_id = $1"
        );
        let params = vec![("$1", Value::Integer(calendar))];
        let rows = self
            .direct
            .all_blocking(sql, params, crate::rows::direct::object_meta)
            .await?;
        let mut objects: Vec<ObjectMeta> = rows.into_iter().map(ObjectMeta::from).collect();
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(objects)
    }

    async fn count_objects(&self, calendar: CalendarId) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM objects WHERE calendar_id = $1")
            .bind(calendar)
            .fetch_one(&self.readers)
            .await?;
        Ok(n as u64)
    }

    async fn object_metas_page(
        &self,
        calendar: CalendarId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ObjectMeta>> {
        let sql = concat!(
            "SELECT ",
            object_columns!(),
            " FROM objects o WHERE o.calendar_id = $1 AND o.id > $2 ORDER BY o.id LIMIT $3"
        );
        let limit = i64::from(limit);
        let params: direct::Named = &[("$1", &calendar), ("$2", &after), ("$3", &limit)];
        let rows = self
            .direct
            .all(sql, params, crate::rows::direct::object_meta)?;
        let mut metas: Vec<ObjectMeta> = rows.into_iter().map(ObjectMeta::from).collect();
        metas.sort_by_key(|meta| meta.id);
        Ok(metas)
    }

    async fn objects_page(
        &self,
        calendar: CalendarId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredObject>> {
        let sql = concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.id > $2 ORDER BY o.id LIMIT $3"
        );
        let limit = i64::from(limit);
        let params: direct::Named = &[("$1", &calendar), ("$2", &after), ("$3", &limit)];
        let rows = self
            .direct
            .all(sql, params, crate::rows::direct::stored_object)?;
        let objects: Vec<StoredObject> = rows.into_iter().map(StoredObject::from).collect();
        Ok(sorted(objects, |o| o.meta.id))
    }

    async fn objects_in_range(
        &self,
        calendar: CalendarId,
        start: i64,
        end: i64,
    ) -> Result<Vec<StoredObject>> {
        let sql = objects_in_range_sql!();
        let params = vec![
            ("$1", Value::Integer(calendar)),
            ("$2", Value::Integer(start)),
            ("$3", Value::Integer(end)),
        ];
        let rows = self
            .direct
            .all_blocking(sql, params, crate::rows::direct::stored_object)
            .await?;
        let objects = rows.into_iter().map(StoredObject::from).collect();
        Ok(sorted(objects, |o| o.meta.id))
    }

    async fn object_refs_in_range(
        &self,
        calendar: CalendarId,
        start: i64,
        end: i64,
    ) -> Result<Vec<ObjectRef>> {
        let params = vec![
            ("$1", Value::Integer(calendar)),
            ("$2", Value::Integer(start)),
            ("$3", Value::Integer(end)),
        ];
        let mut refs = self
            .direct
            .all_blocking(object_refs_in_range_sql!(), params, |row| {
                Ok(ObjectRef {
                    id: row.get(0)?,
                    uid: row.get(1)?,
                    name: row.get(2)?,
                    seq: row.get(3)?,
                    component: row.get(4)?,
                })
            })
            .await?;
        refs.sort_by_key(|r| r.id);
        Ok(refs)
    }

    async fn revision_texts(
        &self,
        calendar: CalendarId,
        seqs: &[Seq],
    ) -> Result<Vec<(Seq, String)>> {
        let sql = "SELECT r.seq, r.data FROM revisions r WHERE r.calendar_id = $1 \
             AND r.seq IN (SELECT value FROM json_each($2)) AND r.data IS NOT NULL";
        let params = vec![
            ("$1", Value::Integer(calendar)),
            ("$2", Value::Text(json_list(seqs))),
        ];
        self.direct
            .all_blocking(sql, params, |row| Ok((row.get(0)?, row.get(1)?)))
            .await
    }

    async fn objects_ended_before(
        &self,
        calendar: CalendarId,
        before: i64,
    ) -> Result<Vec<ObjectMeta>> {
        let sql = concat!(
            "SELECT ",
            object_columns!(),
            " FROM objects o WHERE o.calendar_id = $1 AND o.last_end < $2 ORDER BY o.last_end, o.id"
        );
        let rows: Vec<ObjectMetaRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(before)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.into_iter().map(ObjectMeta::from).collect())
    }

    async fn fingerprint_twins(&self, calendar: CalendarId) -> Result<Vec<Vec<ObjectMeta>>> {
        let sql = concat!(
            "SELECT ",
            object_columns!(),
            " FROM objects o WHERE o.calendar_id = $1 AND o.fingerprint IN (",
            "SELECT fingerprint FROM objects WHERE calendar_id = $1 GROUP BY fingerprint HAVING count(*) > 1) ",
            "ORDER BY o.fingerprint, o.id"
        );
        let rows: Vec<ObjectMetaRow> = sqlx::query_as(sql)
            .bind(calendar)
            .fetch_all(&self.readers)
            .await?;
        Ok(group_twins(rows))
    }

    // ---- the journal ----

    async fn commit(&self, changes: Vec<Change>, origin: &Origin) -> Result<Vec<RevisionMeta>> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = group_commit::Job {
            changes,
            origin: origin.clone(),
            reply,
        };
        let closed = || StoreError::CommitFailed("the store is closed".to_owned());
        self.commits.send(job).map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    async fn position(&self, calendar: CalendarId) -> Result<Seq> {
        let sql = "SELECT position FROM calendars WHERE id = $1";
        let params: direct::Named = &[("$1", &calendar)];
        let position: Option<i64> = self.direct.optional(sql, params, |row| row.get(0))?;
        position.ok_or_else(|| StoreError::NotFound(format!("calendar {calendar}")))
    }

    async fn changes_since(
        &self,
        calendar: CalendarId,
        since: Seq,
        limit: u32,
    ) -> Result<Vec<RevisionMeta>> {
        let calendar_sql = concat!(
            "SELECT ",
            calendar_columns!(),
            " FROM calendars WHERE id = $1"
        );
        let limit = i64::from(limit);
        // One read transaction: the journal's bounds and its rows from the same snapshot.
        let (found, rows) = self.direct.read(|connection| {
            let snapshot = connection.unchecked_transaction()?;
            let found = snapshot
                .prepare_cached(calendar_sql)?
                .query_row(&[("$1", &calendar as &dyn rusqlite::ToSql)], |row| {
                    crate::rows::direct::calendar(row)
                })
                .optional()?;
            let params: direct::Named = &[("$1", &calendar), ("$2", &since), ("$3", &limit)];
            let rows = snapshot
                .prepare_cached(changes_since_sql!())?
                .query_map(params, crate::rows::direct::revision_meta)?
                .collect::<rusqlite::Result<Vec<RevisionMetaRow>>>()?;
            snapshot.finish()?;
            Ok((found, rows))
        })?;
        let found = Calendar::try_from(
            found.ok_or_else(|| StoreError::NotFound(format!("calendar {calendar}")))?,
        )?;
        // RFC 6578 §3.2: a token older than the journal keeps must fail, never answer partially.
        if since < found.oldest_position {
            return Err(StoreError::PositionTooOld {
                calendar,
                position: since,
                oldest: found.oldest_position,
            });
        }
        let mut revisions: Vec<RevisionMeta> = convert_all(rows)?;
        revisions.sort_by_key(|revision| revision.seq);
        Ok(revisions)
    }

    async fn revision(&self, calendar: CalendarId, seq: Seq) -> Result<Option<Revision>> {
        let sql = concat!(
            "SELECT ",
            revision_columns!(),
            " FROM revisions r WHERE r.calendar_id = $1 AND r.seq = $2"
        );
        let row: Option<RevisionRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(seq)
            .fetch_optional(&self.readers)
            .await?;
        row.map(Revision::try_from).transpose()
    }

    async fn history(&self, calendar: CalendarId, uid: &str) -> Result<Vec<RevisionMeta>> {
        let sql = concat!(
            "SELECT ",
            revision_meta_columns!(),
            " FROM revisions r WHERE r.calendar_id = $1 AND r.uid = $2 ORDER BY r.seq DESC"
        );
        let rows: Vec<RevisionMetaRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(uid)
            .fetch_all(&self.readers)
            .await?;
        convert_all(rows)
    }

    async fn state_at(
        &self,
        calendar: CalendarId,
        position: Seq,
    ) -> Result<Vec<(String, Option<Revision>)>> {
        let sql = concat!(
            "SELECT ",
            state_columns!(),
            // `+uid`: the UIDs come from the primary key's range after $2, not from a walk of
            // the whole calendar's uid index (which would make a sync's cost the calendar's size).
            " FROM (SELECT DISTINCT +uid AS uid FROM revisions WHERE calendar_id = $1 AND seq > $2) c ",
            "LEFT JOIN revisions r ON r.calendar_id = $1 AND r.uid = c.uid AND r.kind = 'put' AND r.seq = ",
            "(SELECT max(p.seq) FROM revisions p WHERE p.calendar_id = $1 AND p.uid = c.uid AND p.seq <= $2) ",
            "ORDER BY c.uid"
        );
        let rows: Vec<StateRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(position)
            .fetch_all(&self.readers)
            .await?;
        rows.into_iter()
            .map(|row| row.into_state(calendar))
            .collect()
    }

    // ---- the trash ----

    async fn tombstones(&self, calendar: CalendarId, since: Timestamp) -> Result<Vec<Tombstone>> {
        let sql = concat!(
            "SELECT ",
            tombstone_columns!(),
            " FROM tombstones t JOIN revisions r ON r.calendar_id = t.calendar_id AND r.seq = t.seq ",
            "WHERE t.calendar_id = $1 AND t.deleted_at >= $2 ORDER BY t.deleted_at DESC, t.seq DESC"
        );
        let rows: Vec<TombstoneRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(since)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.into_iter().map(Tombstone::from).collect())
    }

    // ---- snapshots ----

    async fn create_snapshot(&self, snapshot: NewSnapshot) -> Result<Snapshot> {
        let mut tx = self.write_tx().await?;
        let calendar = calendar_in(&mut tx, snapshot.calendar_id).await?;
        crate::check::snapshot_position(&calendar, snapshot.position)?;
        let sql = concat!(
            "INSERT INTO snapshots (calendar_id, position, label, reason, automatic, created_at) ",
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            snapshot_columns!()
        );
        let row: SnapshotRow = sqlx::query_as(sql)
            .bind(snapshot.calendar_id)
            .bind(snapshot.position)
            .bind(&snapshot.label)
            .bind(&snapshot.reason)
            .bind(snapshot.automatic)
            .bind(snapshot.created_at)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    async fn snapshot(&self, id: SnapshotId) -> Result<Option<Snapshot>> {
        let sql = concat!(
            "SELECT ",
            snapshot_columns!(),
            " FROM snapshots WHERE id = $1"
        );
        let row: Option<SnapshotRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.map(Snapshot::from))
    }

    async fn list_snapshots(&self, calendar: CalendarId) -> Result<Vec<Snapshot>> {
        let sql = concat!(
            "SELECT ",
            snapshot_columns!(),
            " FROM snapshots WHERE calendar_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<SnapshotRow> = sqlx::query_as(sql)
            .bind(calendar)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.into_iter().map(Snapshot::from).collect())
    }

    async fn delete_snapshot(&self, id: SnapshotId) -> Result<()> {
        let done = sqlx::query("DELETE FROM snapshots WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || format!("snapshot {id}"))
    }

    async fn count_objects_at(&self, calendar: CalendarId, position: Seq) -> Result<u64> {
        // The live count now, minus the UIDs changed since that are live now, plus those of them
        // that were live then: the cost follows the changes since `position`.
        let n: i64 = sqlx::query_scalar(COUNT_OBJECTS_AT)
            .bind(calendar)
            .bind(position)
            .fetch_one(&self.readers)
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn objects_at_page(
        &self,
        calendar: CalendarId,
        position: Seq,
        after_uid: &str,
        limit: u32,
    ) -> Result<Vec<Revision>> {
        let rows: Vec<RevisionRow> = sqlx::query_as(OBJECTS_AT_PAGE)
            .bind(calendar)
            .bind(position)
            .bind(after_uid)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        convert_all(rows)
    }

    // ---- devices ----

    async fn upsert_device(&self, device: NewDevice) -> Result<Device> {
        let sql = concat!(
            "INSERT INTO devices (user_id, protocol, key, name, created_at, seen_at) VALUES ($1, $2, $3, $4, $5, $5) ",
            "ON CONFLICT (user_id, protocol, key) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at ",
            "RETURNING ",
            device_columns!()
        );
        let row: DeviceRow = sqlx::query_as(sql)
            .bind(device.user_id)
            .bind(&device.protocol)
            .bind(&device.key)
            .bind(&device.name)
            .bind(device.seen_at)
            .fetch_one(&self.writer)
            .await
            .map_err(|e| {
                classify(
                    e,
                    || format!("device {:?}", device.key),
                    || format!("user {}", device.user_id),
                )
            })?;
        row.try_into()
    }

    async fn device(&self, id: DeviceId) -> Result<Option<Device>> {
        let sql = concat!("SELECT ", device_columns!(), " FROM devices WHERE id = $1");
        let row: Option<DeviceRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        row.map(Device::try_from).transpose()
    }

    async fn list_devices(&self, user: UserId) -> Result<Vec<Device>> {
        let sql = concat!(
            "SELECT ",
            device_columns!(),
            " FROM devices WHERE user_id = $1 ORDER BY id"
        );
        let rows: Vec<DeviceRow> = sqlx::query_as(sql)
            .bind(user)
            .fetch_all(&self.readers)
            .await?;
        convert_all(rows)
    }

    async fn update_device_state(
        &self,
        id: DeviceId,
        state: &serde_json::Value,
        last_sync: Option<Timestamp>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE devices SET state = $2, last_sync = COALESCE($3, last_sync) WHERE id = $1",
        )
        .bind(id)
        .bind(state.to_string())
        .bind(last_sync)
        .execute(&self.writer)
        .await?;
        expect_row(done.rows_affected(), || format!("device {id}"))
    }

    async fn delete_device(&self, id: DeviceId) -> Result<()> {
        let done = sqlx::query("DELETE FROM devices WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || format!("device {id}"))
    }

    // ---- app passwords ----

    async fn create_app_password(&self, password: NewAppPassword) -> Result<AppPassword> {
        let sql = concat!(
            "INSERT INTO app_passwords (user_id, name, secret_sha256, created_at) VALUES ($1, $2, $3, $4) ",
            "RETURNING ",
            app_password_columns!()
        );
        let row: AppPasswordRow = sqlx::query_as(sql)
            .bind(password.user_id)
            .bind(&password.name)
            .bind(&password.secret_sha256)
            .bind(password.created_at)
            .fetch_one(&self.writer)
            .await
            .map_err(|e| {
                classify(
                    e,
                    || format!("an app password named {:?}", password.name),
                    || format!("user {}", password.user_id),
                )
            })?;
        Ok(row.into())
    }

    async fn list_app_passwords(&self, user: UserId) -> Result<Vec<AppPassword>> {
        let sql = concat!(
            "SELECT ",
            app_password_columns!(),
            " FROM app_passwords WHERE user_id = $1 ORDER BY name"
        );
        let rows: Vec<AppPasswordRow> = sqlx::query_as(sql)
            .bind(user)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.into_iter().map(AppPassword::from).collect())
    }

    async fn app_password_by_secret(
        &self,
        user: UserId,
        secret_sha256: &str,
    ) -> Result<Option<AppPassword>> {
        let sql = concat!(
            "SELECT ",
            app_password_columns!(),
            " FROM app_passwords WHERE user_id = $1 AND secret_sha256 = $2 ORDER BY id LIMIT 1"
        );
        let row: Option<AppPasswordRow> = sqlx::query_as(sql)
            .bind(user)
            .bind(secret_sha256)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.map(AppPassword::from))
    }

    async fn user_and_app_password(
        &self,
        name: &str,
        secret_sha256: &str,
    ) -> Result<Option<(User, Option<AppPassword>)>> {
        let params: direct::Named = &[("$1", &name), ("$2", &secret_sha256)];
        let row = self.direct.optional(
            USER_AND_APP_PASSWORD,
            params,
            crate::rows::direct::user_and_app_password,
        )?;
        Ok(row.map(Into::into))
    }

    async fn touch_app_password(&self, id: i64, at: Timestamp) -> Result<()> {
        let done = sqlx::query(TOUCH_APP_PASSWORD)
            .bind(id)
            .bind(at)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || format!("app password {id}"))
    }

    async fn delete_app_password(&self, user: UserId, name: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM app_passwords WHERE user_id = $1 AND name = $2")
            .bind(user)
            .bind(name)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || {
            format!("app password {name:?} of user {user}")
        })
    }

    // ---- sharing ----

    async fn upsert_share(&self, share: NewShare) -> Result<Share> {
        let mut tx = self.write_tx().await?;
        let owner = calendar_in(&mut tx, share.calendar_id).await?.user_id;
        crate::check::share_grantee(owner, &share)?;
        let row: (i64, i64, String, String, i64) = sqlx::query_as(UPSERT_SHARE)
            .bind(share.calendar_id)
            .bind(share.grantee_id)
            .bind(share.access.as_str())
            .bind(&share.mount_name)
            .bind(share.created_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                classify(
                    e,
                    || format!("a share mounted as {:?}", share.mount_name),
                    || format!("user {}", share.grantee_id),
                )
            })?;
        tx.commit().await?;
        let (calendar_id, grantee_id, access, mount_name, created_at) = row;
        Share::try_from(ShareRow {
            calendar_id,
            owner_id: owner,
            grantee_id,
            access,
            mount_name,
            created_at,
        })
    }

    async fn delete_share(&self, calendar: CalendarId, grantee: UserId) -> Result<()> {
        let done = sqlx::query("DELETE FROM shares WHERE calendar_id = $1 AND grantee_id = $2")
            .bind(calendar)
            .bind(grantee)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || {
            format!("share of calendar {calendar} with user {grantee}")
        })
    }

    async fn share(&self, calendar: CalendarId, grantee: UserId) -> Result<Option<Share>> {
        let sql = concat!(
            share_select!(),
            " WHERE s.calendar_id = $1 AND s.grantee_id = $2"
        );
        let row: Option<ShareRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(grantee)
            .fetch_optional(&self.readers)
            .await?;
        row.map(Share::try_from).transpose()
    }

    async fn shares_of_calendar(&self, calendar: CalendarId) -> Result<Vec<Share>> {
        let sql = concat!(
            share_select!(),
            " WHERE s.calendar_id = $1 ORDER BY s.grantee_id"
        );
        let rows: Vec<ShareRow> = sqlx::query_as(sql)
            .bind(calendar)
            .fetch_all(&self.readers)
            .await?;
        convert_all(rows)
    }

    async fn shares_for_user(&self, grantee: UserId) -> Result<Vec<Share>> {
        let sql = concat!(
            share_select!(),
            " WHERE s.grantee_id = $1 AND c.deleted_at IS NULL ORDER BY s.mount_name"
        );
        let rows: Vec<ShareRow> = sqlx::query_as(sql)
            .bind(grantee)
            .fetch_all(&self.readers)
            .await?;
        convert_all(rows)
    }

    // ---- alerts ----

    async fn create_alert(&self, alert: NewAlert) -> Result<Alert> {
        let sql = concat!(
            "INSERT INTO alerts (user_id, calendar_id, device_id, kind, message, snapshot_id, count, data, created_at) ",
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
            alert_columns!()
        );
        let row: AlertRow = sqlx::query_as(sql)
            .bind(alert.user_id)
            .bind(alert.calendar_id)
            .bind(alert.device_id)
            .bind(&alert.kind)
            .bind(&alert.message)
            .bind(alert.snapshot_id)
            .bind(alert.count)
            .bind(alert.data.to_string())
            .bind(alert.created_at)
            .fetch_one(&self.writer)
            .await
            .map_err(|e| classify(e, String::new, || alert_parents(&alert)))?;
        row.try_into()
    }

    async fn alert(&self, id: i64) -> Result<Option<Alert>> {
        let sql = concat!("SELECT ", alert_columns!(), " FROM alerts WHERE id = $1");
        let row: Option<AlertRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        row.map(Alert::try_from).transpose()
    }

    async fn list_alerts(&self, user: UserId, include_resolved: bool) -> Result<Vec<Alert>> {
        let sql = concat!(
            "SELECT ",
            alert_columns!(),
            " FROM alerts WHERE user_id = $1 AND ($2 OR resolved_at IS NULL) ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<AlertRow> = sqlx::query_as(sql)
            .bind(user)
            .bind(include_resolved)
            .fetch_all(&self.readers)
            .await?;
        convert_all(rows)
    }

    async fn update_alert(
        &self,
        id: i64,
        message: &str,
        count: i64,
        data: &serde_json::Value,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE alerts SET message = $2, count = $3, data = $4 WHERE id = $1 AND resolved_at IS NULL",
        )
        .bind(id)
        .bind(message)
        .bind(count)
        .bind(data.to_string())
        .execute(&self.writer)
        .await?;
        expect_row(done.rows_affected(), || format!("open alert {id}"))
    }

    async fn resolve_alert(&self, id: i64, at: Timestamp, resolution: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE alerts SET resolved_at = $2, resolution = $3 WHERE id = $1 AND resolved_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .bind(resolution)
        .execute(&self.writer)
        .await?;
        expect_row(done.rows_affected(), || format!("open alert {id}"))
    }

    // ---- the mass-deletion guard ----

    async fn recent_deletions(
        &self,
        calendar: CalendarId,
        device: DeviceId,
        since: Timestamp,
    ) -> Result<(u64, Option<Seq>)> {
        let (count, first): (i64, Option<i64>) = sqlx::query_as(recent_deletions_sql!())
            .bind(calendar)
            .bind(device)
            .bind(since)
            .fetch_one(&self.readers)
            .await?;
        Ok((count.max(0) as u64, first))
    }

    // ---- plain WebDAV resources ----

    async fn dav_file(&self, user: UserId, path: &str) -> Result<Option<DavFile>> {
        let sql = concat!(
            "SELECT ",
            dav_file_columns!(),
            " FROM dav_files WHERE user_id = $1 AND path = $2"
        );
        let row: Option<DavFileRow> = sqlx::query_as(sql)
            .bind(user)
            .bind(path)
            .fetch_optional(&self.readers)
            .await?;
        row.map(DavFile::try_from).transpose()
    }

    async fn dav_files_under(&self, user: UserId, path: &str) -> Result<Vec<DavFile>> {
        let rows: Vec<DavFileRow> = if path.is_empty() {
            let sql = concat!(
                "SELECT ",
                dav_file_columns!(),
                " FROM dav_files WHERE user_id = $1 ORDER BY path"
            );
            sqlx::query_as(sql)
                .bind(user)
                .fetch_all(&self.readers)
                .await?
        } else {
            let (low, high) = dav_tree::below(path);
            let sql = concat!(
                "SELECT ",
                dav_file_columns!(),
                " FROM dav_files WHERE user_id = $1 AND path >= $2 AND path < $3 ORDER BY path"
            );
            sqlx::query_as(sql)
                .bind(user)
                .bind(&low)
                .bind(&high)
                .fetch_all(&self.readers)
                .await?
        };
        convert_all(rows)
    }

    async fn write_dav_files(&self, user: UserId, changes: Vec<DavFileChange>) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("user {user}")));
        }
        for change in &changes {
            match change {
                DavFileChange::Put(file) => put_dav_file(&mut tx, user, file).await?,
                DavFileChange::DeleteTree(path) => delete_dav_tree(&mut tx, user, path).await?,
            }
        }
        tx.commit().await?;
        Ok(())
    }

    // ---- retention ----

    async fn compact(
        &self,
        calendar: CalendarId,
        before: Timestamp,
        purge_tombstones_before: Timestamp,
    ) -> Result<CompactReport> {
        let mut tx = self.write_tx().await?;
        calendar_in(&mut tx, calendar).await?;
        let superseded = sqlx::query(SUPERSEDED_UNPINNED)
            .bind(calendar)
            .bind(before)
            .execute(&mut *tx)
            .await?;
        let purgeable: Vec<(String, i64)> = sqlx::query_as(PURGEABLE_TOMBSTONES)
            .bind(calendar)
            .bind(purge_tombstones_before)
            .fetch_all(&mut *tx)
            .await?;
        let mut report = CompactReport {
            revisions_removed: superseded.rows_affected(),
            tombstones_purged: 0,
        };
        let Some(newest_purged) = purgeable.iter().map(|(_, seq)| *seq).max() else {
            tx.commit().await?;
            return Ok(report);
        };
        let uids: Vec<&str> = purgeable.iter().map(|(uid, _)| uid.as_str()).collect();
        let purged = sqlx::query("DELETE FROM revisions WHERE calendar_id = $1 AND uid IN (SELECT value FROM json_each($2))")
            .bind(calendar)
            .bind(json_list(&uids))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM tombstones WHERE calendar_id = $1 AND uid IN (SELECT value FROM json_each($2))")
            .bind(calendar)
            .bind(json_list(&uids))
            .execute(&mut *tx)
            .await?;
        // A client synced before the purged tombstone would never learn of the deletion.
        sqlx::query(
            "UPDATE calendars SET oldest_position = max(oldest_position, $2) WHERE id = $1",
        )
        .bind(calendar)
        .bind(newest_purged)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        report.revisions_removed += purged.rows_affected();
        report.tombstones_purged = purgeable.len() as u64;
        Ok(report)
    }

    async fn expire_automatic_snapshots(
        &self,
        calendar: CalendarId,
        before: Timestamp,
    ) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM snapshots WHERE calendar_id = $1 AND automatic = 1 AND created_at < $2",
        )
        .bind(calendar)
        .bind(before)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    // ---- integrity ----

    async fn check(&self) -> Result<Vec<String>> {
        let mut tx = self.read_tx().await?;
        let mut problems = Vec::new();
        for (sql, _) in crate::check::INVARIANTS {
            let found: Vec<String> = sqlx::query_scalar(*sql).fetch_all(&mut *tx).await?;
            problems.extend(found);
        }
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut *tx)
            .await?;
        problems.extend(
            integrity
                .into_iter()
                .filter(|line| line != "ok")
                .map(|line| format!("sqlite: {line}")),
        );
        let orphans: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                .fetch_all(&mut *tx)
                .await?;
        problems.extend(orphans.into_iter().map(|(table, rowid, parent)| {
            format!("{table} row {rowid} points to a missing {parent}")
        }));
        tx.commit().await?;
        Ok(problems)
    }
}

const COUNT_OBJECTS_AT: &str = "WITH c AS (SELECT DISTINCT uid FROM revisions WHERE calendar_id = $1 AND seq > $2) \
     SELECT (SELECT count(*) FROM objects WHERE calendar_id = $1) \
          - (SELECT count(*) FROM c WHERE EXISTS (SELECT 1 FROM objects o WHERE o.calendar_id = $1 AND o.uid = c.uid)) \
          + (SELECT count(*) FROM c WHERE (SELECT p.kind FROM revisions p WHERE p.calendar_id = $1 AND p.uid = c.uid \
                AND p.seq <= $2 ORDER BY p.seq DESC LIMIT 1) = 'put')";

/// Live at `$2`: a put at or before `$2` with no newer revision of its UID at or before `$2`.
const OBJECTS_AT_PAGE: &str = concat!(
    "SELECT ",
    revision_columns!(),
    " FROM revisions r WHERE r.calendar_id = $1 AND r.uid > $3 AND r.seq <= $2 AND r.kind = 'put' ",
    "AND NOT EXISTS (SELECT 1 FROM revisions n WHERE n.calendar_id = $1 AND n.uid = r.uid ",
    "AND n.seq > r.seq AND n.seq <= $2) ORDER BY r.uid LIMIT $4"
);

/// Moves `last_used_at` forward only (two nodes may authenticate the same password at once).
const TOUCH_APP_PASSWORD: &str = "UPDATE app_passwords SET last_used_at = \
     CASE WHEN last_used_at IS NULL OR last_used_at < $2 THEN $2 ELSE last_used_at END WHERE id = $1";

/// An existing share changes its access only: its mount name and creation time stay.
const UPSERT_SHARE: &str = "INSERT INTO shares (calendar_id, grantee_id, access, mount_name, created_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (calendar_id, grantee_id) DO UPDATE SET access = excluded.access \
     RETURNING calendar_id, grantee_id, access, mount_name, created_at";

/// Rows of an `IN (...)` lookup, sorted here rather than in SQL: an ORDER BY makes SQLite walk
/// the whole calendar in that order instead of seeking the looked-up column's index once per
/// value (which made imports quadratic).
fn sorted<K: Ord>(
    mut objects: Vec<StoredObject>,
    key: impl FnMut(&StoredObject) -> K,
) -> Vec<StoredObject> {
    objects.sort_by_key(key);
    objects
}

/// Objects whose span meets [$2, $3): both ends are tested in the `objects_span` index, so an
/// object that does not meet the range costs no look-up of its row. Named: without statistics,
/// SQLite takes the narrower `objects_first_start`, which looks up every row before the range.
macro_rules! objects_in_range_sql {
    () => {
        concat!(
            "SELECT ",
            $crate::rows::object_columns!(),
            ", r.data FROM objects o INDEXED BY objects_span ",
            "JOIN revisions r ON r.calendar_id = o.calendar_id AND r.seq = o.seq",
            " WHERE o.calendar_id = $1 AND (o.first_start IS NULL OR o.first_start < $3) ",
            "AND (o.last_end IS NULL OR o.last_end > $2)"
        )
    };
}
use objects_in_range_sql;

/// What `object_refs_in_range` reads: the columns the span index holds (and the rowid).
macro_rules! object_refs_in_range_sql {
    () => {
        concat!(
            "SELECT o.id, o.uid, o.name, o.seq, o.component FROM objects o ",
            "WHERE o.calendar_id = $1 AND (o.first_start IS NULL OR o.first_start < $3) ",
            "AND (o.last_end IS NULL OR o.last_end > $2)"
        )
    };
}
use object_refs_in_range_sql;

/// Objects by UID, name or fingerprint: each an index search per key, never a scan (a scan
/// here made imports quadratic). Rows, read on the calling thread (`direct`).
macro_rules! objects_by_uids_sql {
    () => {
        concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.uid IN (SELECT value FROM json_each($2))"
        )
    };
}
use objects_by_uids_sql;

macro_rules! objects_by_names_sql {
    () => {
        concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.name IN (SELECT value FROM json_each($2))"
        )
    };
}
use objects_by_names_sql;

macro_rules! objects_by_fingerprint_sql {
    () => {
        concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.fingerprint IN (SELECT value FROM json_each($2))"
        )
    };
}
use objects_by_fingerprint_sql;
