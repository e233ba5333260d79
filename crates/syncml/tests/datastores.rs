//! The datastores that name a calendar or follow the user's choice, each in a whole session:
//! `calendar` syncs the calendar the user chose for SyncML devices, `calendar/NAME` another
//! calendar of theirs, and `tasks` only the VTODOs of the chosen calendar.

mod support;

use calvault_core::store::Calendar;
use calvault_core::{Actor, CalendarPath, Client, Condition};
use calvault_syncml::datastore::{
    default_calendar_id, set_default_calendar, settle_default_calendar,
};
use calvault_syncml::{Request, SyncmlConfig};
use calvault_syncml_proto::{Command, Data, Encoding, SyncMl, decode};
use support::{PASSWORD, SERVER_URI, Server, USER, event, summaries_in};

/// `alice:secret-passphrase` in base64 (auth-basic).
const BASIC: &str = "YWxpY2U6c2VjcmV0LXBhc3NwaHJhc2U=";
const XML: &str = "application/vnd.syncml+xml";

/// Alice with her first calendar (`calendar`) and two more, `work` and `family`.
async fn server() -> Server {
    let server = support::server(SyncmlConfig::default()).await;
    for name in ["work", "family"] {
        server
            .vault
            .create_calendar(Actor::Admin, &path(name), None)
            .await
            .unwrap();
    }
    server
}

fn path(calendar: &str) -> CalendarPath {
    CalendarPath {
        user: USER.into(),
        calendar: calendar.into(),
    }
}

async fn calendar(server: &Server, name: &str) -> Calendar {
    server
        .vault
        .calendar(Actor::Admin, &path(name), calvault_core::Access::Read)
        .await
        .unwrap()
}

fn todo(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n\
         DTSTAMP:20260101T000000Z\r\nDUE:20260301T100000Z\r\nSUMMARY:{summary}\r\n\
         END:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

/// Writes an object as another client (CalDAV) would.
async fn put(server: &Server, calendar_name: &str, uid: &str, data: &str) {
    let calendar = calendar(server, calendar_name).await;
    server
        .vault
        .put_object(
            Actor::Admin,
            &calendar,
            &format!("{uid}.ics"),
            data,
            &Condition::default(),
            &Client::new("caldav"),
        )
        .await
        .unwrap();
}

/// Writes an event as another client would.
async fn put_event(server: &Server, calendar_name: &str, uid: &str, summary: &str) {
    put(server, calendar_name, uid, &event(uid, summary, 0)).await;
}

/// Writes a task as another client would.
async fn put_todo(server: &Server, calendar_name: &str, uid: &str, summary: &str) {
    put(server, calendar_name, uid, &todo(uid, summary)).await;
}

/// The administrator chooses alice's calendar for SyncML devices.
async fn choose_default(server: &Server, calendar_name: &str) {
    set_default_calendar(&server.vault, Actor::Admin, USER, Some(calendar_name))
        .await
        .unwrap();
}

/// Moves one of alice's calendars to the trash.
async fn trash(server: &Server, calendar_name: &str) {
    server
        .vault
        .delete_calendar(Actor::Admin, &path(calendar_name))
        .await
        .unwrap();
}

/// Trashes a calendar, then settles alice's SyncML default calendar.
async fn trash_and_settle(server: &Server, calendar_name: &str) {
    let before = default_calendar_id(&server.vault, USER).await.unwrap();
    trash(server, calendar_name).await;
    settle_default_calendar(&server.vault, USER, before)
        .await
        .unwrap();
}

/// The summaries of the live objects of a calendar, sorted.
async fn summaries(server: &Server, calendar_name: &str) -> Vec<String> {
    summaries_in(server, &calendar(server, calendar_name).await).await
}

fn header(session: &str, msg_id: u32, target: &str, cred: bool) -> String {
    let cred = if cred {
        format!(
            "<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type>\
             <Format xmlns='syncml:metinf'>b64</Format></Meta><Data>{BASIC}</Data></Cred>"
        )
    } else {
        String::new()
    };
    format!(
        "<SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>\
         <SessionID>{session}</SessionID><MsgID>{msg_id}</MsgID>\
         <Target><LocURI>{target}</LocURI></Target>\
         <Source><LocURI>phone-{session}</LocURI><LocName>{USER}</LocName></Source>{cred}</SyncHdr>"
    )
}

fn message(hdr: String, body: String) -> Vec<u8> {
    format!("<SyncML xmlns='SYNCML:SYNCML1.2'>{hdr}<SyncBody>{body}<Final/></SyncBody></SyncML>")
        .into_bytes()
}

/// One device session: a slow sync (Alert 201) of `datastore` in which the device sends
/// `items` (LUID, iCalendar) and takes what the server sends. Returns the server's
/// items (the data of each Add of its Sync).
async fn slow_sync(
    server: &Server,
    session: &str,
    datastore: &str,
    items: &[(&str, String)],
) -> Vec<String> {
    let first = message(
        header(session, 1, SERVER_URI, true),
        format!(
            "<Alert><CmdID>1</CmdID><Data>201</Data><Item><Target><LocURI>{datastore}</LocURI>\
             </Target><Source><LocURI>./dev</LocURI></Source><Meta><Anchor xmlns='syncml:metinf'>\
             <Next>1</Next></Anchor></Meta></Item></Alert>"
        ),
    );
    let reply = post(server, &first, None).await;
    let alert = statuses(&reply, "Alert");
    assert_eq!(alert, ["200"], "the server takes {datastore}");
    let sessionid = reply
        .hdr
        .resp_uri
        .as_deref()
        .and_then(|uri| uri.split("sessionid=").nth(1))
        .expect("a RespURI")
        .to_string();
    let target = format!("{SERVER_URI}?sessionid={sessionid}");

    let adds: String = items
        .iter()
        .enumerate()
        .map(|(n, (luid, data))| {
            format!(
                "<Add><CmdID>{}</CmdID><Meta><Type xmlns='syncml:metinf'>text/calendar</Type>\
                 </Meta><Item><Source><LocURI>{luid}</LocURI></Source>\
                 <Data><![CDATA[{data}]]></Data></Item></Add>",
                n + 3
            )
        })
        .collect();
    let second = message(
        header(session, 2, &target, false),
        format!(
            "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>\
             <TargetRef>phone-{session}</TargetRef><SourceRef>{SERVER_URI}</SourceRef>\
             <Data>200</Data></Status>\
             <Sync><CmdID>2</CmdID><Target><LocURI>{datastore}</LocURI></Target>\
             <Source><LocURI>./dev</LocURI></Source>{adds}</Sync>"
        ),
    );
    let reply = post(server, &second, Some(&sessionid)).await;
    assert!(
        statuses(&reply, "Add").iter().all(|code| code == "201"),
        "every item of the device stored: {:?}",
        statuses(&reply, "Add")
    );
    let sent = server_items(&reply);

    let third = message(
        header(session, 3, &target, false),
        "<Status><CmdID>1</CmdID><MsgRef>2</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>\
         <Data>200</Data></Status>"
            .to_string(),
    );
    let reply = post(server, &third, Some(&sessionid)).await;
    assert!(reply.body.final_, "the session ends");
    sent
}

async fn post(server: &Server, body: &[u8], session: Option<&str>) -> SyncMl {
    let reply = server
        .engine
        .handle(Request {
            body,
            content_type: XML,
            session_id: session,
            endpoint: SERVER_URI,
            client: "127.0.0.1",
        })
        .await
        .expect("the engine answers");
    decode(&reply.body, Encoding::Xml).expect("our reply decodes")
}

/// The codes of the Statuses answering commands named `cmd`.
fn statuses(msg: &SyncMl, cmd: &str) -> Vec<String> {
    msg.body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Status(s) if s.cmd == cmd => Some(s.data.0.to_string()),
            _ => None,
        })
        .collect()
}

/// The data of every item the server's Sync adds.
fn server_items(msg: &SyncMl) -> Vec<String> {
    let mut out = Vec::new();
    for command in &msg.body.commands {
        let Command::Sync(sync) = command else {
            continue;
        };
        for inner in &sync.commands {
            let Command::Add(add) = inner else { continue };
            for item in &add.items {
                if let Some(Data::Text(text)) = &item.data {
                    out.push(text.clone());
                }
            }
        }
    }
    out
}

fn summaries_of(items: &[String]) -> Vec<String> {
    let mut list: Vec<String> = items
        .iter()
        .filter_map(|data| {
            data.lines()
                .find_map(|l| l.trim_end().strip_prefix("SUMMARY:").map(str::to_string))
        })
        .collect();
    list.sort();
    list
}

#[tokio::test]
async fn calendar_syncs_the_chosen_default_calendar() {
    let server = server().await;
    put_event(&server, "calendar", "first@example.org", "In first").await;
    put_event(&server, "work", "work@example.org", "In work").await;
    let alice = server.vault.user_named(USER).await.unwrap();
    let chosen = set_default_calendar(&server.vault, Actor::User(alice.id), USER, Some("work"))
        .await
        .unwrap();
    assert_eq!(chosen.map(|c| c.name).as_deref(), Some("work"));

    let phone = [("1", event("phone@example.org", "From the phone", 0))];
    let sent = slow_sync(&server, "11", "calendar", &phone).await;
    assert_eq!(summaries_of(&sent), ["In work"], "only the chosen calendar");
    assert_eq!(
        summaries(&server, "work").await,
        ["From the phone", "In work"]
    );
    assert_eq!(summaries(&server, "calendar").await, ["In first"]);
}

#[tokio::test]
async fn without_a_choice_or_after_it_is_trashed_calendar_is_the_one_named_calendar() {
    let server = server().await;
    put_event(&server, "calendar", "first@example.org", "In first").await;
    put_event(&server, "work", "work@example.org", "In work").await;
    let sent = slow_sync(&server, "21", "calendar", &[]).await;
    assert_eq!(summaries_of(&sent), ["In first"]);

    choose_default(&server, "work").await;
    trash(&server, "work").await;
    let phone = [("1", event("phone@example.org", "From the phone", 0))];
    let sent = slow_sync(&server, "22", "calendar", &phone).await;
    assert_eq!(
        summaries_of(&sent),
        ["In first"],
        "the trashed choice is skipped"
    );
    assert_eq!(
        summaries(&server, "calendar").await,
        ["From the phone", "In first"]
    );
}

#[tokio::test]
async fn calendar_slash_name_syncs_that_calendar_whatever_the_default() {
    let server = server().await;
    put_event(&server, "family", "fam@example.org", "In family").await;
    put_event(&server, "work", "work@example.org", "In work").await;
    choose_default(&server, "work").await;

    let phone = [("7", event("phone@example.org", "Family dinner", 0))];
    let sent = slow_sync(&server, "31", "calendar/family", &phone).await;
    assert_eq!(summaries_of(&sent), ["In family"]);
    assert_eq!(
        summaries(&server, "family").await,
        ["Family dinner", "In family"]
    );
    assert_eq!(summaries(&server, "work").await, ["In work"]);
}

#[tokio::test]
async fn tasks_carries_only_the_vtodos_of_the_default_calendar() {
    let server = server().await;
    put_event(&server, "work", "meeting@example.org", "Meeting").await;
    put_todo(&server, "work", "report@example.org", "Write report").await;
    put_todo(&server, "calendar", "other@example.org", "Other todo").await;
    choose_default(&server, "work").await;

    let phone = [("t1", todo("phone-todo@example.org", "Buy milk"))];
    let sent = slow_sync(&server, "41", "tasks", &phone).await;
    assert_eq!(summaries_of(&sent), ["Write report"], "the VTODO only");
    assert!(sent.iter().all(|data| data.contains("BEGIN:VTODO")));
    assert!(!sent.iter().any(|data| data.contains("BEGIN:VEVENT")));
    assert_eq!(
        summaries(&server, "work").await,
        ["Buy milk", "Meeting", "Write report"]
    );
    assert_eq!(summaries(&server, "calendar").await, ["Other todo"]);
}

/// Whether the device `key` holds anchors for `datastore`.
async fn has_anchors(server: &Server, key: &str, datastore: &str) -> bool {
    let user = server.vault.user_named(USER).await.unwrap();
    let devices = server.vault.store().list_devices(user.id).await.unwrap();
    let device = devices.iter().find(|d| d.key == key).expect("the device");
    device.state["anchors"].get(datastore).is_some()
}

#[tokio::test]
async fn changing_the_default_makes_the_next_sync_of_calendar_slow() {
    let server = server().await;
    put_event(&server, "work", "work@example.org", "In work").await;
    slow_sync(&server, "51", "calendar", &[]).await;
    slow_sync(&server, "51", "calendar/family", &[]).await;
    assert!(
        has_anchors(&server, "phone-51", "calendar").await,
        "synced once"
    );

    choose_default(&server, "work").await;
    assert!(
        !has_anchors(&server, "phone-51", "calendar").await,
        "anchors in the old calendar's journal forgotten"
    );
    assert!(
        has_anchors(&server, "phone-51", "calendar/family").await,
        "a named datastore keeps its anchors"
    );

    // Choosing the calendar already in effect changes nothing.
    slow_sync(&server, "51", "calendar", &[]).await;
    choose_default(&server, "work").await;
    assert!(has_anchors(&server, "phone-51", "calendar").await);
}

#[tokio::test]
async fn trashing_the_chosen_calendar_makes_the_next_sync_of_calendar_slow() {
    let server = server().await;
    put_event(&server, "work", "work@example.org", "In work").await;
    choose_default(&server, "work").await;
    slow_sync(&server, "61", "calendar", &[]).await;
    slow_sync(&server, "61", "tasks", &[]).await;
    assert!(has_anchors(&server, "phone-61", "calendar").await);

    // Trashing another calendar moves nothing.
    trash_and_settle(&server, "family").await;
    assert!(has_anchors(&server, "phone-61", "calendar").await);

    trash_and_settle(&server, "work").await;
    assert!(!has_anchors(&server, "phone-61", "calendar").await);
    assert!(!has_anchors(&server, "phone-61", "tasks").await);
    let sent = slow_sync(&server, "61", "calendar", &[]).await;
    assert!(
        sent.is_empty(),
        "the calendar named `calendar` is empty: {sent:?}"
    );
}

#[tokio::test]
async fn another_user_cannot_choose_for_alice() {
    let server = server().await;
    let (bob, _) = server.vault.add_user("bob", None, PASSWORD).await.unwrap();
    let refused =
        set_default_calendar(&server.vault, Actor::User(bob.id), USER, Some("work")).await;
    assert!(refused.is_err());
    let user = server.vault.user_named(USER).await.unwrap();
    assert_eq!(
        server
            .vault
            .syncml_calendar(user.id)
            .await
            .unwrap()
            .map(|c| c.name)
            .as_deref(),
        Some("calendar")
    );
}
