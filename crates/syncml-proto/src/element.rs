//! The element tree both wire forms share: WBXML and XML decode into it, the typed model is
//! read from it and written to it. Unknown commands keep their tree so they round-trip.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// Which DTD (and so which XML namespace / WBXML code page) an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// SyncML RepPro elements (`SYNCML:SYNCML1.x`, WBXML code page 0).
    SyncMl,
    /// Meta information (`syncml:metinf`, WBXML code page 1 of a SyncML document).
    MetInf,
    /// Device information (`syncml:devinf`, its own WBXML document).
    DevInf,
}

/// One element: its local name, namespace and ordered content. The names the code pages know
/// are the tables' own strings: a message of thousands of elements allocates none for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: Cow<'static, str>,
    pub ns: Namespace,
    pub children: Vec<Node>,
}

/// Content of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    /// Character data written as escaped text in XML and STR_I in WBXML.
    Text(String),
    /// Character data written as a CDATA section in XML and OPAQUE in WBXML, so that
    /// item payloads such as iCalendar travel byte for byte.
    Cdata(String),
    /// WBXML OPAQUE bytes that are not UTF-8.
    Opaque(Vec<u8>),
}

impl Element {
    pub fn new(ns: Namespace, name: impl Into<Cow<'static, str>>) -> Self {
        Element {
            name: name.into(),
            ns,
            children: Vec::new(),
        }
    }

    /// An element holding only text.
    pub fn leaf(ns: Namespace, name: &'static str, text: impl Into<String>) -> Self {
        let mut el = Element::new(ns, name);
        el.children.push(Node::Text(text.into()));
        el
    }

    pub(crate) fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    pub(crate) fn push_leaf(&mut self, ns: Namespace, name: &'static str, text: impl Into<String>) {
        self.push(Element::leaf(ns, name, text));
    }

    pub(crate) fn push_opt(&mut self, ns: Namespace, name: &'static str, text: Option<&str>) {
        if let Some(text) = text {
            self.push_leaf(ns, name, text);
        }
    }

    pub(crate) fn push_num<T: ToString>(
        &mut self,
        ns: Namespace,
        name: &'static str,
        v: Option<T>,
    ) {
        if let Some(v) = v {
            self.push_leaf(ns, name, v.to_string());
        }
    }

    pub(crate) fn push_flag(&mut self, ns: Namespace, name: &'static str, on: bool) {
        if on {
            self.push(Element::new(ns, name));
        }
    }

    /// Child elements in document order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.child(name).is_some()
    }

    /// The character data of this element (OPAQUE content must be UTF-8).
    pub fn text(&self) -> Result<String> {
        let mut out = String::new();
        for node in &self.children {
            match node {
                Node::Text(t) | Node::Cdata(t) => out.push_str(t),
                Node::Opaque(b) => match std::str::from_utf8(b) {
                    Ok(t) => out.push_str(t),
                    Err(_) => return Err(Error::InvalidUtf8(self.name.to_string())),
                },
                Node::Element(_) => {}
            }
        }
        Ok(out)
    }

    pub(crate) fn required(&self, name: &'static str) -> Result<&Element> {
        self.child(name).ok_or_else(|| Error::MissingElement {
            parent: self.name.to_string(),
            element: name,
        })
    }

    pub(crate) fn required_text(&self, name: &'static str) -> Result<String> {
        self.required(name)?.text()
    }

    pub(crate) fn optional_text(&self, name: &str) -> Result<Option<String>> {
        self.child(name).map(Element::text).transpose()
    }

    pub(crate) fn texts(&self, name: &str) -> Result<Vec<String>> {
        self.children_named(name).map(Element::text).collect()
    }

    /// A number in this element's text; surrounding whitespace is tolerated.
    pub(crate) fn number<T: std::str::FromStr>(&self) -> Result<T> {
        let text = self.text()?;
        text.trim().parse().map_err(|_| Error::InvalidValue {
            element: self.name.to_string(),
            value: text,
        })
    }

    pub(crate) fn optional_number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>> {
        self.child(name).map(Element::number).transpose()
    }

    pub(crate) fn required_number<T: std::str::FromStr>(&self, name: &'static str) -> Result<T> {
        self.required(name)?.number()
    }
}
