//! `POST /syncml` (SyncML HTTP binding 1.2 §5): the body is one message, the reply the
//! server's next message, in the same encoding. The RespURI carries the session as
//! `?sessionid=`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use calvault_core::Vault;

use crate::SyncmlConfig;
use crate::error::SyncmlError;
use crate::session::{self, Engine};

/// The largest message accepted at least: a client never needs more than our MaxMsgSize, with
/// room (twice a MaxMsgSize above half of this).
const MAX_BODY: usize = 4 * 1024 * 1024;

pub fn router(vault: Vault, config: SyncmlConfig) -> Router {
    let max_body = usize::try_from(config.max_msg_size)
        .unwrap_or(usize::MAX)
        .saturating_mul(2)
        .max(MAX_BODY);
    let engine = Arc::new(Engine::new(vault, config));
    Router::new()
        .route("/syncml", post(handle))
        .route("/syncml/", post(handle))
        .with_state((engine, max_body))
}

async fn handle(
    State((engine, max_body)): State<(Arc<Engine>, usize)>,
    request: Request,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let session_id = request
        .uri()
        .query()
        .and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("sessionid="))
        })
        .map(str::to_string);
    let headers = request.headers().clone();
    let body: Bytes = match axum::body::to_bytes(request.into_body(), max_body).await {
        Ok(body) => body,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "message too large").into_response(),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let endpoint = endpoint(&headers);
    let result = engine
        .handle(session::Request {
            body: &body,
            content_type,
            session_id: session_id.as_deref(),
            endpoint: &endpoint,
            client: &client,
        })
        .await;
    match result {
        Ok(reply) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, reply.content_type)
            .body(Body::from(reply.body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Err(SyncmlError::Message(calvault_syncml_proto::Error::UnsupportedContentType(t))) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("not a SyncML content type: {t}"),
        )
            .into_response(),
        Err(SyncmlError::Message(error)) => (
            StatusCode::BAD_REQUEST,
            format!("not a SyncML message: {error}"),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "syncml request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the SyncML server failed",
            )
                .into_response()
        }
    }
}

/// The absolute URL of the endpoint as the client reached it, for RespURI.
fn endpoint(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}/syncml")
}
