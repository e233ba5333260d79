//! The crate's one error type and the one function that turns it into an HTTP answer.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use calvault_core::CoreError;
use calvault_dav_proto::name::{caldav, dav};
use calvault_dav_proto::{DavProtoError, ErrorCondition, PropName};

#[derive(Debug, thiserror::Error)]
pub enum DavError {
    /// A request header or body that does not parse.
    #[error(transparent)]
    Proto(#[from] DavProtoError),
    /// What the domain refused.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// No or wrong credentials: 401 with the Basic challenge.
    #[error("authentication required")]
    Unauthenticated,
    /// Too many failed logins from this client or for this user.
    #[error("too many failed attempts, retry in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    /// The body is larger than the configured limit.
    #[error("request body too large")]
    TooLarge,
    /// This answer, then the connection closes (its request body was left unread).
    #[error(transparent)]
    CloseAfter(Box<DavError>),
    /// A plain status with a short reason.
    #[error("{1}")]
    Status(StatusCode, &'static str),
    /// A failed precondition with its DAV:error element (RFC 4918 §16, RFC 4791 §5.3.2).
    #[error("precondition {condition} failed")]
    Condition {
        status: StatusCode,
        condition: PropName,
        href: Option<String>,
    },
}

impl DavError {
    pub fn not_found() -> Self {
        DavError::Status(StatusCode::NOT_FOUND, "not found")
    }

    pub fn forbidden(condition: PropName) -> Self {
        DavError::Condition {
            status: StatusCode::FORBIDDEN,
            condition,
            href: None,
        }
    }

    /// The HTTP answer: status, headers and a DAV:error body where a precondition applies.
    pub fn into_response_with(self, realm: &str) -> Response {
        let (status, condition, href) = match self {
            DavError::CloseAfter(error) => {
                let mut response = error.into_response_with(realm);
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                return response;
            }
            DavError::Proto(error) => (status(error.status()), error.precondition(), None),
            DavError::Core(error) => core_answer(error),
            DavError::Unauthenticated => {
                let mut response = text(StatusCode::UNAUTHORIZED, "authentication required");
                let challenge = format!("Basic realm=\"{realm}\", charset=\"UTF-8\"");
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, value);
                }
                return response;
            }
            DavError::TooManyAttempts { retry_after } => {
                let mut response = text(StatusCode::TOO_MANY_REQUESTS, "too many failed logins");
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                return response;
            }
            DavError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, None, None),
            DavError::Status(status, reason) => return text(status, reason),
            DavError::Condition {
                status,
                condition,
                href,
            } => (status, Some(condition), href),
        };
        match condition {
            Some(name) => {
                let mut condition = ErrorCondition::new(name);
                if let Some(href) = href {
                    condition = condition.with_href(href);
                }
                xml(status, condition.to_body())
            }
            None => text(status, status.canonical_reason().unwrap_or("error")),
        }
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

/// The domain's refusals as HTTP. A handler that knows better (a PUT's preconditions) maps
/// them itself before they get here.
fn core_answer(error: CoreError) -> (StatusCode, Option<PropName>, Option<String>) {
    match error {
        CoreError::NotFound(_) => (StatusCode::NOT_FOUND, None, None),
        CoreError::AlreadyExists(_) => (
            StatusCode::METHOD_NOT_ALLOWED,
            Some(dav::RESOURCE_MUST_BE_NULL),
            None,
        ),
        CoreError::Forbidden => (StatusCode::FORBIDDEN, Some(dav::NEED_PRIVILEGES), None),
        CoreError::PreconditionFailed(_) => (StatusCode::PRECONDITION_FAILED, None, None),
        CoreError::UidConflict { .. } => {
            (StatusCode::FORBIDDEN, Some(caldav::NO_UID_CONFLICT), None)
        }
        CoreError::InvalidData(_) => (
            StatusCode::FORBIDDEN,
            Some(caldav::VALID_CALENDAR_DATA),
            None,
        ),
        CoreError::Invalid(_) => (StatusCode::BAD_REQUEST, None, None),
        // RFC 6578 §3.2: a token we no longer hold gets DAV:valid-sync-token.
        CoreError::PositionTooOld => (StatusCode::FORBIDDEN, Some(dav::VALID_SYNC_TOKEN), None),
        CoreError::BadCredentials => (StatusCode::UNAUTHORIZED, None, None),
        CoreError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, None, None),
        other => {
            tracing::error!(error = %other, "CalDAV request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, None, None)
        }
    }
}

pub(crate) fn text(status: StatusCode, body: &str) -> Response {
    let mut response = Response::new(Body::from(format!("{body}\n")));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

pub(crate) fn xml(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    response
}

/// A 207 Multi-Status answer.
pub(crate) fn multistatus(multistatus: &calvault_dav_proto::Multistatus) -> Response {
    xml(StatusCode::MULTI_STATUS, multistatus.to_bytes())
}

/// A status with no body (204, 201 without content).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}
