//! What the page tests share: a real server (the pages and the SyncML router on one
//! listener, as `calvault serve` has them) with the users alice and bob, raw HTTP/1.1
//! exchanges, and signing in.
// Each test file uses its own part of this.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use calvault_core::store::Calendar;
use calvault_core::{Actor, CalendarPath, Policy, Vault};
use calvault_store::SqliteStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const PASSWORD: &str = "correct horse battery";
pub const FORM: &str = "application/x-www-form-urlencoded";

pub struct Server {
    pub addr: SocketAddr,
    pub vault: Vault,
    _dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next().map(str::to_string))
            .collect()
    }
}

pub async fn start() -> Server {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(dir.path()).await.expect("store");
    let vault = Vault::new(Arc::new(store), Policy::default());
    for name in ["alice", "bob"] {
        vault.add_user(name, None, PASSWORD).await.expect("user");
    }
    let app = calvault_web::router(vault.clone(), calvault_web::WebConfig::default())
        .merge(calvault_syncml::router(vault.clone(), Default::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Server {
        addr,
        vault,
        _dir: dir,
    }
}

/// One HTTP/1.1 exchange on a fresh connection.
pub async fn exchange(
    server: &Server,
    method: &str,
    path: &str,
    cookie: &str,
    content_type: &str,
    body: &str,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    // A chunked body keeps its size lines: the tests only search the text.
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

pub async fn send(server: &Server, method: &str, path: &str, cookie: &str, body: &str) -> Answer {
    exchange(server, method, path, cookie, FORM, body).await
}

pub fn form_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .map(|at| at + marker.len())
        .expect("field in page");
    page[start..].split('"').next().unwrap_or("").to_string()
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Signs in and returns the session cookie and the CSRF token of the pages.
pub async fn sign_in(server: &Server, name: &str) -> (String, String) {
    sign_in_at(server, name, "/agenda").await
}

/// Signs in, then opens `landing` (it must answer 200) and returns the session cookie and the
/// CSRF token that page carries.
pub async fn sign_in_at(server: &Server, name: &str, landing: &str) -> (String, String) {
    let page = send(server, "GET", "/", "", "").await;
    let token = form_value(&page.body, "csrf");
    let pre = page.cookies().join("; ");
    let answer = send(
        server,
        "POST",
        "/",
        &pre,
        &format!("csrf={token}&name={name}&password={}", encode(PASSWORD)),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let session = answer
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("cv_session="))
        .expect("session cookie");
    let shown = send(server, "GET", landing, &session, "").await;
    assert_eq!(shown.status, 200);
    (session, form_value(&shown.body, "csrf"))
}

/// Posts a form that carries only the CSRF token.
pub async fn post_csrf(server: &Server, path: &str, cookie: &str, csrf: &str) -> Answer {
    send(server, "POST", path, cookie, &format!("csrf={csrf}")).await
}

/// alice's default calendar, and her as an actor.
pub async fn alice_calendar(server: &Server) -> (Actor, Calendar) {
    let alice = server.vault.user_named("alice").await.unwrap();
    let actor = Actor::User(alice.id);
    let calendar = server
        .vault
        .calendar(
            actor,
            &CalendarPath::parse("alice").unwrap(),
            calvault_core::Access::Read,
        )
        .await
        .unwrap();
    (actor, calendar)
}

/// How many objects a calendar holds.
pub async fn count(server: &Server, calendar: &Calendar) -> usize {
    server
        .vault
        .store()
        .list_objects(calendar.id)
        .await
        .unwrap()
        .len()
}
