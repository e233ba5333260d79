//! What the server remembers: the state of one session (persisted after every message, so any
//! node continues it) and the SyncML part of a device's state (anchors, nonce, DevInf, held
//! deletions).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use calvault_syncml_proto::Encoding;
use serde::{Deserialize, Serialize};

use crate::datastore::Collection;
use crate::format::ItemFormat;
use crate::window::SyncWindow;

/// Where a session stands (OMA DS Protocol 1.2 §5: packages 1 to 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Receiving the client's initialisation (package 1: Alerts, Put, Get).
    Init,
    /// Receiving the client's modifications (package 3: Sync).
    ClientSync,
    /// Sending the server's modifications (package 4), possibly over several messages.
    ServerSync,
    /// The server's package is out; waiting for the client's Map and Statuses (package 5).
    Mapping,
    /// Complete: anchors saved.
    Done,
}

/// A sync type of OMA DS Protocol 1.2 §4, as the Alert codes 200–205 name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncType {
    TwoWay,
    Slow,
    OneWayFromClient,
    RefreshFromClient,
    OneWayFromServer,
    RefreshFromServer,
}

impl SyncType {
    /// From an Alert code; the server-alerted codes 206–210 mean the same types.
    pub fn from_code(code: u16) -> Option<Self> {
        Some(match code {
            200 | 206 => SyncType::TwoWay,
            201 => SyncType::Slow,
            202 | 207 => SyncType::OneWayFromClient,
            203 | 208 => SyncType::RefreshFromClient,
            204 | 209 => SyncType::OneWayFromServer,
            205 | 210 => SyncType::RefreshFromServer,
            _ => return None,
        })
    }

    pub fn code(self) -> u16 {
        match self {
            SyncType::TwoWay => 200,
            SyncType::Slow => 201,
            SyncType::OneWayFromClient => 202,
            SyncType::RefreshFromClient => 203,
            SyncType::OneWayFromServer => 204,
            SyncType::RefreshFromServer => 205,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SyncType::TwoWay => "two-way",
            SyncType::Slow => "slow",
            SyncType::OneWayFromClient => "one-way-from-client",
            SyncType::RefreshFromClient => "refresh-from-client",
            SyncType::OneWayFromServer => "one-way-from-server",
            SyncType::RefreshFromServer => "refresh-from-server",
        }
    }

    /// Whether the anchors must match for this type to go ahead (§4.1: otherwise 508).
    pub fn needs_anchors(self) -> bool {
        matches!(
            self,
            SyncType::TwoWay | SyncType::OneWayFromClient | SyncType::OneWayFromServer
        )
    }

    /// Whether the server sends its changes.
    pub fn server_sends(self) -> bool {
        !matches!(
            self,
            SyncType::OneWayFromClient | SyncType::RefreshFromClient
        )
    }
}

/// A change the server will send (OMA DS Protocol 1.2 §5.5, package 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutChange {
    Add { uid: String },
    Replace { uid: String, luid: String },
    Delete { uid: String, luid: String },
}

/// The server changes still to send, oldest first. Persisted as one string, a line per change
/// (`A uid`, `R uid luid`, `D uid luid`, tab-separated, `\\`, `\t` and `\n` escaped): at
/// 50,000 changes a JSON object per change cost more to write and read back after every
/// message than the message itself. A loaded queue keeps that text and reads a line only when
/// its change is taken: a message takes a few hundred changes of thousands, and the rest goes
/// back into the saved state as the text it came from.
#[derive(Debug, Clone, Default)]
pub struct OutQueue {
    /// Changes read from `lines` or put back first, before the unread lines.
    head: VecDeque<OutChange>,
    /// The saved lines; those from `offset` on are still to read.
    lines: String,
    offset: usize,
    /// The number of lines from `offset` on.
    unread: usize,
    /// Changes added after the lines.
    tail: VecDeque<OutChange>,
}

impl OutQueue {
    pub fn len(&self) -> usize {
        self.head.len() + self.unread + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn front(&mut self) -> Option<&OutChange> {
        if self.head.is_empty()
            && let Some(change) = self.read_line()
        {
            self.head.push_back(change);
        }
        self.head.front().or_else(|| self.tail.front())
    }

    pub fn pop_front(&mut self) -> Option<OutChange> {
        self.head
            .pop_front()
            .or_else(|| self.read_line())
            .or_else(|| self.tail.pop_front())
    }

    pub fn push(&mut self, change: OutChange) {
        self.tail.push_back(change);
    }

    /// Puts changes back at the head of the queue, in their order (sent but never
    /// acknowledged: they go again first).
    pub fn requeue(&mut self, changes: impl IntoIterator<Item = OutChange>) {
        let changes: Vec<OutChange> = changes.into_iter().collect();
        let mut all: VecDeque<OutChange> = self.iter().collect();
        for change in changes.into_iter().rev() {
            if !all.contains(&change) {
                all.push_front(change);
            }
        }
        *self = OutQueue {
            head: all,
            ..OutQueue::default()
        };
    }

    /// The changes in order, the saved lines read as they come.
    pub fn iter(&self) -> impl Iterator<Item = OutChange> + '_ {
        let unread = self.lines[self.offset..].lines().filter_map(parse_line);
        self.head
            .iter()
            .cloned()
            .chain(unread)
            .chain(self.tail.iter().cloned())
    }

    /// The next unread line's change (a line that does not read is passed over: `from_lines`
    /// checked them all).
    fn read_line(&mut self) -> Option<OutChange> {
        while self.unread > 0 {
            let rest = &self.lines[self.offset..];
            let end = rest.find('\n').map_or(rest.len(), |at| at + 1);
            let line = &rest[..end];
            let line = line.strip_suffix('\n').unwrap_or(line);
            let change = parse_line(line.strip_suffix('\r').unwrap_or(line));
            self.offset += end;
            self.unread -= 1;
            if change.is_some() {
                return change;
            }
        }
        None
    }

    fn to_lines(&self) -> String {
        let unread = &self.lines[self.offset..];
        let mut out =
            String::with_capacity(unread.len() + (self.head.len() + self.tail.len()) * 40);
        for change in &self.head {
            write_line(&mut out, change);
        }
        out.push_str(unread);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        for change in &self.tail {
            write_line(&mut out, change);
        }
        out
    }

    /// The queue of saved lines, each checked (and counted) but read only when taken.
    fn from_lines(lines: String) -> Option<Self> {
        let mut unread = 0;
        for line in lines.lines() {
            if !line_reads(line) {
                return None;
            }
            unread += 1;
        }
        Some(OutQueue {
            lines,
            unread,
            ..OutQueue::default()
        })
    }
}

impl PartialEq for OutQueue {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for OutQueue {}

fn write_line(out: &mut String, change: &OutChange) {
    let (tag, uid, luid) = match change {
        OutChange::Add { uid } => ('A', uid, None),
        OutChange::Replace { uid, luid } => ('R', uid, Some(luid)),
        OutChange::Delete { uid, luid } => ('D', uid, Some(luid)),
    };
    out.push(tag);
    for field in std::iter::once(uid).chain(luid) {
        out.push('\t');
        escape_into(out, field);
    }
    out.push('\n');
}

fn parse_line(line: &str) -> Option<OutChange> {
    let mut fields = line.split('\t');
    let tag = fields.next()?;
    let uid = unescape(fields.next()?)?;
    let luid = fields.next().map(unescape);
    if fields.next().is_some() {
        return None;
    }
    Some(match (tag, luid) {
        ("A", None) => OutChange::Add { uid },
        ("R", Some(luid)) => OutChange::Replace { uid, luid: luid? },
        ("D", Some(luid)) => OutChange::Delete { uid, luid: luid? },
        _ => return None,
    })
}

/// Whether `parse_line` reads the line, without building its change.
fn line_reads(line: &str) -> bool {
    let fields = line.split('\t').count();
    let tag_fits = match line.as_bytes().first() {
        Some(b'A') => fields == 2,
        Some(b'R' | b'D') => fields == 3,
        _ => false,
    };
    let escapes_read = !line.contains('\\') || line.split('\t').all(|f| unescape(f).is_some());
    tag_fits && line.as_bytes().get(1) == Some(&b'\t') && escapes_read
}

impl FromIterator<OutChange> for OutQueue {
    fn from_iter<I: IntoIterator<Item = OutChange>>(iter: I) -> Self {
        OutQueue {
            tail: iter.into_iter().collect(),
            ..OutQueue::default()
        }
    }
}

fn escape_into(out: &mut String, field: &str) {
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn unescape(field: &str) -> Option<String> {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

impl Serialize for OutQueue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_lines())
    }
}

impl<'de> Deserialize<'de> for OutQueue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The text, or the JSON list that sessions saved before it.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Saved {
            Lines(String),
            List(VecDeque<OutChange>),
        }
        match Saved::deserialize(deserializer)? {
            Saved::Lines(text) => OutQueue::from_lines(text)
                .ok_or_else(|| serde::de::Error::custom("not a queue of server changes")),
            Saved::List(list) => Ok(list.into_iter().collect()),
        }
    }
}

/// Counters for the device listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCounts {
    pub added: u64,
    pub replaced: u64,
    pub deleted: u64,
    pub failed: u64,
}

/// One datastore being synced in this session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatastoreSession {
    /// The server's name for it: `calendar`, `tasks/work`.
    pub server_uri: String,
    /// The device's name for it (its Alert Item Source): `./calendar`.
    pub client_uri: String,
    /// What the client's Target said, echoed in Status TargetRef.
    pub target_ref: String,
    pub calendar_id: i64,
    pub collection: Collection,
    pub sync_type: SyncType,
    pub format: ItemFormat,
    /// Objects outside it are neither sent nor deleted (None: everything).
    #[serde(default)]
    pub window: Option<SyncWindow>,
    pub client_next: String,
    /// The device's anchor saved when this sync started (its Last): a resume is only valid
    /// while the saved anchor is still this one (no other sync completed since).
    #[serde(default)]
    pub client_last: Option<String>,
    pub server_last: Option<String>,
    pub server_next: String,
    /// The device's journal position from its last completed sync.
    pub last_position: i64,
    /// The position the server's changes of this session reach.
    pub position: i64,
    /// UIDs the device sent or matched in this session without a LUID. Those with one are
    /// the LUID maps themselves (cleared when a slow or refresh sync starts): keeping them
    /// here too made the state grow with every item, rewritten after every message.
    pub touched: BTreeSet<String>,
    /// Deletions the device asked for, applied (or held) when its package is complete.
    pub pending_deletes: Vec<(String, String)>,
    /// UIDs of held deletions the owner chose to keep: sent back as Add.
    pub resend: Vec<String>,
    /// Server changes still to send.
    pub queue: OutQueue,
    /// A slow or refresh sync's objects not queued yet, read from the calendar as the
    /// messages go.
    #[serde(default)]
    pub scan: Option<SlowScan>,
    /// Server changes in the last reply: acknowledged when the client's next message comes.
    /// A session interrupted before that sends them again when resumed.
    #[serde(default)]
    pub in_flight: Vec<OutChange>,
    /// Whether this sync continues a suspended or interrupted one (Alert 225).
    #[serde(default)]
    pub resumed: bool,
    pub queue_ready: bool,
    pub number_of_changes_sent: bool,
    /// The GUID each Add carried (our Source LocURI) → its UID, for the device's Map; only
    /// GUIDs that are not the UID itself (a digest of a long UID).
    pub sent_adds: BTreeMap<String, String>,
    pub from_client: SyncCounts,
    pub to_client: SyncCounts,
}

impl DatastoreSession {
    /// The server changes not sent yet: queued, and those of the scan still to come.
    pub fn to_send(&self) -> usize {
        self.queue.len() + self.scan.as_ref().map_or(0, |scan| scan.left as usize)
    }

    /// Whether anything is left to send.
    pub fn sending(&self) -> bool {
        !self.queue.is_empty() || self.scan.is_some()
    }
}

/// The calendar's objects a slow or refresh sync has still to send, in the order of their
/// ids: the next ones are read when the queue runs out. Listing every object in the state
/// instead made it grow with the calendar, written and read back after every message.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SlowScan {
    /// The id of the last object read.
    pub after: i64,
    /// The journal position the sync reaches: an object written after it is left to the next
    /// sync, which sends it as a change since that position.
    pub upto: i64,
    /// Objects that are the device's own (it sent or matched them in this session), sorted.
    pub skip: Vec<i64>,
    /// Objects counted at the start that the scan has not reached: NumberOfChanges.
    pub left: u32,
}

/// A large object arriving in chunks (OMA DS Protocol 1.2 §6.4 (Large Object Handling)).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingChunk {
    pub datastore: String,
    /// `Add` or `Replace`.
    pub cmd: String,
    pub luid: String,
    pub mime: Option<String>,
    pub announced: Option<u64>,
    /// The bytes so far, base64 (a chunk may end inside a character).
    pub data_b64: String,
}

/// A large object the server is sending in chunks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutgoingChunk {
    pub datastore: String,
    pub change: OutChange,
    pub guid: String,
    pub data: String,
    /// Bytes of `data` already sent.
    pub sent: usize,
}

/// Everything a session keeps between messages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionState {
    pub ver_dtd: String,
    pub wbxml: bool,
    pub user_id: i64,
    pub user: String,
    pub device_id: i64,
    pub stage: Stage,
    /// The MsgID of the server's last message.
    pub server_msg_id: u32,
    pub client_max_msg_size: Option<u64>,
    pub client_max_obj_size: Option<u64>,
    pub datastores: Vec<DatastoreSession>,
    pub incoming: Option<IncomingChunk>,
    pub outgoing: Option<OutgoingChunk>,
    /// The nonce given to the client for its next session (auth-md5).
    pub next_nonce: Option<String>,
}

impl SessionState {
    pub fn encoding(&self) -> Encoding {
        if self.wbxml {
            Encoding::Wbxml
        } else {
            Encoding::Xml
        }
    }

    pub fn datastore_mut(&mut self, server_uri: &str) -> Option<&mut DatastoreSession> {
        self.datastores
            .iter_mut()
            .find(|d| d.server_uri == server_uri)
    }
}

/// The anchors and position a datastore of a device reached at its last completed sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatastoreAnchors {
    pub client_anchor: String,
    pub server_anchor: String,
    pub position: i64,
    pub sync_type: Option<String>,
    pub at: i64,
    #[serde(default)]
    pub from_client: SyncCounts,
    #[serde(default)]
    pub to_client: SyncCounts,
    /// The calendar the sync ran against: `position` is a place in its journal. When
    /// `calendar` or `tasks` name another calendar by the next sync (the chosen one deleted
    /// over CalDAV or from the trash page, say), these anchors say nothing about it (OMA DS
    /// Protocol 1.2 §4.1). None in states saved before it was kept: those are trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_id: Option<i64>,
}

/// Deletions held for the owner's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldDeletions {
    pub alert_id: i64,
    pub datastore: String,
    pub calendar_id: i64,
    pub uids: Vec<String>,
}

/// What a device's DevInf told us, per datastore: its preferred receive type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub man: Option<String>,
    pub model: Option<String>,
    pub sw_version: Option<String>,
    /// Client datastore (SourceRef) → preferred receive type.
    pub rx_pref: BTreeMap<String, String>,
}

/// The SyncML part of `devices.state`; other keys are kept as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeviceState {
    /// The nonce the device must hash its next auth-md5 credential with (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// b64(md5(user:secret)) of an app password this device proved with auth-basic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5_credential: Option<String>,
    #[serde(default)]
    pub anchors: BTreeMap<String, DatastoreAnchors>,
    #[serde(default)]
    pub held: Vec<HeldDeletions>,
    #[serde(default)]
    pub devinf: Option<DeviceInfo>,
    /// Set by `devices reset`: the next sync of every datastore is slow.
    #[serde(default)]
    pub force_slow: bool,
    /// Set by `devices revoke`: the device is refused.
    #[serde(default)]
    pub revoked: bool,
    /// Syncs suspended (Alert 224) per datastore, to be continued by an Alert 225.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub suspended: BTreeMap<String, DatastoreSession>,
    /// The device's own sync window (else the server's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<SyncWindow>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl DeviceState {
    pub fn from_json(value: &serde_json::Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_round_trips_through_its_text() {
        let queue: OutQueue = [
            OutChange::Add { uid: "a@b".into() },
            OutChange::Replace {
                uid: "tab\there".into(),
                luid: "12".into(),
            },
            OutChange::Delete {
                uid: "back\\slash\nline\r".into(),
                luid: "".into(),
            },
        ]
        .into_iter()
        .collect();
        let json = serde_json::to_value(&queue).unwrap();
        assert!(json.is_string());
        let back: OutQueue = serde_json::from_value(json).unwrap();
        assert_eq!(back, queue);
        let empty: OutQueue = serde_json::from_value(serde_json::json!("")).unwrap();
        assert!(empty.is_empty());
        let mut old: OutQueue =
            serde_json::from_value(serde_json::json!([{"Add": {"uid": "a@b"}}])).unwrap();
        assert_eq!(old.front(), queue.clone().front());
    }

    #[test]
    fn anchors_saved_before_their_calendar_was_kept_still_load() {
        let state = DeviceState::from_json(&serde_json::json!({
            "anchors": {"calendar": {"client_anchor": "c1", "server_anchor": "s1",
                "position": 4, "sync_type": "slow", "at": 0}}
        }));
        assert_eq!(state.anchors["calendar"].client_anchor, "c1");
        assert_eq!(state.anchors["calendar"].calendar_id, None);
        let mut kept = state.clone();
        kept.anchors.get_mut("calendar").unwrap().calendar_id = Some(7);
        let back = DeviceState::from_json(&kept.to_json());
        assert_eq!(back.anchors["calendar"].calendar_id, Some(7));
    }

    /// A loaded queue reads its lines as they are taken; what is left, with what was put back
    /// or added, saves as the same changes in the same order.
    #[test]
    fn a_loaded_queue_saves_what_is_left_in_order() {
        let add = |uid: &str| OutChange::Add { uid: uid.into() };
        let saved: OutQueue = (0..10).map(|i| add(&format!("u{i}\tx"))).collect();
        let mut queue: OutQueue =
            serde_json::from_value(serde_json::to_value(&saved).unwrap()).unwrap();
        assert_eq!(queue, saved);
        assert_eq!(queue.len(), 10);
        assert_eq!(queue.front(), Some(&add("u0\tx")));
        assert_eq!(queue.pop_front(), Some(add("u0\tx")));
        assert_eq!(queue.pop_front(), Some(add("u1\tx")));
        queue.push(OutChange::Delete {
            uid: "gone".into(),
            luid: "7".into(),
        });
        queue.requeue([add("u1\tx")]);
        assert_eq!(queue.len(), 10);
        let back: OutQueue = serde_json::from_value(serde_json::to_value(&queue).unwrap()).unwrap();
        let mut expected: Vec<OutChange> = vec![add("u1\tx")];
        expected.extend((2..10).map(|i| add(&format!("u{i}\tx"))));
        expected.push(OutChange::Delete {
            uid: "gone".into(),
            luid: "7".into(),
        });
        assert_eq!(back.iter().collect::<Vec<_>>(), expected);
        let mut drained = back.clone();
        let mut taken = Vec::new();
        while let Some(change) = drained.pop_front() {
            taken.push(change);
        }
        assert_eq!(taken, expected);
        assert!(drained.is_empty());
    }

    #[test]
    fn saved_text_that_does_not_read_is_refused() {
        for text in [
            "A",
            "A\tu\tl",
            "R\tu",
            "X\tu",
            "A\tbad\\q",
            "A\tu\n\nA\tv",
            "AA\tu",
        ] {
            let loaded: Result<OutQueue, _> = serde_json::from_value(serde_json::json!(text));
            assert!(loaded.is_err(), "{text:?}");
        }
        let loaded: OutQueue = serde_json::from_value(serde_json::json!("A\tu\nD\tv\tl")).unwrap();
        assert_eq!(loaded.len(), 2);
    }

    #[test]
    fn requeued_changes_go_first_in_their_order_and_once() {
        let add = |uid: &str| OutChange::Add { uid: uid.into() };
        let mut queue: OutQueue = [add("c"), add("d")].into_iter().collect();
        queue.requeue([add("a"), add("b"), add("c")]);
        let uids: Vec<OutChange> = queue.iter().collect();
        assert_eq!(uids, [add("a"), add("b"), add("c"), add("d")]);
    }
}
