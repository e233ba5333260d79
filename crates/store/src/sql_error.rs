//! Turns database errors into the store's own: a unique violation is a `Conflict`, a foreign key
//! naming a missing parent is `NotFound`; anything else stays a database error.

use sqlx::error::ErrorKind;

use crate::StoreError;

/// Maps a unique violation to `Conflict(conflict)` and a foreign-key violation to
/// `NotFound(missing)`.
pub(crate) fn classify(
    error: sqlx::Error,
    conflict: impl FnOnce() -> String,
    missing: impl FnOnce() -> String,
) -> StoreError {
    let kind = error.as_database_error().map(|e| e.kind());
    match kind {
        Some(ErrorKind::UniqueViolation) => StoreError::Conflict(conflict()),
        Some(ErrorKind::ForeignKeyViolation) => StoreError::NotFound(missing()),
        _ => StoreError::Database(error),
    }
}

/// Maps a unique violation to `Conflict(conflict)`.
pub(crate) fn unique(error: sqlx::Error, conflict: impl FnOnce() -> String) -> StoreError {
    match error.as_database_error().map(|e| e.kind()) {
        Some(ErrorKind::UniqueViolation) => StoreError::Conflict(conflict()),
        _ => StoreError::Database(error),
    }
}

/// Errors that mean "the same transaction may succeed when retried": PostgreSQL's (and
/// CockroachDB's) serialization failure and deadlock.
pub(crate) fn is_retryable(error: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = error else {
        return false;
    };
    matches!(db.code().as_deref(), Some("40001") | Some("40P01"))
}

/// Fails with `NotFound` when an UPDATE or DELETE touched no row.
pub(crate) fn expect_row(affected: u64, what: impl FnOnce() -> String) -> Result<(), StoreError> {
    if affected == 0 {
        Err(StoreError::NotFound(what()))
    } else {
        Ok(())
    }
}
