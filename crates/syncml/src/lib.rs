//! calvault's SyncML / OMA DS server: `POST /syncml` in XML or WBXML, sessions persisted in the
//! store, auth-basic and auth-md5, sync types 200–205 with anchors, LUID maps, multi-message
//! packages and large objects, and the safety rules (snapshot before slow and refresh syncs,
//! mass deletions held for the owner).
//!
//! The message codec is `calvault-syncml-proto`; every change to calendar data goes through
//! `calvault_core::Vault`.

pub mod auth;
pub mod datastore;
pub mod devices;
mod devinf;
pub mod error;
pub mod format;
mod http;
mod package;
pub mod session;
pub mod state;
pub mod window;

pub use error::SyncmlError;
pub use http::router;
pub use session::{Engine, Request, Response};
pub use window::SyncWindow;

/// Tunables of the SyncML server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncmlConfig {
    /// The MaxMsgSize the server announces: the client splits its messages and items to fit.
    pub max_msg_size: u64,
    /// The MaxObjSize the server announces and accepts.
    pub max_obj_size: u64,
    /// A session not continued within this many seconds is forgotten.
    pub session_ttl_secs: i64,
    /// Who wins when the device and the server both changed an item.
    pub conflict_policy: ConflictPolicy,
    /// The sync window of devices that have none of their own; None: everything.
    pub window: Option<SyncWindow>,
    /// Deletions from one session are held for the owner when they are more than
    /// `mass_deletion_count` objects and more than `mass_deletion_percent` percent of the
    /// calendar.
    pub mass_deletion_count: u64,
    pub mass_deletion_percent: u64,
}

/// The rule for an item both the device and the server changed since the last sync. The
/// losing version always stays in the object's history. In configuration files:
/// `newest-wins`, `server-wins`, `client-wins` (or `device-wins`), `keep-both`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictPolicy {
    /// The version changed last (the device's LAST-MODIFIED against the server's write time).
    #[default]
    NewestWins,
    ServerWins,
    #[serde(rename = "client-wins", alias = "device-wins")]
    DeviceWins,
    /// Both stay, as two objects; the device gets the server's as a new item.
    KeepBoth,
}

impl Default for SyncmlConfig {
    fn default() -> Self {
        SyncmlConfig {
            max_msg_size: 150_000,
            max_obj_size: 4_000_000,
            session_ttl_secs: 1800,
            conflict_policy: ConflictPolicy::default(),
            window: None,
            mass_deletion_count: 10,
            mass_deletion_percent: 25,
        }
    }
}
