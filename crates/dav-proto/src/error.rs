//! The crate's one error type and its mapping to the HTTP answer (status + DAV:error precondition).

use crate::name::{PropName, caldav, dav};
use crate::response::ErrorCondition;

/// Everything that can be wrong with a WebDAV/CalDAV request body or header.
///
/// Each variant maps to an HTTP status with [`DavProtoError::status`] and, where the RFCs
/// name one, to a precondition element with [`DavProtoError::precondition`] that the caller
/// puts in a DAV:error body ([`DavProtoError::error_body`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DavProtoError {
    /// RFC 4918 §8.2: a body that is not well-formed XML is rejected with 400.
    #[error("request body is not well-formed XML: {0}")]
    Malformed(String),
    /// The body is not UTF-8 (or declares an encoding we do not read).
    #[error("request body encoding is not supported: {0}")]
    UnsupportedEncoding(String),
    /// A DOCTYPE (and so any entity declaration) is refused: no entity is ever expanded.
    #[error("DOCTYPE declarations are not accepted")]
    DoctypeForbidden,
    /// A reference to an entity other than the five predefined ones.
    #[error("undefined entity &{0};")]
    UndefinedEntity(String),
    /// Elements nested deeper than the parser accepts.
    #[error("XML nesting deeper than {0} levels")]
    TooDeep(usize),
    /// More elements than the parser accepts in one body.
    #[error("more than {0} XML elements in the request body")]
    TooManyElements(usize),
    /// The method requires a body and none was sent.
    #[error("request body is empty")]
    EmptyBody,
    /// The document element is not the one the method expects.
    #[error("expected root element {expected}, found {found}")]
    UnexpectedRoot { expected: PropName, found: PropName },
    /// A required child element is absent.
    #[error("{parent} lacks the required element {child}")]
    MissingElement { parent: PropName, child: PropName },
    /// A required attribute is absent.
    #[error("{element} lacks the required attribute {attribute}")]
    MissingAttribute {
        element: PropName,
        attribute: &'static str,
    },
    /// An element is present but its content or attributes are invalid.
    #[error("invalid {element}: {reason}")]
    InvalidElement { element: PropName, reason: String },
    /// An href (in a body or header) that is not a usable path.
    #[error("invalid href: {0}")]
    InvalidHref(String),
    /// A request header whose value does not parse.
    #[error("invalid {header} header: {reason}")]
    InvalidHeader {
        header: &'static str,
        reason: String,
    },
    /// RFC 3253 §3.6: a REPORT we do not implement gets 403 with DAV:supported-report.
    #[error("report {0} is not supported")]
    UnsupportedReport(PropName),
    /// RFC 4791 §7.5.1: a text-match collation we do not implement.
    #[error("collation {0} is not supported")]
    UnsupportedCollation(String),
    /// RFC 4791 §7.8 (CALDAV:valid-filter): the calendar-query filter is invalid.
    #[error("invalid calendar-query filter: {0}")]
    InvalidFilter(String),
    /// RFC 4791 §9.6 (CALDAV:supported-calendar-data): calendar-data asks for a media type
    /// or version we do not produce.
    #[error("calendar data format {0} is not supported")]
    UnsupportedCalendarData(String),
}

impl DavProtoError {
    /// The HTTP status code the request is answered with.
    pub fn status(&self) -> u16 {
        match self {
            DavProtoError::UnsupportedEncoding(_) => 415,
            DavProtoError::TooManyElements(_) => 413,
            DavProtoError::UnsupportedReport(_)
            | DavProtoError::UnsupportedCollation(_)
            | DavProtoError::InvalidFilter(_)
            | DavProtoError::UnsupportedCalendarData(_) => 403,
            _ => 400,
        }
    }

    /// The precondition element (RFC 4918 §16) to send inside DAV:error, if the RFCs name one.
    pub fn precondition(&self) -> Option<PropName> {
        match self {
            DavProtoError::UnsupportedReport(_) => Some(dav::SUPPORTED_REPORT),
            DavProtoError::UnsupportedCollation(_) => Some(caldav::SUPPORTED_COLLATION),
            DavProtoError::InvalidFilter(_) => Some(caldav::VALID_FILTER),
            DavProtoError::UnsupportedCalendarData(_) => Some(caldav::SUPPORTED_CALENDAR_DATA),
            _ => None,
        }
    }

    /// The DAV:error response body for this error, when it has a precondition.
    pub fn error_body(&self) -> Option<Vec<u8>> {
        self.precondition()
            .map(|name| ErrorCondition::new(name).to_body())
    }
}

/// Shortens input-derived text quoted in error messages, so that an error never carries
/// a multi-megabyte copy of a hostile body.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 80;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_preconditions() {
        let report = DavProtoError::UnsupportedReport(PropName::new("urn:x", "y"));
        assert_eq!(report.status(), 403);
        assert_eq!(report.precondition(), Some(dav::SUPPORTED_REPORT));

        let filter = DavProtoError::InvalidFilter("x".into());
        assert_eq!(filter.status(), 403);
        assert_eq!(filter.precondition(), Some(caldav::VALID_FILTER));

        let collation = DavProtoError::UnsupportedCollation("i;unicode-casemap".into());
        assert_eq!(collation.precondition(), Some(caldav::SUPPORTED_COLLATION));

        assert_eq!(DavProtoError::Malformed("x".into()).status(), 400);
        assert_eq!(DavProtoError::Malformed("x".into()).precondition(), None);
        assert_eq!(DavProtoError::DoctypeForbidden.status(), 400);
        assert_eq!(
            DavProtoError::UnsupportedEncoding("UTF-16".into()).status(),
            415
        );
        assert_eq!(DavProtoError::TooManyElements(1).status(), 413);
    }

    #[test]
    fn error_body_names_the_precondition() {
        let body = DavProtoError::InvalidFilter("x".into())
            .error_body()
            .unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("<c:valid-filter/>"), "{text}");
        assert!(DavProtoError::EmptyBody.error_body().is_none());
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let long = "é".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.len() < long.len());
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt("short"), "short");
    }
}
