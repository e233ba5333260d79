//! The `Server-Timing` header (W3C Server Timing) on every answer: the time the server spent
//! building it, which browsers' tools and the month-view benchmark read.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The metric's name in the header: `app;dur=MILLISECONDS`.
pub const METRIC: &str = "app";

pub async fn measure(request: Request, next: Next) -> Response {
    let start = Instant::now();
    // The pages render their whole body before answering, so this covers queries and templates.
    let mut response = next.run(request).await;
    let millis = start.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("{METRIC};dur={millis:.2}")) {
        response.headers_mut().insert("server-timing", value);
    }
    response
}
