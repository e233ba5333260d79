//! What a user chooses for themselves: the calendar SyncML devices sync by default, and the
//! private subscription (webcal) addresses of their calendars.

use async_trait::async_trait;

use crate::{CalendarId, Result, Timestamp, UserId};

/// A subscription address as it is made. The token itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebcalFeed {
    pub user_id: UserId,
    pub calendar_id: CalendarId,
    /// Lower-case hex SHA-256 of the token in the address.
    pub token_sha256: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebcalFeed {
    pub id: i64,
    /// The user who made it, whose access to the calendar the feed reads with.
    pub user_id: UserId,
    pub calendar_id: CalendarId,
    pub token_sha256: String,
    pub created_at: Timestamp,
}

/// The settings side of the store. Every method is one transaction.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// Sets (or, with None, clears) the calendar the SyncML datastores `calendar` and `tasks`
    /// name for this user. NotFound when the user or the calendar does not exist.
    async fn set_syncml_calendar(&self, user: UserId, calendar: Option<CalendarId>) -> Result<()>;
    /// The chosen calendar, trashed or not (the caller decides); None when none was chosen or
    /// it was purged.
    async fn syncml_calendar(&self, user: UserId) -> Result<Option<CalendarId>>;

    /// Conflict when a feed with this token hash exists.
    async fn create_webcal_feed(&self, feed: NewWebcalFeed) -> Result<WebcalFeed>;
    /// The feeds a user made, oldest first.
    async fn webcal_feeds(&self, user: UserId) -> Result<Vec<WebcalFeed>>;
    async fn webcal_feed_by_token(&self, token_sha256: &str) -> Result<Option<WebcalFeed>>;
    /// Revokes (deletes) it; NotFound when the user made no feed with this id.
    async fn delete_webcal_feed(&self, user: UserId, id: i64) -> Result<()>;
}

/// The columns of `webcal_feeds`, in the order [`WebcalFeedRow`] reads them.
pub(crate) const FEED_COLUMNS: &str = "id, user_id, calendar_id, token_sha256, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct WebcalFeedRow {
    id: i64,
    user_id: i64,
    calendar_id: i64,
    token_sha256: String,
    created_at: i64,
}

impl From<WebcalFeedRow> for WebcalFeed {
    fn from(r: WebcalFeedRow) -> Self {
        WebcalFeed {
            id: r.id,
            user_id: r.user_id,
            calendar_id: r.calendar_id,
            token_sha256: r.token_sha256,
            created_at: r.created_at,
        }
    }
}
