//! Arbitrary text into the vCalendar 1.0 converter: it must return, and what it produces must
//! be iCalendar the model parses and that converts back to vCalendar.

#![no_main]

use calvault_ical::parse_file;
use calvault_ical::vcal::{VcalOptions, from_icalendar, to_icalendar};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(ical) = to_icalendar(&text) else {
        return;
    };
    let Ok(parsed) = parse_file(&ical) else {
        return;
    };
    for object in &parsed.objects {
        let _ = from_icalendar(&object.to_ics(), &VcalOptions::default());
    }
});
