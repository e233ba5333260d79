//! What the SyncML / OMA DS server keeps: sessions with their last reply, LUID maps per device
//! and datastore, and the users' auth-md5 credentials. Anchors and the nonce live in the
//! device's own state (`Store::update_device_state`).

use async_trait::async_trait;

use crate::{DeviceId, Result, Timestamp, UserId};

/// A session as it starts (after the client authenticated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSyncmlSession {
    /// The server's token, carried in the RespURI (`?sessionid=`).
    pub id: String,
    pub user_id: UserId,
    pub device_id: DeviceId,
    /// The client's SyncHdr Source LocURI and SessionID.
    pub client_uri: String,
    pub client_session: String,
    /// The engine's state, as JSON text (read and written whole, never queried).
    pub state: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncmlSession {
    pub id: String,
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub client_uri: String,
    pub client_session: String,
    /// The engine's state, as JSON text.
    pub state: String,
    /// The MsgID of the last message answered; its reply is read only when the client sends
    /// that message again (`SyncmlStore::syncml_reply`).
    pub last_msg_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The bytes sent back for one client message: a resent message (same MsgID) gets them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncmlReply {
    pub msg_id: i64,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// One device item id (LUID) and the UID of the object it stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SyncmlMapping {
    pub luid: String,
    pub uid: String,
}

/// The SyncML side of the store. Every method is one transaction.
#[async_trait]
pub trait SyncmlStore: Send + Sync {
    /// Fails with Conflict when a session with this id exists.
    async fn create_syncml_session(&self, session: NewSyncmlSession) -> Result<SyncmlSession>;
    /// The session, expired or not (the caller decides).
    async fn syncml_session(&self, id: &str) -> Result<Option<SyncmlSession>>;
    /// The newest session a client opened with this SessionID.
    async fn syncml_session_of_client(
        &self,
        client_uri: &str,
        client_session: &str,
    ) -> Result<Option<SyncmlSession>>;
    /// The sessions of a device that are still kept, newest first (a resumed sync looks for
    /// the one that was cut off).
    async fn syncml_sessions_of_device(&self, device: DeviceId) -> Result<Vec<SyncmlSession>>;
    /// The reply to the session's last message answered.
    async fn syncml_reply(&self, id: &str) -> Result<Option<SyncmlReply>>;
    /// Writes the new state and the reply to the message just handled, together, so a resent
    /// message is answered exactly as the first time. NotFound when the session is gone.
    async fn save_syncml_session(
        &self,
        id: &str,
        state: &str,
        reply: &SyncmlReply,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// Deletes the sessions that expired at or before `now`; returns how many.
    async fn expire_syncml_sessions(&self, now: Timestamp) -> Result<u64>;

    /// Adds or replaces mappings (a LUID maps to one UID per device and datastore).
    async fn put_syncml_maps(
        &self,
        device: DeviceId,
        datastore: &str,
        maps: &[SyncmlMapping],
    ) -> Result<()>;
    /// Every mapping of a device's datastore, ordered by LUID.
    async fn syncml_maps(&self, device: DeviceId, datastore: &str) -> Result<Vec<SyncmlMapping>>;
    async fn syncml_uid_of_luid(
        &self,
        device: DeviceId,
        datastore: &str,
        luid: &str,
    ) -> Result<Option<String>>;
    async fn syncml_luid_of_uid(
        &self,
        device: DeviceId,
        datastore: &str,
        uid: &str,
    ) -> Result<Option<String>>;
    /// Removes the mappings of these LUIDs; returns how many went.
    async fn delete_syncml_maps(
        &self,
        device: DeviceId,
        datastore: &str,
        luids: &[String],
    ) -> Result<u64>;
    /// Removes every mapping of a device's datastore (slow sync, refresh).
    async fn clear_syncml_maps(&self, device: DeviceId, datastore: &str) -> Result<u64>;

    /// Sets a user's auth-md5 credential, `b64(md5(user:password))`.
    async fn set_syncml_md5(&self, user: UserId, md5_b64: &str, at: Timestamp) -> Result<()>;
    async fn syncml_md5(&self, user: UserId) -> Result<Option<String>>;
}

/// The columns of `syncml_sessions`, in the order [`SyncmlSessionRow`] reads them.
pub(crate) const SESSION_COLUMNS: &str = "id, user_id, device_id, client_uri, client_session, \
     state, last_msg_id, created_at, updated_at, expires_at";

/// The reply columns of `syncml_sessions`, NULL until a message was answered.
#[derive(sqlx::FromRow)]
pub(crate) struct SyncmlReplyRow {
    last_msg_id: Option<i64>,
    reply: Option<Vec<u8>>,
    reply_type: Option<String>,
}

impl SyncmlReplyRow {
    pub(crate) fn reply(self) -> Option<SyncmlReply> {
        Some(SyncmlReply {
            msg_id: self.last_msg_id?,
            content_type: self.reply_type?,
            body: self.reply?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SyncmlSessionRow {
    id: String,
    user_id: i64,
    device_id: i64,
    client_uri: String,
    client_session: String,
    state: String,
    last_msg_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
    expires_at: i64,
}

impl From<SyncmlSessionRow> for SyncmlSession {
    fn from(r: SyncmlSessionRow) -> Self {
        SyncmlSession {
            id: r.id,
            user_id: r.user_id,
            device_id: r.device_id,
            client_uri: r.client_uri,
            client_session: r.client_session,
            state: r.state,
            last_msg_id: r.last_msg_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
            expires_at: r.expires_at,
        }
    }
}
