//! The server's device information (OMA DS Device Information 1.2 §5), sent in Results for a
//! Get of `./devinf12` (or `./devinf11`).

use calvault_syncml_proto::{ContentType, DataStore, DevInf, VerDtd};

use crate::format::{TEXT_CALENDAR, TEXT_X_VCALENDAR};

/// SyncCap SyncType values (DevInf 1.2 §5.3.3): 1 two-way … 5 refresh from server.
const SYNC_TYPES: [&str; 5] = ["1", "2", "3", "4", "5"];

fn datastore(name: &str) -> DataStore {
    DataStore {
        source_ref: name.to_string(),
        display_name: Some(name.to_string()),
        max_guid_size: Some(64),
        rx_pref: ContentType::new(TEXT_CALENDAR, "2.0"),
        rx: vec![ContentType::new(TEXT_X_VCALENDAR, "1.0")],
        tx_pref: ContentType::new(TEXT_CALENDAR, "2.0"),
        tx: vec![ContentType::new(TEXT_X_VCALENDAR, "1.0")],
        ct_caps: Vec::new(),
        ds_mem: None,
        support_hierarchical_sync: false,
        sync_types: SYNC_TYPES.iter().map(|t| t.to_string()).collect(),
    }
}

pub fn server_devinf(ver: VerDtd, dev_id: &str) -> DevInf {
    DevInf {
        ver_dtd: ver,
        man: Some("calvault".to_string()),
        mod_: Some("calvault".to_string()),
        oem: None,
        fw_v: None,
        sw_v: Some(env!("CARGO_PKG_VERSION").to_string()),
        hw_v: None,
        dev_id: dev_id.to_string(),
        dev_typ: "server".to_string(),
        utc: true,
        support_large_objs: true,
        support_number_of_changes: true,
        data_stores: vec![datastore("calendar"), datastore("tasks")],
        ct_caps: Vec::new(),
        exts: Vec::new(),
    }
}
