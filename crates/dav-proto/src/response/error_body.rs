//! DAV:error bodies (RFC 4918 §16): the precondition or postcondition that failed.

use super::property::href_element;
use crate::name::{PropName, dav};
use crate::xml::write::{Namespaces, XML_DECLARATION};

/// One condition element inside DAV:error, optionally with hrefs inside it
/// (e.g. CALDAV:no-uid-conflict names the resource that already has the UID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCondition {
    pub name: PropName,
    /// Decoded paths; percent-encoded on output.
    pub hrefs: Vec<String>,
}

impl ErrorCondition {
    pub fn new(name: PropName) -> Self {
        ErrorCondition {
            name,
            hrefs: Vec::new(),
        }
    }

    pub fn with_href(mut self, path: impl Into<String>) -> Self {
        self.hrefs.push(path.into());
        self
    }

    /// The whole response body: `<d:error><condition/></d:error>`.
    pub fn to_body(&self) -> Vec<u8> {
        let mut namespaces = Namespaces::standard();
        self.bind(&mut namespaces);
        let mut out = String::from(XML_DECLARATION);
        namespaces.start_tag(&mut out, &dav::ERROR);
        namespaces.write_declarations(&mut out);
        out.push('>');
        self.write_condition(&namespaces, &mut out);
        namespaces.end_tag(&mut out, &dav::ERROR);
        out.into_bytes()
    }

    pub(crate) fn bind(&self, namespaces: &mut Namespaces) {
        namespaces.bind(&self.name.namespace);
    }

    /// Writes `<d:error>…</d:error>` inside a multistatus.
    pub(crate) fn write(&self, namespaces: &Namespaces, out: &mut String) {
        namespaces.start_tag(out, &dav::ERROR);
        out.push('>');
        self.write_condition(namespaces, out);
        namespaces.end_tag(out, &dav::ERROR);
    }

    fn write_condition(&self, namespaces: &Namespaces, out: &mut String) {
        if self.hrefs.is_empty() {
            namespaces.empty_element(out, &self.name);
            return;
        }
        namespaces.start_tag(out, &self.name);
        out.push('>');
        for href in &self.hrefs {
            namespaces.write_element(out, &href_element(href));
        }
        namespaces.end_tag(out, &self.name);
    }
}

/// `error_body(caldav::VALID_FILTER)` → the DAV:error body of a 403.
pub fn error_body(condition: PropName) -> Vec<u8> {
    ErrorCondition::new(condition).to_body()
}

/// A DAV:error body whose condition holds an href, e.g. CALDAV:no-uid-conflict
/// (RFC 4791 §5.3.2.1) naming the existing resource.
pub fn error_body_with_href(condition: PropName, href: &str) -> Vec<u8> {
    ErrorCondition::new(condition).with_href(href).to_body()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::caldav;
    use crate::xml::parse_document;

    #[test]
    fn writes_plain_conditions() {
        let body = String::from_utf8(error_body(dav::VALID_SYNC_TOKEN)).unwrap();
        assert_eq!(
            body,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" xmlns:cs=\"http://calendarserver.org/ns/\" xmlns:ic=\"http://apple.com/ns/ical/\"><d:valid-sync-token/></d:error>"
        );
    }

    #[test]
    fn writes_conditions_with_hrefs() {
        let body = error_body_with_href(caldav::NO_UID_CONFLICT, "/calendars/alice/home/a b.ics");
        let root = parse_document(&body).unwrap().unwrap();
        assert_eq!(root.name, dav::ERROR);
        let condition = root.child(&caldav::NO_UID_CONFLICT).unwrap();
        assert_eq!(
            condition.child(&dav::HREF).unwrap().text_content(),
            "/calendars/alice/home/a%20b.ics"
        );
    }

    #[test]
    fn foreign_conditions_get_a_declared_prefix() {
        let body = error_body(PropName::new("urn:example:errors", "too-fancy"));
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.contains("xmlns:x0=\"urn:example:errors\""), "{text}");
        let root = parse_document(&body).unwrap().unwrap();
        assert!(
            root.child(&PropName::new("urn:example:errors", "too-fancy"))
                .is_some()
        );
    }
}
