//! A small namespaced XML tree: what request bodies are read into, and what responses are
//! built from.

mod read;
pub(crate) mod write;

pub use read::{MAX_DEPTH, MAX_ELEMENTS, parse_document};

use crate::error::DavProtoError;
use crate::name::{NS_XML, PropName};

/// An element with its expanded name, attributes and children in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlElement {
    pub name: PropName,
    /// Attributes other than namespace declarations (those are regenerated on output).
    pub attributes: Vec<XmlAttribute>,
    pub children: Vec<XmlNode>,
}

/// An attribute; unprefixed attributes have the empty namespace, `xml:lang` has [`NS_XML`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlAttribute {
    pub name: PropName,
    pub value: String,
}

/// A child of an element. Adjacent character data (text, CDATA, references) is one `Text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XmlNode {
    Element(XmlElement),
    Text(String),
}

impl XmlElement {
    pub fn new(name: PropName) -> Self {
        XmlElement {
            name,
            attributes: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Adds an unprefixed (no-namespace) attribute.
    pub fn with_attribute(mut self, local: &str, value: impl Into<String>) -> Self {
        self.attributes.push(XmlAttribute {
            name: PropName::new("", local),
            value: value.into(),
        });
        self
    }

    pub fn with_child(mut self, child: XmlElement) -> Self {
        self.children.push(XmlNode::Element(child));
        self
    }

    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.children.push(XmlNode::Text(text.into()));
        self
    }

    /// True when the element is `{namespace}local`.
    pub fn is(&self, name: &PropName) -> bool {
        self.name == *name
    }

    /// The value of an unprefixed attribute.
    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.namespace.is_empty() && a.name.local == local)
            .map(|a| a.value.as_str())
    }

    /// The value of `xml:lang` on this element, if any.
    pub fn lang(&self) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.is(NS_XML, "lang"))
            .map(|a| a.value.as_str())
    }

    /// Child elements, skipping text.
    pub fn elements(&self) -> impl Iterator<Item = &XmlElement> {
        self.children.iter().filter_map(|node| match node {
            XmlNode::Element(element) => Some(element),
            XmlNode::Text(_) => None,
        })
    }

    /// The first child element with this name.
    pub fn child(&self, name: &PropName) -> Option<&XmlElement> {
        self.elements().find(|e| e.name == *name)
    }

    /// All child elements with this name.
    pub fn children_named<'a>(
        &'a self,
        name: &PropName,
    ) -> impl Iterator<Item = &'a XmlElement> + use<'a> {
        let name = name.clone();
        self.elements().filter(move |e| e.name == name)
    }

    /// All character data of the element and its descendants, concatenated.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for node in &self.children {
            match node {
                XmlNode::Text(text) => out.push_str(text),
                XmlNode::Element(element) => element.collect_text(out),
            }
        }
    }

    /// The first child element with this name, or `MissingElement`.
    pub(crate) fn required_child(&self, name: &PropName) -> Result<&XmlElement, DavProtoError> {
        self.child(name)
            .ok_or_else(|| DavProtoError::MissingElement {
                parent: self.name.clone(),
                child: name.clone(),
            })
    }

    /// An unprefixed attribute, or `MissingAttribute`.
    pub(crate) fn required_attribute(&self, local: &'static str) -> Result<&str, DavProtoError> {
        self.attribute(local)
            .ok_or_else(|| DavProtoError::MissingAttribute {
                element: self.name.clone(),
                attribute: local,
            })
    }

    /// `UnexpectedRoot` unless this (document) element is `expected`.
    pub(crate) fn expect_root(&self, expected: &PropName) -> Result<(), DavProtoError> {
        if self.name == *expected {
            return Ok(());
        }
        Err(DavProtoError::UnexpectedRoot {
            expected: expected.clone(),
            found: self.name.clone(),
        })
    }
}

/// Trims XML whitespace (space, tab, CR, LF) — not Unicode whitespace.
pub(crate) fn trim_xml_whitespace(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// Parses a body that must contain a document element; an empty body is an error.
pub(crate) fn parse_required(body: &[u8]) -> Result<XmlElement, DavProtoError> {
    parse_document(body)?.ok_or(DavProtoError::EmptyBody)
}
