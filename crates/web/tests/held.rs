//! The held deletions page end to end: a real SyncML device (the SyncML router in the same
//! server) deletes too much in one sync, the page lists what it would delete, and the owner
//! applies or keeps the batch; nobody else can see or decide it.

mod common;

use calvault_core::Actor;
use common::{PASSWORD, Server, alice_calendar, exchange, post_csrf, send, sign_in, start};

const SYNCML: &str = "application/vnd.syncml+xml";
/// How many events the device adds, then how many of them it deletes: past the default
/// guard (more than 10 objects and more than 25 % of the calendar).
const ADDED: usize = 20;
const DELETED: usize = 15;

/// A SyncML device of alice, speaking plain XML with auth-basic.
struct Device {
    key: &'static str,
    session: u32,
}

/// What one session sends in its Sync (package 3).
enum Change {
    Add(usize),
    Delete(usize),
}

fn title(n: usize) -> String {
    format!("Held event {n:02}")
}

fn luid(n: usize) -> String {
    format!("item-{n}")
}

impl Device {
    fn header(&self, msg: u32, target: &str) -> String {
        let credentials = base64(&format!("alice:{PASSWORD}"));
        format!(
            "<SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>\
             <SessionID>{}</SessionID><MsgID>{msg}</MsgID>\
             <Target><LocURI>{target}</LocURI></Target>\
             <Source><LocURI>{}</LocURI><LocName>alice</LocName></Source>\
             <Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type>\
             <Format xmlns='syncml:metinf'>b64</Format></Meta><Data>{credentials}</Data></Cred>\
             </SyncHdr>",
            self.session, self.key
        )
    }

    async fn post(&self, server: &Server, path: &str, msg: u32, body: &str) -> String {
        let target = format!("http://localhost{path}");
        let message = format!(
            "<SyncML xmlns='SYNCML:SYNCML1.2'>{}<SyncBody>{body}<Final/></SyncBody></SyncML>",
            self.header(msg, &target)
        );
        let answer = exchange(server, "POST", path, "", SYNCML, &message).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body
    }

    /// One whole session: Alert (201 slow or 200 two-way), the Sync, the closing message.
    /// Returns the server's reply to the Sync (its own changes).
    async fn sync(
        &mut self,
        server: &Server,
        alert: u16,
        last: Option<&str>,
        next: &str,
        changes: &[Change],
    ) -> String {
        self.session += 1;
        let last = last
            .map(|l| format!("<Last>{l}</Last>"))
            .unwrap_or_default();
        let first = self
            .post(
                server,
                "/syncml",
                1,
                &format!(
                    "<Alert><CmdID>1</CmdID><Data>{alert}</Data><Item><Target><LocURI>calendar</LocURI>\
                     </Target><Source><LocURI>./cal</LocURI></Source><Meta><Anchor xmlns='syncml:metinf'>\
                     {last}<Next>{next}</Next></Anchor></Meta></Item></Alert>"
                ),
            )
            .await;
        let session = first
            .split("?sessionid=")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .expect("RespURI with a session id")
            .to_string();
        let path = format!("/syncml?sessionid={session}");
        let mut commands = String::new();
        for (index, change) in changes.iter().enumerate() {
            let id = index + 3;
            commands.push_str(&match change {
                Change::Add(n) => format!(
                    "<Add><CmdID>{id}</CmdID><Meta><Type xmlns='syncml:metinf'>text/calendar</Type></Meta>\
                     <Item><Source><LocURI>{}</LocURI></Source><Data><![CDATA[{}]]></Data></Item></Add>",
                    luid(*n),
                    event(*n)
                ),
                Change::Delete(n) => format!(
                    "<Delete><CmdID>{id}</CmdID><Item><Source><LocURI>{}</LocURI></Source></Item></Delete>",
                    luid(*n)
                ),
            });
        }
        let reply = self
            .post(
                server,
                &path,
                2,
                &format!(
                    "<Sync><CmdID>2</CmdID><Target><LocURI>calendar</LocURI></Target>\
                     <Source><LocURI>./cal</LocURI></Source>{commands}</Sync>"
                ),
            )
            .await;
        self.post(server, &path, 3, "").await;
        reply
    }
}

fn event(n: usize) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:held-{n}@test\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART:202603{:02}T090000Z\r\nDTEND:202603{:02}T100000Z\r\n\
         SUMMARY:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        n,
        n,
        title(n)
    )
}

fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
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

/// alice's phone adds ADDED events (slow sync), then deletes DELETED of them (two-way):
/// the deletions are held. Returns the device and the alert of the batch.
async fn held_batch(server: &Server) -> (Device, i64) {
    let mut phone = Device {
        key: "phone-1",
        session: 0,
    };
    let adds: Vec<Change> = (1..=ADDED).map(Change::Add).collect();
    phone.sync(server, 201, None, "1", &adds).await;
    assert_eq!(
        count(server).await,
        ADDED,
        "the slow sync stored every event"
    );
    let deletes: Vec<Change> = (1..=DELETED).map(Change::Delete).collect();
    phone.sync(server, 200, Some("1"), "2", &deletes).await;
    assert_eq!(count(server).await, ADDED, "the mass deletion is held");
    let alice = server.vault.user_named("alice").await.unwrap();
    let alerts = server
        .vault
        .alerts(Actor::User(alice.id), "alice", false)
        .await
        .unwrap();
    let alert = alerts
        .iter()
        .find(|a| a.kind == calvault_core::syncml_state::SYNCML_HELD_DELETIONS)
        .expect("a held-deletions alert");
    (phone, alert.id)
}

/// How many objects alice's calendar holds.
async fn count(server: &Server) -> usize {
    let (_, calendar) = alice_calendar(server).await;
    common::count(server, &calendar).await
}

async fn resolution(server: &Server, alert: i64) -> Option<String> {
    server
        .vault
        .alert_by_id(alert)
        .await
        .unwrap()
        .and_then(|a| a.resolution)
}

#[tokio::test]
async fn a_held_batch_is_listed_with_the_events_it_would_delete() {
    let server = start().await;
    let (session, _) = sign_in(&server, "alice").await;
    let (_, alert) = held_batch(&server).await;
    let page = send(&server, "GET", "/held", &session, "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("phone-1 wants to delete 15 event(s) from"),
        "{}",
        page.body
    );
    for n in 1..=DELETED {
        assert!(page.body.contains(&title(n)), "{} listed", title(n));
    }
    for n in DELETED + 1..=ADDED {
        assert!(
            !page.body.contains(&title(n)),
            "{} is not deleted",
            title(n)
        );
    }
    assert!(page.body.contains("2026-03-01 09:00"), "with its start");
    for action in ["apply", "keep"] {
        assert!(page.body.contains(&format!("/held/{alert}/{action}")));
    }
    // Reached from the alerts and the devices pages.
    let alerts = send(&server, "GET", "/alerts", &session, "").await;
    assert!(alerts.body.contains("href=\"/held\""));
    let devices = send(&server, "GET", "/devices", &session, "").await;
    assert!(devices.body.contains("Review held deletions (1)"));
    let french = send(
        &server,
        "GET",
        "/held",
        &format!("{session}; cv_lang=fr"),
        "",
    )
    .await;
    assert!(french.body.contains("Garder les événements"));
}

#[tokio::test]
async fn applying_deletes_the_events_to_the_trash() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (_, alert) = held_batch(&server).await;
    let refused = post_csrf(&server, &format!("/held/{alert}/apply"), &session, "wrong").await;
    assert_eq!(refused.status, 403);
    assert_eq!(count(&server).await, ADDED);
    let applied = post_csrf(&server, &format!("/held/{alert}/apply"), &session, &csrf).await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    assert_eq!(applied.header("location"), Some("/held?applied=15"));
    assert_eq!(count(&server).await, ADDED - DELETED);
    assert_eq!(resolution(&server, alert).await.as_deref(), Some("applied"));
    let (_, calendar) = alice_calendar(&server).await;
    let alice = server.vault.user_named("alice").await.unwrap();
    let trash = server
        .vault
        .trash(Actor::User(alice.id), &calendar)
        .await
        .unwrap();
    assert_eq!(trash.len(), DELETED);
    let phone = calvault_syncml::devices::find(&server.vault, "alice", "phone-1")
        .await
        .unwrap();
    assert!(phone.state["held"].as_array().is_some_and(|h| h.is_empty()));
    let page = send(&server, "GET", "/held?applied=15", &session, "").await;
    assert!(page.body.contains("15 event(s) deleted"));
    assert!(page.body.contains("No deletions are waiting for you."));
    // Decided once: a second post finds nothing.
    let again = post_csrf(&server, &format!("/held/{alert}/keep"), &session, &csrf).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn keeping_leaves_the_events_and_the_device_gets_them_back() {
    let server = start().await;
    let (session, csrf) = sign_in(&server, "alice").await;
    let (mut phone, alert) = held_batch(&server).await;
    let kept = post_csrf(&server, &format!("/held/{alert}/keep"), &session, &csrf).await;
    assert_eq!(kept.status, 303, "{}", kept.body);
    assert_eq!(kept.header("location"), Some("/held?kept=15"));
    assert_eq!(count(&server).await, ADDED);
    assert_eq!(resolution(&server, alert).await.as_deref(), Some("kept"));
    let page = send(&server, "GET", "/held", &session, "").await;
    assert!(
        !page.body.contains("Held event 01"),
        "decided: no longer listed"
    );
    // The device's next sync gets the kept events back as Adds.
    let reply = phone.sync(&server, 200, Some("2"), "3", &[]).await;
    assert_eq!(reply.matches("<Add>").count(), DELETED, "{reply}");
    assert!(reply.contains("Held event 01"));
    assert_eq!(count(&server).await, ADDED);
}

#[tokio::test]
async fn another_user_can_neither_see_nor_decide_a_batch() {
    let server = start().await;
    let _ = sign_in(&server, "alice").await;
    let (_, alert) = held_batch(&server).await;
    let (bob_session, bob_csrf) = sign_in(&server, "bob").await;
    let page = send(&server, "GET", "/held", &bob_session, "").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Held event"));
    assert!(!page.body.contains("phone-1"));
    for action in ["apply", "keep"] {
        let answer = post_csrf(
            &server,
            &format!("/held/{alert}/{action}"),
            &bob_session,
            &bob_csrf,
        )
        .await;
        assert_eq!(answer.status, 404, "{action}: {}", answer.body);
    }
    assert_eq!(count(&server).await, ADDED);
    assert_eq!(resolution(&server, alert).await, None);
    // Signed out, the page sends the visitor to sign in.
    assert_eq!(send(&server, "GET", "/held", "", "").await.status, 303);
}

#[tokio::test]
async fn a_suspended_sync_is_shown_on_the_devices_page() {
    let server = start().await;
    let (session, _) = sign_in(&server, "alice").await;
    let phone = Device {
        key: "phone-2",
        session: 1,
    };
    let first = phone
        .post(
            &server,
            "/syncml",
            1,
            "<Alert><CmdID>1</CmdID><Data>201</Data><Item><Target><LocURI>calendar</LocURI>\
             </Target><Source><LocURI>./cal</LocURI></Source><Meta><Anchor xmlns='syncml:metinf'>\
             <Next>1</Next></Anchor></Meta></Item></Alert>",
        )
        .await;
    let id = first
        .split("?sessionid=")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("RespURI with a session id");
    let devices = send(&server, "GET", "/devices", &session, "").await;
    assert!(
        devices.body.contains("unfinished sync of calendar at "),
        "a sync under way can be resumed too: {}",
        devices.body
    );
    // OMA DS Protocol 1.2 §7: the device suspends (Alert 224); the sync is kept for a Resume.
    let path = format!("/syncml?sessionid={id}");
    phone
        .post(
            &server,
            &path,
            2,
            "<Alert><CmdID>1</CmdID><Data>224</Data></Alert>",
        )
        .await;
    let devices = send(&server, "GET", "/devices", &session, "").await;
    assert!(
        devices.body.contains("suspended sync of calendar at ")
            && devices.body.contains("resumable at its next sync"),
        "{}",
        devices.body
    );
    assert!(!devices.body.contains("unfinished sync"));
    let french = send(
        &server,
        "GET",
        "/devices",
        &format!("{session}; cv_lang=fr"),
        "",
    )
    .await;
    assert!(
        french
            .body
            .contains("synchronisation de calendar suspendue le"),
        "{}",
        french.body
    );
}
