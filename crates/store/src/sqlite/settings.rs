//! `SettingsStore` on SQLite: writes on the writer connection, reads on the readers.

use async_trait::async_trait;
use sqlx::AssertSqlSafe;

use super::SqliteStore;
use crate::settings::{FEED_COLUMNS, WebcalFeedRow};
use crate::sql_error::{classify, expect_row};
use crate::*;

#[async_trait]
impl SettingsStore for SqliteStore {
    async fn set_syncml_calendar(&self, user: UserId, calendar: Option<CalendarId>) -> Result<()> {
        sqlx::query(
            "INSERT INTO user_settings (user_id, syncml_calendar_id) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET syncml_calendar_id = excluded.syncml_calendar_id",
        )
        .bind(user)
        .bind(calendar)
        .execute(&self.writer)
        .await
        .map_err(|e| {
            classify(
                e,
                || format!("settings of user {user}"),
                || format!("user {user} or calendar {calendar:?}"),
            )
        })?;
        Ok(())
    }

    async fn syncml_calendar(&self, user: UserId) -> Result<Option<CalendarId>> {
        let row: Option<Option<i64>> =
            sqlx::query_scalar("SELECT syncml_calendar_id FROM user_settings WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&self.readers)
                .await?;
        Ok(row.flatten())
    }

    async fn create_webcal_feed(&self, feed: NewWebcalFeed) -> Result<WebcalFeed> {
        let sql = format!(
            "INSERT INTO webcal_feeds (user_id, calendar_id, token_sha256, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING {FEED_COLUMNS}"
        );
        let row: WebcalFeedRow = sqlx::query_as(AssertSqlSafe(sql))
            .bind(feed.user_id)
            .bind(feed.calendar_id)
            .bind(&feed.token_sha256)
            .bind(feed.created_at)
            .fetch_one(&self.writer)
            .await
            .map_err(|e| {
                classify(
                    e,
                    || "webcal feed token".into(),
                    || format!("user {} or calendar {}", feed.user_id, feed.calendar_id),
                )
            })?;
        Ok(row.into())
    }

    async fn webcal_feeds(&self, user: UserId) -> Result<Vec<WebcalFeed>> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM webcal_feeds WHERE user_id = $1 ORDER BY id");
        let rows: Vec<WebcalFeedRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(user)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.into_iter().map(WebcalFeed::from).collect())
    }

    async fn webcal_feed_by_token(&self, token_sha256: &str) -> Result<Option<WebcalFeed>> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM webcal_feeds WHERE token_sha256 = $1");
        let row: Option<WebcalFeedRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(token_sha256)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.map(WebcalFeed::from))
    }

    async fn delete_webcal_feed(&self, user: UserId, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM webcal_feeds WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(&self.writer)
            .await?;
        expect_row(done.rows_affected(), || {
            format!("webcal feed {id} of user {user}")
        })
    }
}
