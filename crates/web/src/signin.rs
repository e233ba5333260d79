//! Sign-in at `/` with the user's password (rate-limited by the vault), and sign-out.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use calvault_core::CoreError;
use serde::Deserialize;

use crate::frame::see_other;
use crate::i18n::{Lang, Text, fill};
use crate::session::{
    SESSION_COOKIE, SIGNIN_COOKIE, Signed, cookie, random_token, same_secret, secure, set_cookie,
};
use crate::{Shared, WebError};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    t: &'static Text,
    csrf: String,
    name: String,
    error: Option<String>,
    switch_href: String,
    other_lang: &'static str,
}

/// The client's address, which the vault's failure throttle counts by.
pub struct Peer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_else(|| "unknown".to_string()),
        ))
    }
}

/// The sign-in page, or the agenda for a visitor already signed in.
pub async fn page(State(web): State<Shared>, headers: HeaderMap) -> Result<Response, WebError> {
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers.clone();
    if Signed::from_request_parts(&mut parts, &web).await.is_ok() {
        return Ok(see_other("/agenda"));
    }
    sign_in_page(&web, &headers, StatusCode::OK, String::new(), None)
}

/// Renders the form with a fresh double-submit token: there is no session yet to hold one,
/// so the token sits in a cookie and in the form, and a post must bring both (a site that
/// cannot read our cookies cannot forge the pair).
fn sign_in_page(
    web: &Shared,
    headers: &HeaderMap,
    status: StatusCode,
    name: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let lang = Lang::of_request(headers);
    let token = random_token();
    let page = SignInPage {
        t: lang.text(),
        csrf: token.clone(),
        name,
        error,
        switch_href: format!("/language?to={}&back=%2F", lang.other().code()),
        other_lang: lang.other().code(),
    };
    let mut response = (status, Html(page.render()?)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(
            SIGNIN_COOKIE,
            &token,
            Some(3600),
            true,
            secure(web, headers),
        ),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_in(
    State(web): State<Shared>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, SIGNIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_secret(&form.csrf, expected) {
        return Err(WebError::Csrf);
    }
    let t = Lang::of_request(&headers).text();
    let name = form.name.trim().to_string();
    let credentials = match web.vault.authenticate(&name, &form.password, &peer).await {
        Ok(credentials) => credentials,
        Err(CoreError::BadCredentials) => {
            let error = Some(t.bad_credentials.to_string());
            return sign_in_page(&web, &headers, StatusCode::UNAUTHORIZED, name, error);
        }
        Err(CoreError::TooManyAttempts { retry_after }) => {
            let error = Some(fill(t.too_many_attempts, &[&retry_after.to_string()]));
            let mut response =
                sign_in_page(&web, &headers, StatusCode::TOO_MANY_REQUESTS, name, error)?;
            if let Ok(value) = retry_after.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(response);
        }
        Err(other) => return Err(other.into()),
    };
    // An app password is for one device's sync; the pages take the user's own password only.
    if credentials.app_password.is_some() {
        let error = Some(t.bad_credentials.to_string());
        return sign_in_page(&web, &headers, StatusCode::UNAUTHORIZED, name, error);
    }
    let id = web
        .sessions
        .open(credentials.user.id)
        .ok_or_else(|| WebError::BadRequest("too many sessions; try again later".to_string()))?;
    tracing::info!(user = %credentials.user.name, "web sign-in");
    let secure = secure(&web, &headers);
    let mut response = see_other("/agenda");
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, None, true, secure),
    );
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SIGNIN_COOKIE, "", Some(0), true, secure),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn sign_out(
    State(web): State<Shared>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    web.sessions.close(&signed.session_id);
    let mut response = see_other("/");
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), true, secure(&web, &headers)),
    );
    Ok(response)
}
