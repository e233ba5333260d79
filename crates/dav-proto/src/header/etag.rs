//! Entity tags and the lists of If-Match / If-None-Match (RFC 9110 §8.8.3, §13.1.1-2).

use std::fmt;

use super::invalid;
use crate::error::DavProtoError;

/// `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE`; `tag` is the opaque part without quotes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntityTag {
    pub weak: bool,
    pub tag: String,
}

impl EntityTag {
    /// A strong tag; the server's ETags are strong (DESIGN: "strong ETags").
    pub fn strong(tag: impl Into<String>) -> Self {
        EntityTag {
            weak: false,
            tag: tag.into(),
        }
    }

    pub fn weak(tag: impl Into<String>) -> Self {
        EntityTag {
            weak: true,
            tag: tag.into(),
        }
    }

    /// Parses one entity tag, e.g. `"abc"` or `W/"abc"`.
    pub fn parse(value: &str) -> Result<EntityTag, DavProtoError> {
        let mut cursor = value.trim();
        let tag = take_entity_tag(&mut cursor).ok_or_else(|| bad(value))?;
        if !cursor.trim().is_empty() {
            return Err(bad(value));
        }
        Ok(tag)
    }

    /// RFC 9110 §8.8.3.2 strong comparison: both strong and the same opaque tag.
    pub fn strong_eq(&self, other: &EntityTag) -> bool {
        !self.weak && !other.weak && self.tag == other.tag
    }

    /// RFC 9110 §8.8.3.2 weak comparison: the same opaque tag, weakness ignored.
    pub fn weak_eq(&self, other: &EntityTag) -> bool {
        self.tag == other.tag
    }
}

impl fmt::Display for EntityTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            f.write_str("W/")?;
        }
        write!(f, "\"{}\"", self.tag)
    }
}

/// The value of If-Match or If-None-Match: `"*"` or a list of entity tags.
/// Several header lines are joined by the caller with `,` (RFC 9110 §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EtagList {
    Any,
    Tags(Vec<EntityTag>),
}

impl EtagList {
    pub fn parse(value: &str) -> Result<EtagList, DavProtoError> {
        if value.trim() == "*" {
            return Ok(EtagList::Any);
        }
        let mut tags = Vec::new();
        let mut cursor = value;
        loop {
            cursor = cursor.trim_start_matches([' ', '\t', ',']);
            if cursor.is_empty() {
                break;
            }
            tags.push(take_entity_tag(&mut cursor).ok_or_else(|| bad(value))?);
            cursor = cursor.trim_start_matches([' ', '\t']);
            if !(cursor.is_empty() || cursor.starts_with(',')) {
                return Err(bad(value));
            }
        }
        if tags.is_empty() {
            return Err(bad(value));
        }
        Ok(EtagList::Tags(tags))
    }

    /// If-Match (RFC 9110 §13.1.1): true when the resource exists and, for a list, its
    /// current tag strongly matches one of the listed tags.
    pub fn matches_strong(&self, current: Option<&EntityTag>) -> bool {
        match (self, current) {
            (_, None) => false,
            (EtagList::Any, Some(_)) => true,
            (EtagList::Tags(tags), Some(current)) => tags.iter().any(|t| t.strong_eq(current)),
        }
    }

    /// If-None-Match (RFC 9110 §13.1.2): true when the condition *matches*, i.e. the resource
    /// exists and (for a list) weakly matches a listed tag — the request then fails
    /// (412, or 304 for GET/HEAD).
    pub fn matches_weak(&self, current: Option<&EntityTag>) -> bool {
        match (self, current) {
            (_, None) => false,
            (EtagList::Any, Some(_)) => true,
            (EtagList::Tags(tags), Some(current)) => tags.iter().any(|t| t.weak_eq(current)),
        }
    }
}

fn bad(value: &str) -> DavProtoError {
    invalid("entity-tag", value, "malformed entity tag list")
}

/// Takes one entity tag from the front of `cursor`. Besides the RFC form, a bare token
/// (no quotes) is read as a strong tag, as some old clients send them.
pub(crate) fn take_entity_tag(cursor: &mut &str) -> Option<EntityTag> {
    let (weak, rest) = match cursor.strip_prefix("W/") {
        Some(rest) => (true, rest),
        None => (false, *cursor),
    };
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"')?;
        let tag = &quoted[..end];
        // RFC 4918's own examples put spaces in tags ("I am an ETag"): accept any
        // printable character inside the quotes.
        if tag.chars().any(char::is_control) {
            return None;
        }
        *cursor = &quoted[end + 1..];
        return Some(EntityTag {
            weak,
            tag: tag.to_owned(),
        });
    }
    if weak {
        return None;
    }
    let end = rest.find([',', ' ', '\t', ']']).unwrap_or(rest.len());
    let tag = &rest[..end];
    if tag.is_empty() || tag == "*" || !tag.chars().all(is_etagc) {
        return None;
    }
    *cursor = &rest[end..];
    Some(EntityTag::strong(tag))
}

/// `etagc = %x21 / %x23-7E / obs-text`
fn is_etagc(c: char) -> bool {
    c == '!' || ('#'..='~').contains(&c) || !c.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_tags() {
        assert_eq!(EntityTag::parse("\"abc\""), Ok(EntityTag::strong("abc")));
        assert_eq!(EntityTag::parse(" W/\"x-1\" "), Ok(EntityTag::weak("x-1")));
        assert_eq!(EntityTag::parse("\"\""), Ok(EntityTag::strong("")));
        assert_eq!(EntityTag::parse("bare"), Ok(EntityTag::strong("bare")));
        assert_eq!(EntityTag::parse("\"a b\""), Ok(EntityTag::strong("a b")));
        for bad in ["", "\"open", "W/bare", "\"a\" x", "\"a\tb\"", "*"] {
            assert!(EntityTag::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(EntityTag::weak("x").to_string(), "W/\"x\"");
        assert_eq!(EntityTag::strong("x").to_string(), "\"x\"");
    }

    #[test]
    fn parses_lists() {
        assert_eq!(EtagList::parse(" * "), Ok(EtagList::Any));
        assert_eq!(
            EtagList::parse("\"a\", W/\"b\",\"c\""),
            Ok(EtagList::Tags(vec![
                EntityTag::strong("a"),
                EntityTag::weak("b"),
                EntityTag::strong("c")
            ]))
        );
        assert_eq!(
            EtagList::parse("\"a,b\""),
            Ok(EtagList::Tags(vec![EntityTag::strong("a,b")]))
        );
        for bad in ["", ",", "\"a\" \"b\"", "*, \"a\"", "\"a"] {
            assert!(EtagList::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn if_match_is_strong_and_if_none_match_weak() {
        let current = EntityTag::strong("v1");
        let weak_list = EtagList::parse("W/\"v1\"").unwrap();
        assert!(!weak_list.matches_strong(Some(&current)));
        assert!(weak_list.matches_weak(Some(&current)));
        assert!(EtagList::Any.matches_strong(Some(&current)));
        assert!(!EtagList::Any.matches_strong(None));
        assert!(!EtagList::Any.matches_weak(None));
        let list = EtagList::parse("\"v0\", \"v1\"").unwrap();
        assert!(list.matches_strong(Some(&current)));
        assert!(!list.matches_strong(Some(&EntityTag::strong("v2"))));
    }
}
