//! Errors of the store.

use crate::{CalendarId, Seq};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    Conflict(String),
    /// A change's precondition did not hold: `index` is its place in the batch.
    #[error("precondition failed for change {index} ({uid}): {reason}")]
    PreconditionFailed {
        index: usize,
        uid: String,
        reason: String,
    },
    /// A sync position older than the journal still holds.
    #[error(
        "position {position} of calendar {calendar} is older than the journal keeps (oldest {oldest})"
    )]
    PositionTooOld {
        calendar: CalendarId,
        position: Seq,
        oldest: Seq,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A commit shared with other batches (group commit) failed at its end; the message is the
    /// database's.
    #[error("the commit failed: {0}")]
    CommitFailed(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad stored data: {0}")]
    Corrupt(String),
}
