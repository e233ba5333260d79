//! `CalendarObject::expanded_instances` against the text of RFC 4791 §9.6.5 expand: for every
//! object of the shared corpus and of series written here (EXDATE, RDATE, overrides, moved
//! ranges, zones, all-day, tasks, DURATION), over several ranges, the typed instances are the
//! components of the expanded VCALENDAR, in order, with the same RECURRENCE-ID, DTSTART, end
//! and properties. The expanded text is read back by a small reader of this test's own.
//!
//! The corpus folder is `../shared/fixtures/ics` beside the workspace, or `$CALVAULT_FIXTURES`.

use std::path::PathBuf;

use calvault_ical::query::{ExpandedInstance, InstanceTime, TimeRange};
use calvault_ical::{CalendarObject, parse_file};
use chrono::{NaiveDate, NaiveDateTime};

fn fixtures() -> PathBuf {
    match std::env::var_os("CALVAULT_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/ics"
        )),
    }
}

/// One instance as compared: its times and a few of its properties.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    component: String,
    recurrence_id: Option<InstanceTime>,
    start: Option<InstanceTime>,
    end: Option<InstanceTime>,
    summary: Option<String>,
    location: Option<String>,
    duration: Option<String>,
    uid: Option<String>,
}

/// RFC 5545 §3.1 unfolding.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in text.split('\n') {
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        match (physical.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(physical.to_string()),
        }
    }
    lines
}

/// `NAME;PARAMS:value` split at the first colon outside quotes.
fn split(line: &str) -> (String, String, String) {
    let mut quoted = false;
    for (at, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                let head = &line[..at];
                let (name, params) = head.split_once(';').unwrap_or((head, ""));
                return (
                    name.to_ascii_uppercase(),
                    params.to_ascii_uppercase(),
                    line[at + 1..].to_string(),
                );
            }
            _ => {}
        }
    }
    panic!("not a content line: {line}");
}

/// A DATE (with VALUE=DATE) or a UTC DATE-TIME, the only forms expand writes.
fn time(params: &str, value: &str) -> InstanceTime {
    if params.contains("VALUE=DATE") && !params.contains("VALUE=DATE-TIME") {
        let day = NaiveDate::parse_from_str(value, "%Y%m%d").expect("a date");
        return InstanceTime::Date(day);
    }
    let at = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .unwrap_or_else(|_| panic!("a UTC date-time: {value}"));
    InstanceTime::Utc(at.and_utc().timestamp())
}

/// The instance components of an expanded VCALENDAR, read from its text.
fn from_text(text: &str) -> Vec<Seen> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut current: Option<Seen> = None;
    for line in unfold(text).iter().filter(|l| !l.is_empty()) {
        let (name, params, value) = split(line);
        match name.as_str() {
            "BEGIN" => {
                depth += 1;
                if depth == 2 {
                    current = Some(Seen {
                        component: value.to_ascii_uppercase(),
                        recurrence_id: None,
                        start: None,
                        end: None,
                        summary: None,
                        location: None,
                        duration: None,
                        uid: None,
                    });
                }
                continue;
            }
            "END" => {
                if depth == 2 {
                    out.extend(current.take());
                }
                depth -= 1;
                continue;
            }
            _ => {}
        }
        let Some(seen) = current.as_mut().filter(|_| depth == 2) else {
            continue;
        };
        let end_name = if seen.component == "VTODO" {
            "DUE"
        } else {
            "DTEND"
        };
        let first = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(value.clone());
            }
        };
        match name.as_str() {
            "RECURRENCE-ID" if seen.recurrence_id.is_none() => {
                seen.recurrence_id = Some(time(&params, &value));
            }
            "DTSTART" if seen.start.is_none() => seen.start = Some(time(&params, &value)),
            n if n == end_name && seen.end.is_none() => seen.end = Some(time(&params, &value)),
            "SUMMARY" => first(&mut seen.summary),
            "LOCATION" => first(&mut seen.location),
            "DURATION" => first(&mut seen.duration),
            "UID" => first(&mut seen.uid),
            _ => {}
        }
    }
    out
}

fn from_instances(instances: &[ExpandedInstance<'_>]) -> Vec<Seen> {
    instances
        .iter()
        .map(|i| Seen {
            component: i.kind().map(|k| k.as_str().to_string()).unwrap_or_default(),
            recurrence_id: i.recurrence_id,
            start: i.start,
            end: i.end,
            summary: i.value("SUMMARY").map(str::to_string),
            location: i.value("LOCATION").map(str::to_string),
            duration: i.value("DURATION").map(str::to_string),
            uid: i.value("UID").map(str::to_string),
        })
        .collect()
}

/// Ranges around the object: its first weeks, months later, and (`open`) one without end.
fn ranges(object: &CalendarObject, open: bool) -> Vec<TimeRange> {
    let first = object.time_span().first_start.unwrap_or(1_704_067_200);
    let day = 86_400;
    let mut ranges = vec![
        TimeRange {
            start: Some(first - day),
            end: Some(first + 60 * day),
        },
        TimeRange {
            start: Some(first + 200 * day),
            end: Some(first + 240 * day),
        },
    ];
    if open {
        ranges.push(TimeRange {
            start: Some(first + 3 * day),
            end: None,
        });
    }
    ranges
}

/// Compares both readings of every range; returns how many instances were compared.
fn compare(object: &CalendarObject, label: &str, open: bool) -> usize {
    let mut compared = 0;
    for range in ranges(object, open) {
        let typed = from_instances(&object.expanded_instances(&range));
        let text = object.expand(&range);
        let expected = from_text(&text);
        assert_eq!(typed, expected, "{label} over {range:?}:\n{text}");
        compared += expected.len();
    }
    compared
}

const HEAD: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n";
const NEW_YORK: &str = "BEGIN:VTIMEZONE\r\nTZID:Custom Eastern\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// Series written here for what the corpus has little of.
fn written_series() -> Vec<(&'static str, String)> {
    let event = |body: &str| format!("{HEAD}{NEW_YORK}{body}END:VCALENDAR\r\n");
    vec![
        (
            "exdate and override in a VTIMEZONE zone",
            event(
                "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Custom Eastern:20240301T090000\r\nDTEND;TZID=Custom Eastern:20240301T100000\r\nRRULE:FREQ=DAILY;COUNT=30\r\nEXDATE;TZID=Custom Eastern:20240305T090000,20240306T090000\r\nSUMMARY:Stand-up\r\nLOCATION:Room 1\\, floor 2\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Custom Eastern:20240310T090000\r\nDTSTART;TZID=Custom Eastern:20240310T140000\r\nDURATION:PT2H\r\nSUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "rdates, periods and an open rule",
            event(
                "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Europe/Paris:20240105T180000\r\nDURATION:PT90M\r\nRRULE:FREQ=MONTHLY;BYDAY=1FR\r\nRDATE;TZID=Europe/Paris:20240111T120000,20240220T120000\r\nRDATE;VALUE=PERIOD:20240301T100000Z/PT4H\r\nSUMMARY:Club\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "all-day series with a date override",
            event(
                "BEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20240101\r\nDTEND;VALUE=DATE:20240103\r\nRRULE:FREQ=WEEKLY;INTERVAL=2\r\nEXDATE;VALUE=DATE:20240115\r\nSUMMARY:Away\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:c\r\nRECURRENCE-ID;VALUE=DATE:20240129\r\nDTSTART;VALUE=DATE:20240130\r\nSUMMARY:Away later\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "all-day without end, yearly",
            event(
                "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20000229\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Birthday\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "this and future",
            event(
                "BEGIN:VEVENT\r\nUID:e\r\nDTSTART:20240101T100000Z\r\nDTEND:20240101T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=12\r\nSUMMARY:Course\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:e\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240122T100000Z\r\nDTSTART:20240122T130000Z\r\nDTEND:20240122T150000Z\r\nSUMMARY:Course (afternoons)\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "floating times across a change of offset",
            event(
                "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20240308T233000\r\nDTEND:20240309T003000\r\nRRULE:FREQ=DAILY;UNTIL=20240320T000000\r\nSUMMARY:Night\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "a recurring task",
            format!(
                "{HEAD}BEGIN:VTODO\r\nUID:g\r\nDTSTART;VALUE=DATE:20240102\r\nDUE;VALUE=DATE:20240103\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nSUMMARY:Bins\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
            ),
        ),
        (
            "an only override",
            event(
                "BEGIN:VEVENT\r\nUID:h\r\nRECURRENCE-ID:20240110T090000Z\r\nDTSTART:20240111T090000Z\r\nDTEND:20240111T100000Z\r\nSUMMARY:Lonely\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "a lone event in a zone",
            event(
                "BEGIN:VEVENT\r\nUID:i\r\nDTSTART;TZID=Custom Eastern:20240110T090000\r\nDTEND;TZID=Custom Eastern:20240110T093000\r\nSUMMARY:Once\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;VALUE=DATE-TIME:20240110T080000Z\r\nEND:VALARM\r\nEND:VEVENT\r\n",
            ),
        ),
    ]
}

#[test]
fn written_series_give_the_instances_of_the_expanded_text() {
    let mut compared = 0;
    let mut with_rid = 0;
    for (label, text) in written_series() {
        let object = CalendarObject::parse(&text).unwrap_or_else(|e| panic!("{label}: {e}"));
        compared += compare(&object, label, true);
        with_rid += object
            .expanded_instances(&ranges(&object, false)[0])
            .iter()
            .filter(|i| i.recurrence_id.is_some())
            .count();
    }
    assert!(compared > 150, "instances compared: {compared}");
    assert!(with_rid > 50, "instances of series: {with_rid}");
}

#[test]
fn an_override_keeps_its_own_fields() {
    let (_, text) = &written_series()[0];
    let object = CalendarObject::parse(text).expect("parses");
    let range = TimeRange {
        start: Some(1_709_942_400), // 2024-03-09
        end: Some(1_710_201_600),   // 2024-03-12
    };
    let instances = object.expanded_instances(&range);
    let summaries: Vec<Option<String>> = instances.iter().map(|i| i.text("SUMMARY")).collect();
    assert_eq!(
        summaries,
        [
            Some("Stand-up".to_string()),
            Some("Stand-up (moved)".to_string()),
            Some("Stand-up".to_string())
        ]
    );
    let moved = &instances[1];
    // 2024-03-10 09:00 and 14:00 in New York, after the change to -04:00 that morning.
    assert_eq!(moved.recurrence_id, Some(InstanceTime::Utc(1_710_075_600)));
    assert_eq!(moved.start, Some(InstanceTime::Utc(1_710_093_600)));
    assert_eq!(moved.end, None, "DURATION stays the end");
    assert_eq!(moved.value("DURATION"), Some("PT2H"));
    assert_eq!(
        instances[0].text("LOCATION").as_deref(),
        Some("Room 1, floor 2")
    );
}

#[test]
fn corpus_objects_give_the_instances_of_the_expanded_text() {
    let dir = fixtures();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture folder {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e != "md"))
        .collect();
    names.sort();
    let mut objects = 0;
    let mut compared = 0;
    for path in &names {
        let bytes = std::fs::read(path).expect("readable fixture");
        let text = String::from_utf8(bytes.clone())
            .unwrap_or_else(|_| bytes.iter().map(|&b| char::from(b)).collect());
        let Ok(parsed) = parse_file(&text) else {
            continue;
        };
        for object in &parsed.objects {
            objects += 1;
            // Ranges without end expand a thousand instances of every open series: the
            // written series cover them.
            compared += compare(object, &path.display().to_string(), false);
        }
    }
    assert!(objects > 100, "objects in the corpus: {objects}");
    assert!(compared > 100, "instances compared: {compared}");
}
