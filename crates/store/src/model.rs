//! The records the store holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Unix seconds, UTC.
pub type Timestamp = i64;
/// A position in a calendar's journal: the sequence number of a revision.
pub type Seq = i64;
pub type UserId = i64;
pub type CalendarId = i64;
pub type SnapshotId = i64;
pub type DeviceId = i64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    pub email: Option<String>,
    /// An argon2 PHC string.
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCalendar {
    /// The path segment: unique per user among live calendars.
    pub name: String,
    pub display_name: String,
    /// `#RRGGBB`.
    pub color: Option<String>,
    pub description: Option<String>,
    /// Component names it accepts, e.g. `["VEVENT", "VTODO"]`.
    pub components: Vec<String>,
    pub created_at: Timestamp,
    /// CALDAV:calendar-timezone (a VCALENDAR with one VTIMEZONE), if set.
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub id: CalendarId,
    pub user_id: UserId,
    pub name: String,
    pub display_name: String,
    pub color: Option<String>,
    pub description: Option<String>,
    pub components: Vec<String>,
    pub created_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    /// The newest journal position.
    pub position: Seq,
    /// Positions before this one can no longer be synced from (retention removed tombstones).
    pub oldest_position: Seq,
    /// CALDAV:calendar-timezone (a VCALENDAR with one VTIMEZONE), if set.
    pub timezone: Option<String>,
    /// Dead properties set by PROPPATCH: `{namespace}local` → self-contained XML fragment.
    pub properties: BTreeMap<String, String>,
    /// When its objects or its own properties last changed.
    pub modified_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarPatch {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub color: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub components: Option<Vec<String>>,
    pub timezone: Option<Option<String>>,
    /// Replaces the whole map when given.
    pub properties: Option<BTreeMap<String, String>>,
}

/// The indexable facts of an object version, computed by the model (`calvault-ical`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectFacts {
    /// `VEVENT`, `VTODO` or `VJOURNAL`.
    pub component: String,
    pub first_start: Option<i64>,
    /// None: never ends (or no time at all).
    pub last_end: Option<i64>,
    pub fingerprint: String,
    pub summary: Option<String>,
}

/// An object as it is now, with its newest revision's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub meta: ObjectMeta,
    pub data: String,
}

/// What a time-range read finds of an object in the span index alone
/// (`Store::object_refs_in_range`): enough to know it, not its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub id: i64,
    pub uid: String,
    pub name: String,
    /// Its newest revision.
    pub seq: Seq,
    /// `VEVENT`, `VTODO` or `VJOURNAL`.
    pub component: String,
}

impl From<&ObjectMeta> for ObjectRef {
    fn from(meta: &ObjectMeta) -> Self {
        ObjectRef {
            id: meta.id,
            uid: meta.uid.clone(),
            name: meta.name.clone(),
            seq: meta.seq,
            component: meta.facts.component.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Store-wide id of the object row (stable while the object lives).
    pub id: i64,
    pub calendar_id: CalendarId,
    pub uid: String,
    /// The resource name inside the calendar, e.g. `abc.ics`.
    pub name: String,
    /// The sequence number of its newest revision; the ETag derives from it.
    pub seq: Seq,
    pub facts: ObjectFacts,
    pub updated_at: Timestamp,
}

/// What a change expects to find, checked inside the commit's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Anything (unconditional).
    Any,
    /// No live object with this UID (nor, for a put, with this name).
    Absent,
    /// A live object whose newest revision is this one.
    Seq(Seq),
    /// A live object, whatever its revision.
    Exists,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// Create or replace the object with this UID. When it exists, its name stays unless
    /// `name` differs and is free.
    Put {
        name: String,
        data: String,
        facts: ObjectFacts,
    },
    /// Write a tombstone: the object leaves the current state, its data stays in the journal.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub calendar_id: CalendarId,
    pub uid: String,
    pub expect: Expect,
    pub kind: ChangeKind,
}

/// Who made a batch of changes and why: kept with every revision.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    pub at: Timestamp,
    /// e.g. `caldav`, `syncml`, `import`, `restore`, `cli`, `web`.
    pub source: String,
    pub device_id: Option<DeviceId>,
    /// Free text shown in histories, e.g. `restore of snapshot 12`.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevisionKind {
    Put,
    Delete,
}

impl RevisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionKind::Put => "put",
            RevisionKind::Delete => "delete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionMeta {
    pub calendar_id: CalendarId,
    pub seq: Seq,
    pub uid: String,
    /// The resource name at that revision.
    pub name: String,
    pub kind: RevisionKind,
    pub at: Timestamp,
    pub source: String,
    pub device_id: Option<DeviceId>,
    pub note: Option<String>,
    /// The summary at that revision (for a tombstone: of the version it deleted).
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub meta: RevisionMeta,
    /// The object's iCalendar text; for a tombstone, the data of the version it deleted.
    pub data: String,
    pub facts: Option<ObjectFacts>,
}

/// A deleted object that can come back: its tombstone and the last data it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub calendar_id: CalendarId,
    pub uid: String,
    pub name: String,
    /// The seq of the tombstone revision.
    pub seq: Seq,
    pub deleted_at: Timestamp,
    pub source: String,
    pub device_id: Option<DeviceId>,
    pub summary: Option<String>,
    /// The data of the version it deleted.
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSnapshot {
    pub calendar_id: CalendarId,
    /// The journal position it names (normally the calendar's current position).
    pub position: Seq,
    pub label: String,
    pub reason: String,
    pub automatic: bool,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub id: SnapshotId,
    pub calendar_id: CalendarId,
    pub position: Seq,
    pub label: String,
    pub reason: String,
    pub automatic: bool,
    pub created_at: Timestamp,
}

/// A sync partner: a CalDAV client or a SyncML device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub user_id: UserId,
    /// `caldav` or `syncml`.
    pub protocol: String,
    /// What identifies it within the protocol (SyncML device id, app password name, or a hash of
    /// credentials and User-Agent). Unique per user and protocol: an upsert on it.
    pub key: String,
    pub name: String,
    pub seen_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: DeviceId,
    pub user_id: UserId,
    pub protocol: String,
    pub key: String,
    pub name: String,
    pub created_at: Timestamp,
    pub seen_at: Timestamp,
    pub last_sync: Option<Timestamp>,
    /// Protocol-owned state (anchors, LUID maps, window, ...), as JSON.
    pub state: serde_json::Value,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompactReport {
    pub revisions_removed: u64,
    pub tombstones_purged: u64,
}

/// A secret a user creates for one device; only its SHA-256 is stored (the secret is random and
/// long, so a fast hash is enough and lets authentication find it by hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppPassword {
    pub user_id: UserId,
    /// Unique per user, e.g. `iphone`.
    pub name: String,
    /// Lower-case hex SHA-256 of the secret.
    pub secret_sha256: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPassword {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub secret_sha256: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShareAccess {
    Read,
    ReadWrite,
}

impl ShareAccess {
    /// `read` or `read-write`, as stored and as typed at the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareAccess::Read => "read",
            ShareAccess::ReadWrite => "read-write",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(ShareAccess::Read),
            "read-write" => Some(ShareAccess::ReadWrite),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShare {
    pub calendar_id: CalendarId,
    pub grantee_id: UserId,
    pub access: ShareAccess,
    /// The name under which the calendar appears in the grantee's home; unique per grantee.
    pub mount_name: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub calendar_id: CalendarId,
    /// The calendar's owner.
    pub owner_id: UserId,
    pub grantee_id: UserId,
    pub access: ShareAccess,
    pub mount_name: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub user_id: UserId,
    pub calendar_id: Option<CalendarId>,
    pub device_id: Option<DeviceId>,
    /// e.g. `mass-deletion`.
    pub kind: String,
    pub message: String,
    /// The snapshot that undoes what the alert is about.
    pub snapshot_id: Option<SnapshotId>,
    /// How many items it concerns.
    pub count: i64,
    /// Kind-specific details, JSON.
    pub data: serde_json::Value,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: i64,
    pub user_id: UserId,
    pub calendar_id: Option<CalendarId>,
    pub device_id: Option<DeviceId>,
    pub kind: String,
    pub message: String,
    pub snapshot_id: Option<SnapshotId>,
    pub count: i64,
    pub data: serde_json::Value,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    /// e.g. `restored`, `kept`, `dismissed`.
    pub resolution: Option<String>,
}

/// A plain WebDAV resource in a user's home (not a calendar, not a calendar object): files and
/// collections that WebDAV clients keep beside calendars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DavFile {
    pub id: i64,
    pub user_id: UserId,
    /// Relative to the user's home, segments joined by `/`, no leading or trailing slash,
    /// e.g. `litmus/frobble`. Unique per user.
    pub path: String,
    pub collection: bool,
    pub content: Vec<u8>,
    pub content_type: Option<String>,
    /// A strong ETag value without quotes, changed on every write.
    pub etag: String,
    /// Dead properties: `{namespace}local` → self-contained XML fragment.
    pub properties: BTreeMap<String, String>,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DavFileChange {
    /// Create or replace the resource at `file.path` (id ignored).
    Put(DavFile),
    /// Remove the resource at this path and everything below it.
    DeleteTree(String),
}
