//! Meta: the MetInf elements (SyncML Meta-Information DTD 1.2 §5) carried in `Meta`.

use crate::element::{Element, Namespace};
use crate::error::Result;

const MI: Namespace = Namespace::MetInf;

/// `<!ELEMENT MetInf (FieldLevel?, Format?, Type?, Mark?, Size?, Anchor?, Version?,
/// NextNonce?, MaxMsgSize?, MaxObjSize?, EMI*, Mem?)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub field_level: bool,
    /// `b64`, `bin`, `chr`, ...
    pub format: Option<String>,
    /// MetInf `Type`: a MIME type or an auth scheme such as `syncml:auth-md5`.
    pub type_: Option<String>,
    pub mark: Option<String>,
    /// Size of the whole object, sent with the first chunk of a large object.
    pub size: Option<u64>,
    pub anchor: Option<Anchor>,
    pub version: Option<String>,
    pub next_nonce: Option<String>,
    pub max_msg_size: Option<u64>,
    pub max_obj_size: Option<u64>,
    /// Experimental meta information, kept verbatim.
    pub emi: Vec<String>,
    pub mem: Option<Mem>,
}

/// `<!ELEMENT Anchor (Last?, Next)>`: sync anchors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchor {
    pub last: Option<String>,
    pub next: String,
}

/// `<!ELEMENT Mem (SharedMem?, FreeMem, FreeID)>`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mem {
    pub shared_mem: bool,
    pub free_mem: Option<u64>,
    pub free_id: Option<u64>,
}

impl Meta {
    /// A Meta holding only a Type.
    pub fn with_type(type_: impl Into<String>) -> Self {
        Meta {
            type_: Some(type_.into()),
            ..Meta::default()
        }
    }

    /// Reads `<Meta>`; a `<MetInf>` wrapper inside it is looked through.
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        let el = el.child("MetInf").unwrap_or(el);
        Ok(Meta {
            field_level: el.has("FieldLevel"),
            format: el.optional_text("Format")?,
            type_: el.optional_text("Type")?,
            mark: el.optional_text("Mark")?,
            size: el.optional_number("Size")?,
            anchor: el.child("Anchor").map(Anchor::from_element).transpose()?,
            version: el.optional_text("Version")?,
            next_nonce: el.optional_text("NextNonce")?,
            max_msg_size: el.optional_number("MaxMsgSize")?,
            max_obj_size: el.optional_number("MaxObjSize")?,
            emi: el.texts("EMI")?,
            mem: el.child("Mem").map(Mem::from_element).transpose()?,
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(Namespace::SyncMl, "Meta");
        el.push_flag(MI, "FieldLevel", self.field_level);
        el.push_opt(MI, "Format", self.format.as_deref());
        el.push_opt(MI, "Type", self.type_.as_deref());
        el.push_opt(MI, "Mark", self.mark.as_deref());
        el.push_num(MI, "Size", self.size);
        if let Some(anchor) = &self.anchor {
            el.push(anchor.to_element());
        }
        el.push_opt(MI, "Version", self.version.as_deref());
        el.push_opt(MI, "NextNonce", self.next_nonce.as_deref());
        el.push_num(MI, "MaxMsgSize", self.max_msg_size);
        el.push_num(MI, "MaxObjSize", self.max_obj_size);
        for emi in &self.emi {
            el.push_leaf(MI, "EMI", &**emi);
        }
        if let Some(mem) = &self.mem {
            el.push(mem.to_element());
        }
        el
    }
}

impl Anchor {
    pub(crate) fn from_element(el: &Element) -> Result<Self> {
        Ok(Anchor {
            last: el.optional_text("Last")?,
            next: el.required_text("Next")?,
        })
    }

    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::new(MI, "Anchor");
        el.push_opt(MI, "Last", self.last.as_deref());
        el.push_leaf(MI, "Next", &*self.next);
        el
    }
}

impl Mem {
    fn from_element(el: &Element) -> Result<Self> {
        Ok(Mem {
            shared_mem: el.has("SharedMem"),
            free_mem: el.optional_number("FreeMem")?,
            free_id: el.optional_number("FreeID")?,
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new(MI, "Mem");
        el.push_flag(MI, "SharedMem", self.shared_mem);
        el.push_num(MI, "FreeMem", self.free_mem);
        el.push_num(MI, "FreeID", self.free_id);
        el
    }
}
