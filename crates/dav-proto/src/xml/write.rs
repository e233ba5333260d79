//! Writes XML text: escaping, namespace prefixes, and [`XmlElement`] trees.

use super::read::is_xml_char;
use super::{XmlElement, XmlNode};
use crate::name::{NS_APPLE_ICAL, NS_CALDAV, NS_CALENDARSERVER, NS_DAV, NS_XML, PropName};

pub(crate) const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// The conventional prefixes of the four namespaces CalDAV clients know.
const CONVENTIONAL: [(&str, &str); 4] = [
    (NS_DAV, "d"),
    (NS_CALDAV, "c"),
    (NS_CALENDARSERVER, "cs"),
    (NS_APPLE_ICAL, "ic"),
];

/// Namespace → prefix bindings of one document or fragment. Known namespaces get their
/// conventional prefix, others `x0`, `x1`, ...; the empty namespace is written unprefixed
/// (no default namespace is ever declared), and `xml:` is predeclared.
#[derive(Debug, Default, Clone)]
pub(crate) struct Namespaces {
    bindings: Vec<(String, String)>,
    generated: usize,
}

impl Namespaces {
    /// The bindings of a response document: d, c, cs and ic always declared.
    pub(crate) fn standard() -> Self {
        let mut namespaces = Namespaces::default();
        for (namespace, _) in CONVENTIONAL {
            namespaces.bind(namespace);
        }
        namespaces
    }

    /// Whether `namespace` needs no binding beyond these.
    pub(crate) fn binds(&self, namespace: &str) -> bool {
        namespace.is_empty() || namespace == NS_XML || self.prefix(namespace).is_some()
    }

    /// Ensures `namespace` has a prefix.
    pub(crate) fn bind(&mut self, namespace: &str) {
        if self.binds(namespace) {
            return;
        }
        let prefix = match CONVENTIONAL.iter().find(|(ns, _)| *ns == namespace) {
            Some((_, prefix)) => (*prefix).to_owned(),
            None => {
                let prefix = format!("x{}", self.generated);
                self.generated += 1;
                prefix
            }
        };
        self.bindings.push((namespace.to_owned(), prefix));
    }

    /// Binds every namespace used by the element, its attributes and descendants.
    pub(crate) fn bind_tree(&mut self, element: &XmlElement) {
        self.bind(&element.name.namespace);
        for attribute in &element.attributes {
            self.bind(&attribute.name.namespace);
        }
        for child in element.elements() {
            self.bind_tree(child);
        }
    }

    fn prefix(&self, namespace: &str) -> Option<&str> {
        self.bindings
            .iter()
            .find(|(ns, _)| ns == namespace)
            .map(|(_, prefix)| prefix.as_str())
    }

    /// Writes ` xmlns:p="uri"` for every binding.
    pub(crate) fn write_declarations(&self, out: &mut String) {
        write_declarations(out, &self.bindings);
    }

    /// How many namespaces are bound.
    pub(crate) fn len(&self) -> usize {
        self.bindings.len()
    }

    /// The bindings made after the first `count`.
    pub(crate) fn bindings_after(&self, count: usize) -> Vec<(String, String)> {
        self.bindings[count.min(self.bindings.len())..].to_vec()
    }

    /// Writes `prefix:local`, `xml:local` or a bare `local` for the empty namespace.
    pub(crate) fn write_name(&self, out: &mut String, name: &PropName) {
        let prefix = if name.namespace == NS_XML {
            Some("xml")
        } else {
            self.prefix(&name.namespace)
        };
        if let Some(prefix) = prefix {
            out.push_str(prefix);
            out.push(':');
        }
        out.push_str(&name.local);
    }

    /// `<name` — the caller finishes the tag.
    pub(crate) fn start_tag(&self, out: &mut String, name: &PropName) {
        out.push('<');
        self.write_name(out, name);
    }

    pub(crate) fn end_tag(&self, out: &mut String, name: &PropName) {
        out.push_str("</");
        self.write_name(out, name);
        out.push('>');
    }

    pub(crate) fn empty_element(&self, out: &mut String, name: &PropName) {
        self.start_tag(out, name);
        out.push_str("/>");
    }

    /// `<name>text</name>` with the text escaped.
    pub(crate) fn text_element(&self, out: &mut String, name: &PropName, text: &str) {
        self.start_tag(out, name);
        out.push('>');
        escape_text(out, text);
        self.end_tag(out, name);
    }

    /// Writes an element tree; every namespace it uses must be bound.
    pub(crate) fn write_element(&self, out: &mut String, element: &XmlElement) {
        self.write_element_with(out, element, |_| {});
    }

    /// Writes an element tree, letting `extra` add attributes (declarations) to its start tag.
    pub(crate) fn write_element_with(
        &self,
        out: &mut String,
        element: &XmlElement,
        extra: impl FnOnce(&mut String),
    ) {
        self.start_tag(out, &element.name);
        extra(out);
        for attribute in &element.attributes {
            // A hand-built `xmlns` attribute would redeclare namespaces: never write one.
            if attribute.name.namespace.is_empty() && attribute.name.local == "xmlns" {
                continue;
            }
            out.push(' ');
            self.write_name(out, &attribute.name);
            out.push_str("=\"");
            escape_attribute(out, &attribute.value);
            out.push('"');
        }
        if element.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        self.write_nodes(out, &element.children);
        self.end_tag(out, &element.name);
    }

    pub(crate) fn write_nodes(&self, out: &mut String, nodes: &[XmlNode]) {
        for node in nodes {
            match node {
                XmlNode::Element(child) => self.write_element(out, child),
                XmlNode::Text(text) => escape_text(out, text),
            }
        }
    }
}

/// Escapes character data. CR is written as `&#13;` so that iCalendar's CRLF survives XML
/// line-end normalisation; characters XML cannot carry become U+FFFD, so that one bad
/// byte in stored data never makes a whole multistatus unreadable.
pub(crate) fn escape_text(out: &mut String, text: &str) {
    // Calendar data is most of a report's bytes: runs of bytes that need nothing are copied
    // whole, and only the few that may need something are looked at closely.
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        if !NEEDS_A_LOOK[usize::from(bytes[at])] {
            at += 1;
            continue;
        }
        let (replacement, width) = match bytes[at] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'\r' => ("&#13;", 1),
            0..=0x1f => ("\u{FFFD}", 1),
            // U+FFFE and U+FFFF, the only non-characters of XML above U+001F a str can hold.
            _ if matches!(bytes.get(at + 1..at + 3), Some([0xbf, 0xbe | 0xbf])) => ("\u{FFFD}", 3),
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(&text[copied..at]);
        out.push_str(replacement);
        at += width;
        copied = at;
    }
    out.push_str(&text[copied..]);
}

/// The bytes `escape_text` may have to replace: markup, CR, the control characters XML cannot
/// carry, and 0xEF, the lead byte of U+FFFE and U+FFFF.
const NEEDS_A_LOOK: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = byte != b'\t' as usize && byte != b'\n' as usize;
        byte += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[0xef] = true;
    table
};

/// Escapes an attribute value (quotes and the whitespace that attribute normalisation eats).
pub(crate) fn escape_attribute(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Writes ` xmlns:p="uri"` for each (namespace, prefix) binding.
pub(crate) fn write_declarations(out: &mut String, bindings: &[(String, String)]) {
    for (namespace, prefix) in bindings {
        out.push_str(" xmlns:");
        out.push_str(prefix);
        out.push_str("=\"");
        escape_attribute(out, namespace);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        let mut out = String::new();
        escape_text(&mut out, "a<b>&c\r\n\u{1}\"");
        assert_eq!(out, "a&lt;b&gt;&amp;c&#13;\n\u{FFFD}\"");
        let mut out = String::new();
        escape_attribute(&mut out, "\"x\"\t\n");
        assert_eq!(out, "&quot;x&quot;&#9;&#10;");
    }

    /// The run-copying escape gives what escaping character by character gives.
    #[test]
    fn escape_text_agrees_with_the_character_rule() {
        let by_character = |text: &str| {
            let mut out = String::new();
            for c in text.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '\r' => out.push_str("&#13;"),
                    c if crate::xml::read::is_xml_char(c) => out.push(c),
                    _ => out.push('\u{FFFD}'),
                }
            }
            out
        };
        let samples = [
            "",
            "plain",
            "BEGIN:VEVENT\r\nSUMMARY:café & <thé>\r\n",
            "\u{FFFE}x\u{FFFF}\u{FFFD}\u{EFBF}\u{10FFFF}",
            "\u{0}\u{1f}\u{7f}\t\u{D7FF}\u{E000}",
            "ends with &",
            "日本語\r",
        ];
        for sample in samples {
            let mut out = String::new();
            escape_text(&mut out, sample);
            assert_eq!(out, by_character(sample), "{sample:?}");
        }
    }

    #[test]
    fn conventional_and_generated_prefixes() {
        let mut namespaces = Namespaces::default();
        namespaces.bind("http://example.com/ns");
        namespaces.bind(NS_CALDAV);
        namespaces.bind("");
        namespaces.bind(NS_XML);
        namespaces.bind("http://example.com/ns");
        namespaces.bind("urn:other");
        let mut out = String::new();
        namespaces.write_declarations(&mut out);
        assert_eq!(
            out,
            " xmlns:x0=\"http://example.com/ns\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" xmlns:x1=\"urn:other\""
        );
        let mut out = String::new();
        namespaces.write_name(&mut out, &PropName::new("", "plain"));
        namespaces.write_name(&mut out, &PropName::new(NS_XML, "lang"));
        namespaces.write_name(&mut out, &PropName::new("urn:other", "y"));
        assert_eq!(out, "plainxml:langx1:y");
    }

    #[test]
    fn writes_trees() {
        let element = XmlElement::new(PropName::dav("resourcetype"))
            .with_child(XmlElement::new(PropName::dav("collection")))
            .with_child(XmlElement::new(PropName::caldav("comp")).with_attribute("name", "VEVENT"))
            .with_text("a&b");
        let mut out = String::new();
        Namespaces::standard().write_element(&mut out, &element);
        assert_eq!(
            out,
            "<d:resourcetype><d:collection/><c:comp name=\"VEVENT\"/>a&amp;b</d:resourcetype>"
        );
    }
}
