//! Item: the unit of data a command carries, and its Data.

use super::devinf::DevInf;
use super::hdr::Location;
use super::meta::{Anchor, Meta};
use crate::element::{Element, Namespace, Node};
use crate::error::Result;

const NS: Namespace = Namespace::SyncMl;

/// `<!ELEMENT Item (Target?, Source?, SourceParent?, TargetParent?, Meta?, Data?,
/// MoreData?)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub target: Option<Location>,
    pub source: Option<Location>,
    /// LocURI of the parent (DS 1.2 hierarchical sync).
    pub source_parent: Option<String>,
    pub target_parent: Option<String>,
    pub meta: Option<Meta>,
    pub data: Option<Data>,
    /// `<MoreData/>`: this is a chunk of a large object and more follow (DS 1.2 §6.4).
    pub more_data: bool,
}

/// The content of an Item's `Data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// Character data, e.g. an iCalendar object, kept byte for byte.
    Text(String),
    /// WBXML OPAQUE bytes that are not UTF-8 (e.g. a large-object chunk cut inside a
    /// multi-byte character).
    Binary(Vec<u8>),
    /// Device information (in Put and Results of `./devinf12`).
    DevInf(Box<DevInf>),
    /// Sync anchors, as a Status answering an Alert echoes them (SyncML RepPro §6.6.20).
    Anchor(Anchor),
    /// Any other element content, kept as read.
    Elements(Vec<Element>),
}

impl Item {
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        Ok(Item {
            target: el.child("Target").map(Location::from_element).transpose()?,
            source: el.child("Source").map(Location::from_element).transpose()?,
            source_parent: parent_uri(el, "SourceParent")?,
            target_parent: parent_uri(el, "TargetParent")?,
            meta: el.child("Meta").map(Meta::from_element).transpose()?,
            data: el.child("Data").map(Data::from_element).transpose()?,
            more_data: el.has("MoreData"),
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Item");
        if let Some(t) = &self.target {
            el.push(t.to_element("Target"));
        }
        if let Some(s) = &self.source {
            el.push(s.to_element("Source"));
        }
        for (name, uri) in [
            ("SourceParent", &self.source_parent),
            ("TargetParent", &self.target_parent),
        ] {
            if let Some(uri) = uri {
                let mut parent = Element::new(NS, name);
                parent.push_leaf(NS, "LocURI", &**uri);
                el.push(parent);
            }
        }
        if let Some(meta) = &self.meta {
            el.push(meta.to_element());
        }
        if let Some(data) = &self.data {
            el.push(data.to_element());
        }
        el.push_flag(NS, "MoreData", self.more_data);
        el
    }
}

fn parent_uri(el: &Element, name: &str) -> Result<Option<String>> {
    el.child(name)
        .map(|p| p.required_text("LocURI"))
        .transpose()
}

impl Data {
    /// The data as bytes, whatever its form (DevInf gives none).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Data::Text(t) => Some(t.as_bytes()),
            Data::Binary(b) => Some(b),
            Data::DevInf(_) | Data::Anchor(_) | Data::Elements(_) => None,
        }
    }

    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        if let Some(devinf) = el.child("DevInf") {
            return Ok(Data::DevInf(Box::new(DevInf::from_element(devinf)?)));
        }
        if let Some(anchor) = el.child("Anchor") {
            return Ok(Data::Anchor(Anchor::from_element(anchor)?));
        }
        if el.elements().next().is_some() {
            return Ok(Data::Elements(el.elements().cloned().collect()));
        }
        let mut bytes = Vec::new();
        for node in &el.children {
            match node {
                Node::Text(t) | Node::Cdata(t) => bytes.extend_from_slice(t.as_bytes()),
                Node::Opaque(b) => bytes.extend_from_slice(b),
                Node::Element(_) => {}
            }
        }
        Ok(match String::from_utf8(bytes) {
            Ok(text) => Data::Text(text),
            Err(e) => Data::Binary(e.into_bytes()),
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Data");
        match self {
            Data::Text(t) if t.is_empty() => {}
            Data::Text(t) => el.children.push(Node::Cdata(t.clone())),
            Data::Binary(b) => el.children.push(Node::Opaque(b.clone())),
            Data::DevInf(d) => el.push(d.to_element()),
            Data::Anchor(a) => el.push(a.to_element()),
            Data::Elements(els) => {
                for child in els {
                    el.push(child.clone());
                }
            }
        }
        el
    }
}
