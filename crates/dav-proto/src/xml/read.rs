//! Reads a request body into an [`XmlElement`] tree, safely: no DTD, no entity expansion,
//! bounded depth and element count, never a panic.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesRef, BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::reader::NsReader;

use super::{XmlAttribute, XmlElement, XmlNode, trim_xml_whitespace};
use crate::error::{DavProtoError, excerpt};
use crate::name::{PropName, is_ncname};

/// Deepest element nesting accepted (a calendar-query filter needs about 8).
pub const MAX_DEPTH: usize = 64;
/// Most elements accepted in one body (a calendar-multiget of 10,000 hrefs fits).
pub const MAX_ELEMENTS: usize = 100_000;

/// Parses a whole body. `Ok(None)` when the body is empty or only whitespace (PROPFIND
/// and MKCALENDAR give that a meaning); otherwise the document element.
///
/// Refuses DOCTYPE (so no entity can be declared, let alone expanded: no billion laughs,
/// no XXE), references to undefined entities, unbound prefixes, invalid names, more than
/// [`MAX_DEPTH`] levels or [`MAX_ELEMENTS`] elements, and bodies that are not UTF-8.
pub fn parse_document(body: &[u8]) -> Result<Option<XmlElement>, DavProtoError> {
    let text = decode_body(body)?;
    if trim_xml_whitespace(text).is_empty() {
        return Ok(None);
    }
    let mut builder = TreeBuilder::default();
    let mut reader = NsReader::from_str(text);
    loop {
        let event = reader.read_event().map_err(|e| malformed(&e.to_string()))?;
        match event {
            Event::Start(start) => {
                let element = open_element(&reader, &start)?;
                builder.open(element)?;
            }
            Event::Empty(start) => {
                let element = open_element(&reader, &start)?;
                builder.open(element)?;
                builder.close()?;
            }
            Event::End(_) => builder.close()?,
            Event::Text(text) => builder.text(&text.xml10_content())?,
            Event::CData(data) => builder.text(&data.xml10_content())?,
            Event::GeneralRef(reference) => builder.text(&resolve_reference(&reference)?)?,
            Event::Decl(decl) => check_declaration(&decl, text)?,
            Event::DocType(_) => return Err(DavProtoError::DoctypeForbidden),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    builder.finish().map(Some)
}

/// Strips a UTF-8 byte order mark and checks that the body is UTF-8.
fn decode_body(body: &[u8]) -> Result<&str, DavProtoError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.starts_with(b"\xFE\xFF") || body.starts_with(b"\xFF\xFE") {
        return Err(DavProtoError::UnsupportedEncoding("UTF-16".into()));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| DavProtoError::UnsupportedEncoding("body is not valid UTF-8".into()))?;
    // XML 1.0 §2.2: a document holds only Chars (no NUL, no C0 controls but tab/CR/LF).
    if let Some(bad) = text.chars().find(|c| !is_xml_char(*c)) {
        return Err(malformed(&format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(bad)
        )));
    }
    Ok(text)
}

/// We read UTF-8 only; a declaration naming another encoding is honoured only when the body
/// is plain ASCII, where all the usual encodings agree.
fn check_declaration(decl: &BytesDecl<'_>, body: &str) -> Result<(), DavProtoError> {
    let Some(encoding) = decl.encoding() else {
        return Ok(());
    };
    let encoding = encoding.map_err(|e| malformed(&e.to_string()))?;
    let name = encoding.to_ascii_lowercase();
    if matches!(name.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii") || body.is_ascii() {
        return Ok(());
    }
    Err(DavProtoError::UnsupportedEncoding(excerpt(&encoding)))
}

/// Resolves a character reference or one of the five predefined entities; anything else
/// is an undefined entity (there is no DTD to define it, and we would not expand it).
fn resolve_reference(reference: &BytesRef<'_>) -> Result<String, DavProtoError> {
    let name: &str = reference;
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(c.to_string()),
            _ => Err(malformed(&format!("invalid character reference &{name};"))),
        };
    }
    let replacement = match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        other => return Err(DavProtoError::UndefinedEntity(excerpt(other))),
    };
    Ok(replacement.to_owned())
}

/// XML 1.0 §2.2 Char production.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn open_element(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
) -> Result<XmlElement, DavProtoError> {
    let (resolved, local) = reader.resolver().resolve_element(start.name());
    let name = expanded_name(resolved, local.as_ref(), start.name().0)?;
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| malformed(&e.to_string()))?;
        if let Some(attribute) = read_attribute(reader, &attribute)? {
            attributes.push(attribute);
        }
    }
    Ok(XmlElement {
        name,
        attributes,
        children: Vec::new(),
    })
}

/// Namespace declarations are dropped (the writer declares what it uses); other attributes
/// are resolved and unescaped.
fn read_attribute(
    reader: &NsReader<&[u8]>,
    attribute: &Attribute<'_>,
) -> Result<Option<XmlAttribute>, DavProtoError> {
    if attribute.key.as_namespace_binding().is_some() {
        return Ok(None);
    }
    let (resolved, local) = reader.resolver().resolve_attribute(attribute.key);
    let name = expanded_name(resolved, local.as_ref(), attribute.key.0)?;
    let value = attribute
        .normalized_value(XmlVersion::Implicit1_0)
        .map_err(|e| malformed(&e.to_string()))?;
    Ok(Some(XmlAttribute {
        name,
        value: value.into_owned(),
    }))
}

fn expanded_name(
    resolved: ResolveResult<'_>,
    local: &str,
    qualified: &str,
) -> Result<PropName, DavProtoError> {
    if !is_ncname(local) {
        return Err(malformed(&format!("invalid name {qualified:?}")));
    }
    let namespace = match resolved {
        ResolveResult::Bound(namespace) => namespace_name(namespace.0)?,
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(prefix) => {
            return Err(malformed(&format!("unbound namespace prefix {prefix:?}")));
        }
    };
    Ok(PropName::new(namespace, local))
}

/// The resolver hands back the `xmlns` attribute value as written; the namespace name is
/// that value normalised like any attribute (references resolved, whitespace mapped).
fn namespace_name(raw: &str) -> Result<String, DavProtoError> {
    let attribute = Attribute {
        key: QName("xmlns"),
        value: Cow::Borrowed(raw),
    };
    attribute
        .normalized_value(XmlVersion::Implicit1_0)
        .map(Cow::into_owned)
        .map_err(|e| malformed(&e.to_string()))
}

fn malformed(reason: &str) -> DavProtoError {
    DavProtoError::Malformed(excerpt(reason))
}

/// Assembles the tree from events and enforces the limits.
#[derive(Default)]
struct TreeBuilder {
    open: Vec<XmlElement>,
    root: Option<XmlElement>,
    elements: usize,
}

impl TreeBuilder {
    fn open(&mut self, element: XmlElement) -> Result<(), DavProtoError> {
        if self.open.is_empty() && self.root.is_some() {
            return Err(malformed("more than one document element"));
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(DavProtoError::TooManyElements(MAX_ELEMENTS));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(DavProtoError::TooDeep(MAX_DEPTH));
        }
        self.open.push(element);
        Ok(())
    }

    fn close(&mut self) -> Result<(), DavProtoError> {
        let element = self
            .open
            .pop()
            .ok_or_else(|| malformed("end tag without start tag"))?;
        match self.open.last_mut() {
            Some(parent) => parent.children.push(XmlNode::Element(element)),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), DavProtoError> {
        let Some(parent) = self.open.last_mut() else {
            if trim_xml_whitespace(text).is_empty() {
                return Ok(());
            }
            return Err(malformed("text outside the document element"));
        };
        if let Some(XmlNode::Text(previous)) = parent.children.last_mut() {
            previous.push_str(text);
        } else {
            parent.children.push(XmlNode::Text(text.to_owned()));
        }
        Ok(())
    }

    fn finish(self) -> Result<XmlElement, DavProtoError> {
        if !self.open.is_empty() {
            return Err(malformed("document ends inside an element"));
        }
        self.root.ok_or_else(|| malformed("no document element"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::{NS_DAV, NS_XML};

    fn parse(body: &str) -> Result<Option<XmlElement>, DavProtoError> {
        parse_document(body.as_bytes())
    }

    #[test]
    fn empty_and_whitespace_bodies_have_no_root() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse(" \r\n\t"), Ok(None));
    }

    #[test]
    fn resolves_namespaces_attributes_and_text() {
        let root = parse(
            r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns="urn:default"><D:prop xml:lang="fr"><x a="1&amp;2"/>t &lt; &#x41;&#66;<![CDATA[<c>]]></D:prop></D:propfind>"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(root.name, PropName::new(NS_DAV, "propfind"));
        let prop = root.elements().next().unwrap();
        assert_eq!(prop.lang(), Some("fr"));
        assert_eq!(prop.attributes[0].name, PropName::new(NS_XML, "lang"));
        let x = prop.elements().next().unwrap();
        assert_eq!(x.name, PropName::new("urn:default", "x"));
        assert_eq!(x.attribute("a"), Some("1&2"));
        assert_eq!(prop.children[1], XmlNode::Text("t < AB<c>".into()));
    }

    #[test]
    fn namespace_names_are_unescaped() {
        let root = parse(r#"<x:a xmlns:x="urn:a&amp;b&#x20;c"/>"#)
            .unwrap()
            .unwrap();
        assert_eq!(root.name, PropName::new("urn:a&b c", "a"));
    }

    #[test]
    fn line_endings_are_normalised() {
        let root = parse("<a>x\r\ny\rz</a>").unwrap().unwrap();
        assert_eq!(root.text_content(), "x\ny\nz");
    }

    #[test]
    fn utf8_bom_is_skipped() {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(b"<a/>");
        assert!(parse_document(&body).unwrap().is_some());
    }

    #[test]
    fn refuses_doctype_and_entities() {
        let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol3;</D:displayname></D:prop></D:propfind>"#;
        assert_eq!(parse(laughs), Err(DavProtoError::DoctypeForbidden));
        let xxe = r#"<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>"#;
        assert_eq!(parse(xxe), Err(DavProtoError::DoctypeForbidden));
        assert_eq!(
            parse("<foo>&xxe;</foo>"),
            Err(DavProtoError::UndefinedEntity("xxe".into()))
        );
    }

    #[test]
    fn refuses_malformed_documents() {
        for body in [
            "<a>",
            "<a></b>",
            "<a><b></a></b>",
            "</a>",
            "<a/><b/>",
            "text",
            "<a/>trailing",
            "<a b=\"1\" b=\"2\"/>",
            "<1a/>",
            "<p:a/>",
            r#"<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>"#,
            "<a>&#0;</a>",
            "<x:a xmlns:x=\"urn:&bad;\"/>",
            "<a>&#xD800;</a>",
            "<a>\u{1}</a>",
            "<a b=\"\u{0}\"/>",
            "<a>\u{FFFE}</a>",
            "<a>& b</a>",
            "<?xml version=\"1.0\"?>",
        ] {
            let result = parse(body);
            assert!(
                matches!(result, Err(DavProtoError::Malformed(_))),
                "{body:?} gave {result:?}"
            );
        }
    }

    #[test]
    fn refuses_foreign_encodings() {
        assert!(matches!(
            parse_document(b"\xFF\xFE<\0a\0/\0>\0"),
            Err(DavProtoError::UnsupportedEncoding(_))
        ));
        assert!(matches!(
            parse_document(b"<a>caf\xE9</a>"),
            Err(DavProtoError::UnsupportedEncoding(_))
        ));
        assert!(matches!(
            parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>café</a>"),
            Err(DavProtoError::UnsupportedEncoding(_))
        ));
        assert!(parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>cafe</a>").is_ok());
    }

    #[test]
    fn limits_depth() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse(&deep), Err(DavProtoError::TooDeep(MAX_DEPTH)));
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn limits_element_count() {
        let wide = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS));
        assert_eq!(
            parse(&wide),
            Err(DavProtoError::TooManyElements(MAX_ELEMENTS))
        );
    }
}
