//! SyncML / OMA DS messages for calvault: the WBXML codec, XML reading and writing, and the
//! typed message model. Pure: bytes in, values out, no I/O.
//!
//! Both wire forms (SyncML RepPro 1.0–1.2 §5 XML, and WBXML per WAP-192-WBXML with the
//! SyncML, MetInf and DevInf code pages) decode into one element tree ([`Element`]), and
//! the typed model ([`SyncMl`]) is read from and written to that tree. So an XML message
//! and its WBXML twin give equal values, and a reply can be measured
//! ([`encoded_len`], [`command_encoded_len`]) before it is sent, to stay under the
//! peer's MaxMsgSize.
//!
//! ```
//! use calvault_syncml_proto::{decode, encode, Command, Encoding, StatusCode};
//!
//! let xml = br#"<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>
//!   <VerProto>SyncML/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>
//!   <Target><LocURI>http://example.org/sync</LocURI></Target>
//!   <Source><LocURI>phone-1</LocURI></Source></SyncHdr>
//!   <SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef>
//!   <Cmd>SyncHdr</Cmd><Data>212</Data></Status><Final/></SyncBody></SyncML>"#;
//! let msg = decode(xml, Encoding::Xml).unwrap();
//! let Command::Status(status) = &msg.body.commands[0] else { panic!() };
//! assert_eq!(status.data, StatusCode::AUTHENTICATION_ACCEPTED);
//!
//! let wbxml = encode(&msg, Encoding::Wbxml);
//! assert_eq!(decode(&wbxml, Encoding::Wbxml).unwrap(), msg);
//! ```

pub mod element;
pub mod error;
pub mod model;
mod sink;
pub mod wbxml;
pub mod xml;

pub use element::{Element, Namespace, Node};
pub use error::{Error, Result};
pub use model::{
    Alert, AlertCode, Anchor, Chal, Change, Command, Container, ContentType, Cred, CtCap, Data,
    DataStore, Delete, DevInf, DsMem, Ext, Get, Item, Location, Map, MapItem, Mem, Meta, PropParam,
    Property, Put, Results, Status, StatusCode, Sync, SyncBody, SyncHdr, SyncMl, VerDtd,
};

use sink::{Counter, Sink};
use wbxml::DocKind;

/// Content type of the XML form (SyncML RepPro §4).
pub const CONTENT_TYPE_XML: &str = "application/vnd.syncml+xml";
/// Content type of the WBXML form (SyncML RepPro §4).
pub const CONTENT_TYPE_WBXML: &str = "application/vnd.syncml+wbxml";
/// MetInf Type of a DevInf object in XML.
pub const DEVINF_TYPE_XML: &str = "application/vnd.syncml-devinf+xml";
/// MetInf Type of a DevInf object in WBXML.
pub const DEVINF_TYPE_WBXML: &str = "application/vnd.syncml-devinf+wbxml";

/// The wire form of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Xml,
    Wbxml,
}

impl Encoding {
    /// From an HTTP Content-Type; parameters such as `charset` are ignored.
    pub fn from_content_type(content_type: &str) -> Result<Self> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case(CONTENT_TYPE_XML) {
            Ok(Encoding::Xml)
        } else if essence.eq_ignore_ascii_case(CONTENT_TYPE_WBXML) {
            Ok(Encoding::Wbxml)
        } else {
            Err(Error::UnsupportedContentType(content_type.to_owned()))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Xml => CONTENT_TYPE_XML,
            Encoding::Wbxml => CONTENT_TYPE_WBXML,
        }
    }

    /// The MetInf Type a DevInf object carries in this encoding.
    pub fn devinf_type(self) -> &'static str {
        match self {
            Encoding::Xml => DEVINF_TYPE_XML,
            Encoding::Wbxml => DEVINF_TYPE_WBXML,
        }
    }
}

/// Reads a message.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<SyncMl> {
    let root = match encoding {
        Encoding::Xml => xml::read::read_document(bytes)?,
        Encoding::Wbxml => {
            let doc = wbxml::decode::decode_document(bytes)?;
            if doc.kind != DocKind::SyncMl {
                return Err(Error::UnexpectedRoot {
                    expected: "SyncML",
                    found: format!("<{}>", doc.root.name),
                });
            }
            doc.root
        }
    };
    SyncMl::from_element(&root)
}

/// Writes a message.
pub fn encode(msg: &SyncMl, encoding: Encoding) -> Vec<u8> {
    let mut out = Vec::new();
    write_message(&mut out, msg, encoding);
    out
}

/// The exact size [`encode`] would produce, without keeping the bytes.
pub fn encoded_len(msg: &SyncMl, encoding: Encoding) -> usize {
    let mut counter = Counter::default();
    write_message(&mut counter, msg, encoding);
    counter.0
}

/// The size one command adds to a message of this version: exact for XML; for WBXML
/// exact up to the 2-byte code page switch that may precede the next element.
pub fn command_encoded_len(cmd: &Command, ver: VerDtd, encoding: Encoding) -> usize {
    let el = cmd.to_element();
    let mut counter = Counter::default();
    match encoding {
        Encoding::Xml => xml::write::write_element(&mut counter, ver, &el, Some(Namespace::SyncMl)),
        Encoding::Wbxml => wbxml::encode::encode_element(&mut counter, &el),
    }
    counter.0
}

fn write_message(out: &mut impl Sink, msg: &SyncMl, encoding: Encoding) {
    let root = msg.to_element();
    let ver = msg.hdr.ver_dtd;
    match encoding {
        Encoding::Xml => xml::write::write_document(out, ver, &root),
        Encoding::Wbxml => wbxml::encode::encode_document(out, DocKind::SyncMl, ver, &root),
    }
}
