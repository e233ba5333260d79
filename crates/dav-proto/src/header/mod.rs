//! WebDAV request headers parsed from their text: Depth, Overwrite, Destination,
//! If-Match / If-None-Match and If. An absent header is the caller's business.

mod depth;
mod destination;
mod etag;
mod if_header;
mod overwrite;

pub use depth::Depth;
pub use destination::Destination;
pub use etag::{EntityTag, EtagList};
pub use if_header::{IfCondition, IfHeader, IfList};
pub use overwrite::Overwrite;

use crate::error::{DavProtoError, excerpt};

fn invalid(header: &'static str, value: &str, reason: &str) -> DavProtoError {
    DavProtoError::InvalidHeader {
        header,
        reason: format!("{reason} in {:?}", excerpt(value)),
    }
}
