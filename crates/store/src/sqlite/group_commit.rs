//! Group commit: batches that arrive while the writer is busy share one transaction, so one
//! fsync acknowledges all of them. A lone batch commits at once and waits for nobody.
//!
//! Each batch runs inside its own SAVEPOINT: one that fails (a precondition, a name already
//! taken) rolls back alone and reports its error, and the others still commit.
//!
//! The committer is a thread with a connection of its own: every statement of a batch is a
//! direct call into SQLite, not a hop to a connection's worker thread and back, which is most
//! of what a small commit costs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::thread::JoinHandle;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params_from_iter};
use tokio::sync::{mpsc, oneshot};

use super::direct::sqlite_error;
use super::{BUSY_TIMEOUT, ROWS_PER_STATEMENT, WAL_AUTOCHECKPOINT_PAGES, json_list, values_sql};
use crate::commit_plan::{self, DataSource, Plan, batch_data};
use crate::rows::CurrentObjectRow;
use crate::{CalendarId, Change, Origin, Result, RevisionMeta, Seq, StoreError, Timestamp};

/// At most this many batches share one transaction, so that a flood of writers still gets
/// answers at a steady pace.
const MAX_GROUP: usize = 64;

pub(super) struct Job {
    pub changes: Vec<Change>,
    pub origin: Origin,
    pub reply: oneshot::Sender<Result<Vec<RevisionMeta>>>,
}

/// The committer thread and the queue that feeds it.
pub(super) struct Committer {
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Committer {
    /// Opens the committer's connection to the database at `path` (already migrated) and
    /// starts its thread.
    pub fn start(path: &Path) -> Result<Committer> {
        let connection = open(path).map_err(sqlite_error)?;
        let (queue, jobs) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("sqlite-commit".to_owned())
            .spawn(move || run(connection, jobs))?;
        Ok(Committer {
            queue: Mutex::new(Some(queue)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues a job; gives it back when the committer has stopped.
    pub fn send(&self, job: Job) -> std::result::Result<(), Job> {
        let queue = self.queue.lock().ok().and_then(|queue| queue.clone());
        match queue {
            Some(queue) => queue.send(job).map_err(|error| error.0),
            None => Err(job),
        }
    }

    /// Lets the jobs already queued finish, then closes the connection.
    pub fn stop(&self) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut thread| thread.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // An acknowledged commit survives a power cut.
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // A batch of a thousand changes touches a few thousand pages, which 16 MiB holds; a larger
    // cache only kept the whole database resident in the server (the operating system's file
    // cache has it anyway).
    connection.pragma_update(None, "cache_size", -16384)?;
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    connection.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
    connection.set_prepared_statement_cache_capacity(64);
    Ok(connection)
}

fn run(connection: Connection, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&connection, group);
    }
}

fn commit_group(connection: &Connection, group: Vec<Job>) {
    if let Err(error) = connection.execute_batch("BEGIN IMMEDIATE") {
        return fail_all(group, &error.to_string());
    }
    let alone = group.len() == 1;
    let outcomes: Vec<Result<Vec<RevisionMeta>>> = group
        .iter()
        .map(|job| {
            if alone {
                apply(connection, &job.changes, &job.origin)
            } else {
                apply_in_savepoint(connection, &job.changes, &job.origin)
            }
        })
        .collect();
    let all_failed = outcomes.iter().all(|o| o.is_err());
    let end = if all_failed { "ROLLBACK" } else { "COMMIT" };
    match connection.execute_batch(end) {
        Ok(()) => {
            for (job, outcome) in group.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
        Err(error) => {
            // A failed COMMIT may leave the transaction open: end it before the next group.
            let _ = connection.execute_batch("ROLLBACK");
            let message = error.to_string();
            for (job, outcome) in group.into_iter().zip(outcomes) {
                // A batch that failed on its own keeps its own error.
                let outcome = outcome.and(Err(StoreError::CommitFailed(message.clone())));
                let _ = job.reply.send(outcome);
            }
        }
    }
}

fn apply_in_savepoint(
    connection: &Connection,
    changes: &[Change],
    origin: &Origin,
) -> Result<Vec<RevisionMeta>> {
    connection
        .execute_batch("SAVEPOINT batch")
        .map_err(sqlite_error)?;
    let outcome = apply(connection, changes, origin);
    let end = if outcome.is_ok() {
        "RELEASE batch"
    } else {
        "ROLLBACK TO batch; RELEASE batch"
    };
    connection.execute_batch(end).map_err(sqlite_error)?;
    outcome
}

fn apply(
    connection: &Connection,
    changes: &[Change],
    origin: &Origin,
) -> Result<Vec<RevisionMeta>> {
    let (positions, current) = read_commit_state(connection, changes)?;
    let plan = commit_plan::plan(changes, &positions, &current)?;
    if plan.revisions.is_empty() {
        return Ok(Vec::new());
    }
    write_plan(connection, &plan, changes, origin)?;
    Ok(plan.revision_metas(origin))
}

fn fail_all(group: Vec<Job>, message: &str) {
    for job in group {
        let _ = job
            .reply
            .send(Err(StoreError::CommitFailed(message.to_owned())));
    }
}

/// The position of every touched calendar, and the object rows a batch's UIDs and names hit.
type CommitState = (
    HashMap<CalendarId, Seq>,
    Vec<(CalendarId, CurrentObjectRow)>,
);

/// Reads the position of every touched calendar and the rows the batch's UIDs and names hit.
fn read_commit_state(connection: &Connection, changes: &[Change]) -> Result<CommitState> {
    const BY_UID: &str = "SELECT id, uid, name, seq, summary FROM objects \
         WHERE calendar_id = ?1 AND uid IN (SELECT value FROM json_each(?2))";
    const BY_NAME: &str = "SELECT id, uid, name, seq, summary FROM objects \
         WHERE calendar_id = ?1 AND name IN (SELECT value FROM json_each(?2))";
    let mut positions = HashMap::new();
    let mut current = Vec::new();
    for touched in commit_plan::touched(changes) {
        let calendar = touched.calendar_id;
        let position: Option<i64> = connection
            .prepare_cached("SELECT position FROM calendars WHERE id = ?1")
            .and_then(|mut select| select.query_row([calendar], |row| row.get(0)).optional())
            .map_err(sqlite_error)?;
        let position =
            position.ok_or_else(|| StoreError::NotFound(format!("calendar {calendar}")))?;
        positions.insert(calendar, position);
        let by_uid =
            current_objects(connection, BY_UID, calendar, &touched.uids).map_err(sqlite_error)?;
        let names = commit_plan::names_to_check(&touched.names, &by_uid);
        current.extend(by_uid.into_iter().map(|row| (calendar, row)));
        if !names.is_empty() {
            let by_name =
                current_objects(connection, BY_NAME, calendar, &names).map_err(sqlite_error)?;
            current.extend(by_name.into_iter().map(|row| (calendar, row)));
        }
    }
    Ok((positions, current))
}

fn current_objects(
    connection: &Connection,
    sql: &str,
    calendar: CalendarId,
    keys: &[&str],
) -> rusqlite::Result<Vec<CurrentObjectRow>> {
    connection
        .prepare_cached(sql)?
        .query_map((calendar, json_list(keys)), |row| {
            Ok(CurrentObjectRow {
                id: row.get(0)?,
                uid: row.get(1)?,
                name: row.get(2)?,
                seq: row.get(3)?,
                summary: row.get(4)?,
            })
        })?
        .collect()
}

fn write_plan(
    connection: &Connection,
    plan: &Plan<'_>,
    changes: &[Change],
    origin: &Origin,
) -> Result<()> {
    for (calendar, position) in &plan.positions {
        connection
            .prepare_cached(
                "UPDATE calendars SET position = ?2, modified_at = max(modified_at, ?3) WHERE id = ?1",
            )
            .and_then(|mut update| update.execute((calendar, position, origin.at)))
            .map_err(sqlite_error)?;
    }
    insert_revisions(connection, plan, changes, origin).map_err(sqlite_error)?;
    write_objects(connection, plan, origin.at)?;
    write_tombstones(connection, plan, origin.at).map_err(sqlite_error)
}

fn insert_revisions(
    connection: &Connection,
    plan: &Plan<'_>,
    changes: &[Change],
    origin: &Origin,
) -> rusqlite::Result<()> {
    // A tombstone of a stored version copies that version's data inside the database.
    const ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, \
         COALESCE(?, (SELECT p.data FROM revisions p WHERE p.calendar_id = ? AND p.seq = ?)), ?, ?, ?, ?, ?)";
    const HEAD: &str = "INSERT INTO revisions (calendar_id, seq, uid, name, kind, at, source, device_id, note, \
         data, component, first_start, last_end, fingerprint, summary)";
    for chunk in plan.revisions.chunks(ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(chunk.len() * 17);
        for r in chunk {
            let (data, stored_seq) = match r.data {
                DataSource::Batch(i) => (Some(batch_data(&changes[i])), None),
                DataSource::Stored(seq) => (None, Some(seq)),
            };
            let facts = r.facts;
            values.extend([
                int(r.calendar_id),
                int(r.seq),
                text(r.uid),
                text(r.name),
                text(r.kind.as_str()),
                int(origin.at),
                text(origin.source.as_str()),
                opt_int(origin.device_id),
                opt_text(origin.note.as_deref()),
                opt_text(data),
                int(r.calendar_id),
                opt_int(stored_seq),
                opt_text(facts.map(|f| f.component.as_str())),
                opt_int(facts.and_then(|f| f.first_start)),
                opt_int(facts.and_then(|f| f.last_end)),
                opt_text(facts.map(|f| f.fingerprint.as_str())),
                opt_text(r.summary),
            ]);
        }
        execute(connection, &values_sql(HEAD, ROW, chunk.len(), ""), &values)?;
    }
    Ok(())
}

fn write_objects(connection: &Connection, plan: &Plan<'_>, at: Timestamp) -> Result<()> {
    const DELETE: &str =
        "DELETE FROM objects WHERE calendar_id = ?1 AND uid IN (SELECT value FROM json_each(?2))";
    for (calendar, uids) in plan.deletes_by_calendar() {
        execute(
            connection,
            DELETE,
            &[int(calendar), owned(json_list(&uids))],
        )
        .map_err(sqlite_error)?;
    }
    for (calendar, id) in &plan.object_renames {
        let park = "UPDATE objects SET name = ?3 WHERE calendar_id = ?1 AND id = ?2";
        execute(
            connection,
            park,
            &[int(*calendar), int(*id), owned(Plan::parking_name(*id))],
        )
        .map_err(sqlite_error)?;
    }
    const HEAD: &str = "INSERT INTO objects (calendar_id, uid, name, seq, component, first_start, last_end, \
         fingerprint, summary, updated_at)";
    const ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    const TAIL: &str = "ON CONFLICT (calendar_id, uid) DO UPDATE SET name = excluded.name, seq = excluded.seq, \
         component = excluded.component, first_start = excluded.first_start, last_end = excluded.last_end, \
         fingerprint = excluded.fingerprint, summary = excluded.summary, updated_at = excluded.updated_at";
    // New rows and stored ones alike: SQLite's upsert costs no more than an insert.
    let objects: Vec<_> = plan
        .object_inserts
        .iter()
        .chain(&plan.object_updates)
        .collect();
    for chunk in objects.chunks(ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(chunk.len() * 10);
        for o in chunk {
            values.extend([
                int(o.calendar_id),
                text(o.uid),
                text(o.name),
                int(o.seq),
                text(o.facts.component.as_str()),
                opt_int(o.facts.first_start),
                opt_int(o.facts.last_end),
                text(o.facts.fingerprint.as_str()),
                opt_text(o.facts.summary.as_deref()),
                int(at),
            ]);
        }
        execute(
            connection,
            &values_sql(HEAD, ROW, chunk.len(), TAIL),
            &values,
        )
        .map_err(|e| unique(e, || "an object name is already used".to_owned()))?;
    }
    Ok(())
}

fn write_tombstones(
    connection: &Connection,
    plan: &Plan<'_>,
    at: Timestamp,
) -> rusqlite::Result<()> {
    const CLEAR: &str = "DELETE FROM tombstones WHERE calendar_id = ?1 AND uid IN (SELECT value FROM json_each(?2))";
    for (calendar, uids) in plan.tombstone_clears_by_calendar() {
        execute(connection, CLEAR, &[int(calendar), owned(json_list(&uids))])?;
    }
    const HEAD: &str = "INSERT INTO tombstones (calendar_id, uid, seq, deleted_at)";
    const TAIL: &str = "ON CONFLICT (calendar_id, uid) DO UPDATE SET seq = excluded.seq, deleted_at = excluded.deleted_at";
    for chunk in plan.tombstone_sets.chunks(ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(chunk.len() * 4);
        for (calendar, uid, seq) in chunk {
            values.extend([int(*calendar), text(uid), int(*seq), int(at)]);
        }
        let sql = values_sql(HEAD, "(?, ?, ?, ?)", chunk.len(), TAIL);
        execute(connection, &sql, &values)?;
    }
    Ok(())
}

fn execute(connection: &Connection, sql: &str, values: &[ToSqlOutput<'_>]) -> rusqlite::Result<()> {
    connection
        .prepare_cached(sql)?
        .execute(params_from_iter(values))?;
    Ok(())
}

fn int<'a>(value: i64) -> ToSqlOutput<'a> {
    ToSqlOutput::Owned(Value::Integer(value))
}

fn opt_int<'a>(value: Option<i64>) -> ToSqlOutput<'a> {
    value.map_or(ToSqlOutput::Owned(Value::Null), int)
}

fn text(value: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes()))
}

fn opt_text(value: Option<&str>) -> ToSqlOutput<'_> {
    value.map_or(ToSqlOutput::Owned(Value::Null), text)
}

fn owned<'a>(value: String) -> ToSqlOutput<'a> {
    ToSqlOutput::Owned(Value::Text(value))
}

/// A unique violation (SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY) is `Conflict(conflict)`.
fn unique(error: rusqlite::Error, conflict: impl FnOnce() -> String) -> StoreError {
    const UNIQUE: i32 = 2067;
    const PRIMARY_KEY: i32 = 1555;
    match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == ErrorCode::ConstraintViolation
                && matches!(failure.extended_code, UNIQUE | PRIMARY_KEY) =>
        {
            StoreError::Conflict(conflict())
        }
        _ => sqlite_error(error),
    }
}
