//! Element tree to WBXML bytes (WAP-192-WBXML 1.3 §5, §6).
//!
//! Header: WBXML 1.2, UTF-8. SyncML 1.2 documents use their registered public identifier;
//! 1.0 and 1.1 documents name their DTD in the string table, the form those versions'
//! clients expect. Text goes out as STR_I, item payloads (CDATA nodes) as OPAQUE, and a
//! DevInf element inside a SyncML document as a nested DevInf document in OPAQUE
//! (SyncML RepPro §8.3). Elements outside the token tables go out as LITERAL tags.

use super::codepage::{self, DocKind};
use super::token::*;
use crate::element::{Element, Namespace, Node};
use crate::model::VerDtd;
use crate::sink::Sink;

/// Writes a whole document.
pub(crate) fn encode_document(out: &mut impl Sink, kind: DocKind, ver: VerDtd, root: &Element) {
    let mut literals = Vec::new();
    collect_literals(kind, root, &mut literals);
    let mut table = Vec::new();
    let mut offsets = Vec::new();
    let public_id = codepage::public_id(kind, ver);
    let fpi_in_table = ver != VerDtd::V1_2 || public_id == 0x01;
    if fpi_in_table {
        table.extend_from_slice(codepage::formal_public_id(kind, ver).as_bytes());
        table.push(0);
    }
    for name in &literals {
        offsets.push((name.clone(), table.len() as u32));
        table.extend_from_slice(name.as_bytes());
        table.push(0);
    }
    out.byte(0x02);
    if fpi_in_table {
        out.byte(0x00);
        mb_u_int32(out, 0);
    } else {
        mb_u_int32(out, public_id);
    }
    mb_u_int32(out, CHARSET_UTF8);
    mb_u_int32(out, table.len() as u32);
    out.put(&table);
    let mut enc = Encoder {
        kind,
        page: 0,
        literals: &offsets,
    };
    enc.element(out, root);
}

/// Writes one element of a SyncML document body, starting on code page 0 (used to
/// measure a command). Elements outside the token tables are counted as LITERAL tags.
pub(crate) fn encode_element(out: &mut impl Sink, el: &Element) {
    let mut enc = Encoder {
        kind: DocKind::SyncMl,
        page: 0,
        literals: &[],
    };
    enc.element(out, el);
}

/// §5.1: big-endian base-128 with continuation bits.
pub(crate) fn mb_u_int32(out: &mut impl Sink, mut v: u32) {
    let mut buf = [0u8; 5];
    let mut i = buf.len() - 1;
    buf[i] = (v & 0x7F) as u8;
    v >>= 7;
    while v > 0 {
        i -= 1;
        buf[i] = (v & 0x7F) as u8 | 0x80;
        v >>= 7;
    }
    out.put(&buf[i..]);
}

fn collect_literals(kind: DocKind, el: &Element, out: &mut Vec<String>) {
    if is_nested_devinf(kind, el) {
        return;
    }
    if codepage::tag_token(kind, el.ns, &el.name).is_none() && !out.iter().any(|n| *n == el.name) {
        out.push(el.name.to_string());
    }
    for child in el.elements() {
        collect_literals(kind, child, out);
    }
}

fn is_nested_devinf(kind: DocKind, el: &Element) -> bool {
    kind == DocKind::SyncMl && el.ns == Namespace::DevInf
}

struct Encoder<'a> {
    kind: DocKind,
    page: u8,
    literals: &'a [(String, u32)],
}

impl Encoder<'_> {
    fn element(&mut self, out: &mut impl Sink, el: &Element) {
        let content = if el.children.is_empty() {
            0
        } else {
            HAS_CONTENT
        };
        match codepage::tag_token(self.kind, el.ns, &el.name) {
            Some((page, token)) => {
                if page != self.page {
                    out.put(&[SWITCH_PAGE, page]);
                    self.page = page;
                }
                out.byte(token | content);
            }
            None => {
                let offset = self
                    .literals
                    .iter()
                    .find(|(n, _)| *n == el.name)
                    .map_or(0, |(_, o)| *o);
                out.byte(if content == 0 { LITERAL } else { LITERAL_C });
                mb_u_int32(out, offset);
            }
        }
        if content == 0 {
            return;
        }
        for node in &el.children {
            self.node(out, node);
        }
        out.byte(END);
    }

    fn node(&mut self, out: &mut impl Sink, node: &Node) {
        match node {
            Node::Element(child) if is_nested_devinf(self.kind, child) => {
                let ver = child
                    .child("VerDTD")
                    .and_then(|v| v.text().ok())
                    .and_then(|v| VerDtd::parse(&v))
                    .unwrap_or(VerDtd::V1_2);
                let mut nested = Vec::new();
                encode_document(&mut nested, DocKind::DevInf, ver, child);
                opaque(out, &nested);
            }
            Node::Element(child) => self.element(out, child),
            // STR_I cannot hold NUL (§5.8.4.1); such text travels as OPAQUE.
            Node::Text(t) if !t.as_bytes().contains(&0) => {
                out.byte(STR_I);
                out.put(t.as_bytes());
                out.byte(0);
            }
            Node::Text(t) | Node::Cdata(t) => opaque(out, t.as_bytes()),
            Node::Opaque(b) => opaque(out, b),
        }
    }
}

fn opaque(out: &mut impl Sink, bytes: &[u8]) {
    out.byte(OPAQUE);
    mb_u_int32(out, bytes.len() as u32);
    out.put(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wbxml::decode::decode_document;

    #[test]
    fn mb_u_int32_encoding() {
        let mut v = Vec::new();
        mb_u_int32(&mut v, 0xA0);
        mb_u_int32(&mut v, 0x60);
        mb_u_int32(&mut v, 0);
        mb_u_int32(&mut v, u32::MAX);
        assert_eq!(v, [0x81, 0x20, 0x60, 0x00, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F]);
    }

    #[test]
    fn encodes_pages_opaque_and_empty_tags() {
        let mut root = Element::new(Namespace::SyncMl, "SyncML");
        let mut meta = Element::new(Namespace::SyncMl, "Meta");
        meta.push_leaf(Namespace::MetInf, "Type", "x");
        root.push(meta);
        let mut data = Element::new(Namespace::SyncMl, "Data");
        data.children.push(Node::Cdata("a\r\nb".into()));
        root.push(data);
        root.push(Element::new(Namespace::SyncMl, "Final"));
        let mut out = Vec::new();
        encode_document(&mut out, DocKind::SyncMl, VerDtd::V1_2, &root);
        let expected = [
            0x02, 0xA4, 0x01, 0x6A, 0x00, // header
            0x6D, 0x5A, 0x00, 0x01, 0x53, 0x03, b'x', 0x00, 0x01, 0x01, // SyncML Meta Type
            0x00, 0x00, 0x4F, 0xC3, 0x04, b'a', b'\r', b'\n', b'b', 0x01, // Data OPAQUE
            0x12, 0x01, // Final, END
        ];
        assert_eq!(out, expected);
        let back = decode_document(&out).expect("decodes");
        assert_eq!(
            back.root
                .child("Data")
                .and_then(|d| d.text().ok())
                .as_deref(),
            Some("a\r\nb")
        );
    }

    #[test]
    fn unknown_elements_use_literal_tags() {
        let mut root = Element::new(Namespace::SyncMl, "SyncML");
        root.push_leaf(Namespace::SyncMl, "X-Vendor", "v");
        let mut out = Vec::new();
        encode_document(&mut out, DocKind::SyncMl, VerDtd::V1_2, &root);
        let back = decode_document(&out).expect("decodes");
        assert_eq!(back.root, root);
    }
}
