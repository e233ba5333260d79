//! Property values of responses as a small typed tree, with constructors for the live
//! properties of RFC 4918, RFC 4791, RFC 3744, RFC 5397 and RFC 6578.

use super::multistatus::Response;
use crate::header::EntityTag;
use crate::href::encode_href;
use crate::name::{PropName, caldav, dav};
use crate::prop_value::PropValueXml;
use crate::time::{format_http_date, format_rfc3339};
use crate::xml::write::Namespaces;
use crate::xml::{XmlElement, XmlNode};

/// A property in a response: its name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: PropName,
    pub value: PropValue,
}

impl Property {
    pub fn new(name: PropName, value: PropValue) -> Self {
        Property { name, value }
    }

    /// A property with no value: `<name/>` (propname answers, 404 and PROPPATCH results).
    pub fn empty(name: PropName) -> Self {
        Property {
            name,
            value: PropValue::Empty,
        }
    }
}

/// The value of a property in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropValue {
    /// `<name/>`
    Empty,
    /// `<name>text</name>`, escaped (`<`, `&`, and CR as `&#13;` so that calendar-data
    /// keeps its CRLF line ends).
    Text(String),
    /// `<name><d:href>path</d:href></name>`; the decoded path is percent-encoded.
    Href(String),
    /// Several hrefs, e.g. calendar-home-set, calendar-user-address-set.
    Hrefs(Vec<String>),
    /// Any children: resourcetype's empty elements, supported-report-set, privileges...
    Elements(Vec<XmlNode>),
    /// A stored dead property, written as its self-contained fragment (its own name is
    /// used, so it should equal the property's name).
    Dead(PropValueXml),
    /// DAV:response elements inside the property: the expand-property report
    /// (RFC 3253 §3.8).
    Responses(Vec<Response>),
}

impl PropValue {
    /// About how many bytes the value takes once written (see [`Response::size_hint`]).
    pub fn size_hint(&self) -> usize {
        match self {
            // Calendar data grows by an `&#13;` for each CR.
            PropValue::Text(text) => text.len() + text.len() / 8,
            PropValue::Href(href) => href.len() + 32,
            PropValue::Hrefs(hrefs) => hrefs.iter().map(|href| href.len() + 32).sum(),
            PropValue::Empty => 0,
            PropValue::Elements(_) | PropValue::Dead(_) | PropValue::Responses(_) => 128,
        }
    }

    pub fn text(text: impl Into<String>) -> Self {
        PropValue::Text(text.into())
    }

    /// CALDAV:calendar-data: the iCalendar text, escaped as character data.
    pub fn calendar_data(ical: impl Into<String>) -> Self {
        PropValue::Text(ical.into())
    }

    pub fn href(path: impl Into<String>) -> Self {
        PropValue::Href(path.into())
    }

    pub fn hrefs<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PropValue::Hrefs(paths.into_iter().map(Into::into).collect())
    }

    /// Child elements given as trees.
    pub fn elements(elements: impl IntoIterator<Item = XmlElement>) -> Self {
        PropValue::Elements(elements.into_iter().map(XmlNode::Element).collect())
    }

    /// DAV:resourcetype, e.g. `&[dav::COLLECTION, caldav::CALENDAR]`; empty for a
    /// non-collection.
    pub fn resource_type(types: &[PropName]) -> Self {
        Self::elements(types.iter().cloned().map(XmlElement::new))
    }

    /// DAV:getetag: the quoted tag.
    pub fn etag(tag: &EntityTag) -> Self {
        PropValue::Text(tag.to_string())
    }

    /// DAV:getlastmodified: an HTTP date.
    pub fn http_date(unix_seconds: i64) -> Self {
        PropValue::Text(format_http_date(unix_seconds))
    }

    /// DAV:creationdate: an RFC 3339 date-time.
    pub fn creation_date(unix_seconds: i64) -> Self {
        PropValue::Text(format_rfc3339(unix_seconds))
    }

    /// DAV:current-user-principal when nobody is authenticated (RFC 5397 §3).
    pub fn unauthenticated() -> Self {
        Self::elements([XmlElement::new(dav::UNAUTHENTICATED)])
    }

    /// CALDAV:supported-calendar-component-set (RFC 4791 §5.2.3): `<c:comp name="VEVENT"/>`...
    pub fn supported_calendar_component_set(components: &[&str]) -> Self {
        Self::elements(
            components
                .iter()
                .map(|name| XmlElement::new(caldav::COMP).with_attribute("name", *name)),
        )
    }

    /// CALDAV:supported-calendar-data (RFC 4791 §5.2.4): iCalendar 2.0 only.
    pub fn supported_calendar_data() -> Self {
        Self::elements([XmlElement::new(caldav::CALENDAR_DATA)
            .with_attribute("content-type", "text/calendar")
            .with_attribute("version", "2.0")])
    }

    /// CALDAV:supported-collation-set (RFC 4791 §7.5.1): the collations text-match accepts.
    pub fn supported_collation_set() -> Self {
        Self::elements(
            ["i;ascii-casemap", "i;octet"]
                .map(|collation| XmlElement::new(caldav::SUPPORTED_COLLATION).with_text(collation)),
        )
    }

    /// DAV:supported-report-set (RFC 3253 §3.1.5):
    /// `<d:supported-report><d:report><c:calendar-query/></d:report></d:supported-report>`...
    pub fn supported_report_set(reports: &[PropName]) -> Self {
        Self::elements(reports.iter().map(|report| {
            XmlElement::new(dav::SUPPORTED_REPORT).with_child(
                XmlElement::new(dav::REPORT).with_child(XmlElement::new(report.clone())),
            )
        }))
    }

    /// DAV:current-user-privilege-set (RFC 3744 §5.4): `<d:privilege><d:read/></d:privilege>`...
    pub fn privileges(privileges: &[PropName]) -> Self {
        Self::elements(privileges.iter().map(|privilege| {
            XmlElement::new(dav::PRIVILEGE).with_child(XmlElement::new(privilege.clone()))
        }))
    }

    pub(crate) fn bind(&self, namespaces: &mut Namespaces) {
        match self {
            PropValue::Elements(nodes) => {
                for node in nodes {
                    if let XmlNode::Element(element) = node {
                        namespaces.bind_tree(element);
                    }
                }
            }
            PropValue::Responses(responses) => {
                for response in responses {
                    response.bind(namespaces);
                }
            }
            PropValue::Empty
            | PropValue::Text(_)
            | PropValue::Href(_)
            | PropValue::Hrefs(_)
            | PropValue::Dead(_) => {}
        }
    }
}

impl Property {
    pub(crate) fn bind(&self, namespaces: &mut Namespaces) {
        namespaces.bind(&self.name.namespace);
        self.value.bind(namespaces);
    }

    /// Whether writing the property needs no namespace beyond `namespaces` (see `bind`).
    pub(crate) fn uses_only(&self, namespaces: &Namespaces) -> bool {
        let plain = matches!(
            self.value,
            PropValue::Empty
                | PropValue::Text(_)
                | PropValue::Href(_)
                | PropValue::Hrefs(_)
                | PropValue::Dead(_)
        );
        plain && namespaces.binds(&self.name.namespace)
    }

    pub(crate) fn write(&self, namespaces: &Namespaces, out: &mut String) {
        let name = &self.name;
        match &self.value {
            PropValue::Empty => namespaces.empty_element(out, name),
            PropValue::Text(text) => namespaces.text_element(out, name, text),
            PropValue::Dead(value) => value.write(out),
            PropValue::Href(path) => {
                write_wrapped(namespaces, out, name, |out| {
                    write_href(namespaces, out, path)
                });
            }
            PropValue::Hrefs(paths) => write_wrapped(namespaces, out, name, |out| {
                for path in paths {
                    write_href(namespaces, out, path);
                }
            }),
            PropValue::Elements(nodes) => {
                write_wrapped(namespaces, out, name, |out| {
                    namespaces.write_nodes(out, nodes)
                });
            }
            PropValue::Responses(responses) => write_wrapped(namespaces, out, name, |out| {
                for response in responses {
                    response.write(namespaces, out, &[]);
                }
            }),
        }
    }
}

fn write_wrapped(
    namespaces: &Namespaces,
    out: &mut String,
    name: &PropName,
    content: impl FnOnce(&mut String),
) {
    namespaces.start_tag(out, name);
    out.push('>');
    content(out);
    namespaces.end_tag(out, name);
}

pub(crate) fn write_href(namespaces: &Namespaces, out: &mut String, path: &str) {
    namespaces.text_element(out, &dav::HREF, &encode_href(path));
}

/// `<d:href>` with the percent-encoded path, for building trees by hand (e.g. DAV:acl).
pub fn href_element(path: &str) -> XmlElement {
    XmlElement::new(dav::HREF).with_text(encode_href(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::calendarserver;

    fn written(property: Property) -> String {
        let mut namespaces = Namespaces::standard();
        property.bind(&mut namespaces);
        let mut out = String::new();
        property.write(&namespaces, &mut out);
        out
    }

    #[test]
    fn writes_each_kind_of_value() {
        assert_eq!(written(Property::empty(dav::GETETAG)), "<d:getetag/>");
        assert_eq!(
            written(Property::new(
                dav::GETETAG,
                PropValue::etag(&EntityTag::strong("7-1"))
            )),
            "<d:getetag>\"7-1\"</d:getetag>"
        );
        assert_eq!(
            written(Property::new(
                dav::CURRENT_USER_PRINCIPAL,
                PropValue::href("/principals/al ice/")
            )),
            "<d:current-user-principal><d:href>/principals/al%20ice/</d:href></d:current-user-principal>"
        );
        assert_eq!(
            written(Property::new(
                caldav::CALENDAR_USER_ADDRESS_SET,
                PropValue::hrefs(["mailto:alice@example.com", "/principals/alice/"])
            )),
            "<c:calendar-user-address-set><d:href>mailto:alice@example.com</d:href><d:href>/principals/alice/</d:href></c:calendar-user-address-set>"
        );
        assert_eq!(
            written(Property::new(
                dav::RESOURCETYPE,
                PropValue::resource_type(&[dav::COLLECTION, caldav::CALENDAR])
            )),
            "<d:resourcetype><d:collection/><c:calendar/></d:resourcetype>"
        );
        assert_eq!(
            written(Property::new(
                calendarserver::GETCTAG,
                PropValue::text("42")
            )),
            "<cs:getctag>42</cs:getctag>"
        );
    }

    #[test]
    fn writes_caldav_sets() {
        assert_eq!(
            written(Property::new(
                caldav::SUPPORTED_CALENDAR_COMPONENT_SET,
                PropValue::supported_calendar_component_set(&["VEVENT", "VTODO"])
            )),
            "<c:supported-calendar-component-set><c:comp name=\"VEVENT\"/><c:comp name=\"VTODO\"/></c:supported-calendar-component-set>"
        );
        assert_eq!(
            written(Property::new(
                caldav::SUPPORTED_CALENDAR_DATA,
                PropValue::supported_calendar_data()
            )),
            "<c:supported-calendar-data><c:calendar-data content-type=\"text/calendar\" version=\"2.0\"/></c:supported-calendar-data>"
        );
        assert_eq!(
            written(Property::new(
                dav::SUPPORTED_REPORT_SET,
                PropValue::supported_report_set(&[caldav::CALENDAR_MULTIGET, dav::SYNC_COLLECTION])
            )),
            "<d:supported-report-set><d:supported-report><d:report><c:calendar-multiget/></d:report></d:supported-report><d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report></d:supported-report-set>"
        );
        assert_eq!(
            written(Property::new(
                dav::CURRENT_USER_PRIVILEGE_SET,
                PropValue::privileges(&[dav::READ, dav::WRITE])
            )),
            "<d:current-user-privilege-set><d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege></d:current-user-privilege-set>"
        );
        assert!(
            written(Property::new(
                caldav::SUPPORTED_COLLATION_SET,
                PropValue::supported_collation_set()
            ))
            .contains("<c:supported-collation>i;octet</c:supported-collation>")
        );
    }

    #[test]
    fn calendar_data_keeps_crlf_and_escapes_markup() {
        let ical = "BEGIN:VCALENDAR\r\nSUMMARY:a <b> & c\r\nEND:VCALENDAR\r\n";
        assert_eq!(
            written(Property::new(
                caldav::CALENDAR_DATA,
                PropValue::calendar_data(ical)
            )),
            "<c:calendar-data>BEGIN:VCALENDAR&#13;\nSUMMARY:a &lt;b&gt; &amp; c&#13;\nEND:VCALENDAR&#13;\n</c:calendar-data>"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            written(Property::new(
                dav::GETLASTMODIFIED,
                PropValue::http_date(784_111_777)
            )),
            "<d:getlastmodified>Sun, 06 Nov 1994 08:49:37 GMT</d:getlastmodified>"
        );
        assert_eq!(
            written(Property::new(
                dav::CREATIONDATE,
                PropValue::creation_date(0)
            )),
            "<d:creationdate>1970-01-01T00:00:00Z</d:creationdate>"
        );
    }
}
