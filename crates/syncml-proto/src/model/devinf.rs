//! Device information (OMA DS DevInf 1.2, SyncML DevInf 1.1), sent in Put and Results of
//! `./devinf12` / `./devinf11`.

use super::VerDtd;
use crate::element::{Element, Namespace};
use crate::error::{Error, Result};

const NS: Namespace = Namespace::DevInf;

/// `<!ELEMENT DevInf (VerDTD, Man?, Mod?, OEM?, FwV?, SwV?, HwV?, DevID, DevTyp, UTC?,
/// SupportLargeObjs?, SupportNumberOfChanges?, DataStore+, CTCap*, Ext*)>`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevInf {
    pub ver_dtd: VerDtd,
    pub man: Option<String>,
    pub mod_: Option<String>,
    pub oem: Option<String>,
    pub fw_v: Option<String>,
    pub sw_v: Option<String>,
    pub hw_v: Option<String>,
    pub dev_id: String,
    /// `phone`, `pda`, `server`, `workstation`, ...
    pub dev_typ: String,
    pub utc: bool,
    pub support_large_objs: bool,
    pub support_number_of_changes: bool,
    pub data_stores: Vec<DataStore>,
    /// DevInf 1.1 puts CTCap beside the DataStores (one element listing every type);
    /// 1.2 moved it into DataStore.
    pub ct_caps: Vec<CtCap>,
    pub exts: Vec<Ext>,
}

/// `<!ELEMENT DataStore (SourceRef, DisplayName?, MaxGUIDSize?, Rx-Pref, Rx*, Tx-Pref,
/// Tx*, CTCap*, DSMem?, SupportHierarchicalSync?, SyncCap, Filter-Rx*, FilterCap*)>`
/// (filters are not modelled).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataStore {
    pub source_ref: String,
    pub display_name: Option<String>,
    pub max_guid_size: Option<u32>,
    pub rx_pref: ContentType,
    pub rx: Vec<ContentType>,
    pub tx_pref: ContentType,
    pub tx: Vec<ContentType>,
    pub ct_caps: Vec<CtCap>,
    pub ds_mem: Option<DsMem>,
    pub support_hierarchical_sync: bool,
    /// SyncCap's SyncType values: 1 two-way, 2 slow, 3/4 one-way/refresh from client,
    /// 5/6 one-way/refresh from server, 7 server alerted; vendors add their own (the
    /// Synthesis engine sends 390001 and up), so they are kept as sent.
    pub sync_types: Vec<String>,
}

/// `Rx-Pref`, `Rx`, `Tx-Pref`, `Tx`: `(CTType, VerCT)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentType {
    pub ct_type: String,
    pub ver_ct: String,
}

/// `<!ELEMENT CTCap (CTType, VerCT, FieldLevel?, Property+)>` (1.2). A 1.1 CTCap, a flat
/// list of CTType/PropName/ParamName runs, is read into the same shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CtCap {
    pub ct_type: String,
    pub ver_ct: Option<String>,
    pub field_level: bool,
    pub properties: Vec<Property>,
}

/// `<!ELEMENT Property (PropName, DataType?, MaxOccur?, MaxSize?, NoTruncate?, ValEnum*,
/// DisplayName?, PropParam*)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Property {
    pub prop_name: String,
    pub data_type: Option<String>,
    pub max_occur: Option<u32>,
    /// `MaxSize` (1.2) or `Size` (1.1).
    pub max_size: Option<u32>,
    pub no_truncate: bool,
    pub val_enums: Vec<String>,
    pub display_name: Option<String>,
    pub params: Vec<PropParam>,
}

/// `<!ELEMENT PropParam (ParamName, DataType?, ValEnum*, DisplayName?)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropParam {
    pub param_name: String,
    pub data_type: Option<String>,
    pub val_enums: Vec<String>,
    pub display_name: Option<String>,
}

/// `<!ELEMENT DSMem (SharedMem?, MaxMem?, MaxID?)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsMem {
    pub shared_mem: bool,
    pub max_mem: Option<u64>,
    pub max_id: Option<u64>,
}

/// `<!ELEMENT Ext (XNam, XVal*)>`: a vendor extension.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ext {
    pub x_nam: String,
    pub x_val: Vec<String>,
}

impl DevInf {
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        let ver = el.required_text("VerDTD")?;
        let mut ct_caps = Vec::new();
        for cap in el.children_named("CTCap") {
            ct_caps.extend(CtCap::read_all(cap)?);
        }
        Ok(DevInf {
            ver_dtd: VerDtd::parse(&ver).ok_or(Error::UnsupportedVersion(ver))?,
            man: el.optional_text("Man")?,
            mod_: el.optional_text("Mod")?,
            oem: el.optional_text("OEM")?,
            fw_v: el.optional_text("FwV")?,
            sw_v: el.optional_text("SwV")?,
            hw_v: el.optional_text("HwV")?,
            dev_id: el.required_text("DevID")?,
            dev_typ: el.required_text("DevTyp")?,
            utc: el.has("UTC"),
            support_large_objs: el.has("SupportLargeObjs"),
            support_number_of_changes: el.has("SupportNumberOfChanges"),
            data_stores: el
                .children_named("DataStore")
                .map(DataStore::from_element)
                .collect::<Result<_>>()?,
            ct_caps,
            exts: el
                .children_named("Ext")
                .map(Ext::from_element)
                .collect::<Result<_>>()?,
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "DevInf");
        el.push_leaf(NS, "VerDTD", self.ver_dtd.as_str());
        el.push_opt(NS, "Man", self.man.as_deref());
        el.push_opt(NS, "Mod", self.mod_.as_deref());
        el.push_opt(NS, "OEM", self.oem.as_deref());
        el.push_opt(NS, "FwV", self.fw_v.as_deref());
        el.push_opt(NS, "SwV", self.sw_v.as_deref());
        el.push_opt(NS, "HwV", self.hw_v.as_deref());
        el.push_leaf(NS, "DevID", &*self.dev_id);
        el.push_leaf(NS, "DevTyp", &*self.dev_typ);
        el.push_flag(NS, "UTC", self.utc);
        el.push_flag(NS, "SupportLargeObjs", self.support_large_objs);
        el.push_flag(NS, "SupportNumberOfChanges", self.support_number_of_changes);
        for ds in &self.data_stores {
            el.push(ds.to_element(self.ver_dtd));
        }
        if !self.ct_caps.is_empty() {
            if self.ver_dtd == VerDtd::V1_2 {
                for cap in &self.ct_caps {
                    el.push(cap.to_element());
                }
            } else {
                el.push(CtCap::to_flat_element(&self.ct_caps));
            }
        }
        for ext in &self.exts {
            el.push(ext.to_element());
        }
        el
    }
}

impl DataStore {
    fn from_element(el: &Element) -> Result<Self> {
        let mut ct_caps = Vec::new();
        for cap in el.children_named("CTCap") {
            ct_caps.extend(CtCap::read_all(cap)?);
        }
        let sync_types = match el.child("SyncCap") {
            Some(cap) => cap
                .children_named("SyncType")
                .map(Element::text)
                .collect::<Result<_>>()?,
            None => Vec::new(),
        };
        Ok(DataStore {
            source_ref: el.required_text("SourceRef")?,
            display_name: el.optional_text("DisplayName")?,
            max_guid_size: el.optional_number("MaxGUIDSize")?,
            rx_pref: ContentType::from_element(el.required("Rx-Pref")?)?,
            rx: content_types(el, "Rx")?,
            tx_pref: ContentType::from_element(el.required("Tx-Pref")?)?,
            tx: content_types(el, "Tx")?,
            ct_caps,
            ds_mem: el.child("DSMem").map(DsMem::from_element).transpose()?,
            support_hierarchical_sync: el.has("SupportHierarchicalSync"),
            sync_types,
        })
    }

    fn to_element(&self, ver: VerDtd) -> Element {
        let mut el = Element::new(NS, "DataStore");
        el.push_leaf(NS, "SourceRef", &*self.source_ref);
        el.push_opt(NS, "DisplayName", self.display_name.as_deref());
        el.push_num(NS, "MaxGUIDSize", self.max_guid_size);
        el.push(self.rx_pref.to_element("Rx-Pref"));
        for rx in &self.rx {
            el.push(rx.to_element("Rx"));
        }
        el.push(self.tx_pref.to_element("Tx-Pref"));
        for tx in &self.tx {
            el.push(tx.to_element("Tx"));
        }
        if ver == VerDtd::V1_2 {
            for cap in &self.ct_caps {
                el.push(cap.to_element());
            }
        } else if !self.ct_caps.is_empty() {
            el.push(CtCap::to_flat_element(&self.ct_caps));
        }
        if let Some(mem) = &self.ds_mem {
            el.push(mem.to_element());
        }
        el.push_flag(
            NS,
            "SupportHierarchicalSync",
            self.support_hierarchical_sync,
        );
        let mut cap = Element::new(NS, "SyncCap");
        for t in &self.sync_types {
            cap.push_leaf(NS, "SyncType", &**t);
        }
        el.push(cap);
        el
    }
}

fn content_types(el: &Element, name: &str) -> Result<Vec<ContentType>> {
    el.children_named(name)
        .map(ContentType::from_element)
        .collect()
}

impl ContentType {
    pub fn new(ct_type: impl Into<String>, ver_ct: impl Into<String>) -> Self {
        ContentType {
            ct_type: ct_type.into(),
            ver_ct: ver_ct.into(),
        }
    }

    fn from_element(el: &Element) -> Result<Self> {
        Ok(ContentType {
            ct_type: el.required_text("CTType")?,
            ver_ct: el.optional_text("VerCT")?.unwrap_or_default(),
        })
    }

    fn to_element(&self, name: &'static str) -> Element {
        let mut el = Element::new(NS, name);
        el.push_leaf(NS, "CTType", &*self.ct_type);
        el.push_leaf(NS, "VerCT", &*self.ver_ct);
        el
    }
}

impl CtCap {
    /// One CTCap element: the 1.2 form holds one type with Property children; the 1.1
    /// form is a flat run that may describe several types.
    fn read_all(el: &Element) -> Result<Vec<CtCap>> {
        if el.has("Property") {
            return Ok(vec![CtCap {
                ct_type: el.required_text("CTType")?,
                ver_ct: el.optional_text("VerCT")?,
                field_level: el.has("FieldLevel"),
                properties: el
                    .children_named("Property")
                    .map(Property::from_element)
                    .collect::<Result<_>>()?,
            }]);
        }
        read_flat(el)
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "CTCap");
        el.push_leaf(NS, "CTType", &*self.ct_type);
        el.push_opt(NS, "VerCT", self.ver_ct.as_deref());
        el.push_flag(NS, "FieldLevel", self.field_level);
        for p in &self.properties {
            el.push(p.to_element());
        }
        el
    }

    /// DevInf 1.1 §5.3: `(CTType, (PropName, (ValEnum+ | (DataType, Size?))?,
    /// DisplayName?, (ParamName, ...)*)+)+` in one element.
    fn to_flat_element(caps: &[CtCap]) -> Element {
        let mut el = Element::new(NS, "CTCap");
        for cap in caps {
            el.push_leaf(NS, "CTType", &*cap.ct_type);
            el.push_opt(NS, "VerCT", cap.ver_ct.as_deref());
            for p in &cap.properties {
                el.push_leaf(NS, "PropName", &*p.prop_name);
                flat_values(&mut el, &p.val_enums, &p.data_type, p.max_size);
                el.push_opt(NS, "DisplayName", p.display_name.as_deref());
                for param in &p.params {
                    el.push_leaf(NS, "ParamName", &*param.param_name);
                    flat_values(&mut el, &param.val_enums, &param.data_type, None);
                    el.push_opt(NS, "DisplayName", param.display_name.as_deref());
                }
            }
        }
        el
    }
}

fn flat_values(
    el: &mut Element,
    val_enums: &[String],
    data_type: &Option<String>,
    size: Option<u32>,
) {
    for v in val_enums {
        el.push_leaf(NS, "ValEnum", &**v);
    }
    el.push_opt(NS, "DataType", data_type.as_deref());
    el.push_num(NS, "Size", size);
}

/// Reads the flat 1.1 form: each CTType starts a type, each PropName a property, each
/// ParamName a parameter; the other elements belong to the innermost open one.
fn read_flat(el: &Element) -> Result<Vec<CtCap>> {
    let mut caps: Vec<CtCap> = Vec::new();
    for child in el.elements() {
        if child.name == "CTType" {
            caps.push(CtCap {
                ct_type: child.text()?,
                ..CtCap::default()
            });
            continue;
        }
        let Some(cap) = caps.last_mut() else {
            return Err(Error::MissingElement {
                parent: "CTCap".into(),
                element: "CTType",
            });
        };
        match child.name.as_ref() {
            "VerCT" => cap.ver_ct = Some(child.text()?),
            "FieldLevel" => cap.field_level = true,
            "PropName" => cap.properties.push(Property {
                prop_name: child.text()?,
                ..Property::default()
            }),
            _ => read_flat_value(cap, child)?,
        }
    }
    Ok(caps)
}

fn read_flat_value(cap: &mut CtCap, child: &Element) -> Result<()> {
    let Some(prop) = cap.properties.last_mut() else {
        return Ok(()); // a value before any PropName: nothing to attach it to
    };
    if child.name == "ParamName" {
        prop.params.push(PropParam {
            param_name: child.text()?,
            ..PropParam::default()
        });
        return Ok(());
    }
    if let Some(param) = prop.params.last_mut() {
        match child.name.as_ref() {
            "ValEnum" => param.val_enums.push(child.text()?),
            "DataType" => param.data_type = Some(child.text()?),
            "DisplayName" => param.display_name = Some(child.text()?),
            _ => {}
        }
        return Ok(());
    }
    match child.name.as_ref() {
        "ValEnum" => prop.val_enums.push(child.text()?),
        "DataType" => prop.data_type = Some(child.text()?),
        "DisplayName" => prop.display_name = Some(child.text()?),
        "Size" | "MaxSize" => prop.max_size = Some(child.number()?),
        "MaxOccur" => prop.max_occur = Some(child.number()?),
        "NoTruncate" => prop.no_truncate = true,
        _ => {}
    }
    Ok(())
}

impl Property {
    fn from_element(el: &Element) -> Result<Self> {
        let max_size = match el.child("MaxSize").or_else(|| el.child("Size")) {
            Some(s) => Some(s.number()?),
            None => None,
        };
        Ok(Property {
            prop_name: el.required_text("PropName")?,
            data_type: el.optional_text("DataType")?,
            max_occur: el.optional_number("MaxOccur")?,
            max_size,
            no_truncate: el.has("NoTruncate"),
            val_enums: el.texts("ValEnum")?,
            display_name: el.optional_text("DisplayName")?,
            params: el
                .children_named("PropParam")
                .map(PropParam::from_element)
                .collect::<Result<_>>()?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Property");
        el.push_leaf(NS, "PropName", &*self.prop_name);
        el.push_opt(NS, "DataType", self.data_type.as_deref());
        el.push_num(NS, "MaxOccur", self.max_occur);
        el.push_num(NS, "MaxSize", self.max_size);
        el.push_flag(NS, "NoTruncate", self.no_truncate);
        for v in &self.val_enums {
            el.push_leaf(NS, "ValEnum", &**v);
        }
        el.push_opt(NS, "DisplayName", self.display_name.as_deref());
        for p in &self.params {
            el.push(p.to_element());
        }
        el
    }
}

impl PropParam {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(PropParam {
            param_name: el.required_text("ParamName")?,
            data_type: el.optional_text("DataType")?,
            val_enums: el.texts("ValEnum")?,
            display_name: el.optional_text("DisplayName")?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "PropParam");
        el.push_leaf(NS, "ParamName", &*self.param_name);
        el.push_opt(NS, "DataType", self.data_type.as_deref());
        for v in &self.val_enums {
            el.push_leaf(NS, "ValEnum", &**v);
        }
        el.push_opt(NS, "DisplayName", self.display_name.as_deref());
        el
    }
}

impl DsMem {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(DsMem {
            shared_mem: el.has("SharedMem"),
            max_mem: el.optional_number("MaxMem")?,
            max_id: el.optional_number("MaxID")?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "DSMem");
        el.push_flag(NS, "SharedMem", self.shared_mem);
        el.push_num(NS, "MaxMem", self.max_mem);
        el.push_num(NS, "MaxID", self.max_id);
        el
    }
}

impl Ext {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Ext {
            x_nam: el.required_text("XNam")?,
            x_val: el.texts("XVal")?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(NS, "Ext");
        el.push_leaf(NS, "XNam", &*self.x_nam);
        for v in &self.x_val {
            el.push_leaf(NS, "XVal", &**v);
        }
        el
    }
}
