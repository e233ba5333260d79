//! Throughput on generated events. Ignored by default; run with
//! `cargo test --release -p calvault-ical --test perf -- --ignored --nocapture`.

use std::time::Instant;

use calvault_ical::{CalendarObject, CalendarWriter, parse_file};

const EVENTS: usize = 10_000;

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// A file of events as a desktop client exports them: zoned times, text with escapes, an
/// alarm; one in ten recurs weekly ten times.
fn generated_file() -> String {
    let mut text = String::with_capacity(EVENTS * 700);
    text.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    text.push_str(VTIMEZONE);
    for i in 0..EVENTS {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let hour = 8 + i % 9;
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{i:08}-bench@example.com\r\nDTSTAMP:20240101T000000Z\r\nCREATED:20240101T000000Z\r\nLAST-MODIFIED:20240102T000000Z\r\nSEQUENCE:1\r\nDTSTART;TZID=Europe/Berlin:2024{month:02}{day:02}T{hour:02}0000\r\nDTEND;TZID=Europe/Berlin:2024{month:02}{day:02}T{:02}3000\r\nSUMMARY:Project meeting {i}\\, room change\r\nLOCATION:Building 4\\, Room {}\r\nDESCRIPTION:Agenda:\\n1. Status\\n2. Next steps – please prepare your figures before the meeting so that we can finish on time\r\nORGANIZER;CN=Jane Doe:mailto:jane@example.com\r\nATTENDEE;CN=John Roe;PARTSTAT=ACCEPTED:mailto:john@example.com\r\nSTATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\n",
            hour + 1,
            i % 50
        ));
        if i % 10 == 0 {
            text.push_str("RRULE:FREQ=WEEKLY;COUNT=10\r\n");
        }
        text.push_str("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n");
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

#[test]
#[ignore]
fn import_cost_per_event() {
    let text = generated_file();
    let started = Instant::now();
    let parsed = parse_file(&text).expect("parses");
    let parse_time = started.elapsed();
    assert_eq!(parsed.objects.len(), EVENTS);
    assert!(parsed.failed.is_empty());

    let mut stored = Vec::with_capacity(EVENTS);
    let mut spans = 0i64;
    let phase = Instant::now();
    for object in &parsed.objects {
        stored.push(object.to_ics());
    }
    let to_ics_time = phase.elapsed();
    let phase = Instant::now();
    for object in &parsed.objects {
        spans += object.time_span().first_start.unwrap_or(0) % 7;
    }
    let span_time = phase.elapsed();
    let phase = Instant::now();
    let mut fingerprints = 0usize;
    for object in &parsed.objects {
        fingerprints += object.fingerprint().as_str().len();
    }
    let fingerprint_time = phase.elapsed();
    let total = started.elapsed();
    assert!(spans >= 0 && fingerprints == EVENTS * 64);

    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / EVENTS as f64;
    println!(
        "per event: parse {:.2} µs, to_ics {:.2} µs, time_span {:.2} µs, fingerprint {:.2} µs, total {:.2} µs ({:.0} events/s on one core)",
        per(parse_time),
        per(to_ics_time),
        per(span_time),
        per(fingerprint_time),
        per(total),
        EVENTS as f64 / total.as_secs_f64()
    );

    // Re-reading one stored object (as CalDAV GET/PUT paths do).
    let phase = Instant::now();
    for ics in &stored {
        let object = CalendarObject::parse(ics).expect("own output parses");
        assert!(!object.uid().is_empty());
    }
    println!(
        "CalendarObject::parse of stored text: {:.2} µs",
        per(phase.elapsed())
    );

    // Export: stored texts streamed into one file.
    let phase = Instant::now();
    let mut writer =
        CalendarWriter::new(Vec::with_capacity(text.len()), Some("Bench")).expect("header");
    for ics in &stored {
        writer.push(ics).expect("push");
    }
    let out = writer.finish().expect("finish");
    let export_time = phase.elapsed();
    println!(
        "CalendarWriter: {:.2} µs per object ({:.0} objects/s), {} bytes",
        per(export_time),
        EVENTS as f64 / export_time.as_secs_f64(),
        out.len()
    );
}

/// The slowest corpus files, whole pipeline (parse, to_ics, time_span, fingerprint).
#[test]
#[ignore]
fn corpus_cost() {
    let dir = std::env::var_os("CALVAULT_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/ics").into()
        });
    let mut costs = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok())
    {
        let bytes = std::fs::read(entry.path()).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        let started = Instant::now();
        let mut objects = 0;
        if let Ok(parsed) = parse_file(&text) {
            for object in &parsed.objects {
                let _ = object.to_ics();
                let _ = object.time_span();
                let _ = object.fingerprint();
            }
            objects = parsed.objects.len();
        }
        costs.push((started.elapsed(), objects, entry.file_name()));
    }
    costs.sort();
    for (time, objects, name) in costs.iter().rev().take(8) {
        println!(
            "{:>10.3} ms  {objects:>5} objects  {}",
            time.as_secs_f64() * 1e3,
            name.to_string_lossy()
        );
    }
}

/// A month's instances of series that started long before it (what the agenda's month view
/// asks of every open-ended series): parse once, expand per month.
#[test]
#[ignore]
fn month_expansion_cost() {
    use calvault_ical::query::TimeRange;
    let rules = [
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=1",
        "RRULE:FREQ=WEEKLY;COUNT=20",
        "RRULE:FREQ=WEEKLY;UNTIL=20250101T000000Z",
    ];
    let objects: Vec<CalendarObject> = (0..3_000)
        .map(|i| {
            let text = format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n{VTIMEZONE}BEGIN:VEVENT\r\nUID:s{i}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Berlin:2022{:02}{:02}T090000\r\nDTEND;TZID=Europe/Berlin:2022{:02}{:02}T100000\r\n{}\r\nSUMMARY:Series {i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                1 + i % 12,
                1 + i % 28,
                1 + i % 12,
                1 + i % 28,
                rules[i % rules.len()]
            );
            CalendarObject::parse(&text).expect("a series")
        })
        .collect();
    // March 2024, with the agenda's day of margin on each side.
    let range = TimeRange {
        start: Some(1_709_164_800),
        end: Some(1_711_929_600),
    };
    let started = Instant::now();
    let mut instances = 0;
    for object in &objects {
        instances += object.expanded_instances(&range).len();
    }
    let time = started.elapsed();
    println!(
        "{} series, {instances} instances in a month: {:.1} µs per series",
        objects.len(),
        time.as_secs_f64() * 1e6 / objects.len() as f64
    );
    assert!(instances > 0);
}
