//! `stream_file` gives what `parse_file` gives, object by object, in bounded memory: over every
//! file of the shared corpus, over generated files with the hard cases of grouping, and (with
//! `--ignored`) on a 100,000-event file for memory and speed.
//!
//! The memory figures come from a counting allocator, so this file is its own test binary:
//! `cargo test --release -p calvault-ical --test stream -- --ignored --nocapture`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use calvault_ical::{CalendarObject, ObjectError, ParseError, parse_file, stream_file};

/// Counts live bytes and their peak, to measure what a call holds at most.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Everything a stream gives, in the shape of `ParsedFile`: objects in order, and the failures
/// (items and file failures) in line order.
struct Streamed {
    objects: Vec<CalendarObject>,
    failed: Vec<ObjectError>,
    calendar_name: Option<String>,
}

fn stream_all(text: &str) -> Result<Streamed, ParseError> {
    let mut stream = stream_file(text)?;
    let promised = stream.len();
    let calendar_name = stream.calendar_name().map(str::to_string);
    let mut objects = Vec::new();
    let mut failed_items = Vec::new();
    let mut yielded = 0;
    for item in stream.by_ref() {
        yielded += 1;
        match item {
            Ok(object) => objects.push(object),
            Err(failure) => failed_items.push(failure),
        }
    }
    assert_eq!(yielded, promised, "len() promised {promised} items");
    let mut failed = stream.file_failures().to_vec();
    failed.extend(failed_items);
    failed.sort_by_key(|f| f.line);
    Ok(Streamed {
        objects,
        failed,
        calendar_name,
    })
}

fn assert_same(name: &str, text: &str) {
    let streamed = stream_all(text);
    let parsed = parse_file(text);
    let (streamed, parsed) = match (streamed, parsed) {
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "{name}: different errors");
            return;
        }
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => panic!("{name}: stream {:?} but parse_file {:?}", a.err(), b.err()),
    };
    assert_eq!(streamed.objects, parsed.objects, "{name}: objects differ");
    // Debug shows what PartialEq may leave out (the origin of each object).
    assert_eq!(
        format!("{:?}", streamed.objects),
        format!("{:?}", parsed.objects),
        "{name}: objects differ"
    );
    assert_eq!(streamed.failed, parsed.failed, "{name}: failures differ");
    assert_eq!(streamed.calendar_name, parsed.calendar_name, "{name}");
}

/// The corpus folder, found as tests/corpus.rs finds it.
fn fixtures() -> PathBuf {
    match std::env::var_os("CALVAULT_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/ics"
        )),
    }
}

/// Not UTF-8 is read as Latin-1, as tests/corpus.rs reads it.
fn decode(bytes: &[u8]) -> String {
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => text,
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

#[test]
fn every_corpus_file_streams_as_it_parses() {
    let folders = [
        fixtures(),
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/rfc4791"
        )),
    ];
    let mut checked = 0;
    for dir in folders {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !path.is_file() || name == "SOURCES.md" || name.starts_with('.') {
                continue;
            }
            let text = decode(&std::fs::read(&path).expect("readable fixture"));
            assert_same(&name, &text);
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} fixtures found");
}

const HEAD: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n";
const TAIL: &str = "END:VCALENDAR\r\n";

fn event(uid: &str, extra: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240105T090000Z\r\nSUMMARY:{uid}\r\n{extra}END:VEVENT\r\n"
    )
}

fn uidless(summary: &str) -> String {
    format!("BEGIN:VEVENT\r\nDTSTART:20240105\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n")
}

const BERLIN: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// Overrides long after their master and in a later VCALENDAR, UID-less components,
/// duplicates, broken objects between good ones, zones defined after their use.
fn hard_cases() -> Vec<(&'static str, String)> {
    let mut many = String::from(HEAD);
    many.push_str(&event("series", "RRULE:FREQ=DAILY;COUNT=9\r\n"));
    for i in 0..200 {
        many.push_str(&event(&format!("filler-{i}"), ""));
    }
    many.push_str(TAIL);
    many.push_str(HEAD);
    many.push_str(&event("series", "RECURRENCE-ID:20240106T090000Z\r\n"));
    many.push_str(TAIL);

    let broken_between = format!(
        "{HEAD}{}{}{}{}{TAIL}",
        event("good-1", ""),
        event("bad", "DTEND:2024-01-05\r\n"),
        event("good-2", ""),
        "BEGIN:VEVENT\r\nUID:open\r\nDTSTART:20240105T090000Z\r\n",
    );
    let duplicates = format!(
        "{HEAD}{}{}{}{}{TAIL}",
        event("dup", "SEQUENCE:1\r\n"),
        event("dup", "SEQUENCE:3\r\n"),
        event("dup", "SEQUENCE:2\r\n"),
        event("dup", "RECURRENCE-ID:20240106T090000Z\r\n"),
    );
    let dropped_copy_of_failing_object = format!(
        "{HEAD}{}{}{TAIL}",
        event("twice", ""),
        event("twice", "DTEND:garbage\r\n"),
    );
    let uidless_mix = format!(
        "{HEAD}{}{}{}{TAIL}{HEAD}{}{TAIL}",
        uidless("A"),
        event("named", ""),
        uidless("B"),
        uidless("A"),
    );
    let zones = format!(
        "{HEAD}{}{BERLIN}{TAIL}{HEAD}{}{TAIL}{HEAD}{BERLIN}{TAIL}",
        event("zoned-1", "DTEND;TZID=Europe/Berlin:20240105T110000\r\n"),
        event("zoned-2", "DTEND;TZID=Europe/Berlin:20240105T110000\r\n"),
    );
    let stray_and_bare = format!(
        "\u{feff}junk before\r\n{}{HEAD}X-WR-CALNAME:Team\r\n{}not a line\r\nEND:VTODO\r\n{TAIL}END:VEVENT\r\n{}",
        event("bare", ""),
        event("inside", ""),
        event("after", ""),
    );
    let folded_and_unterminated = format!(
        "{HEAD}BEGIN:VEVENT\r\nUID:fold\r\n ed\r\nDTSTART:20240105T090000Z\r\nDESCRIPTION:Dear all,\r\n\r\nJoin: now\r\nEND:VEVENT\r\n {HEAD}{}",
        "BEGIN:VEVENT\r\nUID:cut\r\nDTSTART:20240105T090000Z\r\nBEGIN:VALARM\r\n"
    );
    let mut deep = format!("{HEAD}BEGIN:VEVENT\r\nUID:deep\r\nDTSTART:20240105T090000Z\r\n");
    for _ in 0..20 {
        deep.push_str("BEGIN:X-DEEP\r\n");
    }
    for _ in 0..20 {
        deep.push_str("END:X-DEEP\r\n");
    }
    deep.push_str(&format!("END:VEVENT\r\n{}{TAIL}", event("next", "")));
    vec![
        ("override far after its master", many),
        ("broken between good ones", broken_between),
        ("duplicates", duplicates),
        (
            "dropped copy of a failing object",
            dropped_copy_of_failing_object,
        ),
        ("uid-less components", uidless_mix),
        ("zones", zones),
        ("stray lines and bare components", stray_and_bare),
        ("folded and unterminated", folded_and_unterminated),
        ("deep nesting", deep),
        ("vcard", "BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n".to_string()),
        ("empty calendar", format!("{HEAD}{TAIL}")),
        (
            "free-busy only",
            format!("{HEAD}BEGIN:VFREEBUSY\r\nUID:f\r\nEND:VFREEBUSY\r\n{TAIL}"),
        ),
        ("nothing", String::new()),
    ]
}

#[test]
fn generated_files_stream_as_they_parse() {
    for (name, text) in hard_cases() {
        assert_same(name, &text);
        // Every prefix cuts components and calendars short somewhere.
        for (cut, _) in text
            .char_indices()
            .filter(|&(i, c)| c == '\n' && i % 7 == 0)
        {
            assert_same(name, &text[..cut]);
        }
    }
}

#[test]
fn an_override_far_away_joins_its_master() {
    let (_, text) = &hard_cases()[0];
    let mut stream = stream_file(text).expect("parses");
    assert_eq!(stream.len(), 201);
    let series = stream.next().expect("first item").expect("an object");
    assert_eq!(series.uid(), "series");
    assert_eq!(series.to_ics().matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(stream.len(), 200);
}

#[test]
fn dropped_copies_are_file_failures_once_read() {
    let (_, text) = &hard_cases()[2];
    let mut stream = stream_file(text).expect("parses");
    assert_eq!(stream.len(), 1);
    assert!(stream.file_failures().is_empty());
    let object = stream.next().expect("an item").expect("an object");
    assert_eq!(object.to_ics().matches("BEGIN:VEVENT").count(), 2);
    let lines: Vec<usize> = stream.file_failures().iter().map(|f| f.line).collect();
    assert_eq!(lines, vec![4, 18]);
}

#[test]
fn uidless_components_get_the_uids_parse_file_gives() {
    let (_, text) = &hard_cases()[4];
    let streamed: Vec<String> = stream_file(text)
        .expect("parses")
        .map(|item| item.expect("an object").uid().to_string())
        .collect();
    let parsed: Vec<String> = parse_file(text)
        .expect("parses")
        .objects
        .iter()
        .map(|o| o.uid().to_string())
        .collect();
    assert_eq!(streamed, parsed);
    // The two copies of "A" share a derived UID, so they are one object.
    assert_eq!(streamed.len(), 3);
    assert!(streamed[0].starts_with("calvault-"));
}

/// An export as a desktop client writes it: about 500 bytes per event, one zone.
fn big_file(events: usize) -> String {
    let mut text = String::with_capacity(events * 520);
    text.push_str(HEAD);
    text.push_str(BERLIN);
    for i in 0..events {
        let day = 1 + i % 28;
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{i:08}-stream@example.com\r\nDTSTAMP:20240101T000000Z\r\nSEQUENCE:1\r\nDTSTART;TZID=Europe/Berlin:202403{day:02}T090000\r\nDTEND;TZID=Europe/Berlin:202403{day:02}T100000\r\nSUMMARY:Project meeting {i}\\, room change\r\nLOCATION:Building 4\\, Room {}\r\nDESCRIPTION:Agenda:\\n1. Status\\n2. Next steps\r\nORGANIZER;CN=Jane Doe:mailto:jane@example.com\r\nATTENDEE;CN=John Roe;PARTSTAT=ACCEPTED:mailto:john@example.com\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n",
            i % 50
        ));
    }
    text.push_str(TAIL);
    text
}

fn vm_hwm_kib() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `f` and gives the peak of the bytes it allocated beyond what was live before.
fn peak_during(f: impl FnOnce() -> usize) -> (usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = f();
    (PEAK.load(Ordering::Relaxed) - before, result)
}

#[test]
#[ignore]
fn streaming_a_large_file_holds_little() {
    const EVENTS: usize = 100_000;
    let text = big_file(EVENTS);
    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "file: {EVENTS} events, {:.1} MiB ({} bytes per event)",
        mib(text.len()),
        text.len() / EVENTS
    );

    // The stream first: VmHWM only grows, so its figure is the stream's.
    let started = Instant::now();
    let (stream_peak, count) = peak_during(|| {
        let stream = stream_file(&text).expect("parses");
        stream.filter(|item| item.is_ok()).count()
    });
    let stream_time = started.elapsed();
    assert_eq!(count, EVENTS);
    let stream_hwm = vm_hwm_kib();

    let started = Instant::now();
    let (parse_peak, count) = peak_during(|| {
        let parsed = parse_file(&text).expect("parses");
        parsed.objects.len()
    });
    let parse_time = started.elapsed();
    assert_eq!(count, EVENTS);
    let parse_hwm = vm_hwm_kib();

    println!(
        "stream_file: peak {:.1} MiB beyond the text, {:.2} µs per event, VmHWM {:?} KiB",
        mib(stream_peak),
        stream_time.as_secs_f64() * 1e6 / EVENTS as f64,
        stream_hwm
    );
    println!(
        "parse_file:  peak {:.1} MiB beyond the text, {:.2} µs per event, VmHWM {:?} KiB",
        mib(parse_peak),
        parse_time.as_secs_f64() * 1e6 / EVENTS as f64,
        parse_hwm
    );
    // Positions and UIDs only: far below the parsed objects, and below the text itself.
    assert!(stream_peak < text.len(), "stream held {stream_peak} bytes");
    assert!(stream_peak * 4 < parse_peak);
}
