//! The one error type of this crate, and its mapping to a SyncML status code.

use crate::model::status::StatusCode;

/// Everything that can go wrong turning bytes into a [`crate::SyncMl`] (or back).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input ended inside a WBXML structure.
    #[error("WBXML: input ends early at byte {offset}")]
    UnexpectedEof { offset: usize },
    /// A WBXML mb_u_int32 longer than 5 bytes or above `u32::MAX` (WBXML 1.3 §5.1).
    #[error("WBXML: multi-byte integer too large at byte {offset}")]
    MbIntOverflow { offset: usize },
    /// WBXML version byte we do not read (WBXML 1.3 §5.4).
    #[error("WBXML: unsupported version byte {0:#04x}")]
    UnsupportedWbxmlVersion(u8),
    /// Character set other than UTF-8 (MIBenum 106) or US-ASCII (WBXML 1.3 §5.6).
    #[error("WBXML: unsupported charset MIBenum {0}")]
    UnsupportedCharset(u32),
    /// A document public identifier that is neither SyncML nor DevInf.
    #[error("WBXML: unknown document type {0}")]
    UnknownPublicId(String),
    /// A string table offset outside the table (WBXML 1.3 §5.7).
    #[error("WBXML: string table reference {0} out of range")]
    BadStringRef(u32),
    /// A tag with attributes; SyncML defines none (SyncML RepPro §5).
    #[error("WBXML: <{0}> carries attributes, which SyncML does not use")]
    AttributesNotSupported(String),
    /// A global token that has no place at this point of the document.
    #[error("WBXML: unexpected token {token:#04x} at byte {offset}")]
    UnexpectedToken { token: u8, offset: usize },
    /// Elements nested deeper than any SyncML message needs.
    #[error("elements nested deeper than {0} levels")]
    TooDeep(usize),
    /// Character data that is not UTF-8.
    #[error("text in <{0}> is not UTF-8")]
    InvalidUtf8(String),
    /// An XML well-formedness error, or a reference to an entity other than the 5 predefined.
    #[error("XML: {0}")]
    Xml(String),
    /// A document without a root element, or with a root other than the expected one.
    #[error("expected root element <{expected}>, found {found}")]
    UnexpectedRoot {
        expected: &'static str,
        found: String,
    },
    /// A required child element is absent.
    #[error("<{parent}> lacks required <{element}>")]
    MissingElement {
        parent: String,
        element: &'static str,
    },
    /// An element whose text does not parse as the value the protocol defines.
    #[error("<{element}> holds invalid value {value:?}")]
    InvalidValue { element: String, value: String },
    /// A VerDTD this crate does not speak (SyncML RepPro: status 505).
    #[error("unsupported VerDTD {0:?}")]
    UnsupportedVersion(String),
    /// A Content-Type that is not a SyncML message type.
    #[error("unsupported content type {0:?}")]
    UnsupportedContentType(String),
}

impl Error {
    /// The SyncML status code a server answers with for a message it could not read.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Error::UnsupportedVersion(_) => StatusCode::DTD_VERSION_NOT_SUPPORTED,
            Error::UnsupportedContentType(_) | Error::UnsupportedCharset(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Error::TooDeep(_) => StatusCode::REQUEST_ENTITY_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
