//! Arbitrary bytes into the SyncML decoders (WBXML and XML): they must return, and a message
//! they accept must encode and decode again to the same message.

#![no_main]

use calvault_syncml_proto::{Encoding, decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for encoding in [Encoding::Wbxml, Encoding::Xml] {
        let Ok(message) = decode(data, encoding) else {
            continue;
        };
        for out in [Encoding::Wbxml, Encoding::Xml] {
            let bytes = encode(&message, out);
            // Binary item data cannot travel in XML (it is written as lossy text): compare
            // only what the encoding carries whole.
            if let Ok(again) = decode(&bytes, out)
                && out == Encoding::Wbxml
            {
                assert_eq!(again, message, "WBXML round trip changed the message");
            }
        }
    }
});
