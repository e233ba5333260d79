//! Errors of the domain, each with the meaning protocols map to their own answers.

use calvault_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("access denied")]
    Forbidden,
    /// An If-Match / If-None-Match style condition did not hold.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// Another resource of the calendar already holds this UID (RFC 4791 §5.3.2.1 no-uid-conflict).
    #[error("UID {uid} is already used by {existing_name}")]
    UidConflict { uid: String, existing_name: String },
    #[error("invalid calendar data: {0}")]
    InvalidData(String),
    #[error("{0}")]
    Invalid(String),
    #[error("sync position is older than the journal keeps")]
    PositionTooOld,
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many failed sign-ins lately from this client or for this user.
    #[error("too many failed attempts: retry in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    #[error(transparent)]
    Store(StoreError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<StoreError> for CoreError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => CoreError::NotFound(what),
            StoreError::Conflict(what) => CoreError::AlreadyExists(what),
            StoreError::PreconditionFailed { reason, .. } => CoreError::PreconditionFailed(reason),
            StoreError::PositionTooOld { .. } => CoreError::PositionTooOld,
            other => CoreError::Store(other),
        }
    }
}

impl From<calvault_ical::ParseError> for CoreError {
    fn from(error: calvault_ical::ParseError) -> Self {
        CoreError::InvalidData(error.to_string())
    }
}
