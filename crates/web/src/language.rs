//! The language switch: remembers the choice in a cookie and goes back to the page.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::Shared;
use crate::i18n::{LANG_COOKIE, Lang};
use crate::session::{secure, set_cookie};

#[derive(Deserialize)]
pub struct Switch {
    to: String,
    #[serde(default)]
    back: String,
}

pub async fn switch(
    State(web): State<Shared>,
    headers: HeaderMap,
    Query(switch): Query<Switch>,
) -> Response {
    let lang = Lang::parse(&switch.to).unwrap_or(Lang::En);
    // Only a path on this site: never an open redirect to another one.
    let back = if switch.back.starts_with('/')
        && !switch.back.starts_with("//")
        && !switch.back.contains('\\')
    {
        switch.back
    } else {
        "/".to_string()
    };
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        true,
        secure(&web, &headers),
    );
    let mut response = crate::frame::see_other(&back);
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response.into_response()
}
