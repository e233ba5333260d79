//! The commands of SyncBody (SyncML RepPro 1.2 §6), one struct per DTD shape.

use super::alert::AlertCode;
use super::hdr::{Chal, Cred, Location};
use super::item::Item;
use super::meta::Meta;
use super::status::StatusCode;
use crate::element::{Element, Namespace};
use crate::error::Result;

const NS: Namespace = Namespace::SyncMl;

/// One command of SyncBody, Sync, Atomic or Sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Add(Change),
    Replace(Change),
    Copy(Change),
    Move(Change),
    Delete(Delete),
    Alert(Alert),
    Status(Status),
    Sync(Sync),
    Put(Put),
    Get(Get),
    Results(Results),
    Map(Map),
    Atomic(Container),
    Sequence(Container),
    /// A command this crate does not model (Exec, Search, extensions), kept as read.
    Unknown(Element),
}

/// `<!ELEMENT Add (CmdID, NoResp?, Cred?, Meta?, Item+)>`; Replace, Copy and Move have
/// the same content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub cmd_id: u32,
    pub no_resp: bool,
    pub cred: Option<Cred>,
    pub meta: Option<Meta>,
    pub items: Vec<Item>,
}

/// `<!ELEMENT Delete (CmdID, NoResp?, Archive?, SftDel?, Cred?, Meta?, Item+)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delete {
    pub cmd_id: u32,
    pub no_resp: bool,
    pub archive: bool,
    pub sft_del: bool,
    pub cred: Option<Cred>,
    pub meta: Option<Meta>,
    pub items: Vec<Item>,
}

/// `<!ELEMENT Alert (CmdID, NoResp?, Cred?, Data?, Correlator?, Item*)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alert {
    pub cmd_id: u32,
    pub no_resp: bool,
    pub cred: Option<Cred>,
    pub data: Option<AlertCode>,
    pub correlator: Option<String>,
    pub items: Vec<Item>,
}

/// `<!ELEMENT Status (CmdID, MsgRef, CmdRef, Cmd, TargetRef*, SourceRef*, Cred?, Chal?,
/// Data, Item*)>`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub cmd_id: u32,
    pub msg_ref: u32,
    /// CmdID of the command answered; 0 for SyncHdr.
    pub cmd_ref: u32,
    /// Name of the command answered: `SyncHdr`, `Alert`, `Add`, ...
    pub cmd: String,
    pub target_refs: Vec<String>,
    pub source_refs: Vec<String>,
    pub cred: Option<Cred>,
    pub chal: Option<Chal>,
    pub data: StatusCode,
    pub items: Vec<Item>,
}

/// `<!ELEMENT Sync (CmdID, NoResp?, Cred?, Target?, Source?, Meta?, NumberOfChanges?,
/// (Add | Atomic | Copy | Delete | Move | Replace | Sequence)*)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sync {
    pub cmd_id: u32,
    pub no_resp: bool,
    pub cred: Option<Cred>,
    pub target: Option<Location>,
    pub source: Option<Location>,
    pub meta: Option<Meta>,
    pub number_of_changes: Option<u32>,
    pub commands: Vec<Command>,
}

/// `<!ELEMENT Put (CmdID, NoResp?, Lang?, Cred?, Meta?, Item+)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Put {
    pub cmd_id: u32,
    pub no_resp: bool,
    pub lang: Option<String>,
    pub cred: Option<Cred>,
    pub meta: Option<Meta>,
    pub items: Vec<Item>,
}

/// `<!ELEMENT Get (CmdID, NoResp?, Lang?, Cred?, Meta?, Item+)>`: the same shape as Put.
pub type Get = Put;

/// `<!ELEMENT Results (CmdID, MsgRef?, CmdRef, Meta?, TargetRef*, SourceRef*, Item+)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    pub cmd_id: u32,
    pub msg_ref: Option<u32>,
    pub cmd_ref: u32,
    pub meta: Option<Meta>,
    pub target_refs: Vec<String>,
    pub source_refs: Vec<String>,
    pub items: Vec<Item>,
}

/// `<!ELEMENT Map (CmdID, Target, Source, Cred?, Meta?, MapItem+)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Map {
    pub cmd_id: u32,
    pub target: Location,
    pub source: Location,
    pub cred: Option<Cred>,
    pub meta: Option<Meta>,
    pub map_items: Vec<MapItem>,
}

/// `<!ELEMENT MapItem (Target, Source)>`: server LUID (Target) ↔ client LUID (Source).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapItem {
    pub target: Location,
    pub source: Location,
}

/// `Atomic` and `Sequence`: `(CmdID, NoResp?, Meta?, (commands)+)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    pub cmd_id: u32,
    pub no_resp: bool,
    pub meta: Option<Meta>,
    pub commands: Vec<Command>,
}

impl Command {
    /// The element name of the command, as a Status `Cmd` names it.
    pub fn name(&self) -> &str {
        match self {
            Command::Add(_) => "Add",
            Command::Replace(_) => "Replace",
            Command::Copy(_) => "Copy",
            Command::Move(_) => "Move",
            Command::Delete(_) => "Delete",
            Command::Alert(_) => "Alert",
            Command::Status(_) => "Status",
            Command::Sync(_) => "Sync",
            Command::Put(_) => "Put",
            Command::Get(_) => "Get",
            Command::Results(_) => "Results",
            Command::Map(_) => "Map",
            Command::Atomic(_) => "Atomic",
            Command::Sequence(_) => "Sequence",
            Command::Unknown(el) => &el.name,
        }
    }

    /// The CmdID (None for an unknown command without a numeric one).
    pub fn cmd_id(&self) -> Option<u32> {
        Some(match self {
            Command::Add(c) | Command::Replace(c) | Command::Copy(c) | Command::Move(c) => c.cmd_id,
            Command::Delete(c) => c.cmd_id,
            Command::Alert(c) => c.cmd_id,
            Command::Status(c) => c.cmd_id,
            Command::Sync(c) => c.cmd_id,
            Command::Put(c) | Command::Get(c) => c.cmd_id,
            Command::Results(c) => c.cmd_id,
            Command::Map(c) => c.cmd_id,
            Command::Atomic(c) | Command::Sequence(c) => c.cmd_id,
            Command::Unknown(el) => return el.optional_number("CmdID").ok().flatten(),
        })
    }

    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        Ok(match el.name.as_ref() {
            "Add" => Command::Add(Change::from_element(el)?),
            "Replace" => Command::Replace(Change::from_element(el)?),
            "Copy" => Command::Copy(Change::from_element(el)?),
            "Move" => Command::Move(Change::from_element(el)?),
            "Delete" => Command::Delete(Delete::from_element(el)?),
            "Alert" => Command::Alert(Alert::from_element(el)?),
            "Status" => Command::Status(Status::from_element(el)?),
            "Sync" => Command::Sync(Sync::from_element(el)?),
            "Put" => Command::Put(Put::from_element(el)?),
            "Get" => Command::Get(Put::from_element(el)?),
            "Results" => Command::Results(Results::from_element(el)?),
            "Map" => Command::Map(Map::from_element(el)?),
            "Atomic" => Command::Atomic(Container::from_element(el)?),
            "Sequence" => Command::Sequence(Container::from_element(el)?),
            _ => Command::Unknown(el.clone()),
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        match self {
            Command::Add(c) => c.to_element("Add"),
            Command::Replace(c) => c.to_element("Replace"),
            Command::Copy(c) => c.to_element("Copy"),
            Command::Move(c) => c.to_element("Move"),
            Command::Delete(c) => c.to_element(),
            Command::Alert(c) => c.to_element(),
            Command::Status(c) => c.to_element(),
            Command::Sync(c) => c.to_element(),
            Command::Put(c) => c.to_element("Put"),
            Command::Get(c) => c.to_element("Get"),
            Command::Results(c) => c.to_element(),
            Command::Map(c) => c.to_element(),
            Command::Atomic(c) => c.to_element("Atomic"),
            Command::Sequence(c) => c.to_element("Sequence"),
            Command::Unknown(el) => el.clone(),
        }
    }
}

fn items(el: &Element) -> Result<Vec<Item>> {
    el.children_named("Item").map(Item::from_element).collect()
}

fn cred(el: &Element) -> Result<Option<Cred>> {
    el.child("Cred").map(Cred::from_element).transpose()
}

fn meta(el: &Element) -> Result<Option<Meta>> {
    el.child("Meta").map(Meta::from_element).transpose()
}

/// Nested commands of Sync, Atomic and Sequence: every child that is not part of the
/// container's own header.
fn nested(el: &Element, header: &[&str]) -> Result<Vec<Command>> {
    el.elements()
        .filter(|c| !header.contains(&c.name.as_ref()))
        .map(Command::from_element)
        .collect()
}

fn push_common(el: &mut Element, cred: &Option<Cred>, meta: &Option<Meta>) {
    if let Some(cred) = cred {
        el.push(cred.to_element());
    }
    if let Some(meta) = meta {
        el.push(meta.to_element());
    }
}

fn push_items(el: &mut Element, items: &[Item]) {
    for item in items {
        el.push(item.to_element());
    }
}

impl Change {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Change {
            cmd_id: el.required_number("CmdID")?,
            no_resp: el.has("NoResp"),
            cred: cred(el)?,
            meta: meta(el)?,
            items: items(el)?,
        })
    }

    fn to_element(&self, name: &'static str) -> Element {
        let mut el = Element::new(NS, name);
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_flag(NS, "NoResp", self.no_resp);
        push_common(&mut el, &self.cred, &self.meta);
        push_items(&mut el, &self.items);
        el
    }
}

impl Delete {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Delete {
            cmd_id: el.required_number("CmdID")?,
            no_resp: el.has("NoResp"),
            archive: el.has("Archive"),
            sft_del: el.has("SftDel"),
            cred: cred(el)?,
            meta: meta(el)?,
            items: items(el)?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Delete");
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_flag(NS, "NoResp", self.no_resp);
        el.push_flag(NS, "Archive", self.archive);
        el.push_flag(NS, "SftDel", self.sft_del);
        push_common(&mut el, &self.cred, &self.meta);
        push_items(&mut el, &self.items);
        el
    }
}

impl Alert {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Alert {
            cmd_id: el.required_number("CmdID")?,
            no_resp: el.has("NoResp"),
            cred: cred(el)?,
            data: el.optional_number::<u16>("Data")?.map(AlertCode),
            correlator: el.optional_text("Correlator")?,
            items: items(el)?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Alert");
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_flag(NS, "NoResp", self.no_resp);
        push_common(&mut el, &self.cred, &None);
        el.push_num(NS, "Data", self.data.map(|c| c.0));
        el.push_opt(NS, "Correlator", self.correlator.as_deref());
        push_items(&mut el, &self.items);
        el
    }
}

impl Status {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Status {
            cmd_id: el.required_number("CmdID")?,
            msg_ref: el.required_number("MsgRef")?,
            cmd_ref: el.required_number("CmdRef")?,
            cmd: el.required_text("Cmd")?,
            target_refs: el.texts("TargetRef")?,
            source_refs: el.texts("SourceRef")?,
            cred: cred(el)?,
            chal: el.child("Chal").map(Chal::from_element).transpose()?,
            data: StatusCode(el.required_number("Data")?),
            items: items(el)?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Status");
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_leaf(NS, "MsgRef", self.msg_ref.to_string());
        el.push_leaf(NS, "CmdRef", self.cmd_ref.to_string());
        el.push_leaf(NS, "Cmd", &*self.cmd);
        for r in &self.target_refs {
            el.push_leaf(NS, "TargetRef", &**r);
        }
        for r in &self.source_refs {
            el.push_leaf(NS, "SourceRef", &**r);
        }
        push_common(&mut el, &self.cred, &None);
        if let Some(chal) = &self.chal {
            el.push(chal.to_element());
        }
        el.push_leaf(NS, "Data", self.data.0.to_string());
        push_items(&mut el, &self.items);
        el
    }
}

const SYNC_HEADER: &[&str] = &[
    "CmdID",
    "NoResp",
    "Cred",
    "Target",
    "Source",
    "Meta",
    "NumberOfChanges",
];

impl Sync {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Sync {
            cmd_id: el.required_number("CmdID")?,
            no_resp: el.has("NoResp"),
            cred: cred(el)?,
            target: el.child("Target").map(Location::from_element).transpose()?,
            source: el.child("Source").map(Location::from_element).transpose()?,
            meta: meta(el)?,
            number_of_changes: el.optional_number("NumberOfChanges")?,
            commands: nested(el, SYNC_HEADER)?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Sync");
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_flag(NS, "NoResp", self.no_resp);
        push_common(&mut el, &self.cred, &None);
        if let Some(t) = &self.target {
            el.push(t.to_element("Target"));
        }
        if let Some(s) = &self.source {
            el.push(s.to_element("Source"));
        }
        push_common(&mut el, &None, &self.meta);
        el.push_num(NS, "NumberOfChanges", self.number_of_changes);
        for cmd in &self.commands {
            el.push(cmd.to_element());
        }
        el
    }
}

impl Put {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Put {
            cmd_id: el.required_number("CmdID")?,
            no_resp: el.has("NoResp"),
            lang: el.optional_text("Lang")?,
            cred: cred(el)?,
            meta: meta(el)?,
            items: items(el)?,
        })
    }

    fn to_element(&self, name: &'static str) -> Element {
        let mut el = Element::new(NS, name);
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_flag(NS, "NoResp", self.no_resp);
        el.push_opt(NS, "Lang", self.lang.as_deref());
        push_common(&mut el, &self.cred, &self.meta);
        push_items(&mut el, &self.items);
        el
    }
}

impl Results {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Results {
            cmd_id: el.required_number("CmdID")?,
            msg_ref: el.optional_number("MsgRef")?,
            cmd_ref: el.required_number("CmdRef")?,
            meta: meta(el)?,
            target_refs: el.texts("TargetRef")?,
            source_refs: el.texts("SourceRef")?,
            items: items(el)?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Results");
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_num(NS, "MsgRef", self.msg_ref);
        el.push_leaf(NS, "CmdRef", self.cmd_ref.to_string());
        push_common(&mut el, &None, &self.meta);
        for r in &self.target_refs {
            el.push_leaf(NS, "TargetRef", &**r);
        }
        for r in &self.source_refs {
            el.push_leaf(NS, "SourceRef", &**r);
        }
        push_items(&mut el, &self.items);
        el
    }
}

impl Map {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Map {
            cmd_id: el.required_number("CmdID")?,
            target: Location::from_element(el.required("Target")?)?,
            source: Location::from_element(el.required("Source")?)?,
            cred: cred(el)?,
            meta: meta(el)?,
            map_items: el
                .children_named("MapItem")
                .map(MapItem::from_element)
                .collect::<Result<_>>()?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Map");
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push(self.target.to_element("Target"));
        el.push(self.source.to_element("Source"));
        push_common(&mut el, &self.cred, &self.meta);
        for item in &self.map_items {
            el.push(item.to_element());
        }
        el
    }
}

impl MapItem {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(MapItem {
            target: Location::from_element(el.required("Target")?)?,
            source: Location::from_element(el.required("Source")?)?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "MapItem");
        el.push(self.target.to_element("Target"));
        el.push(self.source.to_element("Source"));
        el
    }
}

impl Container {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Container {
            cmd_id: el.required_number("CmdID")?,
            no_resp: el.has("NoResp"),
            meta: meta(el)?,
            commands: nested(el, &["CmdID", "NoResp", "Meta"])?,
        })
    }

    fn to_element(&self, name: &'static str) -> Element {
        let mut el = Element::new(NS, name);
        el.push_leaf(NS, "CmdID", self.cmd_id.to_string());
        el.push_flag(NS, "NoResp", self.no_resp);
        push_common(&mut el, &None, &self.meta);
        for cmd in &self.commands {
            el.push(cmd.to_element());
        }
        el
    }
}
