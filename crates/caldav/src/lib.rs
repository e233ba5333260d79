//! The CalDAV (RFC 4791) and WebDAV (RFC 4918) server of calvault: one module per method or
//! report, XML through `calvault_dav_proto`, every change through `calvault_core::Vault`.

mod auth;
mod copy_move;
mod delete;
mod error;
mod get;
mod mkcalendar;
mod mkcol;
mod object_pages;
mod options;
mod plain;
mod properties;
mod propfind;
mod proppatch;
mod put;
mod report;
mod resource;
mod streamed;
mod sync_token;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use calvault_core::Vault;

pub use error::DavError;

use auth::Session;

/// The settings of the CalDAV server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaldavConfig {
    /// CALDAV:max-resource-size: the largest calendar object a PUT may store, in bytes.
    pub max_resource_size: u64,
    /// The largest request body accepted at all; larger ones get 413.
    pub max_request_body: usize,
    /// The realm of the Basic challenge.
    pub realm: String,
}

impl Default for CaldavConfig {
    fn default() -> Self {
        CaldavConfig {
            max_resource_size: 10 * 1024 * 1024,
            max_request_body: 50 * 1024 * 1024,
            realm: "calvault".to_string(),
        }
    }
}

/// What every handler shares.
pub(crate) struct Dav {
    pub vault: Vault,
    pub config: CaldavConfig,
}

type Shared = Arc<Dav>;

/// The CalDAV routes: `/.well-known/caldav` and everything under `/dav/`.
pub fn router(vault: Vault, config: CaldavConfig) -> Router {
    let dav = Arc::new(Dav { vault, config });
    Router::new()
        .route("/.well-known/caldav", any(well_known))
        .route("/.well-known/caldav/", any(well_known))
        .route("/dav", any(handle))
        .route("/dav/", any(handle))
        .route("/dav/{*rest}", any(handle))
        .with_state(dav)
}

/// RFC 6764 §5: the well-known URI redirects to the context path.
async fn well_known() -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, HeaderValue::from_static("/dav/"))],
    )
        .into_response()
}

/// One request, as the handlers see it: authenticated, body read (within the limit).
pub(crate) struct DavRequest {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl DavRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn handle(State(dav): State<Shared>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let method = request.method().as_str().to_ascii_uppercase();
    let realm = dav.config.realm.clone();
    let result = serve(dav, peer, method, request).await;
    match result {
        Ok(response) => response,
        Err(error) => error.into_response_with(&realm),
    }
}

async fn serve(
    dav: Shared,
    peer: String,
    method: String,
    request: Request,
) -> Result<Response, DavError> {
    let (parts, body) = request.into_parts();
    if method == "OPTIONS" {
        return Ok(options::options());
    }
    let session = match Session::open(&dav, &parts.headers, &peer).await {
        Ok(session) => session,
        Err(error) => return Err(refuse_after_draining(error, body).await),
    };
    // RFC 3986 §3.5: a fragment is the client's business, never part of a request path.
    if parts.uri.path().contains('#') {
        return Err(DavError::Status(
            StatusCode::BAD_REQUEST,
            "fragment in request URI",
        ));
    }
    let body = read_body(body, &parts.headers, dav.config.max_request_body).await?;
    let path = calvault_dav_proto::decode_path(parts.uri.path())?;
    let request = DavRequest {
        method,
        path,
        headers: parts.headers,
        body,
    };
    let ctx = Ctx { dav, session };
    match request.method.as_str() {
        "PROPFIND" => propfind::propfind(&ctx, &request).await,
        "PROPPATCH" => proppatch::proppatch(&ctx, &request).await,
        "MKCALENDAR" => mkcalendar::mkcalendar(&ctx, &request).await,
        "MKCOL" => mkcol::mkcol(&ctx, &request).await,
        "GET" => get::get(&ctx, &request, true).await,
        "HEAD" => get::get(&ctx, &request, false).await,
        "PUT" => put::put(&ctx, &request).await,
        "DELETE" => delete::delete(&ctx, &request).await,
        "COPY" => copy_move::copy_move(&ctx, &request, true).await,
        "MOVE" => copy_move::copy_move(&ctx, &request, false).await,
        "REPORT" => report::report(&ctx, &request).await,
        _ => Ok(options::not_allowed()),
    }
}

/// The most of an unauthenticated request's body that is read before answering 401.
const UNAUTHENTICATED_DRAIN: usize = 1 << 20;

/// Every client sends its first request without credentials and retries on the same
/// connection after the 401: the unread body of the first would be taken for the start of the
/// next request, so it is read (up to a small limit) before answering. A larger body closes
/// the connection instead.
async fn refuse_after_draining(error: DavError, body: Body) -> DavError {
    match axum::body::to_bytes(body, UNAUTHENTICATED_DRAIN).await {
        Ok(_) => error,
        Err(_) => DavError::CloseAfter(Box::new(error)),
    }
}

/// Reads the body, refusing more than `limit` bytes with 413 (before reading when the
/// Content-Length already says so).
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, DavError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(DavError::TooLarge);
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| DavError::TooLarge)
}

/// The request's context: the server and the signed-in user with their device.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub dav: Shared,
    pub session: Session,
}

impl Ctx {
    pub fn vault(&self) -> &Vault {
        &self.dav.vault
    }

    pub fn actor(&self) -> calvault_core::Actor {
        calvault_core::Actor::User(self.session.user.id)
    }
}
