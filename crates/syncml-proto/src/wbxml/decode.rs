//! WBXML bytes to an element tree (WAP-192-WBXML 1.3 §5, §6). Bounded: every length is
//! checked against the input before use and nesting depth is capped, so hostile input
//! ends in an error, never a panic or a large allocation.

use std::borrow::Cow;

use super::codepage::{self, DocKind};
use super::token::*;
use crate::element::{Element, Namespace, Node};
use crate::error::{Error, Result};
use crate::model::VerDtd;

/// Deepest element nesting accepted; SyncML messages need about a dozen levels.
pub const MAX_DEPTH: usize = 64;

/// A decoded WBXML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// WBXML version byte (0x01 = 1.1, 0x02 = 1.2, 0x03 = 1.3).
    pub version: u8,
    pub kind: DocKind,
    pub ver_dtd: VerDtd,
    pub root: Element,
}

/// Decodes a document; an unknown public identifier is read as a SyncML document.
pub fn decode_document(bytes: &[u8]) -> Result<Document> {
    decode_with(bytes, DocKind::SyncMl, true)
}

fn decode_with(bytes: &[u8], fallback: DocKind, top_level: bool) -> Result<Document> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let version = r.byte()?;
    if version > 0x03 {
        return Err(Error::UnsupportedWbxmlVersion(version));
    }
    // §5.5: publicid = mb_u_int32 | ( zero index ).
    let public_id = r.mb_u_int32()?;
    let fpi_index = if public_id == 0 {
        Some(r.mb_u_int32()?)
    } else {
        None
    };
    // §5.6: WBXML 1.0 documents carry no charset.
    if version > 0 {
        let charset = r.mb_u_int32()?;
        // 0 = unknown, 3 = US-ASCII (a subset of UTF-8), 106 = UTF-8.
        if !matches!(charset, 0 | 3 | CHARSET_UTF8) {
            return Err(Error::UnsupportedCharset(charset));
        }
    }
    let table_len = r.mb_u_int32()?;
    let strtbl = StringTable(r.take(table_len as usize)?);
    let (kind, ver_dtd) = match fpi_index {
        Some(index) => {
            let fpi = strtbl.get(index)?;
            codepage::kind_from_fpi(&fpi).ok_or(Error::UnknownPublicId(fpi))?
        }
        None => codepage::kind_from_public_id(public_id).unwrap_or((fallback, VerDtd::V1_2)),
    };
    let root = Body {
        r,
        strtbl,
        kind,
        ver_dtd,
        top_level,
    }
    .parse()?;
    Ok(Document {
        version,
        kind,
        ver_dtd,
        root,
    })
}

/// A cursor over the input.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or(Error::UnexpectedEof { offset: self.pos })?;
        self.pos += 1;
        Ok(b)
    }

    /// §5.1: big-endian base-128, continuation in bit 7, at most 32 bits of value.
    fn mb_u_int32(&mut self) -> Result<u32> {
        let start = self.pos;
        let mut value: u32 = 0;
        for _ in 0..5 {
            let b = self.byte()?;
            if value > (u32::MAX >> 7) {
                return Err(Error::MbIntOverflow { offset: start });
            }
            value = (value << 7) | u32::from(b & 0x7F);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::MbIntOverflow { offset: start })
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|end| *end <= self.buf.len())
            .ok_or(Error::UnexpectedEof {
                offset: self.buf.len(),
            })?;
        let slice = &self.buf[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    /// A NUL-terminated string (§5.8.4.1 STR_I).
    fn cstr(&mut self) -> Result<&'a [u8]> {
        let rest = &self.buf[self.pos..];
        let len = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or(Error::UnexpectedEof {
                offset: self.buf.len(),
            })?;
        self.pos += len + 1;
        Ok(&rest[..len])
    }
}

/// §5.7: the string table, addressed by byte offset.
struct StringTable<'a>(&'a [u8]);

impl StringTable<'_> {
    fn get(&self, offset: u32) -> Result<String> {
        let rest = self
            .0
            .get(offset as usize..)
            .ok_or(Error::BadStringRef(offset))?;
        let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        String::from_utf8(rest[..end].to_vec())
            .map_err(|_| Error::InvalidUtf8("string table".into()))
    }
}

struct Body<'a> {
    r: Reader<'a>,
    strtbl: StringTable<'a>,
    kind: DocKind,
    ver_dtd: VerDtd,
    top_level: bool,
}

impl Body<'_> {
    /// §5.3: body = *pi element *pi. Bytes after the root element are ignored.
    fn parse(mut self) -> Result<Element> {
        let mut stack: Vec<Element> = Vec::new();
        let mut page = 0u8;
        loop {
            let offset = self.r.pos;
            let tok = self.r.byte()?;
            match tok {
                SWITCH_PAGE => page = self.r.byte()?,
                END => {
                    let done = stack
                        .pop()
                        .ok_or(Error::UnexpectedToken { token: tok, offset })?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(done)),
                        None => return Ok(done),
                    }
                }
                ENTITY => {
                    let code = self.r.mb_u_int32()?;
                    let ch = char::from_u32(code).ok_or(Error::InvalidValue {
                        element: "ENTITY".into(),
                        value: code.to_string(),
                    })?;
                    let parent = current(&mut stack, tok, offset)?;
                    push_text(parent, ch.encode_utf8(&mut [0; 4]));
                }
                STR_I => {
                    let raw = self.r.cstr()?;
                    let parent = current(&mut stack, tok, offset)?;
                    push_text(parent, &utf8(raw, parent)?);
                }
                STR_T => {
                    let text = self.strtbl.get(self.r.mb_u_int32()?)?;
                    push_text(current(&mut stack, tok, offset)?, &text);
                }
                OPAQUE => {
                    let len = self.r.mb_u_int32()?;
                    let data = self.r.take(len as usize)?;
                    let node = self.opaque(data, stack.last())?;
                    current(&mut stack, tok, offset)?.children.push(node);
                }
                LITERAL | LITERAL_C | LITERAL_A | LITERAL_AC => {
                    let name = self.strtbl.get(self.r.mb_u_int32()?)?;
                    let ns = stack.last().map_or(Namespace::SyncMl, |e| e.ns);
                    let name = match codepage::known_name(ns, &name) {
                        Some(known) => Cow::Borrowed(known),
                        None => Cow::Owned(name),
                    };
                    if let Some(done) = self.open(&mut stack, tok, name, ns)? {
                        return Ok(done);
                    }
                }
                EXT_I_0..=EXT_I_2 | PI | EXT_T_0..=EXT_T_2 | EXT_0..=EXT_2 => {
                    return Err(Error::UnexpectedToken { token: tok, offset });
                }
                _ => {
                    let (name, ns) = self.tag(page, tok & 0x3F);
                    if let Some(done) = self.open(&mut stack, tok, name, ns)? {
                        return Ok(done);
                    }
                }
            }
        }
    }

    /// Name of a tag token; tokens outside the tables keep a readable placeholder so the
    /// model can skip them as unknown extensions.
    fn tag(&self, page: u8, token: u8) -> (Cow<'static, str>, Namespace) {
        match codepage::tag_name(self.kind, self.ver_dtd, page, token) {
            Some((name, ns)) => (Cow::Borrowed(name), ns),
            None => {
                let ns = match (self.kind, page) {
                    (DocKind::DevInf, _) => Namespace::DevInf,
                    (_, 1) => Namespace::MetInf,
                    _ => Namespace::SyncMl,
                };
                (Cow::Owned(format!("x-wbxml-{page:02x}-{token:02x}")), ns)
            }
        }
    }

    /// Starts an element; returns it when it is an empty root.
    fn open(
        &mut self,
        stack: &mut Vec<Element>,
        tok: u8,
        name: Cow<'static, str>,
        ns: Namespace,
    ) -> Result<Option<Element>> {
        let (attrs, content) = match tok {
            LITERAL => (false, false),
            LITERAL_C => (false, true),
            LITERAL_A => (true, false),
            LITERAL_AC => (true, true),
            _ => (tok & HAS_ATTRS != 0, tok & HAS_CONTENT != 0),
        };
        if attrs {
            return Err(Error::AttributesNotSupported(name.into_owned()));
        }
        let el = Element::new(ns, name);
        if content {
            if stack.len() >= MAX_DEPTH {
                return Err(Error::TooDeep(MAX_DEPTH));
            }
            stack.push(el);
            return Ok(None);
        }
        match stack.last_mut() {
            Some(parent) => {
                parent.children.push(Node::Element(el));
                Ok(None)
            }
            None => Ok(Some(el)),
        }
    }

    /// OPAQUE content. SyncML RepPro §8.3: a DevInf in the `Data` of a SyncML document is
    /// itself a WBXML document carried as OPAQUE; it is decoded into the tree so both wire
    /// forms give the same elements.
    fn opaque(&self, data: &[u8], parent: Option<&Element>) -> Result<Node> {
        let in_data = parent.is_some_and(|p| p.name == "Data" && p.ns == Namespace::SyncMl);
        // Only a top-level SyncML document looks inside its OPAQUE data, so nesting is
        // one level deep whatever the input.
        let nested = in_data && self.kind == DocKind::SyncMl && self.top_level;
        if nested
            && looks_like_wbxml(data)
            && let Ok(doc) = decode_with(data, DocKind::DevInf, false)
            && doc.kind == DocKind::DevInf
            && doc.root.name == "DevInf"
        {
            return Ok(Node::Element(doc.root));
        }
        Ok(match String::from_utf8(data.to_vec()) {
            Ok(text) => Node::Cdata(text),
            Err(e) => Node::Opaque(e.into_bytes()),
        })
    }
}

fn looks_like_wbxml(data: &[u8]) -> bool {
    matches!(data.first(), Some(0x01..=0x03)) && data.len() > 4
}

fn current(stack: &mut [Element], token: u8, offset: usize) -> Result<&mut Element> {
    stack
        .last_mut()
        .ok_or(Error::UnexpectedToken { token, offset })
}

fn utf8(raw: &[u8], el: &Element) -> Result<String> {
    String::from_utf8(raw.to_vec()).map_err(|_| Error::InvalidUtf8(el.name.to_string()))
}

/// Adjacent inline strings, table strings and entities form one text node.
fn push_text(el: &mut Element, text: &str) {
    if let Some(Node::Text(last)) = el.children.last_mut() {
        last.push_str(text);
    } else {
        el.children.push(Node::Text(text.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mb_u_int32_examples_from_spec() {
        // WBXML 1.3 §5.1: 0xA0 = 0x81 0x20, 0x60 = 0x60.
        let mut r = Reader {
            buf: &[0x81, 0x20, 0x60],
            pos: 0,
        };
        assert_eq!(r.mb_u_int32(), Ok(0xA0));
        assert_eq!(r.mb_u_int32(), Ok(0x60));
        let mut r = Reader {
            buf: &[0x8F, 0xFF, 0xFF, 0xFF, 0x7F],
            pos: 0,
        };
        assert_eq!(r.mb_u_int32(), Ok(u32::MAX));
        let mut r = Reader {
            buf: &[0x90, 0x80, 0x80, 0x80, 0x00],
            pos: 0,
        };
        assert!(matches!(r.mb_u_int32(), Err(Error::MbIntOverflow { .. })));
        let mut r = Reader {
            buf: &[0x80; 16],
            pos: 0,
        };
        assert!(matches!(r.mb_u_int32(), Err(Error::MbIntOverflow { .. })));
        let mut r = Reader {
            buf: &[0x81],
            pos: 0,
        };
        assert!(matches!(r.mb_u_int32(), Err(Error::UnexpectedEof { .. })));
    }

    #[test]
    fn decodes_hand_built_document() {
        // <SyncML><SyncHdr><VerDTD>1.2</VerDTD><Meta><Type>x</Type></Meta></SyncHdr><Final/></SyncML>
        let bytes = [
            0x02, 0xA4, 0x01, 0x6A, 0x00, // WBXML 1.2, SyncML 1.2, UTF-8, empty string table
            0x6D, // SyncML with content
            0x6C, // SyncHdr
            0x71, 0x03, b'1', b'.', b'2', 0x00, 0x01, // VerDTD STR_I "1.2" END
            0x5A, 0x00, 0x01, 0x53, 0x03, b'x', 0x00, 0x01, 0x00, 0x00, 0x01, // Meta / Type
            0x01, // END SyncHdr
            0x12, // Final, no content
            0x01, // END SyncML
        ];
        let doc = decode_document(&bytes).expect("decodes");
        assert_eq!(doc.kind, DocKind::SyncMl);
        assert_eq!(doc.ver_dtd, VerDtd::V1_2);
        let hdr = doc.root.child("SyncHdr").expect("hdr");
        assert_eq!(
            hdr.child("VerDTD").and_then(|e| e.text().ok()).as_deref(),
            Some("1.2")
        );
        let ty = hdr
            .child("Meta")
            .and_then(|m| m.child("Type"))
            .expect("type");
        assert_eq!(ty.ns, Namespace::MetInf);
        assert!(doc.root.has("Final"));
    }

    #[test]
    fn string_table_public_id_and_str_t() {
        let fpi = b"-//SYNCML//DTD SyncML 1.1//EN\0abc\0";
        let mut bytes = vec![0x02, 0x00, 0x00, 0x6A, fpi.len() as u8];
        bytes.extend_from_slice(fpi);
        // SyncML > SessionID STR_T(30) ENTITY(0x41)
        bytes.extend_from_slice(&[0x6D, 0x65, 0x83, 30, 0x02, 0x41, 0x01, 0x01]);
        let doc = decode_document(&bytes).expect("decodes");
        assert_eq!(doc.ver_dtd, VerDtd::V1_1);
        let sid = doc.root.child("SessionID").expect("sid");
        assert_eq!(sid.text().as_deref(), Ok("abcA"));
    }

    #[test]
    fn rejects_malformed() {
        // Truncated, bad string ref, attributes, huge opaque length.
        assert!(decode_document(&[0x02, 0xA4]).is_err());
        assert_eq!(
            decode_document(&[0x02, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x83, 0x05, 0x01]),
            Err(Error::BadStringRef(5))
        );
        assert!(matches!(
            decode_document(&[0x02, 0xA4, 0x01, 0x6A, 0x00, 0xED, 0x01]),
            Err(Error::AttributesNotSupported(_))
        ));
        assert!(matches!(
            decode_document(&[
                0x02, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0xC3, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F
            ]),
            Err(Error::UnexpectedEof { .. })
        ));
        assert!(matches!(
            decode_document(&[0x02, 0xA4, 0x01, 0x04, 0x00, 0x2D]),
            Err(Error::UnsupportedCharset(4))
        ));
        let deep: Vec<u8> = [0x02, 0xA4, 0x01, 0x6A, 0x00]
            .into_iter()
            .chain(std::iter::repeat_n(0x6D, 100))
            .collect();
        assert_eq!(decode_document(&deep), Err(Error::TooDeep(MAX_DEPTH)));
    }

    #[test]
    fn opaque_documents_nest_one_level_only() {
        // SyncML > Data > OPAQUE(SyncML > Data > OPAQUE(...)), 2000 levels deep.
        let mut doc = vec![0x02, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x12, 0x01];
        for _ in 0..2000 {
            let mut outer = vec![0x02, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x4F, OPAQUE];
            let mut len = Vec::new();
            crate::wbxml::encode::mb_u_int32(&mut len, doc.len() as u32);
            outer.extend(len);
            outer.extend(&doc);
            outer.extend([0x01, 0x01]);
            doc = outer;
        }
        let top = decode_document(&doc).expect("decodes");
        let data = top.root.child("Data").expect("data");
        assert!(matches!(data.children[0], Node::Opaque(_) | Node::Cdata(_)));
    }
}
