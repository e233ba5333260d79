//! Hrefs: percent-decoding what clients send into paths, percent-encoding paths we send.

use crate::error::{DavProtoError, excerpt};

/// Turns an href as a client sends it (absolute URL or absolute path, RFC 4918 §8.3) into a
/// decoded absolute path: scheme and authority, query and fragment dropped, dot segments
/// removed (RFC 3986 §5.2.4), percent-escapes decoded.
///
/// Refused: relative references, bad escapes, non-UTF-8 results, NUL, and escapes that
/// would change the segment structure once decoded (`%2F`, or a segment that decodes to
/// `.` or `..`).
pub fn href_to_path(href: &str) -> Result<String, DavProtoError> {
    let href = href.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let path = match split_absolute_url(href) {
        Some((_, path)) => path,
        None if href.starts_with('/') => href,
        None => return Err(invalid(href, "not an absolute URL or path")),
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = if path.is_empty() { "/" } else { path };
    decode_path(path)
}

/// Splits `scheme://authority/path` into authority and path (`""` when it has none).
pub(crate) fn split_absolute_url(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if !is_scheme(scheme) {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(rest.split_at(authority_end))
}

fn is_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Decodes an absolute path (starting with `/`), segment by segment, after removing dot
/// segments. Keeps a trailing slash.
pub fn decode_path(path: &str) -> Result<String, DavProtoError> {
    if !path.starts_with('/') {
        return Err(invalid(path, "path does not start with /"));
    }
    let mut segments: Vec<String> = Vec::new();
    let raw_segments: Vec<&str> = path[1..].split('/').collect();
    let last = raw_segments.len() - 1;
    for (index, raw) in raw_segments.iter().enumerate() {
        match *raw {
            "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(decode_segment(raw).map_err(|reason| invalid(path, reason))?),
        }
        // "/a/." and "/a/.." name a collection: keep the trailing slash.
        if index == last && matches!(*raw, "." | "..") {
            segments.push(String::new());
        }
    }
    Ok(format!("/{}", segments.join("/")))
}

fn decode_segment(raw: &str) -> Result<String, &'static str> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            decoded.push(bytes[i]);
            i += 1;
            continue;
        }
        let high = bytes.get(i + 1).and_then(|b| hex_value(*b));
        let low = bytes.get(i + 2).and_then(|b| hex_value(*b));
        let (Some(high), Some(low)) = (high, low) else {
            return Err("bad percent-escape");
        };
        decoded.push(high << 4 | low);
        i += 3;
    }
    let segment = String::from_utf8(decoded).map_err(|_| "escapes do not decode to UTF-8")?;
    if segment.contains(['/', '\0']) {
        return Err("escaped slash or NUL in a segment");
    }
    if segment == "." || segment == ".." {
        return Err("escaped dot segment");
    }
    Ok(segment)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn invalid(href: &str, reason: &str) -> DavProtoError {
    DavProtoError::InvalidHref(format!("{}: {reason}", excerpt(href)))
}

/// Percent-encodes a decoded path for use in an href or Location header: every byte but
/// unreserved characters (RFC 3986 §2.3), `/`, `@` and `:` is escaped. A value that already
/// is an absolute URI (`mailto:`, `https://...`) is returned unchanged.
pub fn encode_href(path: &str) -> String {
    if !path.starts_with('/') && has_scheme(path) {
        return path.to_owned();
    }
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b':')
        {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 0xF)]));
        }
    }
    out
}

fn has_scheme(value: &str) -> bool {
    value
        .split_once(':')
        .is_some_and(|(scheme, _)| is_scheme(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_paths_and_urls() {
        assert_eq!(
            href_to_path("/calendars/alice/home/a%20b%40c.ics").unwrap(),
            "/calendars/alice/home/a b@c.ics"
        );
        assert_eq!(
            href_to_path("https://cal.example.com:8443/dav/x/?q=1#f").unwrap(),
            "/dav/x/"
        );
        assert_eq!(href_to_path("http://example.com").unwrap(), "/");
        assert_eq!(href_to_path(" /a/./b/../c/ ").unwrap(), "/a/c/");
        assert_eq!(href_to_path("/a/..").unwrap(), "/");
        assert_eq!(href_to_path("/../../x").unwrap(), "/x");
        assert_eq!(href_to_path("/caf%C3%A9/").unwrap(), "/café/");
        assert_eq!(href_to_path("/café").unwrap(), "/café");
    }

    #[test]
    fn refuses_bad_hrefs() {
        for href in [
            "relative/path",
            "",
            "/a%2Fb",
            "/a%00b",
            "/%2e%2e/x",
            "/a%zz",
            "/a%4",
            "/a%FF",
            "mailto:alice@example.com",
        ] {
            assert!(
                matches!(href_to_path(href), Err(DavProtoError::InvalidHref(_))),
                "{href:?}"
            );
        }
    }

    #[test]
    fn encodes_paths() {
        assert_eq!(
            encode_href("/calendars/alice/home/a b@c+d%.ics"),
            "/calendars/alice/home/a%20b@c%2Bd%25.ics"
        );
        assert_eq!(encode_href("/café/"), "/caf%C3%A9/");
        assert_eq!(
            encode_href("mailto:alice@example.com"),
            "mailto:alice@example.com"
        );
        assert_eq!(
            encode_href("https://example.com/x y"),
            "https://example.com/x y"
        );
    }

    #[test]
    fn encode_then_decode_round_trips() {
        for path in [
            "/a b/c&d/ü/",
            "/x/%41/",
            "/calendars/alice/Event 1 (copy).ics",
        ] {
            assert_eq!(href_to_path(&encode_href(path)).unwrap(), path);
        }
    }
}
