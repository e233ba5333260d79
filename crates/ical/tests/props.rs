//! Property tests: generated events round-trip, any input parses without panicking, and the
//! fingerprint ignores what differs between copies of one event.

use std::path::PathBuf;

use calvault_ical::{CalendarObject, parse_file};
use proptest::prelude::*;

/// RFC 5545 §3.3.11 TEXT escaping, written here independently of the crate.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::char::range('a', 'z'),
            2 => Just(' '),
            1 => prop::sample::select(vec![',', ';', ':', '\n', '\\', '"', '=', '\t']),
            2 => prop::sample::select(vec!['é', 'ß', 'Ж', '漢', '字', '😀', '€', '\u{a0}']),
        ],
        0..300,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

const TZIDS: &[&str] = &[
    "",
    "Europe/Berlin",
    "America/New_York",
    "W. Europe Standard Time",
    "/mozilla.org/20050126_1/America/Chicago",
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
    "Custom Zone",
];

const RULES: &[&str] = &[
    "",
    "FREQ=DAILY;COUNT=5",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20391231T235959Z",
    "FREQ=YEARLY;INTERVAL=2",
];

const CUSTOM_ZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Custom Zone\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

#[derive(Debug, Clone)]
struct Event {
    uid: String,
    summary: String,
    location: String,
    tzid: &'static str,
    rule: &'static str,
    start: (u32, u32, u32, u32, u32),
    minutes: u32,
    use_duration: bool,
    line_end: &'static str,
}

fn event() -> impl Strategy<Value = Event> {
    (
        "[a-zA-Z0-9@.-]{1,60}",
        text(),
        text(),
        prop::sample::select(TZIDS),
        prop::sample::select(RULES),
        (2000u32..2040, 1u32..13, 1u32..29, 0u32..24, 0u32..60),
        1u32..5000,
        any::<bool>(),
        prop::sample::select(&["\r\n", "\n"][..]),
    )
        .prop_map(
            |(uid, summary, location, tzid, rule, start, minutes, use_duration, line_end)| Event {
                uid,
                summary,
                location,
                tzid,
                rule,
                start,
                minutes,
                use_duration,
                line_end,
            },
        )
}

impl Event {
    fn ics(&self, uid: &str, stamp: &str) -> String {
        let (y, mo, d, h, mi) = self.start;
        let start = format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}00");
        let end_minutes = h * 60 + mi + self.minutes;
        let tz = if self.tzid.is_empty() {
            String::new()
        } else {
            format!(";TZID=\"{}\"", self.tzid)
        };
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            "PRODID:-//props//EN".to_string(),
        ];
        if self.tzid == "Custom Zone" {
            lines.extend(CUSTOM_ZONE.trim_end().split("\r\n").map(str::to_string));
        }
        lines.push("BEGIN:VEVENT".to_string());
        lines.push(format!("UID:{uid}"));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART{tz}:{start}"));
        if self.use_duration {
            lines.push(format!("DURATION:PT{}M", self.minutes));
        } else {
            // The same end written as DTEND: start plus `minutes`, possibly days later.
            let base = chrono::NaiveDate::from_ymd_opt(y as i32, mo, d)
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .expect("valid date");
            let end = base + chrono::TimeDelta::minutes(i64::from(end_minutes));
            lines.push(format!("DTEND{tz}:{}", end.format("%Y%m%dT%H%M%S")));
        }
        lines.push(format!("SUMMARY:{}", escape(&self.summary)));
        lines.push(format!("LOCATION:{}", escape(&self.location)));
        if !self.rule.is_empty() {
            lines.push(format!("RRULE:{}", self.rule));
        }
        lines.push("END:VEVENT".to_string());
        lines.push("END:VCALENDAR".to_string());
        let mut text = String::new();
        for line in lines {
            text.push_str(&fold(&line, self.line_end));
        }
        text
    }
}

/// Folds at 60 characters the way a careless producer might (may split UTF-8 sequences'
/// characters across lines, never bytes).
fn fold(line: &str, line_end: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    for (i, chunk) in chars.chunks(60).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.extend(chunk);
        out.push_str(line_end);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn generated_events_round_trip(event in event()) {
        let text = event.ics(&event.uid, "20240101T000000Z");
        let parsed = parse_file(&text).expect("generated file parses");
        prop_assert!(parsed.failed.is_empty(), "{:?}", parsed.failed);
        prop_assert_eq!(parsed.objects.len(), 1);
        let object = &parsed.objects[0];
        prop_assert_eq!(object.uid(), event.uid.as_str());
        let summary = event.summary.replace('\r', "");
        prop_assert_eq!(object.summary().summary, Some(summary));
        let ics = object.to_ics();
        for line in ics.split("\r\n") {
            prop_assert!(line.len() <= 75, "{} octets: {:?}", line.len(), line);
        }
        let again = CalendarObject::parse(&ics).expect("own output parses");
        prop_assert_eq!(&again, object);
        prop_assert_eq!(again.to_ics(), ics);
        prop_assert_eq!(again.time_span(), object.time_span());
        let span = object.time_span();
        prop_assert!(span.first_start.is_some());
        if event.rule.is_empty() || event.rule.contains("COUNT") || event.rule.contains("UNTIL") {
            prop_assert!(span.last_end >= span.first_start);
        } else {
            prop_assert_eq!(span.last_end, None);
        }
    }

    #[test]
    fn fingerprint_ignores_uid_and_dtstamp(event in event(), other_uid in "[a-z0-9]{1,30}") {
        let first = parse_file(&event.ics(&event.uid, "20240101T000000Z")).expect("parses");
        let second = parse_file(&event.ics(&other_uid, "20250607T080910Z")).expect("parses");
        let a = first.objects[0].fingerprint();
        prop_assert_eq!(&a, &second.objects[0].fingerprint());
        // DTEND and the equivalent DURATION: equal unless a DST change falls inside, where
        // RFC 5545 §3.3.6 makes them different ends (DURATION minutes are exact time).
        if event.tzid.is_empty() {
            let mut flipped = event.clone();
            flipped.use_duration = !flipped.use_duration;
            let third = parse_file(&flipped.ics(&other_uid, "20250607T080910Z")).expect("parses");
            prop_assert_eq!(&a, &third.objects[0].fingerprint());
        }
        let mut changed = event.clone();
        changed.summary.push_str(" changed");
        let fourth = parse_file(&changed.ics(&event.uid, "20240101T000000Z")).expect("parses");
        prop_assert_ne!(&a, &fourth.objects[0].fingerprint());
    }

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>()) {
        check_anything(&input);
    }

    #[test]
    fn calendar_shaped_noise_never_panics(tokens in prop::collection::vec(token(), 0..80)) {
        check_anything(&tokens.concat());
    }

    #[test]
    fn mutated_real_files_never_panic(
        file in any::<prop::sample::Index>(),
        mutations in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), token()), 1..6),
    ) {
        let corpus = corpus();
        let mut text = corpus[file.index(corpus.len())].clone();
        for (at, len, token) in mutations {
            mutate(&mut text, at, len, &token);
        }
        check_anything(&text);
    }
}

/// Whatever the input, parsing returns and every object it gives round-trips.
fn check_anything(input: &str) {
    let Ok(parsed) = parse_file(input) else {
        return;
    };
    for object in &parsed.objects {
        let ics = object.to_ics();
        let again = CalendarObject::parse(&ics)
            .unwrap_or_else(|e| panic!("own output does not parse: {e}\n{ics}"));
        assert_eq!(&again, object, "round trip changed the object\n{ics}");
        let _ = object.time_span();
        let _ = object.fingerprint();
        let _ = object.summary();
    }
    for failure in &parsed.failed {
        assert!(failure.line > 0, "{failure}");
    }
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "BEGIN:VCALENDAR\r\n",
            "END:VCALENDAR\r\n",
            "BEGIN:VEVENT\r\n",
            "END:VEVENT\r\n",
            "BEGIN:VTODO\r\n",
            "END:VTODO\r\n",
            "BEGIN:VALARM\r\n",
            "END:VALARM\r\n",
            "BEGIN:VTIMEZONE\r\n",
            "END:VTIMEZONE\r\n",
            "BEGIN:STANDARD\r\n",
            "END:STANDARD\r\n",
            "UID:x\r\n",
            "UID:y\r\n",
            "RECURRENCE-ID:20240102T090000Z\r\n",
            "DTSTART:20240101T090000Z\r\n",
            "DTSTART;TZID=Europe/Berlin:20240101T090000\r\n",
            "DTSTART;VALUE=DATE:20240101\r\n",
            "DTEND:20240101T100000Z\r\n",
            "DURATION:PT1H\r\n",
            "RRULE:FREQ=DAILY;COUNT=3\r\n",
            "RRULE:FREQ=SECONDLY\r\n",
            "RRULE:W1 FR #9\r\n",
            "RRULE:FREQ=YEARLY;UNTIL=19000101\r\n",
            "EXDATE:20240102T090000Z\r\n",
            "RDATE;VALUE=PERIOD:20240105T090000Z/PT1H\r\n",
            "TZID:Custom\r\n",
            "TZOFFSETFROM:+0100\r\n",
            "TZOFFSETTO:+0200\r\n",
            "DTSTART;TZID=Custom:20240101T090000\r\n",
            "VERSION:1.0\r\n",
            "VERSION:2.0\r\n",
            "METHOD:REQUEST\r\n",
            "DESCRIPTION;ENCODING=QUOTED-PRINTABLE:a=\r\n",
            "SUMMARY:a\\, b\r\n",
            "\r\n",
            "\n",
            " ",
            "\t",
            ":",
            ";",
            "=",
            ",",
            "\"",
            "\\",
            "=\r\n",
            "\u{feff}",
            "é",
            "😀",
            "X-A;P=\"q:;,\":v\r\n",
            "Dear Team,\r\n",
            "X\r\n",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,20}",
    ]
}

fn mutate(text: &mut String, at: prop::sample::Index, len: prop::sample::Index, token: &str) {
    let mut start = at.index(text.len() + 1);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + len.index(12)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.replace_range(start..end, token);
}

fn corpus() -> Vec<String> {
    let dir = std::env::var_os("CALVAULT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/fixtures/ics"
            ))
        });
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file() && e.file_name() != "SOURCES.md")
                .filter_map(|e| std::fs::read(e.path()).ok())
                // Small files mutate into more interesting shapes per case.
                .filter(|bytes| bytes.len() < 20_000)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .collect()
        })
        .unwrap_or_default();
    if files.is_empty() {
        files.push(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T090000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                .to_string(),
        );
    }
    files.sort();
    files
}
