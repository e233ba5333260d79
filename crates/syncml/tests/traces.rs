//! Whole sessions from bytes: the client messages of every recorded trace in
//! `shared/fixtures/syncml/traces` replayed against a real engine on a temporary SQLite
//! store. Each reply must carry the same Statuses and server commands as the reply the
//! recorded server sent. Adjusted on the way: the MD5 digest (our nonces differ), the
//! password, the session URL (ours), and the server GUIDs the client's Map names.
//!
//! Two differences are allowed: the recorded server sometimes accepted a digest made with an
//! empty nonce where we first answer 401 (a replayable digest), and it sent a Get for the
//! client's DevInf, which we do not need.

mod support;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use calvault_core::store::SyncmlMapping;
use calvault_core::{Policy, Vault};
use calvault_syncml::auth::{md5_credential, md5_digest, remember_password};
use calvault_syncml::state::{DatastoreAnchors, DeviceState};
use calvault_syncml::{Engine, Request, SyncmlConfig};
use calvault_syncml_proto::{Command, Data, Encoding, StatusCode, SyncMl, decode, encode};
use support::{
    PASSWORD, Server, USER, live_summaries, put_from_elsewhere, put_text_from_elsewhere,
    user_calendar,
};

fn traces() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/syncml/traces");
    dir.canonicalize().unwrap_or(dir)
}

/// The engine of `support`, with alice's password also kept for auth-md5.
async fn server(config: SyncmlConfig) -> Server {
    let server = support::server(config).await;
    let user = server.vault.user_named(USER).await.unwrap();
    remember_password(&server.vault, &user, PASSWORD)
        .await
        .unwrap();
    server
}

/// One recorded exchange.
struct Exchange {
    client: Vec<u8>,
    server: Vec<u8>,
}

fn exchanges(session: &str) -> (Encoding, Vec<Exchange>) {
    let dir = traces().join(session);
    let wbxml = dir.join("001-c2s.wbxml").exists();
    let (encoding, ext) = if wbxml {
        (Encoding::Wbxml, "wbxml")
    } else {
        (Encoding::Xml, "xml")
    };
    let mut list = Vec::new();
    for n in 1.. {
        let c2s = dir.join(format!("{n:03}-c2s.{ext}"));
        let s2c = dir.join(format!("{n:03}-s2c.{ext}"));
        if !c2s.exists() {
            break;
        }
        list.push(Exchange {
            client: std::fs::read(&c2s).unwrap(),
            server: std::fs::read(&s2c).unwrap(),
        });
    }
    assert!(!list.is_empty(), "no trace in {}", dir.display());
    (encoding, list)
}

/// What a reply must match: its Statuses (command and code), its commands, NumberOfChanges,
/// MoreData and Final.
fn shape(msg: &SyncMl) -> Vec<String> {
    let mut out = Vec::new();
    for command in &msg.body.commands {
        match command {
            Command::Status(s) => {
                let chal = if s.chal.is_some() { "+Chal" } else { "" };
                out.push(format!("Status {}:{}{chal}", s.cmd, s.data.0));
            }
            Command::Alert(a) => out.push(format!("Alert {}", a.data.map(|c| c.0).unwrap_or(0))),
            Command::Get(_) => {}
            Command::Sync(sync) => {
                out.push(format!("Sync n={:?}", sync.number_of_changes));
                for inner in &sync.commands {
                    let more = match inner {
                        Command::Add(c) | Command::Replace(c) => {
                            c.items.iter().any(|i| i.more_data)
                        }
                        _ => false,
                    };
                    out.push(format!(
                        "  {}{}",
                        inner.name(),
                        if more { " MoreData" } else { "" }
                    ));
                }
            }
            other => out.push(other.name().to_string()),
        }
    }
    if msg.body.final_ {
        out.push("Final".into());
    }
    out
}

fn hdr_status(msg: &SyncMl) -> Option<StatusCode> {
    msg.body.commands.iter().find_map(|c| match c {
        Command::Status(s) if s.cmd == "SyncHdr" => Some(s.data),
        _ => None,
    })
}

fn next_nonce(msg: &SyncMl) -> Option<String> {
    msg.body.commands.iter().find_map(|c| match c {
        Command::Status(s) if s.cmd == "SyncHdr" => {
            s.chal.as_ref().and_then(|ch| ch.meta.next_nonce.clone())
        }
        _ => None,
    })
}

fn server_guids(msg: &SyncMl) -> Vec<String> {
    let mut guids = Vec::new();
    for command in &msg.body.commands {
        if let Command::Sync(sync) = command {
            for inner in &sync.commands {
                if let Command::Add(change) = inner {
                    for item in &change.items {
                        if let Some(source) = &item.source
                            && !guids.contains(&source.loc_uri)
                        {
                            guids.push(source.loc_uri.clone());
                        }
                    }
                }
            }
        }
    }
    guids
}

/// The client side of a replay: what it learnt from our replies.
#[derive(Default)]
struct ClientSide {
    nonce: Option<String>,
    session_url: Option<String>,
    /// Replaces the client's SessionID after we made it restart.
    session_id: Option<String>,
    trace_guids: Vec<String>,
    our_guids: Vec<String>,
}

impl ClientSide {
    fn patch(&self, msg: &mut SyncMl) {
        if let Some(id) = &self.session_id {
            msg.hdr.session_id = id.clone();
        }
        if let Some(cred) = &mut msg.hdr.cred {
            let kind = cred
                .meta
                .as_ref()
                .and_then(|m| m.type_.clone())
                .unwrap_or_default();
            if kind == "syncml:auth-md5" {
                let nonce = self
                    .nonce
                    .as_deref()
                    .map(|n| B64.decode(n).unwrap())
                    .unwrap_or_default();
                cred.data = md5_digest(&md5_credential(USER, PASSWORD), &nonce);
            } else {
                cred.data = B64.encode(format!("{USER}:{PASSWORD}"));
            }
        }
        for command in &mut msg.body.commands {
            if let Command::Map(map) = command {
                for item in &mut map.map_items {
                    if let Some(i) = self
                        .trace_guids
                        .iter()
                        .position(|g| *g == item.target.loc_uri)
                        && let Some(ours) = self.our_guids.get(i)
                    {
                        item.target.loc_uri = ours.clone();
                    }
                }
            }
        }
    }

    fn learn(&mut self, ours: &SyncMl, theirs: &SyncMl) {
        if let Some(nonce) = next_nonce(ours) {
            self.nonce = Some(nonce);
        }
        if let Some(uri) = &ours.hdr.resp_uri {
            self.session_url = uri.split("sessionid=").nth(1).map(str::to_string);
        }
        self.trace_guids.extend(server_guids(theirs));
        self.our_guids.extend(server_guids(ours));
    }
}

async fn post(engine: &Engine, client: &ClientSide, msg: &SyncMl, encoding: Encoding) -> SyncMl {
    let body = encode(msg, encoding);
    let session = if msg.hdr.msg_id == 1 {
        None
    } else {
        client.session_url.as_deref()
    };
    let reply = engine
        .handle(Request {
            body: &body,
            content_type: encoding.content_type(),
            session_id: session,
            endpoint: "http://127.0.0.1:9050/syncml",
            client: "127.0.0.1",
        })
        .await
        .expect("the engine answers");
    assert_eq!(
        reply.content_type,
        encoding.content_type(),
        "answered in the client's encoding"
    );
    decode(&reply.body, encoding).expect("our reply decodes")
}

/// Replays a trace; returns our replies.
async fn replay(server: &Server, session: &str) -> Vec<SyncMl> {
    replay_checked(server, session, true).await
}

/// Replays a trace, comparing each reply with the recorded one when `compare`.
async fn replay_checked(server: &Server, session: &str, compare: bool) -> Vec<SyncMl> {
    let (encoding, exchanges) = exchanges(session);
    let mut client = ClientSide::default();
    let mut replies = Vec::new();
    for (n, exchange) in exchanges.iter().enumerate() {
        let mut msg = decode(&exchange.client, encoding).unwrap();
        let theirs = decode(&exchange.server, encoding).unwrap();
        if msg.hdr.msg_id == 1 {
            client.session_id = None;
            client.session_url = None;
        }
        client.patch(&mut msg);
        let mut ours = post(&server.engine, &client, &msg, encoding).await;
        if hdr_status(&ours) == Some(StatusCode::INVALID_CREDENTIALS)
            && hdr_status(&theirs) == Some(StatusCode::AUTHENTICATION_ACCEPTED)
        {
            // We challenge where the recorded server took an empty nonce: restart as the
            // client does, with a new SessionID and our nonce.
            client.nonce = next_nonce(&ours);
            client.session_id = Some(format!("{}-restart", msg.hdr.session_id));
            client.patch(&mut msg);
            ours = post(&server.engine, &client, &msg, encoding).await;
        }
        if compare {
            assert_eq!(
                shape(&ours),
                shape(&theirs),
                "{session} message {}: our reply differs from the recorded one",
                n + 1
            );
        }
        client.learn(&ours, &theirs);
        replies.push(ours);
    }
    replies
}

/// Makes `device` look as if it completed a sync with these anchors and items.
async fn synced_before(server: &Server, device: &str, last_anchor: &str, luids: &[&str]) {
    let store = server.vault.store();
    let (user, calendar) = user_calendar(server).await;
    let device = server
        .vault
        .touch_device(user.id, "syncml", device, device)
        .await
        .unwrap();
    let mut maps = Vec::new();
    for luid in luids {
        let uid = format!("seed-{luid}");
        put_from_elsewhere(server, &uid, &format!("seed {luid}"), 0).await;
        maps.push(SyncmlMapping {
            luid: luid.to_string(),
            uid,
        });
    }
    server
        .vault
        .syncml_store()
        .put_syncml_maps(device.id, "calendar", &maps)
        .await
        .unwrap();
    let mut state = DeviceState::default();
    state.anchors.insert(
        "calendar".into(),
        DatastoreAnchors {
            client_anchor: last_anchor.into(),
            server_anchor: "20260101T000000Z".into(),
            position: store.position(calendar.id).await.unwrap(),
            ..DatastoreAnchors::default()
        },
    );
    server
        .vault
        .save_device_state(device.id, &state.to_json(), true)
        .await
        .unwrap();
}

#[tokio::test]
async fn slow_sync_in_xml_stores_the_three_events() {
    let server = server(SyncmlConfig::default()).await;
    replay(&server, "slowsync-xml").await;
    assert_eq!(live_summaries(&server).await.len(), 3);
}

#[tokio::test]
async fn slow_sync_in_wbxml_with_the_md5_challenge() {
    let server = server(SyncmlConfig::default()).await;
    replay(&server, "slowsync-wbxml").await;
    assert_eq!(live_summaries(&server).await.len(), 3);
}

#[tokio::test]
async fn a_second_slow_sync_of_the_same_events_makes_no_duplicate() {
    let server = server(SyncmlConfig::default()).await;
    replay(&server, "slowsync-xml").await;
    // The same device, its state lost, syncs slowly again; then the WBXML twin of the session.
    replay(&server, "slowsync-xml").await;
    replay(&server, "slowsync-wbxml").await;
    assert_eq!(live_summaries(&server).await.len(), 3);
}

#[tokio::test]
async fn syncml_1_1_slow_sync() {
    let server = server(SyncmlConfig::default()).await;
    replay(&server, "syncml11-slowsync-xml").await;
    assert_eq!(live_summaries(&server).await.len(), 2);
}

#[tokio::test]
async fn basic_auth_is_accepted_and_md5_is_challenged_for_next_time() {
    let server = server(SyncmlConfig::default()).await;
    let replies = replay(&server, "basic-auth-slowsync-xml").await;
    let chal = match &replies[0].body.commands[0] {
        Command::Status(s) => s.chal.clone().unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(chal.meta.type_.as_deref(), Some("syncml:auth-md5"));
    assert_eq!(live_summaries(&server).await.len(), 1);
}

#[tokio::test]
async fn vcalendar_items_are_stored_as_icalendar() {
    let server = server(SyncmlConfig::default()).await;
    replay(&server, "vcal10-slowsync-xml").await;
    let store = server.vault.store();
    let (_, calendar) = user_calendar(&server).await;
    let objects = store.objects_page(calendar.id, 0, 100).await.unwrap();
    assert_eq!(objects.len(), 5);
    for object in objects {
        assert!(object.data.contains("VERSION:2.0"), "{}", object.data);
    }
}

#[tokio::test]
async fn two_way_sync_applies_the_devices_changes_and_sends_the_servers() {
    let server = server(SyncmlConfig::default()).await;
    synced_before(
        &server,
        "harness-t1",
        "20261126T235953Z",
        &["ev000001.ics", "ev000002.ics"],
    )
    .await;
    put_from_elsewhere(&server, "serverside-000500@example.org", "Yoga class", 0).await;
    let replies = replay(&server, "twoway-xml").await;
    let summaries = live_summaries(&server).await;
    assert_eq!(summaries.len(), 3, "{summaries:?}");
    assert!(summaries.iter().any(|s| s.contains("modified on client")));
    assert!(
        !summaries.iter().any(|s| s == "seed ev000002.ics"),
        "the Delete applied"
    );
    // The server's Add went out once, with the object's UID as GUID.
    assert_eq!(
        server_guids(&replies[1]),
        vec!["serverside-000500@example.org"]
    );
}

#[tokio::test]
async fn two_way_sync_in_wbxml() {
    let server = server(SyncmlConfig::default()).await;
    synced_before(
        &server,
        "harness-t1",
        "20261127T000007Z",
        &["ev000001.ics", "ev000002.ics"],
    )
    .await;
    put_from_elsewhere(&server, "serverside-000500@example.org", "Yoga class", 0).await;
    replay(&server, "twoway-wbxml").await;
    assert_eq!(live_summaries(&server).await.len(), 3);
}

#[tokio::test]
async fn refresh_from_server_sends_everything() {
    let server = server(SyncmlConfig::default()).await;
    put_from_elsewhere(&server, "a@example.org", "A", 0).await;
    put_from_elsewhere(&server, "b@example.org", "B", 0).await;
    replay(&server, "refresh-from-server-xml").await;
    assert_eq!(live_summaries(&server).await, vec!["A", "B"]);
}

#[tokio::test]
async fn refresh_from_client_replaces_the_servers_data() {
    let server = server(SyncmlConfig::default()).await;
    for n in 0..3 {
        put_from_elsewhere(
            &server,
            &format!("old-{n}@example.org"),
            &format!("old {n}"),
            0,
        )
        .await;
    }
    replay(&server, "refresh-from-client-xml").await;
    let summaries = live_summaries(&server).await;
    assert_eq!(summaries.len(), 2, "{summaries:?}");
    assert!(!summaries.iter().any(|s| s.starts_with("old")));
}

#[tokio::test]
async fn large_object_upload_is_joined_from_its_chunks() {
    let server = server(SyncmlConfig {
        max_msg_size: 20_000,
        ..SyncmlConfig::default()
    })
    .await;
    replay(&server, "largeobject-upload-xml").await;
    let store = server.vault.store();
    let (_, calendar) = user_calendar(&server).await;
    let objects = store.objects_page(calendar.id, 0, 10).await.unwrap();
    assert_eq!(objects.len(), 1);
    assert!(objects[0].data.len() > 30_000);
}

#[tokio::test]
async fn large_object_download_is_split_to_fit_the_clients_max_msg_size() {
    let server = server(SyncmlConfig::default()).await;
    put_from_elsewhere(&server, "big@example.org", "Big", 30_000).await;
    let replies = replay(&server, "largeobject-download-xml").await;
    for reply in &replies {
        let size = encode(reply, Encoding::Xml).len();
        assert!(size <= 20_000, "a reply of {size} bytes");
    }
}

#[tokio::test]
async fn a_resent_message_is_answered_from_the_cache_and_not_applied_twice() {
    let server = server(SyncmlConfig::default()).await;
    let (encoding, exchanges) = exchanges("slowsync-xml");
    let mut client = ClientSide::default();
    // First contact: challenged, then accepted.
    let mut first = decode(&exchanges[0].client, encoding).unwrap();
    client.patch(&mut first);
    let challenged = post(&server.engine, &client, &first, encoding).await;
    client.nonce = next_nonce(&challenged);
    client.patch(&mut first);
    let accepted = post(&server.engine, &client, &first, encoding).await;
    client.learn(&accepted, &accepted);
    let again = post(&server.engine, &client, &first, encoding).await;
    assert_eq!(encode(&again, encoding), encode(&accepted, encoding));

    let mut sync = decode(&exchanges[1].client, encoding).unwrap();
    client.patch(&mut sync);
    let reply = post(&server.engine, &client, &sync, encoding).await;
    let resent = post(&server.engine, &client, &sync, encoding).await;
    assert_eq!(encode(&resent, encoding), encode(&reply, encoding));
    assert_eq!(live_summaries(&server).await.len(), 3);
}

#[tokio::test]
async fn wrong_credentials_get_401_with_a_challenge() {
    let server = server(SyncmlConfig::default()).await;
    let (encoding, exchanges) = exchanges("basic-auth-slowsync-xml");
    let mut msg = decode(&exchanges[0].client, encoding).unwrap();
    if let Some(cred) = &mut msg.hdr.cred {
        cred.data = B64.encode("alice:wrong-password");
    }
    let reply = post(&server.engine, &ClientSide::default(), &msg, encoding).await;
    assert_eq!(hdr_status(&reply), Some(StatusCode::INVALID_CREDENTIALS));
    assert!(next_nonce(&reply).is_some());
    assert!(
        reply
            .body
            .commands
            .iter()
            .all(|c| matches!(c, Command::Status(s) if s.data == StatusCode::INVALID_CREDENTIALS))
    );
    assert!(live_summaries(&server).await.is_empty());
}

#[tokio::test]
async fn an_item_that_does_not_parse_fails_alone() {
    let server = server(SyncmlConfig::default()).await;
    let (encoding, exchanges) = exchanges("slowsync-xml");
    let mut client = ClientSide::default();
    let mut first = decode(&exchanges[0].client, encoding).unwrap();
    client.patch(&mut first);
    let challenged = post(&server.engine, &client, &first, encoding).await;
    client.nonce = next_nonce(&challenged);
    client.patch(&mut first);
    let accepted = post(&server.engine, &client, &first, encoding).await;
    client.learn(&accepted, &accepted);
    let mut sync = decode(&exchanges[1].client, encoding).unwrap();
    for command in &mut sync.body.commands {
        if let Command::Sync(s) = command
            && let Some(Command::Add(add)) = s.commands.get_mut(1)
        {
            add.items[0].data = Some(Data::Text("BEGIN:VCALENDAR\r\nthis is not".into()));
        }
    }
    let reply = post(&server.engine, &client, &sync, encoding).await;
    let codes: Vec<u16> = reply
        .body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Status(s) if s.cmd == "Add" => Some(s.data.0),
            _ => None,
        })
        .collect();
    assert_eq!(codes, vec![201, 400, 201]);
    assert_eq!(live_summaries(&server).await.len(), 2);
}

#[tokio::test]
async fn a_session_continues_on_another_node_sharing_the_store() {
    let server = server(SyncmlConfig::default()).await;
    // A second node: its own Vault and Engine over the same store, nothing shared in memory.
    let other = Engine::new(
        Vault::new(server.vault.store_handle(), Policy::default()),
        SyncmlConfig::default(),
    );
    let (encoding, exchanges) = exchanges("slowsync-xml");
    let mut client = ClientSide::default();
    let mut first = decode(&exchanges[0].client, encoding).unwrap();
    client.patch(&mut first);
    let challenged = post(&server.engine, &client, &first, encoding).await;
    client.nonce = next_nonce(&challenged);
    client.patch(&mut first);
    let accepted = post(&other, &client, &first, encoding).await;
    assert_eq!(
        hdr_status(&accepted),
        Some(StatusCode::AUTHENTICATION_ACCEPTED)
    );
    client.learn(&accepted, &accepted);
    for (n, exchange) in exchanges.iter().enumerate().skip(1) {
        let mut msg = decode(&exchange.client, encoding).unwrap();
        client.patch(&mut msg);
        let node = if n % 2 == 0 { &other } else { &server.engine };
        let ours = post(node, &client, &msg, encoding).await;
        let theirs = decode(&exchange.server, encoding).unwrap();
        assert_eq!(shape(&ours), shape(&theirs), "message {}", n + 1);
    }
    assert_eq!(live_summaries(&server).await.len(), 3);
}

#[tokio::test]
async fn a_conflict_goes_to_the_newest_change_and_keeps_the_other_in_history() {
    let server = server(SyncmlConfig::default()).await;
    synced_before(
        &server,
        "harness-t1",
        "20261126T235953Z",
        &["ev000001.ics", "ev000002.ics"],
    )
    .await;
    // Changed on the server after the device's last sync, and later than the device's edit
    // (its LAST-MODIFIED is 2024).
    put_from_elsewhere(&server, "seed-ev000001.ics", "changed on the server", 0).await;
    let replies = replay_checked(&server, "twoway-xml", false).await;
    let summaries = live_summaries(&server).await;
    assert!(
        summaries.iter().any(|s| s == "changed on the server"),
        "{summaries:?}"
    );
    assert!(!summaries.iter().any(|s| s.contains("modified on client")));
    // The device gets the winner back as a Replace of its own item.
    let replaced: Vec<String> = replies[1]
        .body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Sync(sync) => Some(sync),
            _ => None,
        })
        .flat_map(|sync| sync.commands.iter())
        .filter_map(|c| match c {
            Command::Replace(change) => change.items[0].target.as_ref().map(|t| t.loc_uri.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(replaced, vec!["ev000001.ics"]);
    // The device's version is in the history.
    let store = server.vault.store();
    let (_, calendar) = user_calendar(&server).await;
    let history = store
        .history(calendar.id, "seed-ev000001.ics")
        .await
        .unwrap();
    let mut found = false;
    for revision in history {
        let data = store
            .revision(calendar.id, revision.seq)
            .await
            .unwrap()
            .unwrap()
            .data;
        found |= data.contains("modified on client");
    }
    assert!(found, "the losing version stays in the history");
}

#[tokio::test]
async fn the_sync_window_limits_what_is_sent() {
    let server = server(SyncmlConfig {
        window: Some(calvault_syncml::SyncWindow {
            back_days: 90,
            ahead_days: 540,
        }),
        ..SyncmlConfig::default()
    })
    .await;
    // Two events on the server: one long past, one now.
    let now = chrono::Utc::now();
    for (uid, summary, at) in [
        ("old@example.org", "Old", now - chrono::Duration::days(400)),
        ("soon@example.org", "Soon", now + chrono::Duration::days(3)),
    ] {
        let day = at.format("%Y%m%d");
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
             DTSTAMP:20260101T000000Z\r\nDTSTART:{day}T100000Z\r\nDTEND:{day}T110000Z\r\n\
             SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        put_text_from_elsewhere(&server, uid, &text).await;
    }
    let replies = replay_checked(&server, "refresh-from-server-xml", false).await;
    let sent: Vec<String> = replies.iter().flat_map(server_guids).collect();
    assert_eq!(
        sent,
        vec!["soon@example.org"],
        "only what is inside the window goes out"
    );
}

#[tokio::test]
async fn an_event_that_left_the_devices_window_is_not_deleted_on_the_server() {
    let server = server(SyncmlConfig {
        window: Some(calvault_syncml::SyncWindow {
            back_days: 30,
            ahead_days: 30,
        }),
        ..SyncmlConfig::default()
    })
    .await;
    // The seeded events are on 2026-03-01, long before the window of any run after April.
    synced_before(
        &server,
        "harness-t1",
        "20261126T235953Z",
        &["ev000001.ics", "ev000002.ics"],
    )
    .await;
    replay_checked(&server, "twoway-xml", false).await;
    let summaries = live_summaries(&server).await;
    assert!(
        summaries.iter().any(|s| s == "seed ev000002.ics"),
        "{summaries:?}"
    );
}
