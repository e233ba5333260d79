//! The domain of calvault: users, calendars, access, and the safety policies (trash,
//! snapshots, twin detection, dedupe, archive, retention). The only code that changes the store.

mod access;
mod alerts;
mod app_passwords;
mod archive;
mod auth;
mod batch;
mod calendars;
mod dedupe;
mod defaults;
mod devices;
mod error;
mod export;
mod files;
mod guard;
mod history;
mod import;
mod objects;
mod password;
mod policy;
mod retention;
mod sharing;
mod snapshots;
pub mod syncml_state;
mod trash;
mod users;
mod webcal;

pub use access::{Access, Actor};
pub use archive::{ARCHIVE_CALENDAR, ArchiveReport};
pub use auth::{Credentials, syncml_md5_credential};
pub use batch::BatchPut;
pub use calendars::{CalendarPath, DEFAULT_CALENDAR};
pub use dedupe::{DedupeGroup, DedupeReport};
pub use error::CoreError;
pub use guard::MASS_DELETION;
pub use history::RevisionRestore;
pub use import::ImportItem;
pub use import::{ImportOutcome, ImportReport};
pub use objects::{Client, Condition};
pub use objects::{ETag, PutOutcome};
pub use password::random_password;
pub use policy::Policy;
pub use retention::RetentionReport;
pub use sharing::{HomeCalendar, SharedFrom};
pub use snapshots::{DiffEntry, RestoreReport, SnapshotDiff};
pub use webcal::is_webcal_token;

pub use calvault_store as store;

use calvault_store::{Origin, Store, Timestamp};
use std::sync::Arc;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The domain service: every protocol, page and command goes through it.
#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn Store>,
    policy: Policy,
    auth: Arc<auth::AuthState>,
    devices: Arc<devices::DeviceCache>,
}

impl Vault {
    pub fn new(store: Arc<dyn Store>, policy: Policy) -> Self {
        Vault {
            store,
            policy,
            auth: Arc::default(),
            devices: Arc::default(),
        }
    }

    /// Read access to the store for queries no domain rule guards (listings, health).
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The store itself, to open another domain service on it (another process or node does
    /// the same: nothing the domain keeps in memory is needed for correctness).
    pub fn store_handle(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

/// The current time in unix seconds.
pub fn now() -> Timestamp {
    chrono::Utc::now().timestamp()
}

fn origin(source: &str, note: Option<String>) -> Origin {
    Origin {
        at: now(),
        source: source.to_string(),
        device_id: None,
        note,
    }
}
