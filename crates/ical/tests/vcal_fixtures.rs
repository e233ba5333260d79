//! Every vCalendar 1.0 file of the shared corpus converts to iCalendar 2.0 that the crate
//! reads, with the values checked by hand per file.

use std::path::PathBuf;

use calvault_ical::query::TimeRange;
use calvault_ical::vcal::{VcalError, is_vcalendar, to_icalendar};
use calvault_ical::{CalendarObject, parse_file};

fn fixtures() -> PathBuf {
    match std::env::var_os("CALVAULT_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/ics"
        )),
    }
}

/// Files are bytes; one that is not UTF-8 is read as Latin-1.
fn read(name: &str) -> String {
    let bytes = std::fs::read(fixtures().join(name)).expect("fixture exists");
    match String::from_utf8(bytes.clone()) {
        Ok(text) => text,
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// The converted file, parsed: every object, none failed.
fn convert(name: &str) -> Vec<CalendarObject> {
    let text = read(name);
    assert!(is_vcalendar(&text), "{name} is vCalendar 1.0");
    let ics = to_icalendar(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let parsed = parse_file(&ics).unwrap_or_else(|e| panic!("{name}: {e}\n{ics}"));
    assert!(
        parsed.failed.is_empty(),
        "{name}: {:?}\n{ics}",
        parsed.failed
    );
    parsed.objects
}

fn one(name: &str) -> (CalendarObject, String) {
    let mut objects = convert(name);
    assert_eq!(objects.len(), 1, "{name}");
    let object = objects.remove(0);
    let text = object.to_ics().replace("\r\n ", "");
    (object, text)
}

fn has(text: &str, line: &str) -> bool {
    text.split("\r\n").any(|l| l == line)
}

fn at(text: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .expect("date")
        .and_utc()
        .timestamp()
}

/// DTSTART of each expanded instance in the range, in order.
fn starts(object: &CalendarObject, from: &str, to: &str) -> Vec<String> {
    let range = TimeRange {
        start: Some(at(from)),
        end: Some(at(to)),
    };
    let mut starts: Vec<String> = object
        .expand(&range)
        .split("\r\n")
        .filter_map(|l| l.strip_prefix("DTSTART"))
        .map(|l| l.rsplit(':').next().unwrap_or_default().to_string())
        .collect();
    starts.sort();
    starts
}

#[test]
fn korganizer_monthly_by_position() {
    let (object, text) = one("kcal_korganizer-vcal-mp-2ndlast-fri.vcs");
    assert!(
        has(&text, "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=-2FR;COUNT=17"),
        "{text}"
    );
    assert!(has(
        &text,
        "SUMMARY:20. Mai 2005\\, 19-20 Uhr\\, alle 3 Monate am -2. Fr\\, 17 mal"
    ));
    assert!(has(&text, "CREATED:20050520T105219Z"));
    assert!(has(&text, "TRANSP:OPAQUE"));
    assert!(has(&text, "X-ORGANIZER:MAILTO:reinhold@kainhofer.com"));
    let starts = starts(&object, "20050101T000000Z", "20100101T000000Z");
    assert_eq!(starts.len(), 17);
    assert_eq!(
        starts[..4],
        [
            "20050520T170000Z",
            "20050819T170000Z",
            "20051118T170000Z",
            "20060217T170000Z"
        ]
    );
}

#[test]
fn korganizer_monthly_by_day_and_yearly_by_day() {
    let (object, text) = one("kcal_korganizer-vcal-md.vcs");
    assert!(
        has(
            &text,
            "RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20;COUNT=17"
        ),
        "{text}"
    );
    let md = starts(&object, "20050101T000000Z", "20100101T000000Z");
    assert_eq!(md.len(), 17);
    assert_eq!(
        md[..3],
        ["20050520T150000Z", "20050820T150000Z", "20051120T150000Z"]
    );
    let (object, text) = one("kcal_korganizer-vcal-yd.vcs");
    assert!(
        has(&text, "RRULE:FREQ=YEARLY;BYYEARDAY=141;COUNT=17"),
        "{text}"
    );
    let yd = starts(&object, "20050101T000000Z", "20100101T000000Z");
    // Day 141 is 21 May, and 20 May in the leap year 2008.
    assert_eq!(
        yd,
        [
            "20050521T100000Z",
            "20060521T100000Z",
            "20070521T100000Z",
            "20080520T100000Z",
            "20090521T100000Z"
        ]
    );
}

#[test]
fn korganizer_without_rule() {
    let (object, text) = one("kcal_korganizer-vcal-no-rrule.vcs");
    assert!(!text.contains("\r\nRRULE"));
    assert!(has(&text, "DTSTART:20050520T200000Z"));
    assert!(has(&text, "DTEND:20050520T210000Z"));
    assert!(has(&text, "SEQUENCE:3"));
    assert_eq!(object.uid(), "KOrganizer-1016383107.562");
}

#[test]
fn weekly_floating_rule() {
    let (object, text) = one("gammu_rrule-weekly.vcs");
    assert!(has(&text, "RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=9"), "{text}");
    assert!(has(&text, "DTSTART:20040123T120000"));
    assert!(has(&text, "SUMMARY:Tester"));
    let starts = starts(&object, "20040101T000000Z", "20050101T000000Z");
    assert_eq!(starts.len(), 9);
    assert_eq!(starts[8], "20040319T120000Z");
}

#[test]
fn outlook_quoted_printable_with_daily_until() {
    let (object, text) = one("gammu_outlook-qp.vcs");
    assert!(
        has(&text, "RRULE:FREQ=DAILY;UNTIL=20100228T083000Z"),
        "{text}"
    );
    assert!(text.contains("DESCRIPTION:The Northeast Council of Aquarium Societies’ 35th Annual"));
    let starts = starts(&object, "20100101T000000Z", "20110101T000000Z");
    assert_eq!(
        starts,
        ["20100226T080000Z", "20100227T080000Z", "20100228T080000Z"]
    );
}

#[test]
fn funambol_all_day_with_alarm() {
    let (_, text) = one("funambol_vcal-funambol-allday.vcs");
    assert!(has(&text, "DTSTART;VALUE=DATE:20070526"), "{text}");
    assert!(has(&text, "DTEND;VALUE=DATE:20070527"));
    assert!(has(&text, "SUMMARY:Memo 2 days"));
    assert!(has(&text, "CATEGORIES:MISCELLANEOUS"));
    assert!(!text.contains("X-FUNAMBOL-ALLDAY"));
    assert!(text.contains("BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:PT0S\r\nEND:VALARM"));
}

#[test]
fn funambol_quoted_printable_and_folding() {
    let (_, text) = one("funambol_vcal-qp-and-folding-mix.vcs");
    assert!(has(&text, "LOCATION:Location"), "{text}");
    assert!(has(
        &text,
        "CATEGORIES:Categories written on several lines and using Quoted-Printable encoding"
    ));
    assert!(has(
        &text,
        "DESCRIPTION:Description written on several lines"
    ));
    assert!(has(&text, "SUMMARY:Summary"));
}

#[test]
fn sony_ericsson_todo() {
    let (object, text) = one("gammu_sonyericsson-todo.vcs");
    assert!(text.contains("BEGIN:VTODO"));
    assert!(has(&text, "STATUS:NEEDS-ACTION"), "{text}");
    assert!(has(&text, "PRIORITY:2"));
    assert!(has(&text, "X-IRMC-LUID:00010001005E"));
    // DALARM and AALARM at the same time: one reminder; no start, so an absolute trigger.
    assert_eq!(text.matches("BEGIN:VALARM").count(), 1);
    assert!(has(&text, "TRIGGER;VALUE=DATE-TIME:20080312T141000Z"));
    assert!(!text.contains("DUE") && !text.contains("COMPLETED"));
    assert_eq!(object.summary().summary.as_deref(), Some("Gorusme"));
}

#[test]
fn nokia_quoted_printable_without_charset() {
    let (_, text) = one("horde_vcal-qp-no-charset.ics");
    assert!(has(&text, "SUMMARY:möchen"), "{text}");
    assert!(has(&text, "CREATED:20040627T220000Z"));
    // NEEDS ACTION is a task status; on an event it is kept, not misread.
    assert!(has(&text, "X-CALVAULT-VCAL-STATUS:NEEDS ACTION"));
    assert!(has(&text, "X-EPOCAGENDAENTRYTYPE:APPOINTMENT"));
}

#[test]
fn categories_with_commas_and_placeholder_stamp() {
    let (_, text) = one("horde_vcal-categories-comma.ics");
    assert!(has(&text, "CATEGORIES:Foo,Bar"), "{text}");
    assert!(has(&text, "X-CALVAULT-VCAL-DTSTAMP:--------T------Z"));
    assert!(has(&text, "DTSTART:20100101T010000Z"));
}

#[test]
fn version_one_with_icalendar_syntax() {
    let objects = convert("ical4j_glow-version1-with-v2-syntax.ics");
    assert_eq!(objects.len(), 81);
    let text = objects[0].to_ics().replace("\r\n ", "");
    assert!(
        has(&text, "DTSTART;TZID=America/Los_Angeles:20040630T193000"),
        "{text}"
    );
    assert!(has(
        &text,
        "SUMMARY:JavaTM Technology on Linux: Tips and Tricks"
    ));
    let span = objects[0].time_span();
    assert_eq!(span.first_start, Some(at("20040701T023000Z")));
}

#[test]
fn every_vcalendar_fixture_is_covered() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "SOURCES.md" && is_vcalendar(&read(name)))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "funambol_vcal-funambol-allday.vcs",
            "funambol_vcal-qp-and-folding-mix.vcs",
            "gammu_outlook-qp.vcs",
            "gammu_rrule-weekly.vcs",
            "gammu_sonyericsson-todo.vcs",
            "horde_vcal-categories-comma.ics",
            "horde_vcal-qp-no-charset.ics",
            "ical4j_glow-version1-with-v2-syntax.ics",
            "kcal_korganizer-vcal-md.vcs",
            "kcal_korganizer-vcal-mp-2ndlast-fri.vcs",
            "kcal_korganizer-vcal-no-rrule.vcs",
            "kcal_korganizer-vcal-yd.vcs",
        ]
    );
}

#[test]
fn truncated_input_is_an_error() {
    let text = read("kcal_korganizer-vcal-md.vcs");
    let cut = &text[..text.find("SUMMARY").expect("summary")];
    assert!(matches!(
        to_icalendar(cut),
        Err(VcalError::Unclosed { line: 1, .. })
    ));
}
