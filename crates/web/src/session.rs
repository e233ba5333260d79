//! Web sessions: random ids kept in memory with an expiry, the cookie that carries them, and
//! the CSRF token each session's forms must send back.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use calvault_core::Actor;
use calvault_core::store::{User, UserId};
use chrono_tz::Tz;
use rand::RngCore;

use crate::i18n::Lang;
use crate::{Shared, WebError};

pub const SESSION_COOKIE: &str = "cv_session";
/// The double-submit token of the sign-in form, before any session exists.
pub const SIGNIN_COOKIE: &str = "cv_signin";
/// The browser's time zone, set by the page's script; the pages show times in it.
pub const TZ_COOKIE: &str = "cv_tz";
/// A session ends after this long without a request.
const IDLE: Duration = Duration::from_secs(12 * 3600);
/// A bound on the table, so that a flood of sign-ins cannot grow it without end.
const MAX_SESSIONS: usize = 100_000;

struct Entry {
    user_id: UserId,
    csrf: String,
    last_used: Instant,
}

#[derive(Default)]
pub struct Sessions {
    entries: Mutex<HashMap<String, Entry>>,
}

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Sessions {
    /// Opens a session for `user`: returns its id.
    pub fn open(&self, user_id: UserId) -> Option<String> {
        let mut entries = self.entries.lock().ok()?;
        if entries.len() >= MAX_SESSIONS {
            entries.retain(|_, entry| entry.last_used.elapsed() < IDLE);
        }
        if entries.len() >= MAX_SESSIONS {
            return None;
        }
        let id = random_token();
        entries.insert(
            id.clone(),
            Entry {
                user_id,
                csrf: random_token(),
                last_used: Instant::now(),
            },
        );
        Some(id)
    }

    /// The user and CSRF token of a live session, which is kept alive by the use.
    fn touch(&self, id: &str) -> Option<(UserId, String)> {
        let mut entries = self.entries.lock().ok()?;
        let entry = entries.get_mut(id)?;
        if entry.last_used.elapsed() >= IDLE {
            entries.remove(id);
            return None;
        }
        entry.last_used = Instant::now();
        Some((entry.user_id, entry.csrf.clone()))
    }

    pub fn close(&self, id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(id);
        }
    }
}

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// Whether cookies of this request must be `Secure`: the configuration decides, else a proxy
/// in front that says the client used HTTPS.
pub fn secure(web: &Shared, headers: &HeaderMap) -> bool {
    web.config.secure_cookies.unwrap_or_else(|| {
        headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    })
}

/// A `Set-Cookie` value: HttpOnly unless a script must read it, SameSite=Lax so that the
/// cookie goes with links from elsewhere but not with cross-site form posts.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<u64>,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; SameSite=Lax");
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    if http_only {
        text.push_str("; HttpOnly");
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Path=/"))
}

/// Compares secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in user of a request, with what every page needs about the visitor.
pub struct Signed {
    pub user: User,
    pub session_id: String,
    pub csrf: String,
    pub lang: Lang,
    pub tz: Tz,
}

impl Signed {
    /// The same actor CalDAV uses for this user: every access check follows from it.
    pub fn actor(&self) -> Actor {
        Actor::User(self.user.id)
    }

    /// Every POST carries the session's token: a form posted from another site cannot.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if same_secret(token, &self.csrf) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }
}

pub fn time_zone(headers: &HeaderMap) -> Tz {
    cookie(headers, TZ_COOKIE)
        .map(|value| value.replace("%2F", "/"))
        .and_then(|name| name.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}

impl FromRequestParts<Shared> for Signed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, web: &Shared) -> Result<Self, WebError> {
        let id = cookie(&parts.headers, SESSION_COOKIE).ok_or(WebError::SignedOut)?;
        let (user_id, csrf) = web.sessions.touch(id).ok_or(WebError::SignedOut)?;
        // Read on every request: a user deleted meanwhile is signed out at once.
        let user = web
            .vault
            .store()
            .user(user_id)
            .await
            .map_err(|error| WebError::from(calvault_core::CoreError::from(error)))?
            .ok_or(WebError::SignedOut)?;
        Ok(Signed {
            user,
            session_id: id.to_string(),
            csrf,
            lang: Lang::of_request(&parts.headers),
            tz: time_zone(&parts.headers),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_and_close() {
        let sessions = Sessions::default();
        let id = sessions.open(7).unwrap();
        assert_eq!(id.len(), 64);
        assert_eq!(sessions.touch(&id).map(|(user, _)| user), Some(7));
        sessions.close(&id);
        assert!(sessions.touch(&id).is_none());
    }

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "a=1; cv_session=abc ; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, "cv_session"), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("a", "ab"));
    }
}
