//! Short reads answered on the calling thread. sqlx runs each SQLite connection on a thread of
//! its own, so every query crosses threads twice; a lookup by index takes a few microseconds,
//! less than those two wake-ups. The reads that every request makes (credentials, the calendar
//! and object a URL names, a page of objects) run here instead, on connections of their own.
//! A read that may scan many rows runs the same way on a blocking thread (`all_blocking`), so
//! that the async workers keep answering meanwhile.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql};

use super::BUSY_TIMEOUT;
use crate::{Result, StoreError};

/// Connections kept open between reads; more are opened when more reads run at once.
const KEEP_IDLE: usize = 4;

pub(crate) struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Parameters by name: the SQL is shared with sqlx and numbers them `$1`, `$2`..., which SQLite
/// indexes in order of first use, not by number.
pub(crate) type Named<'a> = &'a [(&'a str, &'a dyn ToSql)];

impl DirectReads {
    pub fn new(path: PathBuf) -> Self {
        DirectReads {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (opening one if none is).
    pub fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let connection = match idle {
            Some(connection) => connection,
            None => self.open().map_err(sqlite_error)?,
        };
        let answer = read(&connection).map_err(sqlite_error);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEEP_IDLE
        {
            idle.push(connection);
        }
        answer
    }

    /// One row mapped by `map`, if any.
    pub fn optional<T>(
        &self,
        sql: &str,
        params: Named<'_>,
        map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        self.read(|connection| {
            connection
                .prepare_cached(sql)?
                .query_row(params, map)
                .optional()
        })
    }

    /// Every row, mapped by `map`.
    pub fn all<T>(
        &self,
        sql: &str,
        params: Named<'_>,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.read(|connection| {
            connection
                .prepare_cached(sql)?
                .query_map(params, map)?
                .collect()
        })
    }

    /// Every row of a read that may be long (a time range over a large calendar), on a thread
    /// of the blocking pool: one hop there and back is nothing next to the scan.
    pub async fn all_blocking<T: Send + 'static>(
        self: &Arc<Self>,
        sql: &'static str,
        params: Vec<(&'static str, Value)>,
        map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let reads = Arc::clone(self);
        let scan = tokio::task::spawn_blocking(move || {
            let named: Vec<(&str, &dyn ToSql)> = params
                .iter()
                .map(|(name, value)| (*name, value as &dyn ToSql))
                .collect();
            reads.all(sql, &named, map)
        });
        scan.await.map_err(|error| {
            StoreError::Database(sqlx::Error::Protocol(format!("a read stopped: {error}")))
        })?
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        // Read-write but query_only, like the pooled readers: a read-only open of a WAL
        // database could not create the shared-memory index when it is missing.
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.pragma_update(None, "query_only", "ON")?;
        // The same 8 MiB page cache as each pooled reader.
        connection.pragma_update(None, "cache_size", -8192)?;
        connection.set_prepared_statement_cache_capacity(32);
        Ok(connection)
    }
}

/// A rusqlite error as the store's database error.
pub(crate) fn sqlite_error(error: rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("SQLite: {error}")))
}
