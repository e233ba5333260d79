//! XML bytes to an element tree.
//!
//! No DTD is processed: a DOCTYPE is skipped and only the 5 predefined entities and
//! numeric character references are expanded, so no external or recursive entity can be
//! reached. Line ends inside text are kept as sent (no CR LF folding), because item data
//! such as iCalendar must survive byte for byte. Whitespace-only text between child
//! elements is dropped; text of leaf elements is kept exactly.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{DEVINF_NS, METINF_NS};
use crate::element::{Element, Namespace, Node};
use crate::error::{Error, Result};
use crate::wbxml::codepage;

/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// Parses a document and returns its root element.
pub fn read_document(bytes: &[u8]) -> Result<Element> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::InvalidUtf8("document".into()))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| Error::Xml(e.to_string()))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Error::TooDeep(MAX_DEPTH));
                }
                let el = open(&start, stack.last())?;
                stack.push(el);
            }
            Event::Empty(start) => {
                let el = open(&start, stack.last())?;
                if let Some(done) = close(&mut stack, el) {
                    return Ok(done);
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(Error::Xml("unbalanced end tag".into()));
                };
                drop_layout_whitespace(&mut el);
                if let Some(done) = close(&mut stack, el) {
                    return Ok(done);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.into_inner(), false),
            Event::CData(c) => push_text(&mut stack, &c.into_inner(), true),
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch,
                    Ok(None) => predefined(&r.into_inner())?,
                    Err(e) => return Err(Error::Xml(e.to_string())),
                };
                push_text(&mut stack, ch.encode_utf8(&mut [0; 4]), false);
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => {
                return Err(Error::UnexpectedRoot {
                    expected: "SyncML",
                    found: "end of document".into(),
                });
            }
        }
    }
}

/// XML 1.0 §4.6: the predefined entities; any other name is undeclared without a DTD.
fn predefined(name: &str) -> Result<char> {
    Ok(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        other => return Err(Error::Xml(format!("undeclared entity &{other};"))),
    })
}

fn open(start: &BytesStart<'_>, parent: Option<&Element>) -> Result<Element> {
    let qname = start.name();
    let local = qname.local_name().into_inner();
    let mut ns = parent.map_or(Namespace::SyncMl, |p| p.ns);
    for attr in start.attributes() {
        let attr = attr.map_err(|e| Error::Xml(e.to_string()))?;
        let key: &str = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| Error::Xml(e.to_string()))?;
            if key == "xmlns" || qname.prefix().is_some() {
                ns = namespace_of(&value);
            }
        }
    }
    // The code pages' own strings for the names they know: no allocation per element.
    let name = match codepage::known_name(ns, local) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(local.to_string()),
    };
    Ok(Element::new(ns, name))
}

fn namespace_of(uri: &str) -> Namespace {
    if uri.eq_ignore_ascii_case(METINF_NS) {
        Namespace::MetInf
    } else if uri.eq_ignore_ascii_case(DEVINF_NS) {
        Namespace::DevInf
    } else {
        Namespace::SyncMl
    }
}

fn close(stack: &mut [Element], el: Element) -> Option<Element> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(Node::Element(el));
            None
        }
        None => Some(el),
    }
}

fn push_text(stack: &mut [Element], text: &str, cdata: bool) {
    let Some(el) = stack.last_mut() else {
        return; // text outside the root element: only whitespace is well-formed there
    };
    match el.children.last_mut() {
        Some(Node::Text(last) | Node::Cdata(last)) => last.push_str(text),
        _ if cdata => el.children.push(Node::Cdata(text.to_owned())),
        _ => el.children.push(Node::Text(text.to_owned())),
    }
}

fn drop_layout_whitespace(el: &mut Element) {
    if el.children.iter().any(|n| matches!(n, Node::Element(_))) {
        el.children.retain(|n| match n {
            Node::Text(t) => !t.trim().is_empty(),
            _ => true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_crlf_and_cdata_exactly() {
        let doc = b"<SyncML><Data><![CDATA[A\r\nB]]>&lt;&#x41;&#66;</Data></SyncML>";
        let root = read_document(doc).expect("parses");
        assert_eq!(
            root.child("Data").and_then(|d| d.text().ok()).as_deref(),
            Some("A\r\nB<AB")
        );
    }

    #[test]
    fn namespaces_and_layout() {
        let doc = br#"<?xml version="1.0"?>
<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.2//EN" "x.dtd">
<SyncML xmlns="SYNCML:SYNCML1.2">
  <Meta>
    <Type xmlns="syncml:metinf"> text/x </Type>
  </Meta>
</SyncML>"#;
        let root = read_document(doc).expect("parses");
        assert_eq!(root.children.len(), 1);
        let ty = root
            .child("Meta")
            .and_then(|m| m.child("Type"))
            .expect("type");
        assert_eq!(ty.ns, Namespace::MetInf);
        assert_eq!(ty.text().as_deref(), Ok(" text/x "));
    }

    #[test]
    fn refuses_undeclared_entities_and_bad_nesting() {
        let bomb = br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><SyncML>&a;</SyncML>"#;
        assert!(matches!(read_document(bomb), Err(Error::Xml(_))));
        assert!(read_document(b"<SyncML><A></B></SyncML>").is_err());
        assert!(read_document(b"<SyncML>").is_err());
        assert!(read_document(b"").is_err());
    }
}
