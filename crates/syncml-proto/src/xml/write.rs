//! Element tree to XML bytes, in the compact form SyncML peers exchange (no whitespace).
//! A namespace is declared where it changes, as SyncML RepPro §5 examples do for MetInf
//! and DevInf. Item payloads are CDATA sections so their bytes, CR LF included, are sent
//! as they are.

use super::{DEVINF_NS, METINF_NS};
use crate::element::{Element, Namespace, Node};
use crate::model::VerDtd;
use crate::sink::Sink;

/// Writes a document with its XML declaration.
pub(crate) fn write_document(out: &mut impl Sink, ver: VerDtd, root: &Element) {
    out.put(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    write_element(out, ver, root, None);
}

/// Writes one element; `parent_ns` is the namespace in scope (None at the root).
pub(crate) fn write_element(
    out: &mut impl Sink,
    ver: VerDtd,
    el: &Element,
    parent_ns: Option<Namespace>,
) {
    out.byte(b'<');
    out.put(el.name.as_bytes());
    if parent_ns != Some(el.ns) {
        out.put(b" xmlns='");
        out.put(namespace_uri(ver, el.ns).as_bytes());
        out.byte(b'\'');
    }
    if el.children.is_empty() {
        out.put(b"/>");
        return;
    }
    out.byte(b'>');
    for node in &el.children {
        match node {
            Node::Element(child) => write_element(out, ver, child, Some(el.ns)),
            Node::Text(t) => escape(out, t),
            Node::Cdata(t) => cdata(out, t),
            // XML cannot carry raw bytes; non-UTF-8 OPAQUE data is written lossily.
            Node::Opaque(b) => cdata(out, &String::from_utf8_lossy(b)),
        }
    }
    out.put(b"</");
    out.put(el.name.as_bytes());
    out.byte(b'>');
}

fn namespace_uri(ver: VerDtd, ns: Namespace) -> &'static str {
    match ns {
        Namespace::SyncMl => ver.namespace(),
        Namespace::MetInf => METINF_NS,
        Namespace::DevInf => DEVINF_NS,
    }
}

fn escape(out: &mut impl Sink, text: &str) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep: &[u8] = match b {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            // XML 1.0 §2.11 would fold a raw CR; a reference keeps it.
            b'\r' => b"&#13;",
            _ => continue,
        };
        out.put(&text.as_bytes()[start..i]);
        out.put(rep);
        start = i + 1;
    }
    out.put(&text.as_bytes()[start..]);
}

/// A CDATA section; a `]]>` inside the text is split across two sections.
fn cdata(out: &mut impl Sink, text: &str) {
    out.put(b"<![CDATA[");
    out.put(text.replace("]]>", "]]]]><![CDATA[>").as_bytes());
    out.put(b"]]>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::read::read_document;

    #[test]
    fn writes_and_reads_back() {
        let mut root = Element::new(Namespace::SyncMl, "SyncML");
        let mut meta = Element::new(Namespace::SyncMl, "Meta");
        meta.push_leaf(Namespace::MetInf, "Type", "a<b&c\r");
        root.push(meta);
        let mut data = Element::new(Namespace::SyncMl, "Data");
        data.children.push(Node::Cdata("x]]>y\r\n".into()));
        root.push(data);
        root.push(Element::new(Namespace::SyncMl, "Final"));
        let mut out = Vec::new();
        write_document(&mut out, VerDtd::V1_2, &root);
        let text = String::from_utf8(out.clone()).expect("utf8");
        assert!(
            text.contains("<SyncML xmlns='SYNCML:SYNCML1.2'><Meta><Type xmlns='syncml:metinf'>")
        );
        assert!(text.ends_with("<Final/></SyncML>"));
        let back = read_document(&out).expect("parses");
        let meta = back
            .child("Meta")
            .and_then(|m| m.child("Type"))
            .expect("type");
        assert_eq!(meta.text().as_deref(), Ok("a<b&c\r"));
        assert_eq!(
            back.child("Data").and_then(|d| d.text().ok()).as_deref(),
            Some("x]]>y\r\n")
        );
    }
}
