//! The DAV:multistatus document.
//!
//! RFC 4918 §14.16, §14.24, §14.22 and RFC 6578 §6.4:
//! ```text
//! <!ELEMENT multistatus (response*, responsedescription?, sync-token?) >
//! <!ELEMENT response (href, ((href*, status)|(propstat+)), error?, responsedescription?, location?) >
//! <!ELEMENT propstat (prop, status, error?, responsedescription?) >
//! ```

use std::fmt::Write as _;

use super::error_body::ErrorCondition;
use super::property::{Property, write_href};
use super::reason_phrase;
use crate::name::{PropName, dav};
use crate::xml::write::{Namespaces, XML_DECLARATION, write_declarations};

/// A whole 207 body. Prefixes `d:`, `c:`, `cs:` and `ic:` are declared on the root, with a
/// generated prefix for every other namespace the document uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multistatus {
    pub responses: Vec<Response>,
    pub description: Option<String>,
    /// RFC 6578 §6.4: the new token of a sync-collection report, written last.
    pub sync_token: Option<String>,
}

/// One DAV:response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The decoded path; percent-encoded on output.
    pub href: String,
    pub outcome: ResponseOutcome,
    pub error: Option<ErrorCondition>,
    pub description: Option<String>,
}

/// What a response says about its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseOutcome {
    /// A status for the whole resource (a 404 multiget href, a removed member in
    /// sync-collection, the 507 of a truncated result).
    Status(u16),
    /// Properties grouped by status.
    PropStats(Vec<PropStat>),
}

/// Properties that share one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropStat {
    pub status: u16,
    pub properties: Vec<Property>,
    pub error: Option<ErrorCondition>,
    pub description: Option<String>,
}

impl PropStat {
    pub fn new(status: u16, properties: Vec<Property>) -> Self {
        PropStat {
            status,
            properties,
            error: None,
            description: None,
        }
    }
}

impl Multistatus {
    pub fn new() -> Self {
        Multistatus::default()
    }

    pub fn push(&mut self, response: Response) {
        self.responses.push(response);
    }

    pub fn with_sync_token(mut self, token: impl Into<String>) -> Self {
        self.sync_token = Some(token.into());
        self
    }

    /// The document as text, starting with the XML declaration.
    pub fn to_xml(&self) -> String {
        let mut namespaces = Namespaces::standard();
        for response in &self.responses {
            response.bind(&mut namespaces);
        }
        let writer = MultistatusWriter { namespaces };
        let mut out = writer.head();
        for response in &self.responses {
            writer.write_response(&mut out, response);
        }
        writer.write_tail(
            &mut out,
            self.description.as_deref(),
            self.sync_token.as_deref(),
        );
        out
    }

    /// The document as UTF-8 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_xml().into_bytes()
    }
}

/// A multistatus written piece by piece, so that a report over a whole calendar never holds
/// its answer in memory: the head, then each response as it is produced, then the tail.
///
/// The root declares the standard prefixes and the namespaces of the properties the request
/// named; a response that uses any other namespace declares it on its own element.
#[derive(Debug, Clone)]
pub struct MultistatusWriter {
    namespaces: Namespaces,
}

impl MultistatusWriter {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a PropName>) -> Self {
        let mut namespaces = Namespaces::standard();
        for name in names {
            namespaces.bind(&name.namespace);
        }
        MultistatusWriter { namespaces }
    }

    /// The XML declaration and the multistatus start tag.
    pub fn head(&self) -> String {
        let mut out = String::from(XML_DECLARATION);
        self.namespaces.start_tag(&mut out, &dav::MULTISTATUS);
        self.namespaces.write_declarations(&mut out);
        out.push('>');
        out
    }

    /// Appends one DAV:response.
    pub fn write_response(&self, out: &mut String, response: &Response) {
        // Most responses use only the root's namespaces: no copy of the bindings for them.
        if response.uses_only(&self.namespaces) {
            return response.write(&self.namespaces, out, &[]);
        }
        let mut local = self.namespaces.clone();
        response.bind(&mut local);
        if local.len() == self.namespaces.len() {
            return response.write(&self.namespaces, out, &[]);
        }
        let extra = local.bindings_after(self.namespaces.len());
        response.write(&local, out, &extra);
    }

    /// Appends the responsedescription and sync-token (RFC 6578 §6.4: last) and the end tag.
    pub fn write_tail(
        &self,
        out: &mut String,
        description: Option<&str>,
        sync_token: Option<&str>,
    ) {
        write_description(&self.namespaces, out, description);
        if let Some(token) = sync_token {
            self.namespaces.text_element(out, &dav::SYNC_TOKEN, token);
        }
        self.namespaces.end_tag(out, &dav::MULTISTATUS);
    }
}

impl Response {
    /// A response carrying one status for the resource (e.g. 404 for a missing multiget href).
    pub fn with_status(href: impl Into<String>, status: u16) -> Self {
        Response {
            href: href.into(),
            outcome: ResponseOutcome::Status(status),
            error: None,
            description: None,
        }
    }

    /// About how many bytes the response takes once written: enough to size the buffer a page
    /// of responses is written into, so that long calendar data is not copied as it grows.
    pub fn size_hint(&self) -> usize {
        // Tags, status lines and escapes: a generous constant per element.
        const ELEMENT: usize = 48;
        let properties = match &self.outcome {
            ResponseOutcome::Status(_) => 0,
            ResponseOutcome::PropStats(propstats) => propstats
                .iter()
                .flat_map(|propstat| &propstat.properties)
                .map(|property| ELEMENT + property.value.size_hint())
                .sum(),
        };
        2 * ELEMENT + self.href.len() + properties
    }

    /// A response to fill with [`Response::add`], [`Response::found`], [`Response::not_found`].
    pub fn with_props(href: impl Into<String>) -> Self {
        Response {
            href: href.into(),
            outcome: ResponseOutcome::PropStats(Vec::new()),
            error: None,
            description: None,
        }
    }

    pub fn with_error(mut self, error: ErrorCondition) -> Self {
        self.error = Some(error);
        self
    }

    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds a property under `status`, into the propstat of that status (made on first use,
    /// so propstats appear in the order their statuses were first used).
    pub fn add(&mut self, status: u16, property: Property) {
        if let ResponseOutcome::Status(_) = self.outcome {
            self.outcome = ResponseOutcome::PropStats(Vec::new());
        }
        let ResponseOutcome::PropStats(propstats) = &mut self.outcome else {
            return;
        };
        match propstats
            .iter_mut()
            .find(|p| p.status == status && p.error.is_none())
        {
            Some(propstat) => propstat.properties.push(property),
            None => propstats.push(PropStat::new(status, vec![property])),
        }
    }

    /// Adds a property found with its value (200).
    pub fn found(&mut self, property: Property) {
        self.add(200, property);
    }

    /// Adds a property that does not exist on the resource (404, empty element).
    pub fn not_found(&mut self, name: PropName) {
        self.add(404, Property::empty(name));
    }

    pub(crate) fn bind(&self, namespaces: &mut Namespaces) {
        if let Some(error) = &self.error {
            error.bind(namespaces);
        }
        let ResponseOutcome::PropStats(propstats) = &self.outcome else {
            return;
        };
        for propstat in propstats {
            if let Some(error) = &propstat.error {
                error.bind(namespaces);
            }
            for property in &propstat.properties {
                property.bind(namespaces);
            }
        }
    }

    /// Whether every namespace the response uses is bound in `namespaces`. False when unsure
    /// (errors, element values): the caller then binds what the response needs.
    fn uses_only(&self, namespaces: &Namespaces) -> bool {
        if self.error.is_some() {
            return false;
        }
        let ResponseOutcome::PropStats(propstats) = &self.outcome else {
            return true;
        };
        propstats.iter().all(|propstat| {
            propstat.error.is_none()
                && propstat
                    .properties
                    .iter()
                    .all(|property| property.uses_only(namespaces))
        })
    }

    /// Writes the element; `declare` lists bindings to declare on it (those the document's
    /// root does not).
    pub(crate) fn write(
        &self,
        namespaces: &Namespaces,
        out: &mut String,
        declare: &[(String, String)],
    ) {
        namespaces.start_tag(out, &dav::RESPONSE);
        write_declarations(out, declare);
        out.push('>');
        write_href(namespaces, out, &self.href);
        match &self.outcome {
            ResponseOutcome::Status(status) => write_status(namespaces, out, *status),
            // RFC 4918 requires propstat+; a response with no property at all says 200.
            ResponseOutcome::PropStats(propstats) if propstats.is_empty() => {
                write_status(namespaces, out, 200);
            }
            ResponseOutcome::PropStats(propstats) => {
                for propstat in propstats {
                    propstat.write(namespaces, out);
                }
            }
        }
        if let Some(error) = &self.error {
            error.write(namespaces, out);
        }
        write_description(namespaces, out, self.description.as_deref());
        namespaces.end_tag(out, &dav::RESPONSE);
    }
}

impl PropStat {
    pub(crate) fn write(&self, namespaces: &Namespaces, out: &mut String) {
        namespaces.start_tag(out, &dav::PROPSTAT);
        out.push('>');
        namespaces.start_tag(out, &dav::PROP);
        out.push('>');
        for property in &self.properties {
            property.write(namespaces, out);
        }
        namespaces.end_tag(out, &dav::PROP);
        write_status(namespaces, out, self.status);
        if let Some(error) = &self.error {
            error.write(namespaces, out);
        }
        write_description(namespaces, out, self.description.as_deref());
        namespaces.end_tag(out, &dav::PROPSTAT);
    }
}

fn write_status(namespaces: &Namespaces, out: &mut String, status: u16) {
    // Written in place (once per propstat): reason phrases need no escaping.
    namespaces.start_tag(out, &dav::STATUS);
    let _ = write!(out, ">HTTP/1.1 {status} {}", reason_phrase(status));
    namespaces.end_tag(out, &dav::STATUS);
}

fn write_description(namespaces: &Namespaces, out: &mut String, description: Option<&str>) {
    if let Some(description) = description {
        namespaces.text_element(out, &dav::RESPONSEDESCRIPTION, description);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::{caldav, calendarserver};
    use crate::prop_value::PropValueXml;
    use crate::response::PropValue;
    use crate::xml::{XmlNode, parse_document};

    const ROOT: &str = "<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" xmlns:cs=\"http://calendarserver.org/ns/\" xmlns:ic=\"http://apple.com/ns/ical/\">";

    #[test]
    fn propfind_response_groups_by_status() {
        let mut response = Response::with_props("/calendars/alice/home/");
        response.found(Property::new(dav::DISPLAYNAME, PropValue::text("Home")));
        response.not_found(calendarserver::GETCTAG);
        response.found(Property::new(
            dav::RESOURCETYPE,
            PropValue::resource_type(&[dav::COLLECTION, caldav::CALENDAR]),
        ));
        response.not_found(PropName::new("http://example.com/neon/litmus/", "prop0"));
        let mut multistatus = Multistatus::new();
        multistatus.push(response);
        let xml = multistatus.to_xml();
        let expected = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}{}",
            ROOT.replace('>', " xmlns:x0=\"http://example.com/neon/litmus/\">"),
            "<d:response><d:href>/calendars/alice/home/</d:href>\
<d:propstat><d:prop><d:displayname>Home</d:displayname><d:resourcetype><d:collection/><c:calendar/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>\
<d:propstat><d:prop><cs:getctag/><x0:prop0/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>\
</d:response></d:multistatus>"
        );
        assert_eq!(xml, expected);
        assert!(parse_document(xml.as_bytes()).is_ok());
    }

    #[test]
    fn sync_collection_response_with_removed_member_and_token() {
        let mut multistatus = Multistatus::new().with_sync_token("http://calvault/sync/42");
        let mut changed = Response::with_props("/cal/a.ics");
        changed.found(Property::new(dav::GETETAG, PropValue::text("\"1\"")));
        multistatus.push(changed);
        multistatus.push(Response::with_status("/cal/gone.ics", 404));
        multistatus.push(
            Response::with_status("/cal/", 507)
                .with_error(ErrorCondition::new(dav::NUMBER_OF_MATCHES_WITHIN_LIMITS))
                .with_description("truncated"),
        );
        let xml = multistatus.to_xml();
        assert!(xml.ends_with(
            "<d:response><d:href>/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>\
<d:response><d:href>/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status><d:error><d:number-of-matches-within-limits/></d:error><d:responsedescription>truncated</d:responsedescription></d:response>\
<d:sync-token>http://calvault/sync/42</d:sync-token></d:multistatus>"
        ), "{xml}");
    }

    #[test]
    fn the_streaming_writer_writes_what_the_whole_document_writes() {
        let mut multistatus = Multistatus::new().with_sync_token("http://calvault/sync/7");
        let mut changed = Response::with_props("/cal/a b.ics");
        changed.found(Property::new(dav::GETETAG, PropValue::text("\"1\"")));
        multistatus.push(changed);
        multistatus.push(Response::with_status("/cal/gone.ics", 404));
        let writer = MultistatusWriter::new([&dav::GETETAG]);
        let mut streamed = writer.head();
        for response in &multistatus.responses {
            writer.write_response(&mut streamed, response);
        }
        writer.write_tail(&mut streamed, None, Some("http://calvault/sync/7"));
        assert_eq!(streamed, multistatus.to_xml());
    }

    #[test]
    fn the_streaming_writer_declares_an_unforeseen_namespace_on_the_response() {
        let custom = PropName::new("urn:example:x", "colour");
        let mut response = Response::with_props("/cal/");
        response.found(Property::new(custom.clone(), PropValue::text("red")));
        let writer = MultistatusWriter::new([&dav::GETETAG]);
        let mut out = writer.head();
        assert!(!out.contains("urn:example:x"), "{out}");
        writer.write_response(&mut out, &response);
        writer.write_tail(&mut out, None, None);
        assert!(
            out.contains("<d:response xmlns:x0=\"urn:example:x\"><d:href>/cal/</d:href>"),
            "{out}"
        );
        assert!(out.contains("<x0:colour>red</x0:colour>"), "{out}");
        let parsed = crate::parse_document(out.as_bytes())
            .expect("well-formed")
            .expect("a root");
        assert_eq!(parsed.name, dav::MULTISTATUS);
    }

    #[test]
    fn expand_property_nests_responses() {
        let mut inner = Response::with_props("/principals/bob/");
        inner.found(Property::new(dav::DISPLAYNAME, PropValue::text("Bob")));
        let mut outer = Response::with_props("/principals/alice/");
        outer.found(Property::new(
            PropName::calendarserver("calendar-proxy-write-for"),
            PropValue::Responses(vec![inner]),
        ));
        let xml = Multistatus {
            responses: vec![outer],
            ..Multistatus::default()
        }
        .to_xml();
        let root = parse_document(xml.as_bytes()).unwrap().unwrap();
        let nested = root
            .child(&dav::RESPONSE)
            .and_then(|r| r.child(&dav::PROPSTAT))
            .and_then(|p| p.child(&dav::PROP))
            .and_then(|p| p.elements().next())
            .and_then(|p| p.child(&dav::RESPONSE))
            .unwrap();
        assert_eq!(
            nested.child(&dav::HREF).unwrap().text_content(),
            "/principals/bob/"
        );
    }

    #[test]
    fn dead_property_fragment_survives_a_round_trip() {
        let value = PropValueXml::from_xml(
            "<Z:Authors xmlns:Z=\"http://ns.example.com/z/\" xmlns:d=\"urn:not-dav\" xml:lang=\"en\">\
<Z:Author>Jim &lt;Whitehead&gt;</Z:Author>\n  <d:x attr=\"&quot;q&quot;\">\u{10000} ü</d:x><free xmlns=\"\"/></Z:Authors>",
        )
        .unwrap();
        let mut response = Response::with_props("/litmus/prop");
        response.found(Property::new(
            value.name().clone(),
            PropValue::Dead(value.clone()),
        ));
        let xml = Multistatus {
            responses: vec![response],
            ..Multistatus::default()
        }
        .to_xml();
        let root = parse_document(xml.as_bytes()).unwrap().unwrap();
        let prop = root
            .child(&dav::RESPONSE)
            .and_then(|r| r.child(&dav::PROPSTAT))
            .and_then(|p| p.child(&dav::PROP))
            .unwrap();
        let returned = prop.elements().next().unwrap();
        assert_eq!(returned, value.element());
        assert!(matches!(returned.children[1], XmlNode::Text(ref t) if t == "\n  "));
    }

    #[test]
    fn add_replaces_a_status_outcome() {
        let mut response = Response::with_status("/x", 404);
        response.add(403, Property::empty(dav::GETETAG));
        assert_eq!(
            response.outcome,
            ResponseOutcome::PropStats(vec![PropStat::new(
                403,
                vec![Property::empty(dav::GETETAG)]
            )])
        );
    }

    #[test]
    fn empty_propstats_still_give_a_status() {
        let xml = Multistatus {
            responses: vec![Response::with_props("/x")],
            ..Multistatus::default()
        }
        .to_xml();
        assert!(xml.contains("<d:href>/x</d:href><d:status>HTTP/1.1 200 OK</d:status>"));
    }
}
