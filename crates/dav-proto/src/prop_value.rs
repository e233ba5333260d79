//! `PropValueXml`: a property element as a client set it (PROPPATCH, MKCALENDAR, MKCOL),
//! kept whole so it can be stored and written back with the same namespaced structure.

use crate::error::DavProtoError;
use crate::name::{NS_CALDAV, NS_XML, PropName};
use crate::xml::write::Namespaces;
use crate::xml::{XmlAttribute, XmlElement, XmlNode, parse_required};

/// A property element with its attributes (xml:lang included) and content.
///
/// RFC 4918 §4.3-4.4: a dead property's value is XML and must be returned with its
/// namespaces, xml:lang and structure intact. [`PropValueXml::to_xml_string`] gives a
/// self-contained fragment (every namespace it uses declared on its root) that is the
/// storage form; [`PropValueXml::from_xml`] reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropValueXml {
    element: XmlElement,
}

impl PropValueXml {
    /// Wraps a property element read from a request.
    pub fn from_element(element: XmlElement) -> Self {
        PropValueXml { element }
    }

    /// A property whose value is plain text (e.g. a displayname set from the web page).
    pub fn from_text(name: PropName, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut element = XmlElement::new(name);
        if !text.is_empty() {
            element.children.push(XmlNode::Text(text));
        }
        PropValueXml { element }
    }

    /// Reads a fragment written by [`PropValueXml::to_xml_string`] (or any well-formed,
    /// self-contained property element), with the same safety rules as request bodies.
    pub fn from_xml(fragment: &str) -> Result<Self, DavProtoError> {
        parse_required(fragment.as_bytes()).map(PropValueXml::from_element)
    }

    /// The property's name.
    pub fn name(&self) -> &PropName {
        &self.element.name
    }

    /// The whole property element.
    pub fn element(&self) -> &XmlElement {
        &self.element
    }

    /// The property's xml:lang, if it has one.
    pub fn lang(&self) -> Option<&str> {
        self.element.lang()
    }

    /// All text of the value: what displayname, calendar-description, calendar-color,
    /// calendar-order and calendar-timezone mean.
    pub fn text_content(&self) -> String {
        self.element.text_content()
    }

    /// True when the value has no content at all (`<D:displayname/>`).
    pub fn is_empty(&self) -> bool {
        self.element.children.is_empty()
    }

    /// Names of the child elements, e.g. of DAV:resourcetype.
    pub fn child_names(&self) -> Vec<PropName> {
        self.element.elements().map(|e| e.name.clone()).collect()
    }

    /// The `name` attributes of CALDAV:comp children: the value of
    /// CALDAV:supported-calendar-component-set (RFC 4791 §5.2.3), upper-cased.
    pub fn comp_names(&self) -> Vec<String> {
        self.element
            .elements()
            .filter(|e| e.name.is(NS_CALDAV, "comp"))
            .filter_map(|e| e.attribute("name"))
            .map(str::to_ascii_uppercase)
            .collect()
    }

    /// The self-contained fragment: the property element with a declaration on it for every
    /// namespace used inside, `xmlns=""` when unqualified elements occur (so that no
    /// enclosing default namespace can capture them), and all text escaped.
    pub fn to_xml_string(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    pub(crate) fn write(&self, out: &mut String) {
        let mut namespaces = Namespaces::default();
        namespaces.bind_tree(&self.element);
        let undeclare_default = has_unqualified_element(&self.element);
        namespaces.write_element_with(out, &self.element, |out| {
            namespaces.write_declarations(out);
            if undeclare_default {
                out.push_str(" xmlns=\"\"");
            }
        });
    }

    /// Adds `xml:lang` when the element has none but one was in scope where it was set
    /// (RFC 4918 §4.3: xml:lang in scope is part of the value).
    pub(crate) fn inherit_lang(&mut self, lang: Option<&str>) {
        let Some(lang) = lang else { return };
        if self.element.lang().is_some() {
            return;
        }
        self.element.attributes.push(XmlAttribute {
            name: PropName::new(NS_XML, "lang"),
            value: lang.to_owned(),
        });
    }
}

fn has_unqualified_element(element: &XmlElement) -> bool {
    element.name.namespace.is_empty() || element.elements().any(has_unqualified_element)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::{apple, caldav, dav};

    fn parse(fragment: &str) -> PropValueXml {
        PropValueXml::from_xml(fragment).unwrap()
    }

    #[test]
    fn text_values() {
        let value = parse(r#"<D:displayname xmlns:D="DAV:">Work &amp; play</D:displayname>"#);
        assert_eq!(value.name(), &dav::DISPLAYNAME);
        assert_eq!(value.text_content(), "Work & play");
        assert_eq!(
            value.to_xml_string(),
            r#"<d:displayname xmlns:d="DAV:">Work &amp; play</d:displayname>"#
        );
        let color = parse(
            r##"<x:calendar-color xmlns:x="http://apple.com/ns/ical/" symbolic-color="red">#FF2968FF</x:calendar-color>"##,
        );
        assert_eq!(color.name(), &apple::CALENDAR_COLOR);
        assert_eq!(color.text_content(), "#FF2968FF");
    }

    #[test]
    fn fragment_declares_every_namespace_it_uses() {
        let value = parse(
            r#"<Z:Authors xmlns:Z="http://ns.example.com/z/" xmlns:Y="urn:y" xml:lang="en"><Z:Author Y:role="lead">Jim Whitehead</Z:Author><plain xmlns="">Roy</plain></Z:Authors>"#,
        );
        let fragment = value.to_xml_string();
        assert_eq!(
            fragment,
            r#"<x0:Authors xmlns:x0="http://ns.example.com/z/" xmlns:x1="urn:y" xmlns="" xml:lang="en"><x0:Author x1:role="lead">Jim Whitehead</x0:Author><plain>Roy</plain></x0:Authors>"#
        );
        assert_eq!(PropValueXml::from_xml(&fragment).unwrap(), value);
        assert_eq!(value.lang(), Some("en"));
    }

    #[test]
    fn supported_component_set_and_children() {
        let value = parse(
            r#"<C:supported-calendar-component-set xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp name="VEVENT"/><C:comp name="vtodo"/></C:supported-calendar-component-set>"#,
        );
        assert_eq!(value.comp_names(), vec!["VEVENT", "VTODO"]);
        assert_eq!(value.child_names(), vec![caldav::COMP, caldav::COMP]);
    }

    #[test]
    fn from_text_and_emptiness() {
        let value = PropValueXml::from_text(dav::DISPLAYNAME, "");
        assert!(value.is_empty());
        assert_eq!(value.to_xml_string(), r#"<d:displayname xmlns:d="DAV:"/>"#);
        let value = PropValueXml::from_text(PropName::new("", "nons"), "<x>");
        assert_eq!(value.to_xml_string(), r#"<nons xmlns="">&lt;x&gt;</nons>"#);
    }

    #[test]
    fn inherits_lang_only_when_absent() {
        let mut value = PropValueXml::from_text(dav::DISPLAYNAME, "x");
        value.inherit_lang(Some("de"));
        assert_eq!(value.lang(), Some("de"));
        value.inherit_lang(Some("fr"));
        assert_eq!(value.lang(), Some("de"));
    }
}
