//! Arbitrary and damaged input must give an error or a message, never a panic.

use calvault_syncml_proto::{Encoding, decode};
use proptest::prelude::*;

const TRACE: &[u8] =
    include_bytes!("../../../../shared/fixtures/syncml/traces/twoway-wbxml/002-c2s.wbxml");
const TRACE_XML: &[u8] =
    include_bytes!("../../../../shared/fixtures/syncml/traces/twoway-xml/002-s2c.xml");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes, Encoding::Wbxml);
        let _ = decode(&bytes, Encoding::Xml);
    }

    #[test]
    fn wbxml_header_then_noise_never_panics(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut bytes = vec![0x02, 0xA4, 0x01, 0x6A, 0x00];
        bytes.extend(body);
        let _ = decode(&bytes, Encoding::Wbxml);
    }

    #[test]
    fn damaged_wbxml_trace_never_panics(
        edits in proptest::collection::vec((0..TRACE.len(), any::<u8>()), 1..8),
        cut in 0..TRACE.len(),
    ) {
        let mut bytes = TRACE.to_vec();
        for (at, value) in edits {
            bytes[at] = value;
        }
        let _ = decode(&bytes, Encoding::Wbxml);
        let _ = decode(&bytes[..cut], Encoding::Wbxml);
    }

    #[test]
    fn damaged_xml_trace_never_panics(
        edits in proptest::collection::vec((0..TRACE_XML.len(), any::<u8>()), 1..8),
        cut in 0..TRACE_XML.len(),
    ) {
        let mut bytes = TRACE_XML.to_vec();
        for (at, value) in edits {
            bytes[at] = value;
        }
        let _ = decode(&bytes, Encoding::Xml);
        let _ = decode(&bytes[..cut], Encoding::Xml);
    }
}

#[test]
fn huge_declared_lengths_are_refused_without_allocating() {
    // OPAQUE of length u32::MAX, and a string table of length u32::MAX.
    let opaque = [
        0x02, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0xC3, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F,
    ];
    assert!(decode(&opaque, Encoding::Wbxml).is_err());
    let table = [0x02, 0xA4, 0x01, 0x6A, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F, 0x00];
    assert!(decode(&table, Encoding::Wbxml).is_err());
}

#[test]
fn errors_name_the_element() {
    let xml = b"<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>\
        <SessionID>1</SessionID><MsgID>x</MsgID></SyncHdr><SyncBody/></SyncML>";
    let err = decode(xml, Encoding::Xml).expect_err("MsgID is not a number");
    assert_eq!(err.to_string(), "<MsgID> holds invalid value \"x\"");
    let xml = b"<SyncML><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody/></SyncML>";
    let err = decode(xml, Encoding::Xml).expect_err("VerProto missing");
    assert_eq!(err.to_string(), "<SyncHdr> lacks required <VerProto>");
    let xml = b"<SyncML><SyncHdr><VerDTD>3.0</VerDTD></SyncHdr><SyncBody/></SyncML>";
    let err = decode(xml, Encoding::Xml).expect_err("unknown version");
    assert_eq!(err.status_code().0, 505);
}
