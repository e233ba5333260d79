//! An in-process calvault with its CalDAV router over a real SQLite store, and whole HTTP
//! exchanges rendered as text for snapshots (ETags, dates and tokens redacted).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use base64::Engine;
use calvault_caldav::{CaldavConfig, router};
use calvault_core::{Policy, Vault};
use calvault_store::SqliteStore;
use tower::ServiceExt;

pub const ALICE: (&str, &str) = ("alice", "alice-password");
pub const BOB: (&str, &str) = ("bob", "bob-password-1");

pub struct Server {
    pub app: Router,
    pub vault: Vault,
    _dir: tempfile::TempDir,
}

pub struct Exchange {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Status, the headers that matter, and the body, with volatile values redacted.
    pub fn render(&self) -> String {
        let mut out = format!("{}\n", self.status);
        for (name, value) in &self.headers {
            if matches!(name.as_str(), "date" | "content-length") {
                continue;
            }
            let value = if name == "last-modified" {
                "[date]".to_string()
            } else {
                redact(value)
            };
            out.push_str(&format!("{name}: {value}\n"));
        }
        out.push('\n');
        out.push_str(&redact(&self.body.replace("><", ">\n<")));
        out
    }
}

pub fn config() -> CaldavConfig {
    CaldavConfig {
        max_resource_size: 64 * 1024,
        max_request_body: 256 * 1024,
        realm: "calvault".to_string(),
    }
}

pub async fn server() -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).await.expect("store");
    let vault = Vault::new(Arc::new(store), Policy::default());
    vault
        .add_user(ALICE.0, Some("alice@example.org"), ALICE.1)
        .await
        .expect("alice");
    vault
        .add_user(BOB.0, Some("bob@example.org"), BOB.1)
        .await
        .expect("bob");
    Server {
        app: router(vault.clone(), config()),
        vault,
        _dir: dir,
    }
}

impl Server {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        user: Option<(&str, &str)>,
        headers: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> Exchange {
        let mut request = Request::builder().method(method).uri(path);
        if let Some((name, secret)) = user {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{name}:{secret}"));
            request = request.header("authorization", format!("Basic {token}"));
        }
        request = request.header("user-agent", "calvault-tests");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(Body::from(body.into())).expect("request");
        let peer: SocketAddr = "10.1.2.3:4567".parse().expect("addr");
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Exchange {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn alice(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Exchange {
        self.send(method, path, Some(ALICE), headers, body.as_bytes().to_vec())
            .await
    }

    pub async fn put_event(&self, path: &str, uid: &str, summary: &str) -> Exchange {
        self.alice(
            "PUT",
            path,
            &[("content-type", "text/calendar")],
            &event(uid, summary),
        )
        .await
    }
}

pub fn event(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260110T100000Z\r\nDTEND:20260110T110000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// Replaces ETags, sync tokens and dates with placeholders.
pub fn redact(text: &str) -> String {
    let mut out = redact_between(
        text,
        "http://calvault.invalid/sync/",
        |c| c.is_ascii_digit() || c == '/',
        "[token]",
    );
    out = redact_etags(&out);
    for tag in ["getlastmodified", "creationdate"] {
        out = redact_element(&out, tag);
    }
    out
}

fn redact_between(text: &str, prefix: &str, keep: impl Fn(char) -> bool, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        out.push_str(with);
        let tail = &rest[at + prefix.len()..];
        let end = tail.find(|c: char| !keep(c)).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `"12-34"` (calendar-seq) and `"<32 hex>"` tags become `"[etag]"`.
fn redact_etags(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let tail = &rest[open + 1..];
        let Some(close) = tail.find('"') else { break };
        let inner = &tail[..close];
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let is_seq = inner
            .split_once('-')
            .is_some_and(|(a, b)| digits(a) && digits(b));
        let is_hex = inner.len() == 32 && inner.bytes().all(|b| b.is_ascii_hexdigit());
        if is_seq || is_hex {
            out.push_str(&rest[..open]);
            out.push_str("\"[etag]\"");
            rest = &tail[close + 1..];
        } else {
            out.push_str(&rest[..=open]);
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn redact_element(text: &str, local: &str) -> String {
    let open = format!("<d:{local}>");
    let close = format!("</d:{local}>");
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let Some(end) = rest[at..].find(&close) else {
            break;
        };
        out.push_str(&rest[..at + open.len()]);
        out.push_str("[date]");
        rest = &rest[at + end..];
    }
    out.push_str(rest);
    out
}
