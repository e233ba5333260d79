//! Whole conversions, both ways.

use super::*;
use crate::{CalendarObject, parse_file};

const SYNTHESIS: &str = "BEGIN:VCALENDAR\nVERSION:1.0\nTZ:-05:00\nDAYLIGHT:TRUE;-04;20240310T070000Z;20241103T060000Z;EST;EDT\nBEGIN:VEVENT\nUID:u1\nSUMMARY:Lunch\nDESCRIPTION;ENCODING=QUOTED-PRINTABLE:Agenda:=0D=0A1. status; risks\nLOCATION:Online, floor 3\nDTSTART:20231012T150000Z\nDTEND:20231012T160000Z\nAALARM:-PT1H;;;Lunch\nDALARM:-PT1H;;;Lunch\nEND:VEVENT\nEND:VCALENDAR\n";

#[test]
fn vcalendar_event_to_icalendar() {
    let ics = to_icalendar(SYNTHESIS).expect("converts");
    let object = CalendarObject::parse(&ics).expect("parses");
    let text = object.to_ics();
    assert!(
        text.contains("DESCRIPTION:Agenda:\\n1. status\\; risks\r\n"),
        "{text}"
    );
    assert!(text.contains("LOCATION:Online\\, floor 3\r\n"));
    assert!(text.contains("DTSTART:20231012T150000Z\r\n"));
    assert_eq!(text.matches("BEGIN:VALARM").count(), 1, "{text}");
    assert!(text.contains("ACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nDESCRIPTION:Lunch\r\n"));
    // All times are UTC and the event does not recur: no VTIMEZONE is needed.
    assert!(!text.contains("VTIMEZONE"));
}

#[test]
fn is_vcalendar_reads_the_version() {
    assert!(is_vcalendar(SYNTHESIS));
    assert!(!is_vcalendar(
        &SYNTHESIS.replace("VERSION:1.0", "VERSION:2.0")
    ));
    assert!(!is_vcalendar("BEGIN:VCARD\nVERSION:1.0\nEND:VCARD\n"));
    assert!(!is_vcalendar(""));
}

#[test]
fn unknown_properties_are_kept_both_ways() {
    let text = "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VTODO\nUID:t\nSUMMARY:Call\nRNUM:3\nX-IRMC-LUID:0001\nSTATUS:SENT\nDUE:20240105\nEND:VTODO\nEND:VCALENDAR\n";
    let ics = to_icalendar(text).expect("converts");
    assert!(ics.contains("X-CALVAULT-VCAL-RNUM:3\r\n"), "{ics}");
    assert!(ics.contains("X-CALVAULT-VCAL-STATUS:SENT\r\n"));
    assert!(ics.contains("X-IRMC-LUID:0001\r\n"));
    assert!(ics.contains("DUE;VALUE=DATE:20240105\r\n"));
    let back = from_icalendar(&ics, &VcalOptions::default()).expect("converts");
    assert!(back.contains("\r\nRNUM:3\r\n"), "{back}");
    assert!(back.contains("\r\nSTATUS:SENT\r\n"));
    assert!(back.contains("\r\nX-IRMC-LUID:0001\r\n"));
    assert!(back.contains("\r\nDUE:20240105\r\n"));
}

const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20240105T090000\r\nDTEND;TZID=Europe/Berlin:20240105T100000\r\nRRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=1FR\r\nSUMMARY:Series\r\nGEO:48.1;11.5\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Soon\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250103T090000\r\nDTSTART;TZID=Europe/Berlin:20250103T110000\r\nDTEND;TZID=Europe/Berlin:20250103T120000\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn overrides_and_unexpressible_rules_survive_a_round_trip() {
    let vcal = from_icalendar(SERIES, &VcalOptions::default()).expect("converts");
    assert!(vcal.contains("\r\nDTSTART:20240105T080000Z\r\n"), "{vcal}");
    assert!(vcal.contains("\r\nX-CALVAULT-RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=1FR\r\n"));
    assert!(!vcal.contains("\r\nRRULE:"));
    assert!(vcal.contains("\r\nEXDATE:20250103T080000Z\r\n"));
    assert!(vcal.contains("\r\nX-CALVAULT-RECURRENCE-ID:20250103T080000Z\r\n"));
    assert!(vcal.contains("\r\nX-CALVAULT-GEO:48.1;11.5\r\n"));
    assert!(vcal.contains("\r\nDALARM:20240105T074500Z;;;Soon\r\nAALARM:20240105T074500Z;;;\r\n"));
    assert!(
        vcal.contains("\r\nTZ:+01:00\r\nDAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;;\r\n")
    );
    let ics = to_icalendar(&vcal).expect("converts back");
    let parsed = parse_file(&ics).expect("parses");
    assert!(parsed.failed.is_empty(), "{:?}", parsed.failed);
    assert_eq!(parsed.objects.len(), 1);
    let text = parsed.objects[0].to_ics();
    assert!(
        text.contains("RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=1FR\r\n"),
        "{text}"
    );
    assert!(!text.contains("EXDATE"), "{text}");
    assert!(text.contains("RECURRENCE-ID:20250103T080000Z\r\n"));
    assert!(text.contains("GEO:48.1;11.5\r\n"));
    assert_eq!(text.matches("BEGIN:VALARM").count(), 1);
    assert!(text.contains("TRIGGER:-PT15M\r\n"));
}

#[test]
fn local_time_devices_get_tz_and_daylight() {
    let options = VcalOptions {
        utc: false,
        ..VcalOptions::default()
    };
    let vcal = from_icalendar(SERIES, &options).expect("converts");
    assert!(vcal.contains("\r\nDTSTART:20240105T090000\r\n"), "{vcal}");
    let ics = to_icalendar(&vcal).expect("converts back");
    assert!(
        ics.contains("DTSTART;TZID=vCalendar TZ+0100 DAYLIGHT+0200:20240105T090000\r\n"),
        "{ics}"
    );
    assert!(ics.contains("BEGIN:VTIMEZONE\r\n"));
}

#[test]
fn all_day_forms() {
    let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20230101\r\nDTEND;VALUE=DATE:20230103\r\nSUMMARY:Trip\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    for (form, start, end) in [
        (
            AllDayForm::DateTimeSpan,
            "20230101T000000",
            "20230102T235959",
        ),
        (AllDayForm::Date, "20230101", "20230102"),
        (AllDayForm::Midnight, "20230101T000000", "20230103T000000"),
    ] {
        let options = VcalOptions {
            all_day: form,
            ..VcalOptions::default()
        };
        let vcal = from_icalendar(event, &options).expect("converts");
        assert!(
            vcal.contains(&format!("\r\nDTSTART:{start}\r\nDTEND:{end}\r\n")),
            "{vcal}"
        );
        let ics = to_icalendar(&vcal).expect("converts back");
        assert!(
            ics.contains("DTSTART;VALUE=DATE:20230101\r\nDTEND;VALUE=DATE:20230103\r\n"),
            "{ics}"
        );
    }
}

#[test]
fn attendees_both_ways() {
    let text = "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nATTENDEE;ROLE=ORGANIZER:boss@example.com\nATTENDEE;STATUS=NEEDS ACTION;RSVP=YES;EXPECT=REQUIRE:Sam <sam@example.com>\nEND:VEVENT\nEND:VCALENDAR\n";
    let ics = to_icalendar(text).expect("converts").replace("\r\n ", "");
    assert!(
        ics.contains("ORGANIZER:mailto:boss@example.com\r\n"),
        "{ics}"
    );
    assert!(ics.contains("ATTENDEE;CN=Sam;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:sam@example.com\r\n"));
    let back = from_icalendar(&ics, &VcalOptions::default()).expect("converts");
    assert!(
        back.contains("ATTENDEE;ROLE=ORGANIZER:boss@example.com\r\n"),
        "{back}"
    );
    assert!(back.contains(
        "ATTENDEE;STATUS=NEEDS ACTION;RSVP=YES;EXPECT=REQUIRE:Sam <sam@example.com>\r\n"
    ));
}

#[test]
fn broken_input_names_its_line() {
    let bad_date =
        "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VEVENT\nDTSTART:tomorrow\nEND:VEVENT\nEND:VCALENDAR\n";
    assert!(matches!(
        to_icalendar(bad_date),
        Err(VcalError::BadValue { line: 4, .. })
    ));
    let empty = "BEGIN:VCALENDAR\nVERSION:1.0\nEND:VCALENDAR\n";
    assert_eq!(to_icalendar(empty), Err(VcalError::NoComponent));
    let journal = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n";
    assert!(matches!(
        from_icalendar(journal, &VcalOptions::default()),
        Err(VcalError::Unsupported(_))
    ));
}
