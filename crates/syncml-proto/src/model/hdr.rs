//! SyncHdr and the elements it shares with commands: Target/Source, Cred, Chal.

use super::VerDtd;
use super::meta::Meta;
use crate::element::{Element, Namespace};
use crate::error::{Error, Result};

const NS: Namespace = Namespace::SyncMl;

/// `<!ELEMENT SyncHdr (VerDTD, VerProto, SessionID, MsgID, Target, Source, RespURI?,
/// NoResp?, Cred?, Meta?)>`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncHdr {
    pub ver_dtd: VerDtd,
    /// `SyncML/1.2`.
    pub ver_proto: String,
    pub session_id: String,
    pub msg_id: u32,
    pub target: Location,
    pub source: Location,
    pub resp_uri: Option<String>,
    pub no_resp: bool,
    pub cred: Option<Cred>,
    pub meta: Option<Meta>,
}

/// `Target` or `Source`: `(LocURI, LocName?)` (a Filter, 1.2 only, is not modelled).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub loc_uri: String,
    pub loc_name: Option<String>,
}

/// `<!ELEMENT Cred (Meta?, Data)>`: credentials; Meta Type names the scheme
/// (`syncml:auth-basic`, `syncml:auth-md5`) and Format the encoding (`b64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cred {
    pub meta: Option<Meta>,
    pub data: String,
}

/// `<!ELEMENT Chal (Meta)>`: an authentication challenge (Type, Format, NextNonce).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chal {
    pub meta: Meta,
}

impl SyncHdr {
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        let ver = el.required_text("VerDTD")?;
        Ok(SyncHdr {
            ver_dtd: VerDtd::parse(&ver).ok_or(Error::UnsupportedVersion(ver))?,
            ver_proto: el.required_text("VerProto")?,
            session_id: el.required_text("SessionID")?,
            msg_id: el.required_number("MsgID")?,
            target: Location::from_element(el.required("Target")?)?,
            source: Location::from_element(el.required("Source")?)?,
            resp_uri: el.optional_text("RespURI")?,
            no_resp: el.has("NoResp"),
            cred: el.child("Cred").map(Cred::from_element).transpose()?,
            meta: el.child("Meta").map(Meta::from_element).transpose()?,
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "SyncHdr");
        el.push_leaf(NS, "VerDTD", self.ver_dtd.as_str());
        el.push_leaf(NS, "VerProto", &*self.ver_proto);
        el.push_leaf(NS, "SessionID", &*self.session_id);
        el.push_leaf(NS, "MsgID", self.msg_id.to_string());
        el.push(self.target.to_element("Target"));
        el.push(self.source.to_element("Source"));
        el.push_opt(NS, "RespURI", self.resp_uri.as_deref());
        el.push_flag(NS, "NoResp", self.no_resp);
        if let Some(cred) = &self.cred {
            el.push(cred.to_element());
        }
        if let Some(meta) = &self.meta {
            el.push(meta.to_element());
        }
        el
    }
}

impl Location {
    pub fn new(loc_uri: impl Into<String>) -> Self {
        Location {
            loc_uri: loc_uri.into(),
            loc_name: None,
        }
    }

    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        Ok(Location {
            loc_uri: el.required_text("LocURI")?,
            loc_name: el.optional_text("LocName")?,
        })
    }

    pub(crate) fn to_element(&self, name: &'static str) -> Element {
        let mut el = Element::new(NS, name);
        el.push_leaf(NS, "LocURI", &*self.loc_uri);
        el.push_opt(NS, "LocName", self.loc_name.as_deref());
        el
    }
}

impl Cred {
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        Ok(Cred {
            meta: el.child("Meta").map(Meta::from_element).transpose()?,
            data: el.required_text("Data")?,
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Cred");
        if let Some(meta) = &self.meta {
            el.push(meta.to_element());
        }
        el.push_leaf(NS, "Data", &*self.data);
        el
    }
}

impl Chal {
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        Ok(Chal {
            meta: Meta::from_element(el.required("Meta")?)?,
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Chal");
        el.push(self.meta.to_element());
        el
    }
}
