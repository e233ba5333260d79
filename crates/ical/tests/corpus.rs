//! Every file of the shared real-world corpus, checked by the status SOURCES.md gives it.
//!
//! - valid: no failed object, objects when the file has any, every object round-trips
//!   (parse(to_ics(x)) == x) and every content line of the input's VEVENT, VTODO, VJOURNAL,
//!   VALARM and (referenced) VTIMEZONE blocks is in the output, unfolded and byte for byte;
//! - non-conformant: no panic, and whatever objects come out round-trip;
//! - malformed: no panic, and an error or a failed object that names a line.
//!
//! The folder is `../shared/fixtures/ics` beside the workspace, or `$CALVAULT_FIXTURES`.

use std::collections::{BTreeMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use calvault_ical::{CalendarObject, ParseError, ParsedFile, parse_file};

fn fixtures() -> PathBuf {
    match std::env::var_os("CALVAULT_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/ics"
        )),
    }
}

/// File name to status, from the "Files" table of SOURCES.md.
fn statuses(sources: &str) -> BTreeMap<String, String> {
    let mut status_column = None;
    let mut out = BTreeMap::new();
    for line in sources.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.first() == Some(&"file") {
            status_column = cells.iter().position(|c| *c == "status");
            continue;
        }
        let (Some(column), Some(name)) = (status_column, cells.first()) else {
            continue;
        };
        let name = name.trim_matches('`');
        if let Some(status) = cells.get(column) {
            out.insert(name.to_string(), status.to_string());
        }
    }
    out
}

/// Files are bytes: a file that is not UTF-8 is read as Latin-1 (ISO-8859-1 maps each byte
/// to the code point of the same value), which is what such old producers wrote.
fn decode(bytes: &[u8]) -> (String, bool) {
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => (text, false),
        Err(_) => (bytes.iter().map(|&b| char::from(b)).collect(), true),
    }
}

/// RFC 5545 §3.1 unfolding, done independently of the crate: lines end at LF (CR before it
/// dropped), a line starting with space or tab continues the previous one.
fn unfold(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<String> = Vec::new();
    for physical in text.split('\n') {
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        match (physical.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) if !last.is_empty() => last.push_str(rest),
            _ => lines.push(physical.to_string()),
        }
    }
    lines
}

/// Components whose lines must survive (VALARMs count inside them, not at calendar level).
const OBJECTS: [&str; 3] = ["VEVENT", "VTODO", "VJOURNAL"];

fn begin_end(line: &str) -> Option<(bool, String)> {
    let (keyword, name) = line.split_once(':')?;
    let name = name.trim().to_ascii_uppercase();
    if keyword.eq_ignore_ascii_case("BEGIN") {
        Some((true, name))
    } else if keyword.eq_ignore_ascii_case("END") {
        Some((false, name))
    } else {
        None
    }
}

/// The content lines (not BEGIN/END, not blank) inside VEVENT, VTODO and VJOURNAL (with
/// their VALARMs) and inside VTIMEZONEs. VTIMEZONEs nothing references are left out: no object
/// needs them.
fn component_lines(text: &str) -> HashSet<String> {
    let lines = unfold(text);
    let referenced: HashSet<String> = lines
        .iter()
        .filter_map(|l| {
            let head = l.split(':').next()?;
            let at = head.to_ascii_uppercase().find(";TZID=")?;
            let value = &head[at + 6..];
            Some(
                value
                    .split(';')
                    .next()?
                    .trim_matches('"')
                    .trim()
                    .to_string(),
            )
        })
        .collect();
    let mut out = HashSet::new();
    let mut stack: Vec<String> = Vec::new();
    let mut block: Vec<String> = Vec::new();
    let mut block_tzid: Option<String> = None;
    for line in &lines {
        if line.trim().is_empty() {
            continue;
        }
        match begin_end(line) {
            Some((true, name)) => stack.push(name),
            Some((false, _)) => {
                stack.pop();
                if stack.iter().all(|n| n != "VTIMEZONE") && !block.is_empty() {
                    let used = block_tzid.take().is_some_and(|id| referenced.contains(&id));
                    if used {
                        out.extend(block.drain(..));
                    }
                    block.clear();
                }
            }
            None => {
                if stack.iter().any(|n| n == "VTIMEZONE") {
                    if stack.last().is_some_and(|n| n == "VTIMEZONE")
                        && line.to_ascii_uppercase().starts_with("TZID:")
                    {
                        block_tzid = Some(line[5..].replace("\\,", ",").trim().to_string());
                    }
                    block.push(line.clone());
                } else if stack.iter().any(|n| OBJECTS.contains(&n.as_str())) {
                    out.insert(line.clone());
                }
            }
        }
    }
    out
}

fn has_object_components(text: &str) -> bool {
    unfold(text).iter().any(|l| {
        begin_end(l).is_some_and(|(begin, name)| begin && OBJECTS.contains(&name.as_str()))
    })
}

fn round_trips(object: &CalendarObject) -> Result<(), String> {
    let ics = object.to_ics();
    if let Some(long) = ics.split("\r\n").find(|l| l.len() > 75) {
        return Err(format!("line over 75 octets: {long}"));
    }
    if ics.replace("\r\n", "").contains('\n') {
        return Err("bare LF in output".to_string());
    }
    match CalendarObject::parse(&ics) {
        Ok(again) if again == *object => Ok(()),
        Ok(_) => Err(format!("UID {}: differs after a round trip", object.uid())),
        Err(error) => Err(format!(
            "UID {}: own output does not parse: {error}",
            object.uid()
        )),
    }
}

fn lines_kept(input: &str, parsed: &ParsedFile) -> Result<(), String> {
    let wanted = component_lines(input);
    let mut have = HashSet::new();
    for object in &parsed.objects {
        have.extend(component_lines(&object.to_ics()));
    }
    let mut missing: Vec<&String> = wanted.difference(&have).collect();
    missing.sort();
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{} input lines missing, e.g. {first:?}",
            missing.len()
        )),
    }
}

#[derive(Default)]
struct Tally {
    files: usize,
    ok_clean: usize,
    ok_with_failed: usize,
    err: usize,
    objects: usize,
    failed_objects: usize,
    round_trip: usize,
    lines_kept: usize,
    panics: usize,
}

enum Outcome {
    Panic,
    Err(ParseError),
    Parsed(ParsedFile),
}

#[test]
fn corpus() {
    let dir = fixtures();
    let sources = std::fs::read_to_string(dir.join("SOURCES.md"))
        .unwrap_or_else(|e| panic!("cannot read {}/SOURCES.md: {e}", dir.display()));
    let statuses = statuses(&sources);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "SOURCES.md" && !name.starts_with('.'))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {}", dir.display());

    let mut problems: Vec<String> = Vec::new();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut latin1 = Vec::new();
    for name in &names {
        let status = statuses
            .get(name)
            .cloned()
            .unwrap_or_else(|| "unlisted".to_string());
        let bytes = std::fs::read(dir.join(name)).expect("readable fixture");
        let (text, was_latin1) = decode(&bytes);
        if was_latin1 {
            latin1.push(name.clone());
        }
        let outcome = match catch_unwind(AssertUnwindSafe(|| parse_file(&text))) {
            Ok(Ok(parsed)) => Outcome::Parsed(parsed),
            Ok(Err(error)) => Outcome::Err(error),
            Err(_) => Outcome::Panic,
        };
        let tally = tallies.entry(status.clone()).or_default();
        tally.files += 1;
        let mut file_problems: Vec<String> = Vec::new();
        match &outcome {
            Outcome::Panic => {
                tally.panics += 1;
                file_problems.push("parse_file panicked".to_string());
            }
            Outcome::Err(error) => {
                tally.err += 1;
                if status == "valid" {
                    file_problems.push(format!("valid file rejected: {error}"));
                }
                let names_line = matches!(error, ParseError::Syntax { line, .. } if *line > 0);
                if status == "malformed" && !names_line {
                    file_problems.push(format!("error names no line: {error}"));
                }
                println!("  {status:15} {name}: Err({error})");
            }
            Outcome::Parsed(parsed) => {
                tally.objects += parsed.objects.len();
                tally.failed_objects += parsed.failed.len();
                if parsed.failed.is_empty() {
                    tally.ok_clean += 1;
                } else {
                    tally.ok_with_failed += 1;
                }
                let all_round_trip = parsed.objects.iter().all(|object| {
                    match catch_unwind(AssertUnwindSafe(|| round_trips(object))) {
                        Ok(Ok(())) => true,
                        Ok(Err(why)) => {
                            file_problems.push(why);
                            false
                        }
                        Err(_) => {
                            file_problems.push("round trip panicked".to_string());
                            false
                        }
                    }
                });
                if all_round_trip {
                    tally.round_trip += 1;
                }
                let kept = lines_kept(&text, parsed);
                if kept.is_ok() {
                    tally.lines_kept += 1;
                }
                match status.as_str() {
                    "valid" => {
                        if let Some(first) = parsed.failed.first() {
                            file_problems.push(format!(
                                "{} failed objects in a valid file, first: {first}",
                                parsed.failed.len()
                            ));
                        }
                        if parsed.objects.is_empty() && has_object_components(&text) {
                            file_problems.push("no object from a file that has some".to_string());
                        }
                        if let Err(why) = &kept {
                            file_problems.push(why.clone());
                        }
                    }
                    "malformed" => {
                        if parsed.failed.is_empty() {
                            file_problems
                                .push("malformed file accepted without a failure".to_string());
                        }
                        for failure in &parsed.failed {
                            if failure.line == 0 || !failure.to_string().starts_with("line ") {
                                file_problems.push(format!("failure names no line: {failure}"));
                            }
                        }
                    }
                    _ => {}
                }
                if status != "valid" {
                    let first = parsed
                        .failed
                        .first()
                        .map(|f| format!("; first failure: {f}"))
                        .unwrap_or_default();
                    let kept = match &kept {
                        Ok(()) => "yes".to_string(),
                        Err(why) => format!("no ({why})"),
                    };
                    println!(
                        "  {status:15} {name}: {} objects, {} failed, lines kept: {kept}{first}",
                        parsed.objects.len(),
                        parsed.failed.len(),
                    );
                }
            }
        }
        problems.extend(
            file_problems
                .into_iter()
                .map(|p| format!("{name} ({status}): {p}")),
        );
    }

    println!();
    println!(
        "| status | files | parsed, nothing failed | parsed, some failed | Err | objects | failed entries | all objects round-trip | input lines all kept | panics |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (status, t) in &tallies {
        println!(
            "| {status} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            t.files,
            t.ok_clean,
            t.ok_with_failed,
            t.err,
            t.objects,
            t.failed_objects,
            t.round_trip,
            t.lines_kept,
            t.panics
        );
    }
    println!("read as Latin-1 (not UTF-8): {latin1:?}");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn lines_comparison_is_strict() {
    let input = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101\r\nX-A;P=1:v\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let parsed = parse_file(input).expect("parses");
    assert!(lines_kept(input, &parsed).is_ok());
    let other = parse_file(&input.replace("X-A;P=1:v", "X-A;P=2:v")).expect("parses");
    assert!(lines_kept(input, &other).is_err());
}
