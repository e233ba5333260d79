//! The one error type of the SyncML server, and the Status code each error answers with.

use calvault_core::CoreError;
use calvault_core::store::StoreError;
use calvault_ical::vcal::VcalError;
use calvault_syncml_proto::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum SyncmlError {
    /// The body is not a SyncML message in the announced encoding.
    #[error("malformed message: {0}")]
    Message(#[from] calvault_syncml_proto::Error),
    #[error("the item carries no data")]
    NoData,
    #[error("the item data is not text")]
    NotText,
    #[error("unsupported item type {0}")]
    ItemType(String),
    #[error("vCalendar item: {0}")]
    Vcal(#[from] VcalError),
    #[error("iCalendar item: {0}")]
    Ical(#[from] calvault_ical::ParseError),
    #[error("no datastore {0}")]
    UnknownDatastore(String),
    #[error("no item {0}")]
    UnknownItem(String),
    #[error("the large object has {received} bytes, {announced} were announced")]
    SizeMismatch { received: u64, announced: u64 },
    #[error("a chunk of another item arrived before {0} was complete")]
    ChunkInterrupted(String),
    #[error("the item is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the command is not allowed now: {0}")]
    NotAllowed(&'static str),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("session state: {0}")]
    State(#[from] serde_json::Error),
}

impl SyncmlError {
    /// The Status code that answers the command that failed (SyncML RepPro 1.2 §10).
    pub fn status_code(&self) -> StatusCode {
        match self {
            SyncmlError::Message(_) | SyncmlError::NoData | SyncmlError::NotText => {
                StatusCode::BAD_REQUEST
            }
            SyncmlError::Vcal(_) | SyncmlError::Ical(_) => StatusCode::BAD_REQUEST,
            SyncmlError::ItemType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            SyncmlError::UnknownDatastore(_) | SyncmlError::UnknownItem(_) => StatusCode::NOT_FOUND,
            SyncmlError::SizeMismatch { .. } => StatusCode::SIZE_MISMATCH,
            SyncmlError::ChunkInterrupted(_) => StatusCode::PARTIAL_ITEM_NOT_ACCEPTED,
            SyncmlError::TooLarge(_) => StatusCode::REQUEST_ENTITY_TOO_LARGE,
            SyncmlError::NotAllowed(_) => StatusCode::COMMAND_NOT_ALLOWED,
            SyncmlError::Core(error) => core_status(error),
            SyncmlError::Store(_) => StatusCode::DATA_STORE_FAILURE,
            SyncmlError::State(_) => StatusCode::COMMAND_FAILED,
        }
    }
}

fn core_status(error: &CoreError) -> StatusCode {
    match error {
        CoreError::NotFound(_) => StatusCode::NOT_FOUND,
        CoreError::AlreadyExists(_) | CoreError::UidConflict { .. } => StatusCode::ALREADY_EXISTS,
        CoreError::Forbidden => StatusCode::PERMISSION_DENIED,
        CoreError::PreconditionFailed(_) => StatusCode::CONFLICT,
        CoreError::InvalidData(_) => StatusCode::BAD_REQUEST,
        CoreError::Invalid(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        CoreError::PositionTooOld => StatusCode::REFRESH_REQUIRED,
        CoreError::BadCredentials => StatusCode::INVALID_CREDENTIALS,
        CoreError::TooManyAttempts { .. } => StatusCode::RETRY_LATER,
        CoreError::Store(_) | CoreError::Io(_) => StatusCode::DATA_STORE_FAILURE,
    }
}

pub type Result<T, E = SyncmlError> = std::result::Result<T, E>;
