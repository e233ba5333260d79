//! What every page shares: the frame around its content (navigation, language switch,
//! sign-out), rendering, and the security headers of every answer.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::WebError;
use crate::i18n::{Lang, Text};
use crate::session::Signed;

/// The pages of the menu, to mark the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Agenda,
    Calendars,
    Trash,
    Backups,
    Import,
    Devices,
    Duplicates,
    Archive,
    Alerts,
}

pub struct Frame {
    pub t: &'static Text,
    pub lang: Lang,
    pub csrf: String,
    pub user: String,
    pub nav: Nav,
    /// The page's path and query, where the language switch comes back to.
    pub here: String,
    /// A message shown once at the top (after a change).
    pub notice: Option<String>,
}

impl Frame {
    pub fn new(signed: &Signed, nav: Nav, here: impl Into<String>) -> Frame {
        Frame {
            t: signed.lang.text(),
            lang: signed.lang,
            csrf: signed.csrf.clone(),
            user: signed.user.name.clone(),
            nav,
            here: here.into(),
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Frame {
        self.notice = notice;
        self
    }

    /// The menu, with the current page marked for assistive technology.
    pub fn menu(&self) -> Vec<MenuItem> {
        let t = self.t;
        [
            (Nav::Agenda, "/agenda", t.agenda),
            (Nav::Calendars, "/calendars", t.calendars),
            (Nav::Trash, "/trash", t.trash),
            (Nav::Backups, "/backups", t.backups),
            (Nav::Import, "/import", t.import),
            (Nav::Devices, "/devices", t.devices),
            (Nav::Duplicates, "/duplicates", t.duplicates),
            (Nav::Archive, "/archive", t.archive),
            (Nav::Alerts, "/alerts", t.alerts),
        ]
        .into_iter()
        .map(|(nav, href, label)| MenuItem {
            href,
            label,
            current: nav == self.nav,
        })
        .collect()
    }

    pub fn switch_href(&self) -> String {
        format!(
            "/language?to={}&back={}",
            self.lang.other().code(),
            crate::time::url_encode(&self.here)
        )
    }
}

pub struct MenuItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// Renders a page template as a 200 answer.
pub fn render(page: &impl Template) -> Result<Response, WebError> {
    Ok(Html(page.render()?).into_response())
}

/// A 303 to `to`: the answer to a form post, so that reloading does not post again.
pub fn see_other(to: &str) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_string())],
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

/// Pages are never framed by another site, load scripts and styles only from here, and are
/// not cached by shared caches (they hold a user's data).
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
