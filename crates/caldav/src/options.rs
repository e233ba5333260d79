//! OPTIONS (RFC 4918 §10.1, RFC 4791 §5.1): exactly the classes and methods we implement.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::error::text;

/// No class 2: there is no LOCK/UNLOCK.
pub const DAV_CLASSES: &str = "1, 3, calendar-access, extended-mkcol";
pub const ALLOW: &str =
    "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, COPY, MOVE, REPORT";

pub(crate) fn options() -> Response {
    let mut response = text(StatusCode::OK, "");
    with_allow(&mut response);
    response
        .headers_mut()
        .insert("dav", HeaderValue::from_static(DAV_CLASSES));
    response
}

/// 405 for a method we do not implement, with what we do.
pub(crate) fn not_allowed() -> Response {
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    with_allow(&mut response);
    response
}

fn with_allow(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(ALLOW));
}
