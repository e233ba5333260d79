//! A scripted SyncML client for whole-session tests: it builds each message as a device would,
//! posts it to an engine on a temporary SQLite store, and reads the reply.

#![allow(dead_code)]

use std::ops::RangeInclusive;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use calvault_core::store::{Calendar, SqliteStore, User};
use calvault_core::{Actor, Client, Condition, Policy, Vault};
use calvault_syncml::state::DeviceState;
use calvault_syncml::{Engine, Request, SyncmlConfig};
use calvault_syncml_proto::{
    Alert, AlertCode, Anchor, Change, Command, Container, Cred, Data, Delete, Encoding, Item,
    Location, Map, MapItem, Meta, Status, StatusCode, Sync, SyncBody, SyncHdr, SyncMl, VerDtd,
    decode, encode,
};

pub const USER: &str = "alice";
pub const PASSWORD: &str = "secret-passphrase";
pub const SERVER_URI: &str = "http://127.0.0.1:9050/syncml";

pub struct Server {
    pub vault: Vault,
    pub engine: Engine,
    _dir: tempfile::TempDir,
}

pub async fn server(config: SyncmlConfig) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let vault = Vault::new(Arc::new(store), Policy::default());
    vault.add_user(USER, None, PASSWORD).await.unwrap();
    Server {
        engine: Engine::new(vault.clone(), config),
        vault,
        _dir: dir,
    }
}

/// One simulated device.
pub struct Device {
    pub key: String,
    pub encoding: Encoding,
    pub max_msg_size: Option<u64>,
    session: u32,
    msg_id: u32,
    session_url: Option<String>,
}

impl Device {
    pub fn new(key: &str, encoding: Encoding) -> Self {
        Device {
            key: key.to_string(),
            encoding,
            max_msg_size: None,
            session: 0,
            msg_id: 0,
            session_url: None,
        }
    }

    /// Starts a new session (a new SessionID, MsgID 1, auth-basic again).
    pub fn new_session(&mut self) {
        self.session += 1;
        self.msg_id = 0;
        self.session_url = None;
    }

    /// The next message of the session.
    pub fn message(&mut self, commands: Vec<Command>, final_: bool) -> SyncMl {
        self.msg_id += 1;
        let cred = (self.msg_id == 1).then(|| Cred {
            meta: Some(Meta {
                type_: Some("syncml:auth-basic".into()),
                format: Some("b64".into()),
                ..Meta::default()
            }),
            data: B64.encode(format!("{USER}:{PASSWORD}")),
        });
        SyncMl {
            hdr: SyncHdr {
                ver_dtd: VerDtd::V1_2,
                ver_proto: "SyncML/1.2".into(),
                session_id: self.session.to_string(),
                msg_id: self.msg_id,
                target: Location::new(SERVER_URI),
                source: Location {
                    loc_uri: self.key.clone(),
                    loc_name: Some(USER.into()),
                },
                resp_uri: None,
                no_resp: false,
                cred,
                meta: self.max_msg_size.map(|size| Meta {
                    max_msg_size: Some(size),
                    ..Meta::default()
                }),
            },
            body: SyncBody { commands, final_ },
        }
    }

    /// Posts the message and reads the reply (learning the RespURI).
    pub async fn post(&mut self, server: &Server, msg: &SyncMl) -> SyncMl {
        let body = encode(msg, self.encoding);
        let reply = server
            .engine
            .handle(Request {
                body: &body,
                content_type: self.encoding.content_type(),
                session_id: self.session_url.as_deref(),
                endpoint: SERVER_URI,
                client: "127.0.0.1",
            })
            .await
            .expect("the engine answers");
        let reply = decode(&reply.body, self.encoding).expect("the reply decodes");
        if let Some(uri) = &reply.hdr.resp_uri {
            self.session_url = uri.split("sessionid=").nth(1).map(str::to_string);
        }
        reply
    }

    /// Builds the next message of these commands and posts it.
    pub async fn send(&mut self, server: &Server, commands: Vec<Command>, final_: bool) -> SyncMl {
        let msg = self.message(commands, final_);
        self.post(server, &msg).await
    }

    /// Sends a sync Alert for `calendar` as the only command of a final message.
    pub async fn send_alert(
        &mut self,
        server: &Server,
        code: u16,
        last: Option<&str>,
        next: &str,
    ) -> SyncMl {
        self.send(server, vec![alert(1, code, last, next)], true)
            .await
    }

    /// Sends these changes in the client's Sync, as a final message.
    pub async fn send_sync(&mut self, server: &Server, changes: Vec<Command>) -> SyncMl {
        self.send(server, vec![sync(1, changes)], true).await
    }

    /// Sends the answers to the server's changes of `reply` (see [`acknowledge`]).
    pub async fn acknowledge(
        &mut self,
        server: &Server,
        reply: &SyncMl,
        luid_prefix: &str,
    ) -> SyncMl {
        self.send(server, acknowledge(reply, 1, luid_prefix), true)
            .await
    }

    /// Answers the server's package from `reply` on, message after message: every Add
    /// acknowledged and mapped to `luid_prefix` + its GUID, the next message asked for until
    /// the Final one. The GUIDs of the Adds of `reply` and of every later message.
    pub async fn receive_package(
        &mut self,
        server: &Server,
        mut reply: SyncMl,
        luid_prefix: &str,
    ) -> Vec<String> {
        let mut received = Vec::new();
        loop {
            received.extend(server_adds(&reply));
            let mut answer = acknowledge(&reply, 1, luid_prefix);
            if reply.body.final_ {
                let last = self.send(server, answer, true).await;
                assert!(last.body.final_);
                return received;
            }
            answer.push(bare_alert(answer.len() as u32 + 1, AlertCode::NEXT_MESSAGE));
            reply = self.send(server, answer, false).await;
        }
    }

    /// Suspends the session (Alert 224).
    pub async fn suspend(&mut self, server: &Server) -> SyncMl {
        self.send(server, vec![bare_alert(1, AlertCode::SUSPEND)], true)
            .await
    }

    /// A whole slow sync (Alert 201 up to the anchor `next`): the device sends `adds` and
    /// maps what the server sends back under `luid_prefix`. Returns the reply to the Sync.
    pub async fn slow_sync(
        &mut self,
        server: &Server,
        next: &str,
        adds: Vec<Command>,
        luid_prefix: &str,
    ) -> SyncMl {
        self.send_alert(server, 201, None, next).await;
        let reply = self.send_sync(server, adds).await;
        self.acknowledge(server, &reply, luid_prefix).await;
        reply
    }
}

/// A sync Alert for the `calendar` datastore.
pub fn alert(cmd_id: u32, code: u16, last: Option<&str>, next: &str) -> Command {
    Command::Alert(Alert {
        cmd_id,
        data: Some(AlertCode(code)),
        items: vec![Item {
            target: Some(Location::new("calendar")),
            source: Some(Location::new("./calendar")),
            meta: Some(Meta {
                anchor: Some(Anchor {
                    last: last.map(str::to_string),
                    next: next.to_string(),
                }),
                ..Meta::default()
            }),
            ..Item::default()
        }],
        ..Alert::default()
    })
}

/// A bare Alert (222 next message, 224 suspend).
pub fn bare_alert(cmd_id: u32, code: AlertCode) -> Command {
    Command::Alert(Alert {
        cmd_id,
        data: Some(code),
        ..Alert::default()
    })
}

pub fn event(uid: &str, summary: &str, description_len: usize) -> String {
    let description = if description_len > 0 {
        format!("DESCRIPTION:{}\r\n", "x".repeat(description_len))
    } else {
        String::new()
    };
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\nDTEND:20260301T110000Z\r\n\
         SUMMARY:{summary}\r\n{description}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// One Add per `n` of `numbers`, with CmdID `n + 1`, LUID `n`, UID `{uid_prefix}{n}` and
/// SUMMARY `{summary} {n}`.
pub fn numbered_adds(
    numbers: RangeInclusive<u32>,
    uid_prefix: &str,
    summary: &str,
) -> Vec<Command> {
    numbers
        .map(|n| {
            add(
                n + 1,
                &n.to_string(),
                &event(&format!("{uid_prefix}{n}"), &format!("{summary} {n}"), 0),
            )
        })
        .collect()
}

fn change_item(luid: &str, data: &str) -> Item {
    Item {
        source: Some(Location::new(luid)),
        meta: Some(Meta::with_type("text/calendar")),
        data: Some(Data::Text(data.to_string())),
        ..Item::default()
    }
}

pub fn add(cmd_id: u32, luid: &str, data: &str) -> Command {
    Command::Add(Change {
        cmd_id,
        items: vec![change_item(luid, data)],
        ..Change::default()
    })
}

pub fn replace(cmd_id: u32, luid: &str, data: &str) -> Command {
    Command::Replace(Change {
        cmd_id,
        items: vec![change_item(luid, data)],
        ..Change::default()
    })
}

pub fn delete(cmd_id: u32, luid: &str) -> Command {
    Command::Delete(Delete {
        cmd_id,
        items: vec![Item {
            source: Some(Location::new(luid)),
            ..Item::default()
        }],
        ..Delete::default()
    })
}

pub fn atomic(cmd_id: u32, commands: Vec<Command>) -> Command {
    Command::Atomic(Container {
        cmd_id,
        commands,
        ..Container::default()
    })
}

pub fn sequence(cmd_id: u32, commands: Vec<Command>) -> Command {
    Command::Sequence(Container {
        cmd_id,
        commands,
        ..Container::default()
    })
}

/// The client's Sync for `calendar`.
pub fn sync(cmd_id: u32, commands: Vec<Command>) -> Command {
    Command::Sync(Sync {
        cmd_id,
        target: Some(Location::new("calendar")),
        source: Some(Location::new("./calendar")),
        commands,
        ..Sync::default()
    })
}

/// The client's answers to the server's Adds of `reply`: a 201 Status each and a Map giving
/// each a LUID (`luid_prefix` + the GUID).
pub fn acknowledge(reply: &SyncMl, first_cmd_id: u32, luid_prefix: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut cmd_id = first_cmd_id;
    let mut map_items = Vec::new();
    for command in &reply.body.commands {
        let Command::Sync(sync) = command else {
            continue;
        };
        for inner in &sync.commands {
            let (name, change) = match inner {
                Command::Add(c) => ("Add", c),
                Command::Replace(c) => ("Replace", c),
                _ => continue,
            };
            commands.push(Command::Status(Status {
                cmd_id,
                msg_ref: reply.hdr.msg_id,
                cmd_ref: change.cmd_id,
                cmd: name.into(),
                target_refs: Vec::new(),
                source_refs: Vec::new(),
                cred: None,
                chal: None,
                data: StatusCode::ITEM_ADDED,
                items: Vec::new(),
            }));
            cmd_id += 1;
            if name == "Add" {
                for item in &change.items {
                    if let Some(guid) = item.source.as_ref() {
                        map_items.push(MapItem {
                            target: Location::new(guid.loc_uri.clone()),
                            source: Location::new(format!("{luid_prefix}{}", guid.loc_uri)),
                        });
                    }
                }
            }
        }
    }
    if !map_items.is_empty() {
        commands.push(Command::Map(Map {
            cmd_id,
            target: Location::new("calendar"),
            source: Location::new("./calendar"),
            map_items,
            ..Map::default()
        }));
    }
    commands
}

/// The Statuses of a reply, as `Cmd:code`.
pub fn statuses(msg: &SyncMl) -> Vec<String> {
    msg.body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Status(s) => Some(format!("{}:{}", s.cmd, s.data.0)),
            _ => None,
        })
        .collect()
}

/// The codes of the server's sync Alerts in a reply.
pub fn server_alerts(msg: &SyncMl) -> Vec<u16> {
    msg.body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Alert(a) => a.data.map(|d| d.0),
            _ => None,
        })
        .collect()
}

/// The GUIDs (our Source) of the server's Adds in a reply.
pub fn server_adds(msg: &SyncMl) -> Vec<String> {
    server_items(msg, |command| match command {
        Command::Add(change) => Some(
            change
                .items
                .iter()
                .filter_map(|i| i.source.as_ref())
                .collect(),
        ),
        _ => None,
    })
}

/// The Targets (the device's LUIDs) of the server's Replaces in a reply.
pub fn server_replaces(msg: &SyncMl) -> Vec<String> {
    server_items(msg, |command| match command {
        Command::Replace(change) => Some(
            change
                .items
                .iter()
                .filter_map(|i| i.target.as_ref())
                .collect(),
        ),
        _ => None,
    })
}

/// The LocURIs `pick` takes from each command of the server's Syncs in a reply.
fn server_items(msg: &SyncMl, pick: impl Fn(&Command) -> Option<Vec<&Location>>) -> Vec<String> {
    msg.body
        .commands
        .iter()
        .filter_map(|command| match command {
            Command::Sync(sync) => Some(&sync.commands),
            _ => None,
        })
        .flatten()
        .filter_map(pick)
        .flatten()
        .map(|location| location.loc_uri.clone())
        .collect()
}

/// The user and their calendar named `calendar`, read from the store.
pub async fn user_calendar(server: &Server) -> (User, Calendar) {
    let store = server.vault.store();
    let user = store.user_by_name(USER).await.unwrap().unwrap();
    let calendar = store
        .calendar_by_name(user.id, "calendar")
        .await
        .unwrap()
        .unwrap();
    (user, calendar)
}

pub async fn live_summaries(server: &Server) -> Vec<String> {
    let (_, calendar) = user_calendar(server).await;
    summaries_in(server, &calendar).await
}

/// The summaries of the live objects of a calendar, sorted.
pub async fn summaries_in(server: &Server, calendar: &Calendar) -> Vec<String> {
    let mut list: Vec<String> = server
        .vault
        .store()
        .list_objects(calendar.id)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.facts.summary.unwrap_or_default())
        .collect();
    list.sort();
    list
}

/// An event written by another client (CalDAV, the web).
pub async fn put_from_elsewhere(server: &Server, uid: &str, summary: &str, description_len: usize) {
    put_text_from_elsewhere(server, uid, &event(uid, summary, description_len)).await;
}

/// An iCalendar object `{uid}.ics` written into `calendar` by another client.
pub async fn put_text_from_elsewhere(server: &Server, uid: &str, text: &str) {
    let (user, calendar) = user_calendar(server).await;
    server
        .vault
        .put_object(
            Actor::User(user.id),
            &calendar,
            &format!("{uid}.ics"),
            text,
            &Condition::default(),
            &Client::new("caldav"),
        )
        .await
        .unwrap();
}

/// The SyncML state the server keeps for a device.
pub async fn device_state(server: &Server, key: &str) -> DeviceState {
    let store = server.vault.store();
    let user = store.user_by_name(USER).await.unwrap().unwrap();
    let device = server
        .vault
        .touch_device(user.id, "syncml", key, key)
        .await
        .unwrap();
    let device = server.vault.device(device.id).await.unwrap().unwrap();
    DeviceState::from_json(&device.state)
}
