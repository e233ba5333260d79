//! The HTTP binding: `POST /syncml` answers in the client's encoding, carries the session in
//! the RespURI, and refuses what is not SyncML with the HTTP status that says why.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calvault_core::store::SqliteStore;
use calvault_core::{Policy, Vault};
use calvault_syncml::{SyncmlConfig, router};
use calvault_syncml_proto::{Command, Encoding, decode};
use tower::ServiceExt;

async fn app() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let vault = Vault::new(Arc::new(store), Policy::default());
    vault
        .add_user("alice", None, "secret-passphrase")
        .await
        .unwrap();
    (router(vault, SyncmlConfig::default()), dir)
}

fn post(content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/syncml")
        .header(header::HOST, "sync.example.org")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

const FIRST: &str = "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>\
    <VerProto>SyncML/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>\
    <Target><LocURI>http://sync.example.org/syncml</LocURI></Target>\
    <Source><LocURI>phone-1</LocURI><LocName>alice</LocName></Source>\
    <Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type>\
    <Format xmlns='syncml:metinf'>b64</Format></Meta>\
    <Data>YWxpY2U6c2VjcmV0LXBhc3NwaHJhc2U=</Data></Cred></SyncHdr>\
    <SyncBody><Alert><CmdID>1</CmdID><Data>201</Data><Item><Target><LocURI>calendar</LocURI>\
    </Target><Source><LocURI>./cal</LocURI></Source><Meta><Anchor xmlns='syncml:metinf'>\
    <Next>1</Next></Anchor></Meta></Item></Alert><Final/></SyncBody></SyncML>";

#[tokio::test]
async fn a_first_message_gets_212_a_resp_uri_and_the_alert_back() {
    let (app, _dir) = app().await;
    let response = app
        .oneshot(post("application/vnd.syncml+xml", FIRST.into()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/vnd.syncml+xml"
    );
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let reply = decode(&body, Encoding::Xml).unwrap();
    let resp_uri = reply.hdr.resp_uri.unwrap();
    assert!(
        resp_uri.starts_with("http://sync.example.org/syncml?sessionid="),
        "{resp_uri}"
    );
    let codes: Vec<String> = reply
        .body
        .commands
        .iter()
        .map(|c| match c {
            Command::Status(s) => format!("{}:{}", s.cmd, s.data.0),
            Command::Alert(a) => format!("Alert {}", a.data.unwrap().0),
            other => other.name().to_string(),
        })
        .collect();
    assert_eq!(codes, ["SyncHdr:212", "Alert:200", "Alert 201"]);
}

#[tokio::test]
async fn what_is_not_syncml_is_refused() {
    let (app, _dir) = app().await;
    let response = app
        .clone()
        .oneshot(post("text/xml", FIRST.into()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = app
        .clone()
        .oneshot(post(
            "application/vnd.syncml+wbxml",
            b"\x03\x01garbage".to_vec(),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = app
        .oneshot(post(
            "application/vnd.syncml+xml",
            b"<SyncML><unclosed".to_vec(),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
