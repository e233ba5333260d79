//! The WebDAV If header (RFC 4918 §10.4), evaluated without locks.
//!
//! ```text
//! If = "If" ":" ( 1*No-tag-list | 1*Tagged-list )
//! No-tag-list = List
//! Tagged-list = Resource-Tag 1*List
//! List = "(" 1*Condition ")"
//! Condition = ["Not"] (State-token | "[" entity-tag "]")
//! State-token = Coded-URL
//! Resource-Tag = "<" Simple-ref ">"
//! ```

use super::etag::{EntityTag, take_entity_tag};
use super::invalid;
use crate::error::DavProtoError;
use crate::href::href_to_path;

/// A parsed If header: the lists in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfHeader {
    pub lists: Vec<IfList>,
}

/// One parenthesised list; `resource` is the decoded path of its Resource-Tag, `None` for
/// an untagged list (which applies to the request-URI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfList {
    pub resource: Option<String>,
    pub conditions: Vec<IfCondition>,
}

/// One condition of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfCondition {
    /// A state token (a lock token URI, or e.g. `DAV:no-lock`).
    StateToken { not: bool, token: String },
    /// `[etag]`
    ETag { not: bool, tag: EntityTag },
}

impl IfHeader {
    pub fn parse(value: &str) -> Result<IfHeader, DavProtoError> {
        let mut parser = Parser { value, rest: value };
        parser.header()
    }

    /// RFC 4918 §10.4.2: the header is true when any list is true; a list is true when
    /// all its conditions are. We hold no locks, so a state token never matches: it is
    /// false, and `Not <token>` is true. ETags compare weakly (they are ours and strong).
    ///
    /// `etag_of(resource)` gives the current tag of a tagged resource (`Some(path)`) or
    /// of the request-URI (`None`); `None` when the resource does not exist.
    pub fn evaluate(&self, etag_of: impl Fn(Option<&str>) -> Option<EntityTag>) -> bool {
        self.lists.iter().any(|list| {
            let current = etag_of(list.resource.as_deref());
            list.conditions
                .iter()
                .all(|condition| condition.holds(current.as_ref()))
        })
    }

    /// True when any condition names a state token (the caller may answer 412 or 423
    /// with DAV:lock-token-submitted when it matters).
    pub fn has_state_tokens(&self) -> bool {
        self.lists
            .iter()
            .flat_map(|l| &l.conditions)
            .any(|c| matches!(c, IfCondition::StateToken { .. }))
    }
}

impl IfCondition {
    fn holds(&self, current: Option<&EntityTag>) -> bool {
        match self {
            IfCondition::StateToken { not, .. } => *not,
            IfCondition::ETag { not, tag } => {
                let matched = current.is_some_and(|current| current.weak_eq(tag));
                matched != *not
            }
        }
    }
}

struct Parser<'a> {
    value: &'a str,
    rest: &'a str,
}

impl<'a> Parser<'a> {
    fn header(&mut self) -> Result<IfHeader, DavProtoError> {
        let mut lists = Vec::new();
        let mut resource: Option<String> = None;
        let mut tagged = None;
        loop {
            self.skip_whitespace();
            if self.rest.is_empty() {
                break;
            }
            if self.rest.starts_with('<') {
                // A tag must be followed by a list, and tagged and untagged lists don't mix.
                if tagged == Some(false) || self.lists_follow_tag(&lists, &resource) {
                    return Err(self.error("misplaced resource tag"));
                }
                let tag = self.angle_bracketed()?;
                let path = href_to_path(tag).map_err(|_| self.error("bad resource tag"))?;
                resource = Some(path);
                tagged = Some(true);
                continue;
            }
            if !self.rest.starts_with('(') {
                return Err(self.error("expected ( or <"));
            }
            if tagged.is_none() {
                tagged = Some(false);
            }
            let conditions = self.list()?;
            lists.push(IfList {
                resource: resource.clone(),
                conditions,
            });
        }
        if lists.is_empty() || self.lists_follow_tag(&lists, &resource) {
            return Err(self.error("no list"));
        }
        Ok(IfHeader { lists })
    }

    /// True when the current resource tag has no list yet.
    fn lists_follow_tag(&self, lists: &[IfList], resource: &Option<String>) -> bool {
        resource.is_some() && lists.last().map(|l| &l.resource) != Some(resource)
    }

    fn list(&mut self) -> Result<Vec<IfCondition>, DavProtoError> {
        self.rest = &self.rest[1..];
        let mut conditions = Vec::new();
        loop {
            self.skip_whitespace();
            if let Some(rest) = self.rest.strip_prefix(')') {
                self.rest = rest;
                break;
            }
            conditions.push(self.condition()?);
        }
        if conditions.is_empty() {
            return Err(self.error("empty list"));
        }
        Ok(conditions)
    }

    fn condition(&mut self) -> Result<IfCondition, DavProtoError> {
        let not = self.take_not();
        self.skip_whitespace();
        if self.rest.starts_with('<') {
            let token = self.angle_bracketed()?.to_owned();
            return Ok(IfCondition::StateToken { not, token });
        }
        let Some(mut rest) = self.rest.strip_prefix('[') else {
            return Err(self.error("expected state token or [etag]"));
        };
        let tag = take_entity_tag(&mut rest).ok_or_else(|| self.error("bad entity tag"))?;
        let rest = rest.trim_start_matches([' ', '\t']);
        let Some(rest) = rest.strip_prefix(']') else {
            return Err(self.error("unclosed ["));
        };
        self.rest = rest;
        Ok(IfCondition::ETag { not, tag })
    }

    fn take_not(&mut self) -> bool {
        let Some(head) = self.rest.get(..3) else {
            return false;
        };
        if !head.eq_ignore_ascii_case("not") {
            return false;
        }
        let after = &self.rest[3..];
        if !after.starts_with([' ', '\t', '<', '[']) {
            return false;
        }
        self.rest = after;
        true
    }

    fn angle_bracketed(&mut self) -> Result<&'a str, DavProtoError> {
        let inner = &self.rest[1..];
        let end = inner.find('>').ok_or_else(|| self.error("unclosed <"))?;
        let content = &inner[..end];
        if content.is_empty() || content.contains(['<', ' ', '\t']) {
            return Err(self.error("bad URI in < >"));
        }
        self.rest = &inner[end + 1..];
        Ok(content)
    }

    fn skip_whitespace(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t', '\r', '\n']);
    }

    fn error(&self, reason: &str) -> DavProtoError {
        invalid("If", self.value, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn etag(tag: &str) -> EntityTag {
        EntityTag::strong(tag)
    }

    #[test]
    fn parses_untagged_lists() {
        let header = IfHeader::parse(
            "(<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2> [\"I am an ETag\"]) ([\"I am another ETag\"])",
        )
        .unwrap();
        assert_eq!(
            header.lists,
            vec![
                IfList {
                    resource: None,
                    conditions: vec![
                        IfCondition::StateToken {
                            not: false,
                            token: "urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2".into()
                        },
                        IfCondition::ETag {
                            not: false,
                            tag: etag("I am an ETag")
                        },
                    ]
                },
                IfList {
                    resource: None,
                    conditions: vec![IfCondition::ETag {
                        not: false,
                        tag: etag("I am another ETag")
                    }]
                },
            ]
        );
        assert!(header.has_state_tokens());
    }

    #[test]
    fn parses_tagged_lists_and_not() {
        let header = IfHeader::parse(
            "<http://www.example.com/specs/> (Not <urn:uuid:58f202ac> [W/\"x\"]) </other%20res> ([\"y\"]) ([\"z\"])",
        )
        .unwrap();
        assert_eq!(header.lists.len(), 3);
        assert_eq!(header.lists[0].resource.as_deref(), Some("/specs/"));
        assert_eq!(
            header.lists[0].conditions[0],
            IfCondition::StateToken {
                not: true,
                token: "urn:uuid:58f202ac".into()
            }
        );
        assert_eq!(header.lists[1].resource.as_deref(), Some("/other res"));
        assert_eq!(header.lists[2].resource.as_deref(), Some("/other res"));
    }

    #[test]
    fn refuses_malformed_headers() {
        for bad in [
            "",
            "()",
            "(",
            "<http://x/a>",
            "(<a>) <http://x/b>",
            "([\"x\"]) <http://x/b> ([\"y\"])",
            "([x)",
            "(<>)",
            "x",
            "(Nix <a>)",
            "<relative> ([\"x\"])",
        ] {
            assert!(IfHeader::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn evaluates_without_locks() {
        let current = |_: Option<&str>| Some(etag("v1"));
        // Litmus cond_put: a matching etag alone passes.
        assert!(IfHeader::parse("([\"v1\"])").unwrap().evaluate(current));
        assert!(!IfHeader::parse("([\"v2\"])").unwrap().evaluate(current));
        // A lock token never matches: false alone, true negated.
        assert!(
            !IfHeader::parse("(<opaquelocktoken:x>)")
                .unwrap()
                .evaluate(current)
        );
        assert!(
            IfHeader::parse("(Not <DAV:no-lock>)")
                .unwrap()
                .evaluate(current)
        );
        assert!(
            IfHeader::parse("(<DAV:no-lock>) ([\"v1\"])")
                .unwrap()
                .evaluate(current)
        );
        assert!(
            IfHeader::parse("(Not <DAV:no-lock> [\"v1\"])")
                .unwrap()
                .evaluate(current)
        );
        assert!(!IfHeader::parse("(Not [\"v1\"])").unwrap().evaluate(current));
        // A missing resource has no etag.
        assert!(!IfHeader::parse("([\"v1\"])").unwrap().evaluate(|_| None));
        assert!(
            IfHeader::parse("(Not [\"v1\"])")
                .unwrap()
                .evaluate(|_| None)
        );
    }

    #[test]
    fn evaluates_tagged_lists_against_their_resource() {
        let header = IfHeader::parse("</a> ([\"a1\"]) </b> ([\"b9\"])").unwrap();
        let etags = |resource: Option<&str>| match resource {
            Some("/a") => Some(etag("a2")),
            Some("/b") => Some(etag("b9")),
            _ => None,
        };
        assert!(header.evaluate(etags));
    }
}
