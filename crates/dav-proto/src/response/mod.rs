//! Responses as bytes: DAV:multistatus (RFC 4918 §13, §14.16; RFC 6578 sync-token),
//! typed property values, and DAV:error bodies (RFC 4918 §16).

mod error_body;
mod multistatus;
mod property;

pub use error_body::{ErrorCondition, error_body, error_body_with_href};
pub use multistatus::{Multistatus, MultistatusWriter, PropStat, Response, ResponseOutcome};
pub use property::{PropValue, Property, href_element};

/// The `HTTP/1.1 <code> <reason>` text of a DAV:status element.
pub fn status_line(code: u16) -> String {
    format!("HTTP/1.1 {code} {}", reason_phrase(code))
}

/// The reason phrase of the statuses WebDAV responses carry.
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        207 => "Multi-Status",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        507 => "Insufficient Storage",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(status_line(200), "HTTP/1.1 200 OK");
        assert_eq!(status_line(424), "HTTP/1.1 424 Failed Dependency");
        assert_eq!(status_line(299), "HTTP/1.1 299 Status");
    }
}
