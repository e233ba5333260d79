//! The Destination header of COPY and MOVE (RFC 4918 §10.3).

use crate::error::DavProtoError;
use crate::href::{href_to_path, split_absolute_url};

/// `Destination = "Destination" ":" Simple-ref`: an absolute URL or an absolute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// `host[:port]` when an absolute URL was given; the caller checks it is this server
    /// (RFC 4918 §9.8.5: a destination on another server may be refused with 502).
    pub authority: Option<String>,
    /// The decoded absolute path, dot segments removed.
    pub path: String,
}

impl Destination {
    pub fn parse(value: &str) -> Result<Destination, DavProtoError> {
        let value = value.trim();
        let authority = split_absolute_url(value)
            .map(|(authority, _)| authority.to_owned())
            .filter(|authority| !authority.is_empty());
        let path = href_to_path(value).map_err(|error| DavProtoError::InvalidHeader {
            header: "Destination",
            reason: error.to_string(),
        })?;
        Ok(Destination { authority, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls_and_paths() {
        assert_eq!(
            Destination::parse("http://localhost:5232/litmus/copy%20dest/").unwrap(),
            Destination {
                authority: Some("localhost:5232".into()),
                path: "/litmus/copy dest/".into()
            }
        );
        assert_eq!(
            Destination::parse("/calendars/alice/work/").unwrap(),
            Destination {
                authority: None,
                path: "/calendars/alice/work/".into()
            }
        );
    }

    #[test]
    fn refuses_relative_and_broken_values() {
        for bad in ["", "copy", "http://h/a%2Fb", "/a%"] {
            assert!(
                matches!(
                    Destination::parse(bad),
                    Err(DavProtoError::InvalidHeader {
                        header: "Destination",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }
}
