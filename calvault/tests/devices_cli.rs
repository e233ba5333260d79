//! `calvault devices USER` and `calvault devices approve|keep USER DEVICE [--alert ID]`: a
//! SyncML device syncs in-process on a real SQLite store (whole sessions from bytes), then the
//! real binary lists and decides what it left: held batches, one by one, and a suspended sync.

use std::path::Path;
use std::process::{Command, Stdio};

use calvault_core::{Policy, Vault};
use calvault_syncml::{Engine, Request, SyncmlConfig};

const PASSWORD: &str = "secret-passphrase";
const KEY: &str = "IMEI:cli-device";
const ENDPOINT: &str = "http://localhost/syncml";

/// alice's device, speaking plain XML with auth-basic.
struct Phone {
    engine: Engine,
    session: u32,
    msg: u32,
    resp: Option<String>,
}

impl Phone {
    async fn post(&mut self, commands: &str) -> String {
        self.msg += 1;
        let credentials = base64(&format!("alice:{PASSWORD}"));
        let message = format!(
            "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>\
             <VerProto>SyncML/1.2</VerProto><SessionID>{}</SessionID><MsgID>{}</MsgID>\
             <Target><LocURI>{ENDPOINT}</LocURI></Target>\
             <Source><LocURI>{KEY}</LocURI><LocName>alice</LocName></Source>\
             <Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type>\
             <Format xmlns='syncml:metinf'>b64</Format></Meta><Data>{credentials}</Data></Cred>\
             </SyncHdr><SyncBody>{commands}<Final/></SyncBody></SyncML>",
            self.session, self.msg
        );
        let reply = self
            .engine
            .handle(Request {
                body: message.as_bytes(),
                content_type: "application/vnd.syncml+xml",
                session_id: self.resp.as_deref(),
                endpoint: ENDPOINT,
                client: "127.0.0.1",
            })
            .await
            .expect("the server answers");
        let reply = String::from_utf8(reply.body).expect("XML");
        if let Some(id) = reply.split("?sessionid=").nth(1) {
            self.resp = id.split('<').next().map(str::to_string);
        }
        reply
    }

    /// Starts a session with a sync Alert of `calendar`.
    async fn alert(&mut self, code: u16, last: Option<&str>, next: &str) -> String {
        self.session += 1;
        self.msg = 0;
        self.resp = None;
        let last = last
            .map(|l| format!("<Last>{l}</Last>"))
            .unwrap_or_default();
        self.post(&format!(
            "<Alert><CmdID>1</CmdID><Data>{code}</Data><Item><Target><LocURI>calendar</LocURI>\
             </Target><Source><LocURI>./cal</LocURI></Source><Meta><Anchor xmlns='syncml:metinf'>\
             {last}<Next>{next}</Next></Anchor></Meta></Item></Alert>"
        ))
        .await
    }

    /// The client's Sync (package 3) with these commands.
    async fn sync(&mut self, commands: &str) -> String {
        self.post(&format!(
            "<Sync><CmdID>2</CmdID><Target><LocURI>calendar</LocURI></Target>\
             <Source><LocURI>./cal</LocURI></Source>{commands}</Sync>"
        ))
        .await
    }

    /// A whole session: the Alert, the Sync, the closing message.
    async fn whole(&mut self, code: u16, last: Option<&str>, next: &str, commands: &str) {
        self.alert(code, last, next).await;
        self.sync(commands).await;
        self.post("").await;
    }
}

fn adds(numbers: std::ops::RangeInclusive<u32>) -> String {
    numbers
        .map(|n| {
            format!(
                "<Add><CmdID>{}</CmdID><Meta><Type xmlns='syncml:metinf'>text/calendar</Type></Meta>\
                 <Item><Source><LocURI>{n}</LocURI></Source><Data><![CDATA[BEGIN:VCALENDAR\r\n\
                 VERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:cli-{n}\r\n\
                 DTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\nSUMMARY:Event {n}\r\n\
                 END:VEVENT\r\nEND:VCALENDAR\r\n]]></Data></Item></Add>",
                n + 10
            )
        })
        .collect()
}

fn deletes(numbers: std::ops::RangeInclusive<u32>) -> String {
    numbers
        .map(|n| {
            format!(
                "<Delete><CmdID>{}</CmdID><Item><Source><LocURI>{n}</LocURI></Source></Item></Delete>",
                n + 10
            )
        })
        .collect()
}

fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn open(data: &Path) -> Vault {
    let store = calvault_store::open(None, data)
        .await
        .expect("the store opens");
    Vault::new(store, Policy::default())
}

/// Ten events synced, then three deleted in one sync and three more in the next: two held
/// batches (more than 2 events and 10 %); then a sync suspended before its end.
async fn device_with_two_batches_and_a_suspended_sync(data: &Path) {
    let vault = open(data).await;
    vault.add_user("alice", None, PASSWORD).await.unwrap();
    let config = SyncmlConfig {
        mass_deletion_count: 2,
        mass_deletion_percent: 10,
        ..SyncmlConfig::default()
    };
    let mut phone = Phone {
        engine: Engine::new(vault.clone(), config),
        session: 0,
        msg: 0,
        resp: None,
    };
    phone.whole(201, None, "1", &adds(1..=10)).await;
    phone.whole(200, Some("1"), "2", &deletes(1..=3)).await;
    phone.whole(200, Some("2"), "3", &deletes(4..=6)).await;
    phone.alert(200, Some("3"), "4").await;
    let suspended = phone
        .post("<Alert><CmdID>1</CmdID><Data>224</Data></Alert>")
        .await;
    assert!(suspended.contains("<Data>200</Data>"), "{suspended}");
}

fn calvault(data: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_calvault"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("CALVAULT_DATABASE_URL")
        .env_remove("CALVAULT_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("calvault runs");
    assert!(
        output.status.success(),
        "calvault {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The alert ids of the held batches `devices USER` lists, in order.
fn held_alerts(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter(|l| l.contains("deletions held"))
        .filter_map(|l| l.split("--alert ").nth(1))
        .map(|id| id.trim().to_string())
        .collect()
}

async fn live_events(data: &Path) -> usize {
    let vault = open(data).await;
    let alice = vault.user_named("alice").await.unwrap();
    let calendar = vault
        .store()
        .calendar_by_name(alice.id, "calendar")
        .await
        .unwrap()
        .unwrap();
    vault.store().count_objects(calendar.id).await.unwrap() as usize
}

#[tokio::test(flavor = "multi_thread")]
async fn held_batches_are_decided_one_by_one_and_a_suspended_sync_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    device_with_two_batches_and_a_suspended_sync(&data).await;

    let listing = calvault(&data, &["devices", "alice"]);
    let alerts = held_alerts(&listing);
    assert_eq!(alerts.len(), 2, "{listing}");
    assert!(
        listing.contains("3 deletions held")
            && listing.contains(&format!(
                "calvault devices approve|keep alice {KEY} --alert"
            )),
        "{listing}"
    );
    assert!(
        listing.contains("suspended two-way sync of calendar at ")
            && listing.contains("resumable until its next sync of it"),
        "{listing}"
    );

    let kept = calvault(
        &data,
        &["devices", "keep", "alice", KEY, "--alert", &alerts[0]],
    );
    assert!(kept.contains("3 events kept"), "{kept}");
    let listing = calvault(&data, &["devices", "alice"]);
    assert_eq!(held_alerts(&listing), [alerts[1].clone()], "{listing}");

    // Approving the device applies only the batch still undecided, and only once.
    let applied = calvault(&data, &["devices", "approve", "alice", KEY]);
    assert!(applied.contains("3 held deletions applied"), "{applied}");
    assert_eq!(live_events(&data).await, 7);
    let again = calvault(&data, &["devices", "approve", "alice", KEY]);
    assert!(again.contains("0 held deletions applied"), "{again}");
    let decided = calvault(
        &data,
        &["devices", "approve", "alice", KEY, "--alert", &alerts[0]],
    );
    assert!(decided.contains("no undecided held batch"), "{decided}");
    assert_eq!(live_events(&data).await, 7, "the kept batch stays");
    assert!(held_alerts(&calvault(&data, &["devices", "alice"])).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn one_batch_is_approved_by_its_alert() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    device_with_two_batches_and_a_suspended_sync(&data).await;
    let alerts = held_alerts(&calvault(&data, &["devices", "alice"]));
    let applied = calvault(
        &data,
        &["devices", "approve", "alice", KEY, "--alert", &alerts[1]],
    );
    assert!(applied.contains("3 held deletions applied"), "{applied}");
    assert_eq!(live_events(&data).await, 7);
    let listing = calvault(&data, &["devices", "alice"]);
    assert_eq!(held_alerts(&listing), [alerts[0].clone()], "{listing}");
}
