//! The PostgreSQL backend, for several calvault nodes sharing one database.
//!
//! The SQL stays within what CockroachDB and YugabyteDB also run: plain tables and indexes,
//! transactions, `INSERT ... ON CONFLICT`, `RETURNING`, `UNNEST`, `SELECT ... FOR UPDATE`; no
//! triggers, stored procedures or advisory locks in our own statements. Every statement filters by
//! user or calendar. Batches travel as arrays (`= ANY($1)`, `UNNEST`), never one round trip per row.
//! A commit that loses a serialization race (CockroachDB) is retried whole.

mod settings;
mod syncml;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Postgres, Transaction};

use crate::commit_plan::{self, DataSource, Plan, PlannedObject, batch_data};
use crate::dav_tree;
use crate::rows::*;
use crate::sql_error::{classify, expect_row, is_retryable, unique};
use crate::*;

const MAX_CONNECTIONS: u32 = 16;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a commit that lost a serialization race is tried again.
const COMMIT_ATTEMPTS: usize = 5;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        Self::connect_with(options).await
    }

    /// Connects to `url` with every pooled connection working in `schema` (created when missing),
    /// and runs the migrations there. Lets tests run isolated and in parallel on one database.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self> {
        if !is_plain_identifier(schema) {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                format!("schema name {schema:?}: use letters, digits and '_' only").into(),
            )));
        }
        let options = PgConnectOptions::from_str(url)?;
        let mut conn = PgConnection::connect_with(&options).await?;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS \"{schema}\""
        )))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Self::connect_with(options.options([("search_path", schema)])).await
    }

    async fn connect_with(options: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs raw SQL and returns the number of rows it changed. For tests (to break a row on
    /// purpose, to drop a test schema) and repair tools; the program itself never calls it.
    #[doc(hidden)]
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64> {
        let done = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The query plan of `changes_since`, as `EXPLAIN` prints it (statistics refreshed first).
    pub async fn changes_since_plan(
        &self,
        calendar: CalendarId,
        since: Seq,
        limit: u32,
    ) -> Result<String> {
        sqlx::query("ANALYZE revisions").execute(&self.pool).await?;
        let sql = concat!("EXPLAIN ", changes_since_sql!());
        let lines: Vec<String> = sqlx::query_scalar(sql)
            .bind(calendar)
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(lines.join("\n"))
    }

    /// The query plan of `recent_deletions`, as `EXPLAIN` prints it (statistics refreshed first).
    pub async fn recent_deletions_plan(
        &self,
        calendar: CalendarId,
        device: DeviceId,
        since: Timestamp,
    ) -> Result<String> {
        sqlx::query("ANALYZE revisions").execute(&self.pool).await?;
        let sql = concat!("EXPLAIN ", recent_deletions_sql!());
        let lines: Vec<String> = sqlx::query_scalar(sql)
            .bind(calendar)
            .bind(device)
            .bind(since)
            .fetch_all(&self.pool)
            .await?;
        Ok(lines.join("\n"))
    }

    /// A read-only transaction on one snapshot of the database.
    async fn read_tx(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?)
    }

    async fn write_dav_files_once(&self, user: UserId, changes: &[DavFileChange]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // Writers of one user's files take turns, so that no two batches build a file below a
        // file between them. NO KEY: rows that merely reference the user are not held up.
        let locked: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
                .bind(user)
                .fetch_optional(&mut *tx)
                .await?;
        if locked.is_none() {
            return Err(StoreError::NotFound(format!("user {user}")));
        }
        for change in changes {
            match change {
                DavFileChange::Put(file) => put_dav_file(&mut tx, user, file).await?,
                DavFileChange::DeleteTree(path) => delete_dav_tree(&mut tx, user, path).await?,
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn commit_once(&self, changes: &[Change], origin: &Origin) -> Result<Vec<RevisionMeta>> {
        let mut tx = self.pool.begin().await?;
        let (positions, current) = read_commit_state(&mut tx, changes).await?;
        let plan = commit_plan::plan(changes, &positions, &current)?;
        if plan.revisions.is_empty() {
            return Ok(Vec::new());
        }
        write_plan(&mut tx, &plan, changes, origin).await?;
        tx.commit().await?;
        Ok(plan.revision_metas(origin))
    }
}

fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 63
}

macro_rules! recent_deletions_sql {
    () => {
        "SELECT count(*), min(seq) FROM revisions \
         WHERE calendar_id = $1 AND device_id = $2 AND kind = 'delete' AND at >= $3"
    };
}
use recent_deletions_sql;

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

async fn calendar_in(conn: &mut PgConnection, id: CalendarId) -> Result<Calendar> {
    let sql = concat!(
        "SELECT ",
        calendar_columns!(),
        " FROM calendars WHERE id = $1"
    );
    let row: Option<CalendarRow> = sqlx::query_as(sql).bind(id).fetch_optional(conn).await?;
    row.ok_or_else(|| StoreError::NotFound(format!("calendar {id}")))?
        .try_into()
}

/// The calendar row, locked until the transaction ends: writers of one calendar take turns.
async fn lock_calendar(conn: &mut PgConnection, id: CalendarId) -> Result<Calendar> {
    let sql = concat!(
        "SELECT ",
        calendar_columns!(),
        " FROM calendars WHERE id = $1 FOR UPDATE"
    );
    let row: Option<CalendarRow> = sqlx::query_as(sql).bind(id).fetch_optional(conn).await?;
    row.ok_or_else(|| StoreError::NotFound(format!("calendar {id}")))?
        .try_into()
}

async fn insert_calendar(
    conn: &mut PgConnection,
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

/// Deletes the journal of calendars the caller has locked (the journal tables have no foreign
/// key, see the migration).
async fn delete_journal(conn: &mut PgConnection, calendars: &[CalendarId]) -> Result<()> {
    if calendars.is_empty() {
        return Ok(());
    }
    for table in ["tombstones", "objects", "revisions"] {
        let sql = format!("DELETE FROM {table} WHERE calendar_id = ANY($1)");
        sqlx::query(AssertSqlSafe(sql))
            .bind(calendars)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

// ---- commit ----

/// Locks every touched calendar (ascending ids, so concurrent batches cannot deadlock), then
/// reads the rows the batch's UIDs and names hit.
async fn read_commit_state(
    conn: &mut PgConnection,
    changes: &[Change],
) -> Result<(
    HashMap<CalendarId, Seq>,
    Vec<(CalendarId, CurrentObjectRow)>,
)> {
    let touched = commit_plan::touched(changes);
    let ids: Vec<i64> = touched.iter().map(|t| t.calendar_id).collect();
    let locked: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, position FROM calendars WHERE id = ANY($1) ORDER BY id FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let positions: HashMap<CalendarId, Seq> = locked.into_iter().collect();
    if let Some(missing) = ids.iter().find(|id| !positions.contains_key(id)) {
        return Err(StoreError::NotFound(format!("calendar {missing}")));
    }
    let mut current = Vec::new();
    for t in touched {
        let by_uid: Vec<CurrentObjectRow> = sqlx::query_as(
            "SELECT id, uid, name, seq, summary FROM objects WHERE calendar_id = $1 AND uid = ANY($2)",
        )
        .bind(t.calendar_id)
        .bind(&t.uids)
        .fetch_all(&mut *conn)
        .await?;
        let names = commit_plan::names_to_check(&t.names, &by_uid);
        current.extend(by_uid.into_iter().map(|row| (t.calendar_id, row)));
        if names.is_empty() {
            continue;
        }
        let by_name: Vec<CurrentObjectRow> = sqlx::query_as(
            "SELECT id, uid, name, seq, summary FROM objects WHERE calendar_id = $1 AND name = ANY($2)",
        )
        .bind(t.calendar_id)
        .bind(&names)
        .fetch_all(&mut *conn)
        .await?;
        current.extend(by_name.into_iter().map(|row| (t.calendar_id, row)));
    }
    Ok((positions, current))
}

async fn insert_revisions(
    conn: &mut PgConnection,
    plan: &Plan<'_>,
    changes: &[Change],
    origin: &Origin,
) -> Result<()> {
    let revisions = &plan.revisions;
    let calendar_ids: Vec<i64> = revisions.iter().map(|r| r.calendar_id).collect();
    let seqs: Vec<i64> = revisions.iter().map(|r| r.seq).collect();
    let uids: Vec<&str> = revisions.iter().map(|r| r.uid).collect();
    let names: Vec<&str> = revisions.iter().map(|r| r.name).collect();
    let kinds: Vec<&str> = revisions.iter().map(|r| r.kind.as_str()).collect();
    let mut data: Vec<Option<&str>> = Vec::with_capacity(revisions.len());
    let mut stored_seqs: Vec<Option<i64>> = Vec::with_capacity(revisions.len());
    for r in revisions {
        match r.data {
            DataSource::Batch(i) => {
                data.push(Some(batch_data(&changes[i])));
                stored_seqs.push(None);
            }
            DataSource::Stored(seq) => {
                data.push(None);
                stored_seqs.push(Some(seq));
            }
        }
    }
    let components: Vec<Option<&str>> = revisions
        .iter()
        .map(|r| r.facts.map(|f| f.component.as_str()))
        .collect();
    let first_starts: Vec<Option<i64>> = revisions
        .iter()
        .map(|r| r.facts.and_then(|f| f.first_start))
        .collect();
    let last_ends: Vec<Option<i64>> = revisions
        .iter()
        .map(|r| r.facts.and_then(|f| f.last_end))
        .collect();
    let fingerprints: Vec<Option<&str>> = revisions
        .iter()
        .map(|r| r.facts.map(|f| f.fingerprint.as_str()))
        .collect();
    let summaries: Vec<Option<&str>> = revisions.iter().map(|r| r.summary).collect();
    // A tombstone of a stored version copies that version's data inside the database.
    sqlx::query(
        "INSERT INTO revisions (calendar_id, seq, uid, name, kind, at, source, device_id, note, data, \
             component, first_start, last_end, fingerprint, summary) \
         SELECT u.calendar_id, u.seq, u.uid, u.name, u.kind, $1, $2, $3, $4, \
             COALESCE(u.data, (SELECT p.data FROM revisions p WHERE p.calendar_id = u.calendar_id AND p.seq = u.stored_seq)), \
             u.component, u.first_start, u.last_end, u.fingerprint, u.summary \
         FROM UNNEST($5::BIGINT[], $6::BIGINT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::BIGINT[], \
                     $12::TEXT[], $13::BIGINT[], $14::BIGINT[], $15::TEXT[], $16::TEXT[]) \
             AS u (calendar_id, seq, uid, name, kind, data, stored_seq, component, first_start, last_end, fingerprint, summary)",
    )
    .bind(origin.at)
    .bind(&origin.source)
    .bind(origin.device_id)
    .bind(&origin.note)
    .bind(&calendar_ids)
    .bind(&seqs)
    .bind(&uids)
    .bind(&names)
    .bind(&kinds)
    .bind(&data)
    .bind(&stored_seqs)
    .bind(&components)
    .bind(&first_starts)
    .bind(&last_ends)
    .bind(&fingerprints)
    .bind(&summaries)
    .execute(conn)
    .await?;
    Ok(())
}

async fn write_objects(conn: &mut PgConnection, plan: &Plan<'_>, at: Timestamp) -> Result<()> {
    for (calendar, uids) in plan.deletes_by_calendar() {
        sqlx::query("DELETE FROM objects WHERE calendar_id = $1 AND uid = ANY($2)")
            .bind(calendar)
            .bind(&uids)
            .execute(&mut *conn)
            .await?;
    }
    for (calendar, id) in &plan.object_renames {
        sqlx::query("UPDATE objects SET name = $3 WHERE calendar_id = $1 AND id = $2")
            .bind(calendar)
            .bind(id)
            .bind(Plan::parking_name(*id))
            .execute(&mut *conn)
            .await?;
    }
    // The calendars are locked, so the plan knows which rows exist: new ones take a plain INSERT
    // (no speculative insertion as with ON CONFLICT), stored ones an UPDATE by id.
    if !plan.object_inserts.is_empty() {
        let columns = ObjectColumns::of(&plan.object_inserts);
        sqlx::query(
            "INSERT INTO objects (calendar_id, uid, name, seq, component, first_start, last_end, fingerprint, \
                 summary, updated_at) \
             SELECT u.calendar_id, u.uid, u.name, u.seq, u.component, u.first_start, u.last_end, u.fingerprint, \
                 u.summary, $1 \
             FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::BIGINT[], $6::TEXT[], $7::BIGINT[], \
                         $8::BIGINT[], $9::TEXT[], $10::TEXT[]) \
                 AS u (calendar_id, uid, name, seq, component, first_start, last_end, fingerprint, summary)",
        )
        .bind(at)
        .bind(&columns.calendar_ids)
        .bind(&columns.uids)
        .bind(&columns.names)
        .bind(&columns.seqs)
        .bind(&columns.components)
        .bind(&columns.first_starts)
        .bind(&columns.last_ends)
        .bind(&columns.fingerprints)
        .bind(&columns.summaries)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique(e, || "an object UID or name is already used".to_owned()))?;
    }
    if !plan.object_updates.is_empty() {
        let columns = ObjectColumns::of(&plan.object_updates);
        let ids: Vec<i64> = plan.object_updates.iter().filter_map(|o| o.id).collect();
        sqlx::query(
            "UPDATE objects AS o SET name = u.name, seq = u.seq, component = u.component, \
                 first_start = u.first_start, last_end = u.last_end, fingerprint = u.fingerprint, \
                 summary = u.summary, updated_at = $1 \
             FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::BIGINT[], $6::TEXT[], $7::BIGINT[], \
                         $8::BIGINT[], $9::TEXT[], $10::TEXT[]) \
                 AS u (calendar_id, id, name, seq, component, first_start, last_end, fingerprint, summary) \
             WHERE o.calendar_id = u.calendar_id AND o.id = u.id",
        )
        .bind(at)
        .bind(&columns.calendar_ids)
        .bind(&ids)
        .bind(&columns.names)
        .bind(&columns.seqs)
        .bind(&columns.components)
        .bind(&columns.first_starts)
        .bind(&columns.last_ends)
        .bind(&columns.fingerprints)
        .bind(&columns.summaries)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique(e, || "an object name is already used".to_owned()))?;
    }
    Ok(())
}

/// Object rows as column arrays, for `UNNEST`.
struct ObjectColumns<'a> {
    calendar_ids: Vec<i64>,
    uids: Vec<&'a str>,
    names: Vec<&'a str>,
    seqs: Vec<i64>,
    components: Vec<&'a str>,
    first_starts: Vec<Option<i64>>,
    last_ends: Vec<Option<i64>>,
    fingerprints: Vec<&'a str>,
    summaries: Vec<Option<&'a str>>,
}

impl<'a> ObjectColumns<'a> {
    fn of(objects: &[PlannedObject<'a>]) -> Self {
        ObjectColumns {
            calendar_ids: objects.iter().map(|o| o.calendar_id).collect(),
            uids: objects.iter().map(|o| o.uid).collect(),
            names: objects.iter().map(|o| o.name).collect(),
            seqs: objects.iter().map(|o| o.seq).collect(),
            components: objects.iter().map(|o| o.facts.component.as_str()).collect(),
            first_starts: objects.iter().map(|o| o.facts.first_start).collect(),
            last_ends: objects.iter().map(|o| o.facts.last_end).collect(),
            fingerprints: objects
                .iter()
                .map(|o| o.facts.fingerprint.as_str())
                .collect(),
            summaries: objects.iter().map(|o| o.facts.summary.as_deref()).collect(),
        }
    }
}

async fn write_tombstones(conn: &mut PgConnection, plan: &Plan<'_>, at: Timestamp) -> Result<()> {
    for (calendar, uids) in plan.tombstone_clears_by_calendar() {
        sqlx::query("DELETE FROM tombstones WHERE calendar_id = $1 AND uid = ANY($2)")
            .bind(calendar)
            .bind(&uids)
            .execute(&mut *conn)
            .await?;
    }
    if plan.tombstone_sets.is_empty() {
        return Ok(());
    }
    let calendar_ids: Vec<i64> = plan.tombstone_sets.iter().map(|t| t.0).collect();
    let uids: Vec<&str> = plan.tombstone_sets.iter().map(|t| t.1).collect();
    let seqs: Vec<i64> = plan.tombstone_sets.iter().map(|t| t.2).collect();
    sqlx::query(
        "INSERT INTO tombstones (calendar_id, uid, seq, deleted_at) \
         SELECT u.calendar_id, u.uid, u.seq, $1 FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::BIGINT[]) AS u (calendar_id, uid, seq) \
         ON CONFLICT (calendar_id, uid) DO UPDATE SET seq = excluded.seq, deleted_at = excluded.deleted_at",
    )
    .bind(at)
    .bind(&calendar_ids)
    .bind(&uids)
    .bind(&seqs)
    .execute(conn)
    .await?;
    Ok(())
}

async fn write_plan(
    conn: &mut PgConnection,
    plan: &Plan<'_>,
    changes: &[Change],
    origin: &Origin,
) -> Result<()> {
    for (calendar, position) in &plan.positions {
        sqlx::query(
            "UPDATE calendars SET position = $2, modified_at = GREATEST(modified_at, $3) WHERE id = $1",
        )
        .bind(calendar)
        .bind(position)
        .bind(origin.at)
        .execute(&mut *conn)
        .await?;
    }
    insert_revisions(conn, plan, changes, origin).await?;
    write_objects(conn, plan, origin.at).await?;
    write_tombstones(conn, plan, origin.at).await
}

// ---- compaction (see the SQLite backend for the reasoning) ----

const SUPERSEDED_UNPINNED: &str = "DELETE FROM revisions WHERE calendar_id = $1 AND seq IN ( \
     WITH chain AS (SELECT seq, at, LEAD(seq) OVER (PARTITION BY uid ORDER BY seq) AS next_seq \
                    FROM revisions WHERE calendar_id = $1) \
     SELECT seq FROM chain \
     WHERE next_seq IS NOT NULL AND at < $2 AND NOT EXISTS ( \
         SELECT 1 FROM snapshots s WHERE s.calendar_id = $1 AND s.position >= chain.seq AND s.position < chain.next_seq))";

const PURGEABLE_TOMBSTONES: &str = "SELECT t.uid, t.seq FROM tombstones t \
     WHERE t.calendar_id = $1 AND t.deleted_at < $2 AND NOT EXISTS ( \
         SELECT 1 FROM snapshots s WHERE s.calendar_id = $1 AND s.position >= \
             (SELECT min(r.seq) FROM revisions r WHERE r.calendar_id = $1 AND r.uid = t.uid))";

const COUNT_OBJECTS_AT: &str = "WITH c AS (SELECT DISTINCT uid FROM revisions WHERE calendar_id = $1 AND seq > $2) \
     SELECT (SELECT count(*) FROM objects WHERE calendar_id = $1) \
          - (SELECT count(*) FROM c WHERE EXISTS (SELECT 1 FROM objects o WHERE o.calendar_id = $1 AND o.uid = c.uid)) \
          + (SELECT count(*) FROM c WHERE (SELECT p.kind FROM revisions p WHERE p.calendar_id = $1 AND p.uid = c.uid \
                AND p.seq <= $2 ORDER BY p.seq DESC LIMIT 1) = 'put')";

const OBJECTS_AT_PAGE: &str = concat!(
    "SELECT ",
    revision_columns!(),
    " FROM revisions r WHERE r.calendar_id = $1 AND r.uid > $3 AND r.seq <= $2 AND r.kind = 'put' ",
    "AND NOT EXISTS (SELECT 1 FROM revisions n WHERE n.calendar_id = $1 AND n.uid = r.uid ",
    "AND n.seq > r.seq AND n.seq <= $2) ORDER BY r.uid LIMIT $4"
);

/// WebDAV resources whose key (by which they are found) is not their path's UTF-8 bytes.
const DAV_PATH_KEYS: &str = "SELECT 'WebDAV resource ' || id || ' of user ' || user_id \
     || ': its path key is not the bytes of its path ' || path FROM dav_files \
     WHERE path_key <> convert_to(path, 'UTF8') ORDER BY id LIMIT 100";

/// Indexes left invalid (e.g. by an interrupted concurrent build) in the store's schema.
const INVALID_INDEXES: &str = "SELECT 'index ' || c.relname || ' is invalid' FROM pg_catalog.pg_index i \
     JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = current_schema() AND NOT i.indisvalid";

// ---- plain WebDAV resources ----
// Paths are matched and ranged on `path_key`, their UTF-8 bytes (see the migration).

async fn put_dav_file(conn: &mut PgConnection, user: UserId, file: &DavFile) -> Result<()> {
    dav_tree::validate(&file.path)?;
    let ancestors: Vec<&[u8]> = dav_tree::ancestors(&file.path)
        .into_iter()
        .map(str::as_bytes)
        .collect();
    if !ancestors.is_empty() {
        let blocking: Option<String> = sqlx::query_scalar(
            "SELECT path FROM dav_files WHERE user_id = $1 AND path_key = ANY($2) AND NOT collection LIMIT 1",
        )
        .bind(user)
        .bind(&ancestors)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(blocking) = blocking {
            return Err(dav_tree::below_a_file(&file.path, &blocking));
        }
    }
    if !file.collection {
        let (low, high) = dav_tree::below(&file.path);
        let member: Option<String> = sqlx::query_scalar(
            "SELECT path FROM dav_files WHERE user_id = $1 AND path_key >= $2 AND path_key < $3 LIMIT 1",
        )
        .bind(user)
        .bind(low.as_bytes())
        .bind(high.as_bytes())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(member) = member {
            return Err(dav_tree::has_members(&file.path, &member));
        }
    }
    // A replaced resource keeps its id and creation time.
    sqlx::query(
        "INSERT INTO dav_files (user_id, path, path_key, collection, content, content_type, etag, properties, \
             created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (user_id, path_key) DO UPDATE SET collection = excluded.collection, content = excluded.content, \
             content_type = excluded.content_type, etag = excluded.etag, properties = excluded.properties, \
             modified_at = excluded.modified_at",
    )
    .bind(user)
    .bind(&file.path)
    .bind(file.path.as_bytes())
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

async fn delete_dav_tree(conn: &mut PgConnection, user: UserId, path: &str) -> Result<()> {
    dav_tree::validate(path)?;
    let (low, high) = dav_tree::below(path);
    sqlx::query(
        "DELETE FROM dav_files WHERE user_id = $1 AND (path_key = $2 OR (path_key >= $3 AND path_key < $4))",
    )
    .bind(user)
    .bind(path.as_bytes())
    .bind(low.as_bytes())
    .bind(high.as_bytes())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves `last_used_at` forward only (two nodes may authenticate the same password at once).
const TOUCH_APP_PASSWORD: &str = "UPDATE app_passwords SET last_used_at = \
     CASE WHEN last_used_at IS NULL OR last_used_at < $2 THEN $2 ELSE last_used_at END WHERE id = $1";

/// An existing share changes its access only: its mount name and creation time stay.
const UPSERT_SHARE: &str = "INSERT INTO shares (calendar_id, grantee_id, access, mount_name, created_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (calendar_id, grantee_id) DO UPDATE SET access = excluded.access \
     RETURNING calendar_id, grantee_id, access, mount_name, created_at";

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    // ---- users ----

    async fn create_user(
        &self,
        user: NewUser,
        first_calendar: NewCalendar,
    ) -> Result<(User, Calendar)> {
        let mut tx = self.pool.begin().await?;
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
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(User::from))
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE name = $1");
        let row: Option<UserRow> = sqlx::query_as(sql)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(User::from))
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users ORDER BY name");
        let rows: Vec<UserRow> = sqlx::query_as(sql).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    async fn count_users(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .execute(&self.pool)
            .await?;
        expect_row(done.rows_affected(), || format!("user {id}"))
    }

    async fn delete_user(&self, id: UserId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let calendars: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM calendars WHERE user_id = $1 ORDER BY id FOR UPDATE",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        delete_journal(&mut tx, &calendars).await?;
        // Calendars, snapshots and devices go by cascade.
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        expect_row(done.rows_affected(), || format!("user {id}"))?;
        tx.commit().await?;
        Ok(())
    }

    // ---- calendars ----

    async fn create_calendar(&self, user: UserId, calendar: NewCalendar) -> Result<Calendar> {
        let mut conn = self.pool.acquire().await?;
        insert_calendar(&mut conn, user, &calendar).await
    }

    async fn calendar(&self, id: CalendarId) -> Result<Option<Calendar>> {
        let sql = concat!(
            "SELECT ",
            calendar_columns!(),
            " FROM calendars WHERE id = $1"
        );
        let row: Option<CalendarRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(Calendar::try_from).transpose()
    }

    async fn calendar_by_name(&self, user: UserId, name: &str) -> Result<Option<Calendar>> {
        let sql = concat!(
            "SELECT ",
            calendar_columns!(),
            " FROM calendars WHERE user_id = $1 AND name = $2 AND deleted_at IS NULL"
        );
        let row: Option<CalendarRow> = sqlx::query_as(sql)
            .bind(user)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
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
            .fetch_all(&self.pool)
            .await?;
        convert_all(rows)
    }

    async fn update_calendar(&self, id: CalendarId, patch: CalendarPatch) -> Result<Calendar> {
        let mut tx = self.pool.begin().await?;
        let mut calendar = lock_calendar(&mut tx, id).await?;
        patch.apply(&mut calendar);
        let sql = concat!(
            "UPDATE calendars SET name = $2, display_name = $3, color = $4, description = $5, components = $6, ",
            "timezone = $7, properties = $8, modified_at = GREATEST(modified_at, extract(epoch from now())::bigint) WHERE id = $1 RETURNING ",
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
                .execute(&self.pool)
                .await?;
        expect_row(done.rows_affected(), || format!("calendar {id}"))
    }

    async fn restore_calendar(&self, id: CalendarId) -> Result<()> {
        let done = sqlx::query("UPDATE calendars SET deleted_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| {
                unique(e, || {
                    format!("calendar {id}: a live calendar already has its name")
                })
            })?;
        expect_row(done.rows_affected(), || format!("calendar {id}"))
    }

    async fn purge_calendar(&self, id: CalendarId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        lock_calendar(&mut tx, id).await?;
        delete_journal(&mut tx, &[id]).await?;
        // Snapshots go by cascade.
        sqlx::query("DELETE FROM calendars WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
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
            .fetch_optional(&self.pool)
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
        let row: Option<StoredObjectRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(StoredObject::from))
    }

    async fn objects_by_fingerprint(
        &self,
        calendar: CalendarId,
        fingerprints: &[String],
    ) -> Result<Vec<StoredObject>> {
        let sql = concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.fingerprint = ANY($2) ORDER BY o.id"
        );
        let rows: Vec<StoredObjectRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(fingerprints)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(StoredObject::from).collect())
    }

    async fn objects_by_uids(
        &self,
        calendar: CalendarId,
        uids: &[String],
    ) -> Result<Vec<StoredObject>> {
        let sql = concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.uid = ANY($2) ORDER BY o.id"
        );
        let rows: Vec<StoredObjectRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(uids)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(StoredObject::from).collect())
    }

    async fn objects_by_names(
        &self,
        calendar: CalendarId,
        names: &[String],
    ) -> Result<Vec<StoredObject>> {
        let sql = concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND o.name = ANY($2) ORDER BY o.name"
        );
        let rows: Vec<StoredObjectRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(names)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(StoredObject::from).collect())
    }

    async fn list_objects(&self, calendar: CalendarId) -> Result<Vec<ObjectMeta>> {
        let sql = concat!(
            "SELECT ",
            object_columns!(),
            " FROM objects o WHERE o.calendar_id = $1 ORDER BY o.name"
        );
        let rows: Vec<ObjectMetaRow> = sqlx::query_as(sql)
            .bind(calendar)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(ObjectMeta::from).collect())
    }

    async fn count_objects(&self, calendar: CalendarId) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM objects WHERE calendar_id = $1")
            .bind(calendar)
            .fetch_one(&self.pool)
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
        let rows: Vec<ObjectMetaRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(ObjectMeta::from).collect())
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
        let rows: Vec<StoredObjectRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(StoredObject::from).collect())
    }

    async fn objects_in_range(
        &self,
        calendar: CalendarId,
        start: i64,
        end: i64,
    ) -> Result<Vec<StoredObject>> {
        let sql = concat!(
            stored_object_select!(),
            " WHERE o.calendar_id = $1 AND (o.first_start IS NULL OR o.first_start < $3) ",
            "AND (o.last_end IS NULL OR o.last_end > $2) ORDER BY o.id"
        );
        let rows: Vec<StoredObjectRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(start)
            .bind(end)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(StoredObject::from).collect())
    }

    async fn object_refs_in_range(
        &self,
        calendar: CalendarId,
        start: i64,
        end: i64,
    ) -> Result<Vec<ObjectRef>> {
        let sql = concat!(
            "SELECT o.id, o.uid, o.name, o.seq, o.component FROM objects o ",
            "WHERE o.calendar_id = $1 AND (o.first_start IS NULL OR o.first_start < $3) ",
            "AND (o.last_end IS NULL OR o.last_end > $2) ORDER BY o.id"
        );
        let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(start)
            .bind(end)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, uid, name, seq, component)| ObjectRef {
                id,
                uid,
                name,
                seq,
                component,
            })
            .collect())
    }

    async fn revision_texts(
        &self,
        calendar: CalendarId,
        seqs: &[Seq],
    ) -> Result<Vec<(Seq, String)>> {
        let sql = "SELECT seq, data FROM revisions WHERE calendar_id = $1 AND seq = ANY($2) \
             AND data IS NOT NULL";
        let rows: Vec<(i64, String)> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(seqs)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
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
            .fetch_all(&self.pool)
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
            .fetch_all(&self.pool)
            .await?;
        Ok(group_twins(rows))
    }

    // ---- the journal ----

    async fn commit(&self, changes: Vec<Change>, origin: &Origin) -> Result<Vec<RevisionMeta>> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let mut attempt = 1;
        loop {
            match self.commit_once(&changes, origin).await {
                Err(e) if is_retryable(&e) && attempt < COMMIT_ATTEMPTS => {
                    tracing::debug!(attempt, error = %e, "commit lost a serialization race; retrying");
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn position(&self, calendar: CalendarId) -> Result<Seq> {
        let position: Option<i64> =
            sqlx::query_scalar("SELECT position FROM calendars WHERE id = $1")
                .bind(calendar)
                .fetch_optional(&self.pool)
                .await?;
        position.ok_or_else(|| StoreError::NotFound(format!("calendar {calendar}")))
    }

    async fn changes_since(
        &self,
        calendar: CalendarId,
        since: Seq,
        limit: u32,
    ) -> Result<Vec<RevisionMeta>> {
        let mut tx = self.read_tx().await?;
        let found = calendar_in(&mut tx, calendar).await?;
        // RFC 6578 §3.2: a token older than the journal keeps must fail, never answer partially.
        if since < found.oldest_position {
            return Err(StoreError::PositionTooOld {
                calendar,
                position: since,
                oldest: found.oldest_position,
            });
        }
        let rows: Vec<RevisionMetaRow> = sqlx::query_as(changes_since_sql!())
            .bind(calendar)
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        convert_all(rows)
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
            .fetch_optional(&self.pool)
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
            .fetch_all(&self.pool)
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
            " FROM (SELECT DISTINCT uid FROM revisions WHERE calendar_id = $1 AND seq > $2) c ",
            "LEFT JOIN revisions r ON r.calendar_id = $1 AND r.uid = c.uid AND r.kind = 'put' AND r.seq = ",
            "(SELECT max(p.seq) FROM revisions p WHERE p.calendar_id = $1 AND p.uid = c.uid AND p.seq <= $2) ",
            "ORDER BY c.uid"
        );
        let rows: Vec<StateRow> = sqlx::query_as(sql)
            .bind(calendar)
            .bind(position)
            .fetch_all(&self.pool)
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
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Tombstone::from).collect())
    }

    // ---- snapshots ----

    async fn create_snapshot(&self, snapshot: NewSnapshot) -> Result<Snapshot> {
        let mut tx = self.pool.begin().await?;
        // Locked, so that a concurrent compaction cannot move the oldest position under us.
        let calendar = lock_calendar(&mut tx, snapshot.calendar_id).await?;
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
            .fetch_optional(&self.pool)
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
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Snapshot::from).collect())
    }

    async fn delete_snapshot(&self, id: SnapshotId) -> Result<()> {
        let done = sqlx::query("DELETE FROM snapshots WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        expect_row(done.rows_affected(), || format!("snapshot {id}"))
    }

    async fn count_objects_at(&self, calendar: CalendarId, position: Seq) -> Result<u64> {
        let mut tx = self.read_tx().await?;
        let n: i64 = sqlx::query_scalar(COUNT_OBJECTS_AT)
            .bind(calendar)
            .bind(position)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
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
            .fetch_all(&self.pool)
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
            .fetch_one(&self.pool)
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
            .fetch_optional(&self.pool)
            .await?;
        row.map(Device::try_from).transpose()
    }

    async fn list_devices(&self, user: UserId) -> Result<Vec<Device>> {
        let sql = concat!(
            "SELECT ",
            device_columns!(),
            " FROM devices WHERE user_id = $1 ORDER BY id"
        );
        let rows: Vec<DeviceRow> = sqlx::query_as(sql).bind(user).fetch_all(&self.pool).await?;
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
        .execute(&self.pool)
        .await?;
        expect_row(done.rows_affected(), || format!("device {id}"))
    }

    async fn delete_device(&self, id: DeviceId) -> Result<()> {
        let done = sqlx::query("DELETE FROM devices WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
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
            .fetch_one(&self.pool)
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
        let rows: Vec<AppPasswordRow> =
            sqlx::query_as(sql).bind(user).fetch_all(&self.pool).await?;
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
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(AppPassword::from))
    }

    async fn user_and_app_password(
        &self,
        name: &str,
        secret_sha256: &str,
    ) -> Result<Option<(User, Option<AppPassword>)>> {
        let row: Option<UserAppPasswordRow> = sqlx::query_as(USER_AND_APP_PASSWORD)
            .bind(name)
            .bind(secret_sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn touch_app_password(&self, id: i64, at: Timestamp) -> Result<()> {
        let done = sqlx::query(TOUCH_APP_PASSWORD)
            .bind(id)
            .bind(at)
            .execute(&self.pool)
            .await?;
        expect_row(done.rows_affected(), || format!("app password {id}"))
    }

    async fn delete_app_password(&self, user: UserId, name: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM app_passwords WHERE user_id = $1 AND name = $2")
            .bind(user)
            .bind(name)
            .execute(&self.pool)
            .await?;
        expect_row(done.rows_affected(), || {
            format!("app password {name:?} of user {user}")
        })
    }

    // ---- sharing ----

    async fn upsert_share(&self, share: NewShare) -> Result<Share> {
        let mut tx = self.pool.begin().await?;
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
            .execute(&self.pool)
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
            .fetch_optional(&self.pool)
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
            .fetch_all(&self.pool)
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
            .fetch_all(&self.pool)
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
            .fetch_one(&self.pool)
            .await
            .map_err(|e| classify(e, String::new, || alert_parents(&alert)))?;
        row.try_into()
    }

    async fn alert(&self, id: i64) -> Result<Option<Alert>> {
        let sql = concat!("SELECT ", alert_columns!(), " FROM alerts WHERE id = $1");
        let row: Option<AlertRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
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
            .fetch_all(&self.pool)
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
        .execute(&self.pool)
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
        .execute(&self.pool)
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
            .fetch_one(&self.pool)
            .await?;
        Ok((count.max(0) as u64, first))
    }

    // ---- plain WebDAV resources ----

    async fn dav_file(&self, user: UserId, path: &str) -> Result<Option<DavFile>> {
        let sql = concat!(
            "SELECT ",
            dav_file_columns!(),
            " FROM dav_files WHERE user_id = $1 AND path_key = $2"
        );
        let row: Option<DavFileRow> = sqlx::query_as(sql)
            .bind(user)
            .bind(path.as_bytes())
            .fetch_optional(&self.pool)
            .await?;
        row.map(DavFile::try_from).transpose()
    }

    async fn dav_files_under(&self, user: UserId, path: &str) -> Result<Vec<DavFile>> {
        let rows: Vec<DavFileRow> = if path.is_empty() {
            let sql = concat!(
                "SELECT ",
                dav_file_columns!(),
                " FROM dav_files WHERE user_id = $1 ORDER BY path_key"
            );
            sqlx::query_as(sql).bind(user).fetch_all(&self.pool).await?
        } else {
            let (low, high) = dav_tree::below(path);
            let sql = concat!(
                "SELECT ",
                dav_file_columns!(),
                " FROM dav_files WHERE user_id = $1 AND path_key >= $2 AND path_key < $3 ORDER BY path_key"
            );
            sqlx::query_as(sql)
                .bind(user)
                .bind(low.as_bytes())
                .bind(high.as_bytes())
                .fetch_all(&self.pool)
                .await?
        };
        convert_all(rows)
    }

    async fn write_dav_files(&self, user: UserId, changes: Vec<DavFileChange>) -> Result<()> {
        let mut attempt = 1;
        loop {
            match self.write_dav_files_once(user, &changes).await {
                Err(e) if is_retryable(&e) && attempt < COMMIT_ATTEMPTS => attempt += 1,
                result => return result,
            }
        }
    }

    // ---- retention ----

    async fn compact(
        &self,
        calendar: CalendarId,
        before: Timestamp,
        purge_tombstones_before: Timestamp,
    ) -> Result<CompactReport> {
        let mut tx = self.pool.begin().await?;
        // Locked: commits and snapshots of this calendar wait until compaction is done.
        lock_calendar(&mut tx, calendar).await?;
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
        let purged = sqlx::query("DELETE FROM revisions WHERE calendar_id = $1 AND uid = ANY($2)")
            .bind(calendar)
            .bind(&uids)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM tombstones WHERE calendar_id = $1 AND uid = ANY($2)")
            .bind(calendar)
            .bind(&uids)
            .execute(&mut *tx)
            .await?;
        // A client synced before the purged tombstone would never learn of the deletion.
        sqlx::query(
            "UPDATE calendars SET oldest_position = GREATEST(oldest_position, $2) WHERE id = $1",
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
            "DELETE FROM snapshots WHERE calendar_id = $1 AND automatic AND created_at < $2",
        )
        .bind(calendar)
        .bind(before)
        .execute(&self.pool)
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
        let keys: Vec<String> = sqlx::query_scalar(DAV_PATH_KEYS)
            .fetch_all(&mut *tx)
            .await?;
        problems.extend(keys);
        let invalid: Vec<String> = sqlx::query_scalar(INVALID_INDEXES)
            .fetch_all(&mut *tx)
            .await?;
        problems.extend(invalid.into_iter().map(|line| format!("postgres: {line}")));
        tx.commit().await?;
        Ok(problems)
    }
}
