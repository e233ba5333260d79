//! WBXML tag tokens and document public identifiers for SyncML, MetInf and DevInf.
//!
//! Token values are those of the OMA SyncML Representation Protocol 1.2 §8 (SyncML code
//! page 0, MetInf code page 1) and the OMA DS Device Information 1.2 §7 (DevInf code page
//! 0). Earlier versions use a prefix of the same tables.

use crate::element::Namespace;
use crate::model::VerDtd;

/// SyncML RepPro 1.2 §8.2, code page 0.
const SYNCML: &[(u8, &str)] = &[
    (0x05, "Add"),
    (0x06, "Alert"),
    (0x07, "Archive"),
    (0x08, "Atomic"),
    (0x09, "Chal"),
    (0x0A, "Cmd"),
    (0x0B, "CmdID"),
    (0x0C, "CmdRef"),
    (0x0D, "Copy"),
    (0x0E, "Cred"),
    (0x0F, "Data"),
    (0x10, "Delete"),
    (0x11, "Exec"),
    (0x12, "Final"),
    (0x13, "Get"),
    (0x14, "Item"),
    (0x15, "Lang"),
    (0x16, "LocName"),
    (0x17, "LocURI"),
    (0x18, "Map"),
    (0x19, "MapItem"),
    (0x1A, "Meta"),
    (0x1B, "MsgID"),
    (0x1C, "MsgRef"),
    (0x1D, "NoResp"),
    (0x1E, "NoResults"),
    (0x1F, "Put"),
    (0x20, "Replace"),
    (0x21, "RespURI"),
    (0x22, "Results"),
    (0x23, "Search"),
    (0x24, "Sequence"),
    (0x25, "SessionID"),
    (0x26, "SftDel"),
    (0x27, "Source"),
    (0x28, "SourceRef"),
    (0x29, "Status"),
    (0x2A, "Sync"),
    (0x2B, "SyncBody"),
    (0x2C, "SyncHdr"),
    (0x2D, "SyncML"),
    (0x2E, "Target"),
    (0x2F, "TargetRef"),
    (0x31, "VerDTD"),
    (0x32, "VerProto"),
    (0x33, "NumberOfChanges"),
    (0x34, "MoreData"),
    (0x35, "Field"),
    (0x36, "Filter"),
    (0x37, "Record"),
    (0x38, "FilterType"),
    (0x39, "SourceParent"),
    (0x3A, "TargetParent"),
    (0x3B, "Move"),
    (0x3C, "Correlator"),
];

/// SyncML RepPro 1.2 §8.2 / MetInf 1.2 §8, code page 1.
const METINF: &[(u8, &str)] = &[
    (0x05, "Anchor"),
    (0x06, "EMI"),
    (0x07, "Format"),
    (0x08, "FreeID"),
    (0x09, "FreeMem"),
    (0x0A, "Last"),
    (0x0B, "Mark"),
    (0x0C, "MaxMsgSize"),
    (0x0D, "Mem"),
    (0x0E, "MetInf"),
    (0x0F, "Next"),
    (0x10, "NextNonce"),
    (0x11, "SharedMem"),
    (0x12, "Size"),
    (0x13, "Type"),
    (0x14, "Version"),
    (0x15, "MaxObjSize"),
    (0x16, "FieldLevel"),
];

/// DevInf 1.2 §7, code page 0. Token 0x1C is `Size` in DevInf 1.0/1.1 and `MaxSize` in 1.2.
const DEVINF: &[(u8, &str)] = &[
    (0x05, "CTCap"),
    (0x06, "CTType"),
    (0x07, "DataStore"),
    (0x08, "DataType"),
    (0x09, "DevID"),
    (0x0A, "DevInf"),
    (0x0B, "DevTyp"),
    (0x0C, "DisplayName"),
    (0x0D, "DSMem"),
    (0x0E, "Ext"),
    (0x0F, "FwV"),
    (0x10, "HwV"),
    (0x11, "Man"),
    (0x12, "MaxGUIDSize"),
    (0x13, "MaxID"),
    (0x14, "MaxMem"),
    (0x15, "Mod"),
    (0x16, "OEM"),
    (0x17, "ParamName"),
    (0x18, "PropName"),
    (0x19, "Rx"),
    (0x1A, "Rx-Pref"),
    (0x1B, "SharedMem"),
    (0x1C, "MaxSize"),
    (0x1D, "SourceRef"),
    (0x1E, "SwV"),
    (0x1F, "SyncCap"),
    (0x20, "SyncType"),
    (0x21, "Tx"),
    (0x22, "Tx-Pref"),
    (0x23, "ValEnum"),
    (0x24, "VerCT"),
    (0x25, "VerDTD"),
    (0x26, "XNam"),
    (0x27, "XVal"),
    (0x28, "UTC"),
    (0x29, "SupportNumberOfChanges"),
    (0x2A, "SupportLargeObjs"),
    (0x2B, "Property"),
    (0x2C, "PropParam"),
    (0x2D, "MaxOccur"),
    (0x2E, "NoTruncate"),
    (0x30, "Filter-Rx"),
    (0x31, "FilterCap"),
    (0x32, "FilterKeyword"),
    (0x33, "FieldLevel"),
    (0x34, "SupportHierarchicalSync"),
];

/// The two kinds of WBXML document SyncML uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    SyncMl,
    DevInf,
}

/// Well-known public identifiers (OMNA WBXML public id registry).
const PUBLIC_IDS: &[(u32, DocKind, VerDtd)] = &[
    (0x0FD1, DocKind::SyncMl, VerDtd::V1_0),
    (0x0FD2, DocKind::DevInf, VerDtd::V1_0),
    (0x0FD3, DocKind::SyncMl, VerDtd::V1_1),
    (0x0FD4, DocKind::DevInf, VerDtd::V1_1),
    (0x1201, DocKind::SyncMl, VerDtd::V1_2),
    (0x1203, DocKind::DevInf, VerDtd::V1_2),
];

/// The numeric public identifier of a document type, where one is registered.
pub fn public_id(kind: DocKind, ver: VerDtd) -> u32 {
    PUBLIC_IDS
        .iter()
        .find(|(_, k, v)| *k == kind && *v == ver)
        .map_or(0x01, |(id, _, _)| *id)
}

/// The formal public identifier (`-//SYNCML//DTD SyncML 1.2//EN`) of a document type.
pub fn formal_public_id(kind: DocKind, ver: VerDtd) -> String {
    let name = match kind {
        DocKind::SyncMl => "SyncML",
        DocKind::DevInf => "DevInf",
    };
    format!("-//SYNCML//DTD {name} {}//EN", ver.as_str())
}

/// Document type from a numeric public identifier.
pub fn kind_from_public_id(id: u32) -> Option<(DocKind, VerDtd)> {
    PUBLIC_IDS
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, k, v)| (*k, *v))
}

/// Document type from a formal public identifier carried in the string table.
pub fn kind_from_fpi(fpi: &str) -> Option<(DocKind, VerDtd)> {
    [VerDtd::V1_0, VerDtd::V1_1, VerDtd::V1_2]
        .into_iter()
        .flat_map(|v| [(DocKind::SyncMl, v), (DocKind::DevInf, v)])
        .find(|(k, v)| formal_public_id(*k, *v).eq_ignore_ascii_case(fpi.trim()))
}

fn table(kind: DocKind, page: u8) -> Option<(&'static [(u8, &'static str)], Namespace)> {
    match (kind, page) {
        (DocKind::SyncMl, 0) => Some((SYNCML, Namespace::SyncMl)),
        (DocKind::SyncMl, 1) => Some((METINF, Namespace::MetInf)),
        (DocKind::DevInf, 0) => Some((DEVINF, Namespace::DevInf)),
        _ => None,
    }
}

/// The element name and namespace of a tag token (low 6 bits) on a code page.
pub fn tag_name(
    kind: DocKind,
    ver: VerDtd,
    page: u8,
    token: u8,
) -> Option<(&'static str, Namespace)> {
    let (entries, ns) = table(kind, page)?;
    let name = entries.iter().find(|(t, _)| *t == token)?.1;
    // DevInf 1.0/1.1 §7: token 0x1C is Size.
    if kind == DocKind::DevInf && token == 0x1C && ver != VerDtd::V1_2 {
        return Some(("Size", ns));
    }
    Some((name, ns))
}

/// The tables' own string for an element name, when a code page of its namespace defines it:
/// decoded elements then share it rather than allocate their own.
pub fn known_name(ns: Namespace, name: &str) -> Option<&'static str> {
    let (kind, page) = match ns {
        Namespace::SyncMl => (DocKind::SyncMl, 0),
        Namespace::MetInf => (DocKind::SyncMl, 1),
        Namespace::DevInf => (DocKind::DevInf, 0),
    };
    if kind == DocKind::DevInf && name == "Size" {
        return Some("Size");
    }
    let (entries, _) = table(kind, page)?;
    entries.iter().find(|(_, n)| *n == name).map(|(_, n)| *n)
}

/// The code page and tag token of an element, if the tables define it.
pub fn tag_token(kind: DocKind, ns: Namespace, name: &str) -> Option<(u8, u8)> {
    let page = match (kind, ns) {
        (DocKind::SyncMl, Namespace::SyncMl) => 0,
        (DocKind::SyncMl, Namespace::MetInf) => 1,
        (DocKind::DevInf, Namespace::DevInf) => 0,
        _ => return None,
    };
    let name = if kind == DocKind::DevInf && name == "Size" {
        "MaxSize"
    } else {
        name
    };
    let (entries, _) = table(kind, page)?;
    entries
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(t, _)| (page, *t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_unique_tokens_and_names() {
        for t in [SYNCML, METINF, DEVINF] {
            for (i, (tok, name)) in t.iter().enumerate() {
                assert!((0x05..=0x3F).contains(tok));
                for (tok2, name2) in &t[i + 1..] {
                    assert_ne!(tok, tok2);
                    assert_ne!(name, name2);
                }
            }
        }
    }

    #[test]
    fn names_and_tokens_invert() {
        assert_eq!(
            tag_token(DocKind::SyncMl, Namespace::SyncMl, "SyncML"),
            Some((0, 0x2D))
        );
        assert_eq!(
            tag_token(DocKind::SyncMl, Namespace::MetInf, "Type"),
            Some((1, 0x13))
        );
        assert_eq!(
            tag_name(DocKind::DevInf, VerDtd::V1_2, 0, 0x0A).map(|x| x.0),
            Some("DevInf")
        );
        assert_eq!(
            tag_name(DocKind::DevInf, VerDtd::V1_1, 0, 0x1C).map(|x| x.0),
            Some("Size")
        );
        assert_eq!(
            tag_token(DocKind::DevInf, Namespace::DevInf, "Size"),
            Some((0, 0x1C))
        );
    }

    #[test]
    fn public_ids() {
        assert_eq!(public_id(DocKind::SyncMl, VerDtd::V1_2), 0x1201);
        assert_eq!(
            kind_from_fpi("-//SYNCML//DTD SyncML 1.1//EN"),
            Some((DocKind::SyncMl, VerDtd::V1_1))
        );
        assert_eq!(
            kind_from_public_id(0x1203),
            Some((DocKind::DevInf, VerDtd::V1_2))
        );
    }
}
