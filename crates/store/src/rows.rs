//! Row shapes shared by both backends, and their conversion into the public records.
//!
//! The SQL of both backends selects the same column lists (the `*_columns!` macros, literals for
//! `concat!`), so one
//! `FromRow` type per record serves both.

use std::collections::BTreeMap;

use crate::{
    Alert, AppPassword, Calendar, DavFile, Device, NewAlert, ObjectFacts, ObjectMeta, Result,
    Revision, RevisionKind, RevisionMeta, Share, ShareAccess, Snapshot, StoreError, StoredObject,
    Tombstone, User,
};

macro_rules! user_columns {
    () => {
        "id, name, email, password_hash, created_at"
    };
}
pub(crate) use user_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    name: String,
    email: Option<String>,
    password_hash: String,
    created_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            name: r.name,
            email: r.email,
            password_hash: r.password_hash,
            created_at: r.created_at,
        }
    }
}

macro_rules! calendar_columns {
    () => {
        "id, user_id, name, display_name, color, description, components, created_at, deleted_at, position, oldest_position, timezone, properties, modified_at"
    };
}
pub(crate) use calendar_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct CalendarRow {
    id: i64,
    user_id: i64,
    name: String,
    display_name: String,
    color: Option<String>,
    description: Option<String>,
    components: String,
    created_at: i64,
    deleted_at: Option<i64>,
    position: i64,
    oldest_position: i64,
    timezone: Option<String>,
    properties: String,
    modified_at: i64,
}

impl TryFrom<CalendarRow> for Calendar {
    type Error = StoreError;

    fn try_from(r: CalendarRow) -> Result<Self> {
        let components = decode_components(&r.components)
            .map_err(|e| StoreError::Corrupt(format!("components of calendar {}: {e}", r.id)))?;
        let properties = decode_properties(&r.properties)
            .map_err(|e| StoreError::Corrupt(format!("properties of calendar {}: {e}", r.id)))?;
        Ok(Calendar {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            display_name: r.display_name,
            color: r.color,
            description: r.description,
            components,
            created_at: r.created_at,
            deleted_at: r.deleted_at,
            position: r.position,
            oldest_position: r.oldest_position,
            timezone: r.timezone,
            properties,
            modified_at: r.modified_at,
        })
    }
}

pub(crate) fn encode_components(components: &[String]) -> String {
    serde_json::to_string(components).unwrap_or_else(|_| "[]".to_owned())
}

fn decode_components(text: &str) -> serde_json::Result<Vec<String>> {
    serde_json::from_str(text)
}

/// Dead properties are stored as one JSON object.
pub(crate) fn encode_properties(properties: &BTreeMap<String, String>) -> String {
    serde_json::to_string(properties).unwrap_or_else(|_| "{}".to_owned())
}

fn decode_properties(text: &str) -> serde_json::Result<BTreeMap<String, String>> {
    serde_json::from_str(text)
}

/// The columns of an object row, prefixed with the alias `o`.
macro_rules! object_columns {
    () => {
        "o.id, o.calendar_id, o.uid, o.name, o.seq, o.component, o.first_start, o.last_end, o.fingerprint, o.summary, o.updated_at"
    };
}
pub(crate) use object_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct ObjectMetaRow {
    id: i64,
    calendar_id: i64,
    uid: String,
    name: String,
    seq: i64,
    component: String,
    first_start: Option<i64>,
    last_end: Option<i64>,
    fingerprint: String,
    summary: Option<String>,
    updated_at: i64,
}

impl From<ObjectMetaRow> for ObjectMeta {
    fn from(r: ObjectMetaRow) -> Self {
        ObjectMeta {
            id: r.id,
            calendar_id: r.calendar_id,
            uid: r.uid,
            name: r.name,
            seq: r.seq,
            facts: ObjectFacts {
                component: r.component,
                first_start: r.first_start,
                last_end: r.last_end,
                fingerprint: r.fingerprint,
                summary: r.summary,
            },
            updated_at: r.updated_at,
        }
    }
}

/// An object row joined with its newest revision's data (`r.data`).
#[derive(sqlx::FromRow)]
pub(crate) struct StoredObjectRow {
    #[sqlx(flatten)]
    meta: ObjectMetaRow,
    data: String,
}

impl From<StoredObjectRow> for StoredObject {
    fn from(r: StoredObjectRow) -> Self {
        StoredObject {
            meta: r.meta.into(),
            data: r.data,
        }
    }
}

/// The metadata columns of a revision, prefixed with the alias `r`.
macro_rules! revision_meta_columns {
    () => {
        "r.calendar_id, r.seq, r.uid, r.name, r.kind, r.at, r.source, r.device_id, r.note, r.summary"
    };
}
pub(crate) use revision_meta_columns;

/// All columns of a revision, prefixed with the alias `r`.
macro_rules! revision_columns {
    () => {
        "r.calendar_id, r.seq, r.uid, r.name, r.kind, r.at, r.source, r.device_id, r.note, r.summary, r.data, r.component, r.first_start, r.last_end, r.fingerprint"
    };
}
pub(crate) use revision_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct RevisionMetaRow {
    calendar_id: i64,
    seq: i64,
    uid: String,
    name: String,
    kind: String,
    at: i64,
    source: String,
    device_id: Option<i64>,
    note: Option<String>,
    summary: Option<String>,
}

impl TryFrom<RevisionMetaRow> for RevisionMeta {
    type Error = StoreError;

    fn try_from(r: RevisionMetaRow) -> Result<Self> {
        Ok(RevisionMeta {
            kind: parse_kind(&r.kind, r.calendar_id, r.seq)?,
            calendar_id: r.calendar_id,
            seq: r.seq,
            uid: r.uid,
            name: r.name,
            at: r.at,
            source: r.source,
            device_id: r.device_id,
            note: r.note,
            summary: r.summary,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RevisionRow {
    #[sqlx(flatten)]
    meta: RevisionMetaRow,
    data: String,
    component: Option<String>,
    first_start: Option<i64>,
    last_end: Option<i64>,
    fingerprint: Option<String>,
}

impl TryFrom<RevisionRow> for Revision {
    type Error = StoreError;

    fn try_from(r: RevisionRow) -> Result<Self> {
        let meta = RevisionMeta::try_from(r.meta)?;
        // A tombstone has no facts of its own: it is the absence of the object.
        let facts = match (meta.kind, r.component, r.fingerprint) {
            (RevisionKind::Put, Some(component), Some(fingerprint)) => Some(ObjectFacts {
                component,
                first_start: r.first_start,
                last_end: r.last_end,
                fingerprint,
                summary: meta.summary.clone(),
            }),
            (RevisionKind::Put, _, _) => {
                return Err(StoreError::Corrupt(format!(
                    "revision {} of calendar {} is a put without facts",
                    meta.seq, meta.calendar_id
                )));
            }
            (RevisionKind::Delete, _, _) => None,
        };
        Ok(Revision {
            meta,
            data: r.data,
            facts,
        })
    }
}

fn parse_kind(kind: &str, calendar: i64, seq: i64) -> Result<RevisionKind> {
    match kind {
        "put" => Ok(RevisionKind::Put),
        "delete" => Ok(RevisionKind::Delete),
        other => Err(StoreError::Corrupt(format!(
            "revision {seq} of calendar {calendar} has kind {other:?}"
        ))),
    }
}

/// A tombstone row joined with its revision (`t` and `r`).
macro_rules! tombstone_columns {
    () => {
        "t.calendar_id, t.uid, r.name, t.seq, t.deleted_at, r.source, r.device_id, r.summary, r.data"
    };
}
pub(crate) use tombstone_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct TombstoneRow {
    calendar_id: i64,
    uid: String,
    name: String,
    seq: i64,
    deleted_at: i64,
    source: String,
    device_id: Option<i64>,
    summary: Option<String>,
    data: String,
}

impl From<TombstoneRow> for Tombstone {
    fn from(r: TombstoneRow) -> Self {
        Tombstone {
            calendar_id: r.calendar_id,
            uid: r.uid,
            name: r.name,
            seq: r.seq,
            deleted_at: r.deleted_at,
            source: r.source,
            device_id: r.device_id,
            summary: r.summary,
            data: r.data,
        }
    }
}

macro_rules! snapshot_columns {
    () => {
        "id, calendar_id, position, label, reason, automatic, created_at"
    };
}
pub(crate) use snapshot_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct SnapshotRow {
    id: i64,
    calendar_id: i64,
    position: i64,
    label: String,
    reason: String,
    automatic: bool,
    created_at: i64,
}

impl From<SnapshotRow> for Snapshot {
    fn from(r: SnapshotRow) -> Self {
        Snapshot {
            id: r.id,
            calendar_id: r.calendar_id,
            position: r.position,
            label: r.label,
            reason: r.reason,
            automatic: r.automatic,
            created_at: r.created_at,
        }
    }
}

macro_rules! device_columns {
    () => {
        "id, user_id, protocol, key, name, created_at, seen_at, last_sync, state"
    };
}
pub(crate) use device_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct DeviceRow {
    id: i64,
    user_id: i64,
    protocol: String,
    key: String,
    name: String,
    created_at: i64,
    seen_at: i64,
    last_sync: Option<i64>,
    state: String,
}

impl TryFrom<DeviceRow> for Device {
    type Error = StoreError;

    fn try_from(r: DeviceRow) -> Result<Self> {
        let state = serde_json::from_str(&r.state)
            .map_err(|e| StoreError::Corrupt(format!("state of device {}: {e}", r.id)))?;
        Ok(Device {
            id: r.id,
            user_id: r.user_id,
            protocol: r.protocol,
            key: r.key,
            name: r.name,
            created_at: r.created_at,
            seen_at: r.seen_at,
            last_sync: r.last_sync,
            state,
        })
    }
}

/// The current row of a UID that a commit touches (by UID or by name), as read in its transaction.
#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct CurrentObjectRow {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub seq: i64,
    pub summary: Option<String>,
}

/// Converts a list of rows with a fallible conversion.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> Result<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Groups objects that share a fingerprint; rows arrive ordered by fingerprint.
pub(crate) fn group_twins(rows: Vec<ObjectMetaRow>) -> Vec<Vec<ObjectMeta>> {
    let mut groups: Vec<Vec<ObjectMeta>> = Vec::new();
    for row in rows {
        let meta = ObjectMeta::from(row);
        match groups.last_mut() {
            Some(group) if group[0].facts.fingerprint == meta.facts.fingerprint => group.push(meta),
            _ => groups.push(vec![meta]),
        }
    }
    groups.retain(|g| g.len() > 1);
    groups
}

/// `SELECT` of object rows with their data: join on the newest revision.
macro_rules! stored_object_select {
    () => {
        concat!(
            "SELECT ",
            $crate::rows::object_columns!(),
            ", r.data FROM objects o JOIN revisions r ON r.calendar_id = o.calendar_id AND r.seq = o.seq"
        )
    };
}
pub(crate) use stored_object_select;

/// A UID that changed after a position, with its newest revision at or before that position when
/// it was a put (all NULL otherwise). See `Store::state_at`.
#[derive(sqlx::FromRow)]
pub(crate) struct StateRow {
    changed_uid: String,
    seq: Option<i64>,
    name: Option<String>,
    kind: Option<String>,
    at: Option<i64>,
    source: Option<String>,
    device_id: Option<i64>,
    note: Option<String>,
    summary: Option<String>,
    data: Option<String>,
    component: Option<String>,
    first_start: Option<i64>,
    last_end: Option<i64>,
    fingerprint: Option<String>,
}

/// The columns of a [`StateRow`]: `c.uid` is the changed UID, `r` its revision (LEFT JOIN).
macro_rules! state_columns {
    () => {
        "c.uid AS changed_uid, r.seq, r.name, r.kind, r.at, r.source, r.device_id, r.note, r.summary, r.data, \
         r.component, r.first_start, r.last_end, r.fingerprint"
    };
}
pub(crate) use state_columns;

impl StateRow {
    pub(crate) fn into_state(self, calendar_id: i64) -> Result<(String, Option<Revision>)> {
        let uid = self.changed_uid;
        let (Some(seq), Some(name), Some(kind), Some(at), Some(source), Some(data)) = (
            self.seq,
            self.name,
            self.kind,
            self.at,
            self.source,
            self.data,
        ) else {
            return Ok((uid, None));
        };
        let row = RevisionRow {
            meta: RevisionMetaRow {
                calendar_id,
                seq,
                uid: uid.clone(),
                name,
                kind,
                at,
                source,
                device_id: self.device_id,
                note: self.note,
                summary: self.summary,
            },
            data,
            component: self.component,
            first_start: self.first_start,
            last_end: self.last_end,
            fingerprint: self.fingerprint,
        };
        Ok((uid, Some(Revision::try_from(row)?)))
    }
}

impl crate::CalendarPatch {
    /// Writes the patched fields into `calendar`.
    pub(crate) fn apply(self, calendar: &mut Calendar) {
        if let Some(name) = self.name {
            calendar.name = name;
        }
        if let Some(display_name) = self.display_name {
            calendar.display_name = display_name;
        }
        if let Some(color) = self.color {
            calendar.color = color;
        }
        if let Some(description) = self.description {
            calendar.description = description;
        }
        if let Some(components) = self.components {
            calendar.components = components;
        }
        if let Some(timezone) = self.timezone {
            calendar.timezone = timezone;
        }
        if let Some(properties) = self.properties {
            calendar.properties = properties;
        }
    }
}

macro_rules! app_password_columns {
    () => {
        "id, user_id, name, secret_sha256, created_at, last_used_at"
    };
}
pub(crate) use app_password_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct AppPasswordRow {
    id: i64,
    user_id: i64,
    name: String,
    secret_sha256: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

/// The user named `$1` and the app password of theirs whose hash is `$2`, if any.
pub(crate) const USER_AND_APP_PASSWORD: &str = "SELECT u.id, u.name, u.email, u.password_hash, \
     u.created_at, a.id AS app_id, a.name AS app_name, a.secret_sha256 AS app_secret_sha256, \
     a.created_at AS app_created_at, a.last_used_at AS app_last_used_at \
     FROM users u LEFT JOIN app_passwords a ON a.user_id = u.id AND a.secret_sha256 = $2 \
     WHERE u.name = $1 ORDER BY a.id LIMIT 1";

/// A user and, LEFT JOINed, the app password a secret matched (`app_*` columns).
#[derive(sqlx::FromRow)]
pub(crate) struct UserAppPasswordRow {
    #[sqlx(flatten)]
    user: UserRow,
    app_id: Option<i64>,
    app_name: Option<String>,
    app_secret_sha256: Option<String>,
    app_created_at: Option<i64>,
    app_last_used_at: Option<i64>,
}

impl From<UserAppPasswordRow> for (User, Option<AppPassword>) {
    fn from(r: UserAppPasswordRow) -> Self {
        let user = User::from(r.user);
        let app = match (r.app_id, r.app_name, r.app_secret_sha256, r.app_created_at) {
            (Some(id), Some(name), Some(secret_sha256), Some(created_at)) => Some(AppPassword {
                id,
                user_id: user.id,
                name,
                secret_sha256,
                created_at,
                last_used_at: r.app_last_used_at,
            }),
            _ => None,
        };
        (user, app)
    }
}

impl From<AppPasswordRow> for AppPassword {
    fn from(r: AppPasswordRow) -> Self {
        AppPassword {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            secret_sha256: r.secret_sha256,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

/// `SELECT` of shares with their owner: `s` joined with its calendar `c`.
macro_rules! share_select {
    () => {
        "SELECT s.calendar_id, c.user_id AS owner_id, s.grantee_id, s.access, s.mount_name, s.created_at \
         FROM shares s JOIN calendars c ON c.id = s.calendar_id"
    };
}
pub(crate) use share_select;

#[derive(sqlx::FromRow)]
pub(crate) struct ShareRow {
    pub calendar_id: i64,
    pub owner_id: i64,
    pub grantee_id: i64,
    pub access: String,
    pub mount_name: String,
    pub created_at: i64,
}

impl TryFrom<ShareRow> for Share {
    type Error = StoreError;

    fn try_from(r: ShareRow) -> Result<Self> {
        let access = ShareAccess::parse(&r.access).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "share of calendar {} with user {} has access {:?}",
                r.calendar_id, r.grantee_id, r.access
            ))
        })?;
        Ok(Share {
            calendar_id: r.calendar_id,
            owner_id: r.owner_id,
            grantee_id: r.grantee_id,
            access,
            mount_name: r.mount_name,
            created_at: r.created_at,
        })
    }
}

macro_rules! alert_columns {
    () => {
        "id, user_id, calendar_id, device_id, kind, message, snapshot_id, count, data, created_at, resolved_at, resolution"
    };
}
pub(crate) use alert_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct AlertRow {
    id: i64,
    user_id: i64,
    calendar_id: Option<i64>,
    device_id: Option<i64>,
    kind: String,
    message: String,
    snapshot_id: Option<i64>,
    count: i64,
    data: String,
    created_at: i64,
    resolved_at: Option<i64>,
    resolution: Option<String>,
}

impl TryFrom<AlertRow> for Alert {
    type Error = StoreError;

    fn try_from(r: AlertRow) -> Result<Self> {
        let data = serde_json::from_str(&r.data)
            .map_err(|e| StoreError::Corrupt(format!("data of alert {}: {e}", r.id)))?;
        Ok(Alert {
            id: r.id,
            user_id: r.user_id,
            calendar_id: r.calendar_id,
            device_id: r.device_id,
            kind: r.kind,
            message: r.message,
            snapshot_id: r.snapshot_id,
            count: r.count,
            data,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
            resolution: r.resolution,
        })
    }
}

macro_rules! dav_file_columns {
    () => {
        "id, user_id, path, collection, content, content_type, etag, properties, created_at, modified_at"
    };
}
pub(crate) use dav_file_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct DavFileRow {
    id: i64,
    user_id: i64,
    path: String,
    collection: bool,
    content: Vec<u8>,
    content_type: Option<String>,
    etag: String,
    properties: String,
    created_at: i64,
    modified_at: i64,
}

impl TryFrom<DavFileRow> for DavFile {
    type Error = StoreError;

    fn try_from(r: DavFileRow) -> Result<Self> {
        let properties = decode_properties(&r.properties)
            .map_err(|e| StoreError::Corrupt(format!("properties of WebDAV file {}: {e}", r.id)))?;
        Ok(DavFile {
            id: r.id,
            user_id: r.user_id,
            path: r.path,
            collection: r.collection,
            content: r.content,
            content_type: r.content_type,
            etag: r.etag,
            properties,
            created_at: r.created_at,
            modified_at: r.modified_at,
        })
    }
}

/// What a new alert names, for the error when one of them is missing.
pub(crate) fn alert_parents(alert: &NewAlert) -> String {
    let mut parents = format!("user {}", alert.user_id);
    if let Some(calendar) = alert.calendar_id {
        parents.push_str(&format!(", calendar {calendar}"));
    }
    if let Some(snapshot) = alert.snapshot_id {
        parents.push_str(&format!(" or snapshot {snapshot}"));
    }
    parents
}

/// The rows the SQLite backend reads on the calling thread (`sqlite::direct`), by column
/// position: the column lists above, in their order (`stored_object`: the object's columns,
/// then the data). A lookup by name costs a string search per value.
pub(crate) mod direct {
    use rusqlite::Row;

    use super::{
        CalendarRow, ObjectMetaRow, RevisionMetaRow, StoredObjectRow, UserAppPasswordRow, UserRow,
    };

    pub(crate) fn calendar(row: &Row<'_>) -> rusqlite::Result<CalendarRow> {
        Ok(CalendarRow {
            id: row.get(0)?,
            user_id: row.get(1)?,
            name: row.get(2)?,
            display_name: row.get(3)?,
            color: row.get(4)?,
            description: row.get(5)?,
            components: row.get(6)?,
            created_at: row.get(7)?,
            deleted_at: row.get(8)?,
            position: row.get(9)?,
            oldest_position: row.get(10)?,
            timezone: row.get(11)?,
            properties: row.get(12)?,
            modified_at: row.get(13)?,
        })
    }

    pub(crate) fn user_and_app_password(row: &Row<'_>) -> rusqlite::Result<UserAppPasswordRow> {
        Ok(UserAppPasswordRow {
            user: UserRow {
                id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
                password_hash: row.get(3)?,
                created_at: row.get(4)?,
            },
            app_id: row.get(5)?,
            app_name: row.get(6)?,
            app_secret_sha256: row.get(7)?,
            app_created_at: row.get(8)?,
            app_last_used_at: row.get(9)?,
        })
    }

    pub(crate) fn object_meta(row: &Row<'_>) -> rusqlite::Result<ObjectMetaRow> {
        Ok(ObjectMetaRow {
            id: row.get(0)?,
            calendar_id: row.get(1)?,
            uid: row.get(2)?,
            name: row.get(3)?,
            seq: row.get(4)?,
            component: row.get(5)?,
            first_start: row.get(6)?,
            last_end: row.get(7)?,
            fingerprint: row.get(8)?,
            summary: row.get(9)?,
            updated_at: row.get(10)?,
        })
    }

    pub(crate) fn revision_meta(row: &Row<'_>) -> rusqlite::Result<RevisionMetaRow> {
        Ok(RevisionMetaRow {
            calendar_id: row.get(0)?,
            seq: row.get(1)?,
            uid: row.get(2)?,
            name: row.get(3)?,
            kind: row.get(4)?,
            at: row.get(5)?,
            source: row.get(6)?,
            device_id: row.get(7)?,
            note: row.get(8)?,
            summary: row.get(9)?,
        })
    }

    pub(crate) fn stored_object(row: &Row<'_>) -> rusqlite::Result<StoredObjectRow> {
        Ok(StoredObjectRow {
            meta: object_meta(row)?,
            data: row.get(11)?,
        })
    }
}
