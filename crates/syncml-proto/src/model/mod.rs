//! The typed SyncML message, named as in the SyncML Representation Protocol.
//!
//! Each type reads itself from the shared element tree (`from_element`) and writes itself
//! back (`to_element`) in DTD order. Unknown child elements are skipped, as the RepPro
//! allows extensions; an unknown command in SyncBody is kept as [`Command::Unknown`].

pub mod alert;
pub mod command;
pub mod devinf;
pub mod hdr;
pub mod item;
pub mod meta;
pub mod status;

use crate::element::{Element, Namespace};
use crate::error::{Error, Result};

pub use alert::AlertCode;
pub use command::{
    Alert, Change, Command, Container, Delete, Get, Map, MapItem, Put, Results, Status, Sync,
};
pub use devinf::{ContentType, CtCap, DataStore, DevInf, DsMem, Ext, PropParam, Property};
pub use hdr::{Chal, Cred, Location, SyncHdr};
pub use item::{Data, Item};
pub use meta::{Anchor, Mem, Meta};
pub use status::StatusCode;

/// A DTD version: SyncML RepPro, MetInf and DevInf share the numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerDtd {
    V1_0,
    V1_1,
    V1_2,
}

impl VerDtd {
    /// The VerDTD text: `1.2`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerDtd::V1_0 => "1.0",
            VerDtd::V1_1 => "1.1",
            VerDtd::V1_2 => "1.2",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "1.0" => Some(VerDtd::V1_0),
            "1.1" => Some(VerDtd::V1_1),
            "1.2" => Some(VerDtd::V1_2),
            _ => None,
        }
    }

    /// The matching VerProto of OMA DS: `SyncML/1.2`.
    pub fn ver_proto(self) -> &'static str {
        match self {
            VerDtd::V1_0 => "SyncML/1.0",
            VerDtd::V1_1 => "SyncML/1.1",
            VerDtd::V1_2 => "SyncML/1.2",
        }
    }

    /// The SyncML XML namespace: `SYNCML:SYNCML1.2`.
    pub fn namespace(self) -> &'static str {
        match self {
            VerDtd::V1_0 => "SYNCML:SYNCML1.0",
            VerDtd::V1_1 => "SYNCML:SYNCML1.1",
            VerDtd::V1_2 => "SYNCML:SYNCML1.2",
        }
    }
}

/// `<!ELEMENT SyncML (SyncHdr, SyncBody)>`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncMl {
    pub hdr: SyncHdr,
    pub body: SyncBody,
}

/// `<!ELEMENT SyncBody ((Alert | Atomic | Copy | Exec | Get | Map | Put | Results |
/// Search | Sequence | Status | Sync | Add | Replace | Delete | Move)+, Final?)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncBody {
    pub commands: Vec<Command>,
    /// `<Final/>`: the last message of this package.
    pub final_: bool,
}

const NS: Namespace = Namespace::SyncMl;

impl SyncMl {
    pub(crate) fn from_element(root: &Element) -> Result<Self> {
        if root.name != "SyncML" {
            return Err(Error::UnexpectedRoot {
                expected: "SyncML",
                found: format!("<{}>", root.name),
            });
        }
        Ok(SyncMl {
            hdr: SyncHdr::from_element(root.required("SyncHdr")?)?,
            body: SyncBody::from_element(root.required("SyncBody")?)?,
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "SyncML");
        el.push(self.hdr.to_element());
        el.push(self.body.to_element());
        el
    }
}

impl SyncBody {
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        let mut body = SyncBody::default();
        for child in el.elements() {
            if child.name == "Final" {
                body.final_ = true;
            } else {
                body.commands.push(Command::from_element(child)?);
            }
        }
        Ok(body)
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "SyncBody");
        for cmd in &self.commands {
            el.push(cmd.to_element());
        }
        el.push_flag(NS, "Final", self.final_);
        el
    }
}
