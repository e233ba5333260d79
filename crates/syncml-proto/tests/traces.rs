//! Every recorded SyncEvolution session in `shared/fixtures/syncml/traces` must decode,
//! agree with its libwbxml XML twin, and survive re-encoding in both wire forms.

use std::path::{Path, PathBuf};

use calvault_syncml_proto::{
    Command, Data, Encoding, StatusCode, SyncMl, command_encoded_len, decode, encode, encoded_len,
};

fn traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/syncml/traces")
}

/// All trace files whose name ends with `suffix` (and not with `.wbxml.xml` unless asked).
fn trace_files(suffix: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let dirs = std::fs::read_dir(traces_dir()).expect("traces folder");
    for dir in dirs.flatten().filter(|d| d.path().is_dir()) {
        for file in std::fs::read_dir(dir.path())
            .expect("session folder")
            .flatten()
        {
            let path = file.path();
            let name = path.to_string_lossy().into_owned();
            let twin = name.ends_with(".wbxml.xml");
            if name.ends_with(suffix) && (twin == suffix.ends_with(".wbxml.xml")) {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no {suffix} traces found");
    files
}

fn read(path: &Path, encoding: Encoding) -> SyncMl {
    let bytes = std::fs::read(path).expect("readable trace");
    decode(&bytes, encoding).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_wbxml_trace_equals_its_xml_twin() {
    let files = trace_files(".wbxml");
    assert_eq!(files.len(), 14);
    for path in files {
        let from_wbxml = read(&path, Encoding::Wbxml);
        let twin = PathBuf::from(format!("{}.xml", path.display()));
        let from_xml = read(&twin, Encoding::Xml);
        if from_wbxml == from_xml {
            continue;
        }
        // wbxml2xml rewrites the MetInf Type of a DevInf object from its WBXML form to its
        // XML form when it expands the nested document; that is the only change allowed.
        let as_xml = format!("{from_wbxml:?}").replace(
            "application/vnd.syncml-devinf+wbxml",
            "application/vnd.syncml-devinf+xml",
        );
        assert_eq!(as_xml, format!("{from_xml:?}"), "{}", path.display());
    }
}

#[test]
fn every_xml_trace_parses() {
    let files = trace_files(".xml");
    assert_eq!(files.len(), 66);
    for path in files {
        let msg = read(&path, Encoding::Xml);
        assert!(!msg.body.commands.is_empty(), "{}", path.display());
    }
}

fn assert_round_trips(msg: &SyncMl, path: &Path) {
    for encoding in [Encoding::Xml, Encoding::Wbxml] {
        let bytes = encode(msg, encoding);
        assert_eq!(
            bytes.len(),
            encoded_len(msg, encoding),
            "{}",
            path.display()
        );
        let back = decode(&bytes, encoding)
            .unwrap_or_else(|e| panic!("{} via {encoding:?}: {e}", path.display()));
        assert_eq!(&back, msg, "{} via {encoding:?}", path.display());
        assert_eq!(
            encode(&back, encoding),
            bytes,
            "{} via {encoding:?}",
            path.display()
        );
    }
}

#[test]
fn xml_traces_round_trip_in_both_encodings() {
    for path in trace_files(".xml") {
        assert_round_trips(&read(&path, Encoding::Xml), &path);
    }
}

#[test]
fn wbxml_traces_round_trip_in_both_encodings() {
    for path in trace_files(".wbxml") {
        assert_round_trips(&read(&path, Encoding::Wbxml), &path);
    }
}

#[test]
fn command_sizes_add_up_to_the_message() {
    for path in trace_files(".wbxml").into_iter().chain(trace_files(".xml")) {
        let encoding = if path.extension().is_some_and(|e| e == "wbxml") {
            Encoding::Wbxml
        } else {
            Encoding::Xml
        };
        let msg = read(&path, encoding);
        let ver = msg.hdr.ver_dtd;
        let total = encoded_len(&msg, encoding);
        let commands: usize = msg
            .body
            .commands
            .iter()
            .map(|c| command_encoded_len(c, ver, encoding))
            .sum();
        assert!(commands < total, "{}", path.display());
        let mut without_last = msg.clone();
        let last = without_last.body.commands.pop().expect("a command");
        let diff = total - encoded_len(&without_last, encoding);
        let estimate = command_encoded_len(&last, ver, encoding);
        assert!(
            diff.abs_diff(estimate) <= 2,
            "{}: {diff} vs {estimate}",
            path.display()
        );
    }
}

/// The iCalendar payload of an Add must be the bytes between CDATA markers on the wire.
#[test]
fn icalendar_item_data_survives_byte_for_byte() {
    let path = traces_dir().join("slowsync-xml/002-c2s.xml");
    let raw = std::fs::read_to_string(&path).expect("trace");
    let start = raw.find("<![CDATA[").expect("cdata") + "<![CDATA[".len();
    let len = raw[start..].find("]]>").expect("cdata end");
    let on_wire = &raw[start..start + len];
    assert!(on_wire.contains("\r\n"));

    let msg = read(&path, Encoding::Xml);
    let add = first_add_data(&msg).expect("an Add with data");
    assert_eq!(add, on_wire);
    let again = decode(&encode(&msg, Encoding::Xml), Encoding::Xml).expect("re-reads");
    assert_eq!(first_add_data(&again).as_deref(), Some(on_wire));
    let wbxml = decode(&encode(&msg, Encoding::Wbxml), Encoding::Wbxml).expect("re-reads");
    assert_eq!(first_add_data(&wbxml).as_deref(), Some(on_wire));
}

fn first_add_data(msg: &SyncMl) -> Option<String> {
    msg.body.commands.iter().find_map(|c| match c {
        Command::Sync(sync) => sync.commands.iter().find_map(|c| match c {
            Command::Add(add) => match add.items.first()?.data.as_ref()? {
                Data::Text(t) => Some(t.clone()),
                _ => None,
            },
            _ => None,
        }),
        _ => None,
    })
}

#[test]
fn wbxml_item_data_is_the_opaque_bytes() {
    let path = traces_dir().join("slowsync-wbxml/003-c2s.wbxml");
    let raw = std::fs::read(&path).expect("trace");
    let msg = read(&path, Encoding::Wbxml);
    let data = first_add_data(&msg).expect("an Add with data");
    assert!(data.starts_with("BEGIN:VCALENDAR\r\n") && data.ends_with("END:VCALENDAR\r\n"));
    assert!(raw.windows(data.len()).any(|w| w == data.as_bytes()));
}

#[test]
fn slowsync_wbxml_devinf_by_hand() {
    let msg = read(
        &traces_dir().join("slowsync-wbxml/001-c2s.wbxml"),
        Encoding::Wbxml,
    );
    assert_eq!(msg.hdr.session_id, "5");
    assert_eq!(msg.hdr.msg_id, 1);
    assert_eq!(msg.hdr.source.loc_uri, "harness-t1");
    assert_eq!(msg.hdr.source.loc_name.as_deref(), Some("alice"));
    let cred = msg.hdr.cred.as_ref().expect("cred");
    assert_eq!(cred.data, "lOnT4YjHnGPOubN9TXInoQ==");
    let cred_meta = cred.meta.as_ref().expect("cred meta");
    assert_eq!(cred_meta.type_.as_deref(), Some("syncml:auth-md5"));
    assert_eq!(cred_meta.format.as_deref(), Some("b64"));
    let hdr_meta = msg.hdr.meta.as_ref().expect("hdr meta");
    assert_eq!(hdr_meta.max_msg_size, Some(150_000));
    assert_eq!(hdr_meta.max_obj_size, Some(4_000_000));

    let Command::Put(put) = &msg.body.commands[0] else {
        panic!("first command is Put");
    };
    assert_eq!(
        put.meta.as_ref().and_then(|m| m.type_.as_deref()),
        Some("application/vnd.syncml-devinf+wbxml")
    );
    let item = &put.items[0];
    assert_eq!(
        item.source.as_ref().map(|s| s.loc_uri.as_str()),
        Some("./devinf12")
    );
    let Some(Data::DevInf(devinf)) = &item.data else {
        panic!("Put carries DevInf");
    };
    assert_eq!(devinf.man.as_deref(), Some("Patrick Ohly"));
    assert_eq!(devinf.mod_.as_deref(), Some("SyncEvolution"));
    assert_eq!(devinf.oem.as_deref(), Some("Synthesis AG"));
    assert_eq!(devinf.sw_v.as_deref(), Some("3.4.0.47"));
    assert_eq!(devinf.dev_id, "harness-t1");
    assert_eq!(devinf.dev_typ, "workstation");
    assert!(devinf.utc && devinf.support_large_objs && devinf.support_number_of_changes);

    let store = &devinf.data_stores[0];
    assert_eq!(store.source_ref, "./calendar");
    assert_eq!(store.display_name.as_deref(), Some("calendar"));
    assert_eq!(store.max_guid_size, Some(64));
    assert_eq!(store.rx_pref.ct_type, "text/calendar");
    assert_eq!(store.rx_pref.ver_ct, "2.0");
    assert_eq!(store.rx[0].ct_type, "text/x-vcalendar");
    assert_eq!(store.tx_pref.ct_type, "text/calendar");
    assert!(!store.sync_types.is_empty());

    let ical = store
        .ct_caps
        .iter()
        .find(|c| c.ct_type == "text/calendar")
        .expect("CTCap for text/calendar");
    assert_eq!(ical.ver_ct.as_deref(), Some("2.0"));
    let begin = &ical.properties[0];
    assert_eq!(begin.prop_name, "BEGIN");
    assert_eq!(begin.val_enums[0], "VCALENDAR");
    assert!(begin.val_enums.iter().any(|v| v == "VEVENT"));
    let version = ical
        .properties
        .iter()
        .find(|p| p.prop_name == "VERSION")
        .expect("VERSION");
    assert_eq!(version.val_enums, ["2.0"]);
    assert_eq!(version.max_occur, Some(1));
}

#[test]
fn slowsync_wbxml_challenge_round() {
    let msg = read(
        &traces_dir().join("slowsync-wbxml/001-s2c.wbxml"),
        Encoding::Wbxml,
    );
    let statuses: Vec<_> = msg
        .body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Status(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(statuses.len(), 4);
    assert!(
        statuses
            .iter()
            .all(|s| s.data == StatusCode::INVALID_CREDENTIALS)
    );
    let chal = statuses[0].chal.as_ref().expect("Chal on SyncHdr status");
    assert_eq!(chal.meta.type_.as_deref(), Some("syncml:auth-md5"));
    assert!(chal.meta.next_nonce.is_some());
    assert!(msg.body.final_);
}

#[test]
fn syncml11_trace_keeps_its_version() {
    let msg = read(
        &traces_dir().join("syncml11-slowsync-xml/001-c2s.xml"),
        Encoding::Xml,
    );
    assert_eq!(msg.hdr.ver_dtd, calvault_syncml_proto::VerDtd::V1_1);
    let xml = String::from_utf8(encode(&msg, Encoding::Xml)).expect("utf8");
    assert!(xml.contains("xmlns='SYNCML:SYNCML1.1'"));
    let wbxml = encode(&msg, Encoding::Wbxml);
    assert!(
        wbxml
            .windows(29)
            .any(|w| w == b"-//SYNCML//DTD SyncML 1.1//EN")
    );
}

#[test]
fn alert_status_echoes_the_anchor() {
    let msg = read(&traces_dir().join("twoway-xml/001-s2c.xml"), Encoding::Xml);
    let anchor = msg.body.commands.iter().find_map(|c| match c {
        Command::Status(s) if s.cmd == "Alert" => match s.items.first()?.data.as_ref()? {
            Data::Anchor(a) => Some(a.clone()),
            _ => None,
        },
        _ => None,
    });
    assert_eq!(anchor.map(|a| a.next).as_deref(), Some("20261127T000003Z"));
}

/// Messages without DevInf re-encode to the very bytes the Synthesis engine sent (its
/// DevInf puts a few elements outside DTD order, which the writer follows).
#[test]
fn messages_without_devinf_re_encode_byte_for_byte() {
    let mut checked = 0;
    for path in trace_files(".wbxml").into_iter().chain(trace_files(".xml")) {
        let raw = std::fs::read(&path).expect("trace");
        let encoding = if path.extension().is_some_and(|e| e == "wbxml") {
            Encoding::Wbxml
        } else {
            Encoding::Xml
        };
        let msg = read(&path, encoding);
        if format!("{msg:?}").contains("DevInf(") {
            continue;
        }
        assert!(encode(&msg, encoding) == raw, "{}", path.display());
        checked += 1;
    }
    assert!(checked > 40);
}
