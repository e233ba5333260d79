//! The journal store of calvault: one storage trait and its SQLite and PostgreSQL backends.
//!
//! Every change to a calendar object is a revision appended to the journal with a sequence
//! number that grows per calendar; the current state is the newest revision of each object.
//! Only the `core` crate calls the write side of this trait.

mod check;
mod commit_plan;
mod dav_tree;
mod error;
mod model;
mod postgres;
mod rows;
mod settings;
mod sql_error;
mod sqlite;
mod syncml;

pub use error::StoreError;
pub use model::*;
pub use postgres::PostgresStore;
pub use settings::*;
pub use sqlite::SqliteStore;
pub use syncml::*;

use async_trait::async_trait;
use std::sync::Arc;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Opens the store a configuration names: PostgreSQL when a `postgres://` URL is given, else
/// SQLite in `data_dir`. Migrations run before it is returned.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &std::path::Path,
) -> Result<Arc<dyn Store>> {
    match database_url {
        Some(url) => Ok(Arc::new(PostgresStore::connect(url).await?)),
        None => Ok(Arc::new(SqliteStore::open(data_dir).await?)),
    }
}

/// The storage trait. Every method is one transaction: it either happens whole or not at all.
#[async_trait]
pub trait Store: SyncmlStore + SettingsStore + Send + Sync + 'static {
    /// "sqlite" or "postgres", for logs and `check`.
    fn backend(&self) -> &'static str;

    // ---- users ----
    /// Creates a user and, in the same transaction, its first calendar.
    async fn create_user(
        &self,
        user: NewUser,
        first_calendar: NewCalendar,
    ) -> Result<(User, Calendar)>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_name(&self, name: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    async fn count_users(&self) -> Result<u64>;
    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()>;
    /// Deletes the user with its calendars, journal, snapshots and devices.
    async fn delete_user(&self, id: UserId) -> Result<()>;

    // ---- calendars ----
    async fn create_calendar(&self, user: UserId, calendar: NewCalendar) -> Result<Calendar>;
    async fn calendar(&self, id: CalendarId) -> Result<Option<Calendar>>;
    /// Live calendars only (not in the trash).
    async fn calendar_by_name(&self, user: UserId, name: &str) -> Result<Option<Calendar>>;
    /// Live calendars of a user, ordered by name; with `include_deleted`, those in the trash too.
    async fn list_calendars(&self, user: UserId, include_deleted: bool) -> Result<Vec<Calendar>>;
    async fn update_calendar(&self, id: CalendarId, patch: CalendarPatch) -> Result<Calendar>;
    /// Marks a calendar deleted (its objects and journal stay, so it can be restored).
    async fn trash_calendar(&self, id: CalendarId, at: Timestamp) -> Result<()>;
    async fn restore_calendar(&self, id: CalendarId) -> Result<()>;
    /// Removes a calendar and everything in it for good (purge of the trash).
    async fn purge_calendar(&self, id: CalendarId) -> Result<()>;

    // ---- objects (current state) ----
    async fn object_by_uid(&self, calendar: CalendarId, uid: &str) -> Result<Option<StoredObject>>;
    async fn object_by_name(
        &self,
        calendar: CalendarId,
        name: &str,
    ) -> Result<Option<StoredObject>>;
    /// Live objects whose fingerprint is one of `fingerprints`.
    async fn objects_by_fingerprint(
        &self,
        calendar: CalendarId,
        fingerprints: &[String],
    ) -> Result<Vec<StoredObject>>;
    /// Live objects whose UID is one of `uids`.
    async fn objects_by_uids(
        &self,
        calendar: CalendarId,
        uids: &[String],
    ) -> Result<Vec<StoredObject>>;
    /// Live objects by resource name (calendar-multiget); names not found are simply absent.
    async fn objects_by_names(
        &self,
        calendar: CalendarId,
        names: &[String],
    ) -> Result<Vec<StoredObject>>;
    /// Live objects without their data, ordered by name.
    async fn list_objects(&self, calendar: CalendarId) -> Result<Vec<ObjectMeta>>;
    async fn count_objects(&self, calendar: CalendarId) -> Result<u64>;
    /// Live objects without their data, in pages ordered by id (see `objects_page`): listings
    /// of a calendar of any size in bounded memory.
    async fn object_metas_page(
        &self,
        calendar: CalendarId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ObjectMeta>>;
    /// Live objects with data, in pages ordered by id: the objects with `id > after`, at most
    /// `limit`. Used to stream whole calendars (export) without holding them in memory.
    async fn objects_page(
        &self,
        calendar: CalendarId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredObject>>;
    /// Live objects whose span meets [start, end): first_start < end and (last_end is None or
    /// last_end > start). Objects with no first_start are included.
    async fn objects_in_range(
        &self,
        calendar: CalendarId,
        start: i64,
        end: i64,
    ) -> Result<Vec<StoredObject>>;
    /// The objects whose span meets [start, end), as `objects_in_range` finds them, from the
    /// span index alone: no row, no data. Ordered by id.
    async fn object_refs_in_range(
        &self,
        calendar: CalendarId,
        start: i64,
        end: i64,
    ) -> Result<Vec<ObjectRef>>;
    /// The data of a calendar's revisions by seq; tombstones and seqs not found are absent.
    async fn revision_texts(
        &self,
        calendar: CalendarId,
        seqs: &[Seq],
    ) -> Result<Vec<(Seq, String)>>;
    /// Live objects whose last_end is before `before` (never-ending ones excluded).
    async fn objects_ended_before(
        &self,
        calendar: CalendarId,
        before: i64,
    ) -> Result<Vec<ObjectMeta>>;
    /// Groups of live objects sharing a fingerprint (twins), each group with two or more.
    async fn fingerprint_twins(&self, calendar: CalendarId) -> Result<Vec<Vec<ObjectMeta>>>;

    // ---- the journal ----
    /// Applies changes atomically: each change's precondition is checked against the current
    /// state inside the transaction; if any fails, nothing is written and
    /// `StoreError::PreconditionFailed` names it. Each change appends one revision with the next
    /// sequence number of its calendar. Returns the new revisions, in order.
    async fn commit(&self, changes: Vec<Change>, origin: &Origin) -> Result<Vec<RevisionMeta>>;
    /// The newest sequence number of a calendar (0 when nothing was ever written).
    async fn position(&self, calendar: CalendarId) -> Result<Seq>;
    /// The revisions with seq > `since`, oldest first, at most `limit`. An indexed range scan:
    /// its cost follows the number of changes, not the size of the calendar.
    /// Fails with `StoreError::PositionTooOld` when `since` is before what retention kept.
    async fn changes_since(
        &self,
        calendar: CalendarId,
        since: Seq,
        limit: u32,
    ) -> Result<Vec<RevisionMeta>>;
    /// One revision with its data (None for a tombstone's data).
    async fn revision(&self, calendar: CalendarId, seq: Seq) -> Result<Option<Revision>>;
    /// The revisions of one UID, newest first.
    async fn history(&self, calendar: CalendarId, uid: &str) -> Result<Vec<RevisionMeta>>;
    /// For each UID that changed after `position`, its newest revision at or before `position`
    /// (None when it did not exist then). The basis of snapshot diff and restore.
    async fn state_at(
        &self,
        calendar: CalendarId,
        position: Seq,
    ) -> Result<Vec<(String, Option<Revision>)>>;

    // ---- the trash ----
    /// Objects whose newest revision is a tombstone written at or after `since`, newest first.
    async fn tombstones(&self, calendar: CalendarId, since: Timestamp) -> Result<Vec<Tombstone>>;

    // ---- snapshots ----
    async fn create_snapshot(&self, snapshot: NewSnapshot) -> Result<Snapshot>;
    async fn snapshot(&self, id: SnapshotId) -> Result<Option<Snapshot>>;
    /// Snapshots of a calendar, newest first.
    async fn list_snapshots(&self, calendar: CalendarId) -> Result<Vec<Snapshot>>;
    async fn delete_snapshot(&self, id: SnapshotId) -> Result<()>;
    /// The number of live objects a calendar held at a position.
    async fn count_objects_at(&self, calendar: CalendarId, position: Seq) -> Result<u64>;
    /// The data of every object live at `position`, in pages ordered by UID after `after_uid`.
    async fn objects_at_page(
        &self,
        calendar: CalendarId,
        position: Seq,
        after_uid: &str,
        limit: u32,
    ) -> Result<Vec<Revision>>;

    // ---- devices ----
    async fn upsert_device(&self, device: NewDevice) -> Result<Device>;
    async fn device(&self, id: DeviceId) -> Result<Option<Device>>;
    async fn list_devices(&self, user: UserId) -> Result<Vec<Device>>;
    async fn update_device_state(
        &self,
        id: DeviceId,
        state: &serde_json::Value,
        last_sync: Option<Timestamp>,
    ) -> Result<()>;
    async fn delete_device(&self, id: DeviceId) -> Result<()>;

    // ---- app passwords ----
    /// Fails with Conflict when the user already has one with that name.
    async fn create_app_password(&self, password: NewAppPassword) -> Result<AppPassword>;
    async fn list_app_passwords(&self, user: UserId) -> Result<Vec<AppPassword>>;
    async fn app_password_by_secret(
        &self,
        user: UserId,
        secret_sha256: &str,
    ) -> Result<Option<AppPassword>>;
    /// The user named `name` and, when `secret_sha256` is the hash of one of its app
    /// passwords, that one: the reads of a sign-in, which backends answer in one query.
    async fn user_and_app_password(
        &self,
        name: &str,
        secret_sha256: &str,
    ) -> Result<Option<(User, Option<AppPassword>)>> {
        let Some(user) = self.user_by_name(name).await? else {
            return Ok(None);
        };
        let app = self.app_password_by_secret(user.id, secret_sha256).await?;
        Ok(Some((user, app)))
    }
    async fn touch_app_password(&self, id: i64, at: Timestamp) -> Result<()>;
    /// Revokes (deletes) it; NotFound when the user has none of that name.
    async fn delete_app_password(&self, user: UserId, name: &str) -> Result<()>;

    // ---- sharing ----
    /// Creates the share, or changes its access (and keeps its mount name) when it exists.
    /// Conflict when the grantee already has another share mounted under that name.
    async fn upsert_share(&self, share: NewShare) -> Result<Share>;
    /// NotFound when there is no such share.
    async fn delete_share(&self, calendar: CalendarId, grantee: UserId) -> Result<()>;
    async fn share(&self, calendar: CalendarId, grantee: UserId) -> Result<Option<Share>>;
    /// Who a calendar is shared with.
    async fn shares_of_calendar(&self, calendar: CalendarId) -> Result<Vec<Share>>;
    /// The calendars shared with a user (live calendars only), ordered by mount name.
    async fn shares_for_user(&self, grantee: UserId) -> Result<Vec<Share>>;

    // ---- alerts ----
    async fn create_alert(&self, alert: NewAlert) -> Result<Alert>;
    async fn alert(&self, id: i64) -> Result<Option<Alert>>;
    /// Newest first; resolved ones only with `include_resolved`.
    async fn list_alerts(&self, user: UserId, include_resolved: bool) -> Result<Vec<Alert>>;
    /// Updates an open alert's message, count and data (a burst that goes on).
    async fn update_alert(
        &self,
        id: i64,
        message: &str,
        count: i64,
        data: &serde_json::Value,
    ) -> Result<()>;
    async fn resolve_alert(&self, id: i64, at: Timestamp, resolution: &str) -> Result<()>;

    // ---- the mass-deletion guard ----
    /// Tombstones written in `calendar` by `device` at or after `since`: how many, and the seq
    /// of the first of them. Indexed: its cost follows the number of recent deletions.
    async fn recent_deletions(
        &self,
        calendar: CalendarId,
        device: DeviceId,
        since: Timestamp,
    ) -> Result<(u64, Option<Seq>)>;

    // ---- plain WebDAV resources ----
    async fn dav_file(&self, user: UserId, path: &str) -> Result<Option<DavFile>>;
    /// Every resource strictly below `path` (all of the user's when `path` is empty), by path.
    async fn dav_files_under(&self, user: UserId, path: &str) -> Result<Vec<DavFile>>;
    /// Applies the changes in order, atomically.
    async fn write_dav_files(&self, user: UserId, changes: Vec<DavFileChange>) -> Result<()>;

    // ---- retention ----
    /// Deletes revisions written before `before` that a newer revision of the same UID
    /// supersedes and that no snapshot pins (a snapshot at P pins, per UID, the newest revision
    /// at or before P). Tombstones written before `purge_tombstones_before` whose object has
    /// not come back are removed too, and the calendar's oldest valid sync position moves past
    /// them. Returns how many revisions went.
    async fn compact(
        &self,
        calendar: CalendarId,
        before: Timestamp,
        purge_tombstones_before: Timestamp,
    ) -> Result<CompactReport>;
    /// Deletes automatic snapshots taken before `before`.
    async fn expire_automatic_snapshots(
        &self,
        calendar: CalendarId,
        before: Timestamp,
    ) -> Result<u64>;

    // ---- integrity ----
    /// Checks the store's invariants (every live object points to an existing revision of its
    /// UID; sequence numbers unique and no higher than the calendar's position; the database's
    /// own integrity check) and lists what is wrong.
    async fn check(&self) -> Result<Vec<String>>;
}
