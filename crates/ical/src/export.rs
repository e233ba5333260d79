//! Writing many stored objects as one .ics file, streaming.
//!
//! Stored objects are already whole VCALENDARs written by `CalendarObject::to_ics`, so this
//! works on their text lines: it drops each one's VCALENDAR wrapper and calendar properties,
//! writes each VTIMEZONE once per TZID, and copies the components.

use std::collections::HashSet;
use std::io::Write;

use crate::line::{escape_text, unescape_text, write_folded};

/// Output is collected and handed to the writer in blocks of about this size.
const FLUSH_AT: usize = 64 * 1024;

/// Joins stored objects (each a whole VCALENDAR as `CalendarObject::to_ics` wrote it) into one
/// VCALENDAR, each VTIMEZONE written once. Streams: holds only the TZIDs already written.
pub struct CalendarWriter<W: Write> {
    out: W,
    buffer: String,
    written_timezones: HashSet<String>,
}

impl<W: Write> CalendarWriter<W> {
    /// Writes the VCALENDAR header; `name` becomes X-WR-CALNAME when given.
    pub fn new(out: W, name: Option<&str>) -> std::io::Result<Self> {
        let mut buffer = String::with_capacity(FLUSH_AT + 4096);
        buffer.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
        write_folded(&mut buffer, &format!("PRODID:{}", crate::PRODID));
        if let Some(name) = name {
            write_folded(&mut buffer, &format!("X-WR-CALNAME:{}", escape_text(name)));
        }
        let mut writer = CalendarWriter {
            out,
            buffer,
            written_timezones: HashSet::new(),
        };
        writer.flush_if_full()?;
        Ok(writer)
    }

    /// Adds one stored object.
    pub fn push(&mut self, stored_ics: &str) -> std::io::Result<()> {
        let mut depth = 0usize;
        let mut timezone: Option<String> = None;
        for line in stored_ics.lines() {
            if line.is_empty() {
                continue;
            }
            let is_continuation = line.starts_with([' ', '\t']);
            if let Some(block) = &mut timezone {
                block.push_str(line);
                block.push_str("\r\n");
                if !is_continuation && line.eq_ignore_ascii_case("END:VTIMEZONE") && depth == 2 {
                    self.timezone_block(block);
                    timezone = None;
                }
                depth = next_depth(depth, line);
                continue;
            }
            if depth == 1 && !is_continuation && line.eq_ignore_ascii_case("BEGIN:VTIMEZONE") {
                timezone = Some(format!("{line}\r\n"));
                depth += 1;
                continue;
            }
            let was = depth;
            depth = next_depth(depth, line);
            // Inside a component (not the VCALENDAR wrapper nor its properties).
            if was >= 2 || depth >= 2 {
                self.buffer.push_str(line);
                self.buffer.push_str("\r\n");
            }
        }
        self.flush_if_full()
    }

    /// Writes END:VCALENDAR and gives the writer back.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.buffer.push_str("END:VCALENDAR\r\n");
        self.out.write_all(self.buffer.as_bytes())?;
        self.buffer.clear();
        self.out.flush()?;
        Ok(self.out)
    }

    fn timezone_block(&mut self, block: &str) {
        let unfolded = block.replace("\r\n ", "").replace("\r\n\t", "");
        let tzid = unfolded
            .split("\r\n")
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("TZID").then_some(value)
            })
            .map(|value| unescape_text(value).trim().to_string())
            .unwrap_or_default();
        if self.written_timezones.insert(tzid) {
            self.buffer.push_str(block);
        }
    }

    fn flush_if_full(&mut self) -> std::io::Result<()> {
        if self.buffer.len() >= FLUSH_AT {
            self.out.write_all(self.buffer.as_bytes())?;
            self.buffer.clear();
        }
        Ok(())
    }
}

/// Nesting after `line`: BEGIN opens, END closes (folded lines never start with either).
fn next_depth(depth: usize, line: &str) -> usize {
    let head = line.as_bytes();
    if head.len() >= 6 && head[..6].eq_ignore_ascii_case(b"BEGIN:") {
        depth + 1
    } else if head.len() >= 4 && head[..4].eq_ignore_ascii_case(b"END:") {
        depth.saturating_sub(1)
    } else {
        depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CalendarObject, parse_file};

    const TZ: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

    fn object(uid: &str) -> String {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:PUBLISH\r\n{TZ}BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID=Europe/Berlin:20240101T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        CalendarObject::parse(&text).expect("parses").to_ics()
    }

    #[test]
    fn writes_each_vtimezone_once() {
        let mut writer = CalendarWriter::new(Vec::new(), Some("Team, A")).expect("header");
        for uid in ["a", "b", "c"] {
            writer.push(&object(uid)).expect("push");
        }
        let out = String::from_utf8(writer.finish().expect("finish")).expect("utf-8");
        assert!(out.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//calvault//EN\r\nX-WR-CALNAME:Team\\, A\r\n"));
        assert!(out.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert_eq!(out.matches("BEGIN:VTIMEZONE").count(), 1);
        assert_eq!(out.matches("BEGIN:VEVENT").count(), 3);
        assert_eq!(out.matches("BEGIN:VCALENDAR").count(), 1);
        assert!(!out.contains("METHOD"));
        let parsed = parse_file(&out).expect("parses");
        assert!(parsed.failed.is_empty());
        assert_eq!(parsed.objects.len(), 3);
        assert_eq!(parsed.calendar_name.as_deref(), Some("Team, A"));
    }
}
