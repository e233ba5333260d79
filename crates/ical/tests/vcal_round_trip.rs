//! iCalendar → vCalendar 1.0 → iCalendar over every valid fixture with events or tasks:
//! summary, start, end and the first 20 occurrences stay the same; and the vCalendar items
//! of the SyncML trace mean the same as the iCalendar 2.0 items of the same events in the
//! other traces. Arbitrary text never makes the reader panic.

use std::collections::BTreeMap;
use std::path::PathBuf;

use calvault_ical::query::TimeRange;
use calvault_ical::vcal::{VcalOptions, from_icalendar, to_icalendar};
use calvault_ical::{CalendarObject, ComponentKind, parse_file};
use proptest::prelude::*;

fn shared() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures"
    ))
}

fn valid_fixtures() -> Vec<String> {
    let sources = std::fs::read_to_string(shared().join("ics/SOURCES.md")).expect("SOURCES.md");
    sources
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains("| valid |"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect()
}

fn read(path: PathBuf) -> String {
    let bytes = std::fs::read(path).expect("readable");
    match String::from_utf8(bytes.clone()) {
        Ok(text) => text,
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// What must survive: summary, and start and end of the first 20 instances (UTC).
#[derive(Debug, PartialEq)]
struct Meaning {
    summary: Option<String>,
    first_start: Option<i64>,
    instances: Vec<(String, String)>,
}

fn meaning(object: &CalendarObject) -> Meaning {
    let span = object.time_span();
    let range = TimeRange {
        start: span.first_start.map(|s| s - 86_400),
        end: span.first_start.map(|s| s + 25 * 366 * 86_400),
    };
    let expanded = object.expand(&range);
    let mut instances = Vec::new();
    let mut start = String::new();
    let mut end = String::new();
    let mut duration = String::new();
    for line in expanded.split("\r\n") {
        if let Some(value) = line.strip_prefix("DTSTART") {
            start = value.rsplit(':').next().unwrap_or_default().to_string();
        } else if let Some(value) = line
            .strip_prefix("DTEND")
            .or_else(|| line.strip_prefix("DUE"))
        {
            end = value.rsplit(':').next().unwrap_or_default().to_string();
        } else if let Some(value) = line.strip_prefix("DURATION:") {
            duration = value.to_string();
        } else if line == "END:VEVENT" || line == "END:VTODO" {
            let duration = std::mem::take(&mut duration);
            if !duration.is_empty() {
                end = end_of(&start, &duration);
            }
            // RFC 5545 §3.6.1: without an end a date lasts one day, a date-time no time.
            if end.is_empty() {
                end = end_of(&start, if start.len() == 8 { "P1D" } else { "PT0S" });
            }
            instances.push((std::mem::take(&mut start), std::mem::take(&mut end)));
        }
    }
    instances.sort();
    instances.truncate(20);
    Meaning {
        summary: object.summary().summary,
        first_start: span.first_start,
        instances,
    }
}

/// `start` plus an RFC 5545 duration, written as the expansion writes ends.
fn end_of(start: &str, duration: &str) -> String {
    let mut seconds = 0i64;
    let mut number = 0i64;
    for c in duration.chars() {
        match c {
            '0'..='9' => number = number * 10 + i64::from(c.to_digit(10).unwrap_or(0)),
            'W' => (seconds, number) = (seconds + number * 7 * 86_400, 0),
            'D' => (seconds, number) = (seconds + number * 86_400, 0),
            'H' => (seconds, number) = (seconds + number * 3600, 0),
            'M' => (seconds, number) = (seconds + number * 60, 0),
            'S' => (seconds, number) = (seconds + number, 0),
            _ => {}
        }
    }
    if duration.starts_with('-') {
        seconds = -seconds;
    }
    match chrono::NaiveDateTime::parse_from_str(start, "%Y%m%dT%H%M%SZ") {
        Ok(at) => (at + chrono::TimeDelta::seconds(seconds))
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
        Err(_) => match chrono::NaiveDate::parse_from_str(start, "%Y%m%d") {
            Ok(day) => (day + chrono::TimeDelta::seconds(seconds))
                .format("%Y%m%d")
                .to_string(),
            Err(_) => format!("{start}+{duration}"),
        },
    }
}

fn round_trip(object: &CalendarObject, options: &VcalOptions) -> Result<CalendarObject, String> {
    let vcal = from_icalendar(&object.to_ics(), options).map_err(|e| e.to_string())?;
    let ics = to_icalendar(&vcal).map_err(|e| format!("{e}\n{vcal}"))?;
    let parsed = parse_file(&ics).map_err(|e| e.to_string())?;
    if !parsed.failed.is_empty() || parsed.objects.len() != 1 {
        return Err(format!("{:?}\n{ics}", parsed.failed));
    }
    Ok(parsed.objects.into_iter().next().expect("one object"))
}

#[test]
fn valid_fixtures_survive_a_device_round_trip() {
    let utc = VcalOptions::default();
    let local = VcalOptions {
        utc: false,
        ..VcalOptions::default()
    };
    let mut checked = 0;
    for name in valid_fixtures() {
        let text = read(shared().join("ics").join(&name));
        if text.contains("VERSION:1.0") {
            continue;
        }
        let Ok(parsed) = parse_file(&text) else {
            continue;
        };
        for object in &parsed.objects {
            if object.kind() == ComponentKind::Journal {
                continue;
            }
            let before = meaning(object);
            for options in [&utc, &local] {
                let after = round_trip(object, options)
                    .unwrap_or_else(|e| panic!("{name} {}: {e}", object.uid()));
                assert_eq!(
                    meaning(&after),
                    before,
                    "{name} {} (utc: {})",
                    object.uid(),
                    options.utc
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} objects checked");
}

/// The text of every `<Data>` holding a VCALENDAR in the traces of one session folder.
fn trace_items(folder: &str) -> Vec<String> {
    let dir = shared().join("syncml/traces").join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("trace folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    let mut items = Vec::new();
    for file in files {
        let text = read(file);
        for chunk in text.split("<Data>").skip(1) {
            let data = chunk.split("</Data>").next().unwrap_or_default();
            let data = data
                .strip_prefix("<![CDATA[")
                .and_then(|d| d.strip_suffix("]]>"))
                .map(str::to_string)
                .unwrap_or_else(|| {
                    data.replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&")
                });
            if data.contains("BEGIN:VCALENDAR") {
                items.push(data);
            }
        }
    }
    items
}

#[derive(Debug, PartialEq)]
struct Item {
    meaning: Meaning,
    categories: Option<String>,
    transp: Option<String>,
    description: Option<String>,
    alarms: Vec<String>,
}

fn item(object: &CalendarObject) -> Item {
    let text = object.to_ics().replace("\r\n ", "");
    let value = |name: &str| {
        text.split("\r\n")
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(str::to_string)
    };
    let mut alarms: Vec<String> = text
        .split("\r\n")
        .filter(|l| l.starts_with("TRIGGER") || l.starts_with("ACTION"))
        .map(|l| l.replace(";VALUE=DURATION", ""))
        .collect();
    alarms.sort();
    Item {
        meaning: meaning(object),
        categories: value("CATEGORIES"),
        transp: value("TRANSP"),
        description: value("DESCRIPTION"),
        alarms,
    }
}

#[test]
fn syncml_vcalendar_items_mean_what_the_icalendar_ones_do() {
    let mut icalendar: BTreeMap<String, CalendarObject> = BTreeMap::new();
    for folder in [
        "slowsync-xml",
        "slowsync-wbxml",
        "refresh-from-client-xml",
        "twoway-xml",
        "twoway-wbxml",
        "basic-auth-slowsync-xml",
    ] {
        for data in trace_items(folder) {
            if let Ok(object) = CalendarObject::parse(&data) {
                icalendar.entry(object.uid().to_string()).or_insert(object);
            }
        }
    }
    let vcalendar = trace_items("vcal10-slowsync-xml");
    assert_eq!(vcalendar.len(), 5);
    let mut compared = 0;
    for data in vcalendar {
        let ics = to_icalendar(&data).unwrap_or_else(|e| panic!("{e}\n{data}"));
        let object = CalendarObject::parse(&ics).unwrap_or_else(|e| panic!("{e}\n{ics}"));
        if let Some(original) = icalendar.get(object.uid()) {
            assert_eq!(item(&object), item(original), "{}", object.uid());
            compared += 1;
        } else {
            // The only item no other trace has in iCalendar form: its UTF-8 summary.
            assert_eq!(object.summary().summary.as_deref(), Some("日本語の会議 #4"));
        }
    }
    assert_eq!(compared, 4);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = to_icalendar(&text);
    }

    #[test]
    fn arbitrary_vcalendar_bodies_never_panic(
        lines in proptest::collection::vec(
            "(DTSTART|DTEND|RRULE|AALARM|DALARM|EXDATE|TZ|DAYLIGHT|SUMMARY;ENCODING=QUOTED-PRINTABLE|X-A|ATTENDEE;STATUS=X)[:;][ -~]{0,30}",
            0..8,
        )
    ) {
        let text = format!(
            "BEGIN:VCALENDAR\nVERSION:1.0\nTZ:+01\nBEGIN:VEVENT\n{}\nEND:VEVENT\nEND:VCALENDAR\n",
            lines.join("\n")
        );
        if let Ok(ics) = to_icalendar(&text) {
            prop_assert!(parse_file(&ics).is_ok());
        }
    }
}
