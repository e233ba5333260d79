//! SyncML's XML form (SyncML RepPro §5): reading into and writing from the element tree.

pub mod read;
pub mod write;

/// MetInf namespace (SyncML MetInf §5).
pub const METINF_NS: &str = "syncml:metinf";
/// DevInf namespace (OMA DS DevInf §5).
pub const DEVINF_NS: &str = "syncml:devinf";
