//! `SyncmlStore` on PostgreSQL: batches travel as arrays (`UNNEST`, `= ANY`).

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::AssertSqlSafe;

use super::PostgresStore;
use crate::sql_error::{classify, expect_row};
use crate::syncml::{SESSION_COLUMNS, SyncmlReplyRow, SyncmlSessionRow};
use crate::*;

#[async_trait]
impl SyncmlStore for PostgresStore {
    async fn create_syncml_session(&self, s: NewSyncmlSession) -> Result<SyncmlSession> {
        let sql = format!(
            "INSERT INTO syncml_sessions (id, user_id, device_id, client_uri, client_session, \
             state, created_at, updated_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING {SESSION_COLUMNS}"
        );
        let row: SyncmlSessionRow = sqlx::query_as(AssertSqlSafe(sql))
            .bind(&s.id)
            .bind(s.user_id)
            .bind(s.device_id)
            .bind(&s.client_uri)
            .bind(&s.client_session)
            .bind(&s.state)
            .bind(s.created_at)
            .bind(s.expires_at)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| {
                classify(
                    e,
                    || format!("syncml session {}", s.id),
                    || format!("device {}", s.device_id),
                )
            })?;
        Ok(row.into())
    }

    async fn syncml_session(&self, id: &str) -> Result<Option<SyncmlSession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM syncml_sessions WHERE id = $1");
        let row: Option<SyncmlSessionRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(SyncmlSession::from))
    }

    async fn syncml_reply(&self, id: &str) -> Result<Option<SyncmlReply>> {
        let sql = "SELECT last_msg_id, reply, reply_type FROM syncml_sessions WHERE id = $1";
        let row: Option<SyncmlReplyRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(SyncmlReplyRow::reply))
    }

    async fn syncml_session_of_client(
        &self,
        client_uri: &str,
        client_session: &str,
    ) -> Result<Option<SyncmlSession>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM syncml_sessions \
             WHERE client_uri = $1 AND client_session = $2 \
             ORDER BY created_at DESC, id LIMIT 1"
        );
        let row: Option<SyncmlSessionRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(client_uri)
            .bind(client_session)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(SyncmlSession::from))
    }

    async fn syncml_sessions_of_device(&self, device: DeviceId) -> Result<Vec<SyncmlSession>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM syncml_sessions WHERE device_id = $1 \
             ORDER BY updated_at DESC, created_at DESC, id"
        );
        let rows: Vec<SyncmlSessionRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(device)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(SyncmlSession::from).collect())
    }

    async fn save_syncml_session(
        &self,
        id: &str,
        state: &str,
        reply: &SyncmlReply,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE syncml_sessions SET state = $2, last_msg_id = $3, reply = $4, \
             reply_type = $5, updated_at = $6, expires_at = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(reply.msg_id)
        .bind(&reply.body)
        .bind(&reply.content_type)
        .bind(at)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        expect_row(done.rows_affected(), || format!("syncml session {id}"))
    }

    async fn expire_syncml_sessions(&self, now: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM syncml_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn put_syncml_maps(
        &self,
        device: DeviceId,
        datastore: &str,
        maps: &[SyncmlMapping],
    ) -> Result<()> {
        // One row per LUID, the last one given: an upsert may not touch a row twice.
        let mut last: HashMap<&str, &str> = HashMap::with_capacity(maps.len());
        for map in maps {
            last.insert(&map.luid, &map.uid);
        }
        let (luids, uids): (Vec<&str>, Vec<&str>) = last.into_iter().unzip();
        sqlx::query(
            "INSERT INTO syncml_maps (device_id, datastore, luid, uid) \
             SELECT $1, $2, l, u FROM UNNEST($3::TEXT[], $4::TEXT[]) AS m (l, u) \
             ON CONFLICT (device_id, datastore, luid) DO UPDATE SET uid = excluded.uid",
        )
        .bind(device)
        .bind(datastore)
        .bind(&luids)
        .bind(&uids)
        .execute(&self.pool)
        .await
        .map_err(|e| classify(e, || "syncml map".into(), || format!("device {device}")))?;
        Ok(())
    }

    async fn syncml_maps(&self, device: DeviceId, datastore: &str) -> Result<Vec<SyncmlMapping>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT luid, uid FROM syncml_maps WHERE device_id = $1 AND datastore = $2 \
             ORDER BY luid",
        )
        .bind(device)
        .bind(datastore)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(luid, uid)| SyncmlMapping { luid, uid })
            .collect())
    }

    async fn syncml_uid_of_luid(
        &self,
        device: DeviceId,
        datastore: &str,
        luid: &str,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT uid FROM syncml_maps WHERE device_id = $1 AND datastore = $2 AND luid = $3",
        )
        .bind(device)
        .bind(datastore)
        .bind(luid)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn syncml_luid_of_uid(
        &self,
        device: DeviceId,
        datastore: &str,
        uid: &str,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT luid FROM syncml_maps WHERE device_id = $1 AND datastore = $2 AND uid = $3 \
             ORDER BY luid LIMIT 1",
        )
        .bind(device)
        .bind(datastore)
        .bind(uid)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn delete_syncml_maps(
        &self,
        device: DeviceId,
        datastore: &str,
        luids: &[String],
    ) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM syncml_maps WHERE device_id = $1 AND datastore = $2 AND luid = ANY($3)",
        )
        .bind(device)
        .bind(datastore)
        .bind(luids)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn clear_syncml_maps(&self, device: DeviceId, datastore: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM syncml_maps WHERE device_id = $1 AND datastore = $2")
            .bind(device)
            .bind(datastore)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn set_syncml_md5(&self, user: UserId, md5_b64: &str, at: Timestamp) -> Result<()> {
        sqlx::query(
            "INSERT INTO syncml_credentials (user_id, md5_b64, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET md5_b64 = excluded.md5_b64, \
             updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(md5_b64)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(|e| classify(e, || "syncml credential".into(), || format!("user {user}")))?;
        Ok(())
    }

    async fn syncml_md5(&self, user: UserId) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT md5_b64 FROM syncml_credentials WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
