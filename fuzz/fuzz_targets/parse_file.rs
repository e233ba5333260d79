//! Arbitrary bytes (read as lossy UTF-8) into `parse_file` and `CalendarObject::parse`: they
//! must return, and every object they give must come back unchanged from its own text.

#![no_main]

use calvault_ical::{CalendarObject, CalendarWriter, parse_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(object) = CalendarObject::parse(&text) {
        round_trip(&object);
    }
    let Ok(parsed) = parse_file(&text) else {
        return;
    };
    for failure in &parsed.failed {
        assert!(failure.line > 0, "failure without a line: {failure}");
    }
    let Ok(mut writer) = CalendarWriter::new(Vec::new(), parsed.calendar_name.as_deref()) else {
        return;
    };
    for object in &parsed.objects {
        let ics = round_trip(object);
        let _ = writer.push(&ics);
    }
    if let Ok(out) = writer.finish() {
        let joined = String::from_utf8(out).expect("the writer writes UTF-8");
        let _ = parse_file(&joined);
    }
});

fn round_trip(object: &CalendarObject) -> String {
    let ics = object.to_ics();
    let again = CalendarObject::parse(&ics)
        .unwrap_or_else(|error| panic!("own output does not parse: {error}\n{ics}"));
    assert!(again == *object, "object changed in a round trip:\n{ics}");
    let _ = object.time_span();
    let _ = object.fingerprint();
    let _ = object.summary();
    let _ = object.richness();
    ics
}
