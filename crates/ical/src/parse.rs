//! Reading the lines of an .ics file into components: whole, or only where each lies (the
//! first pass of `stream`). `parse_file` collects the stream, so the two cannot disagree.

use calcard::common::IanaParse;
use calcard::icalendar::ICalendarProperty;

use crate::component::{Component, Item};
use crate::line::{ContentLine, LineError, unescape_text};
use crate::object::CalendarObject;
use crate::reader::{LogicalLines, is_quoted_printable};
use crate::stream::ObjectStream;
use crate::validate::quote;
use crate::{ComponentKind, ObjectError, ParseError};

/// What a file gave: the objects that parsed, and one error per object (or stray part of the
/// file) that could not be taken.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub objects: Vec<CalendarObject>,
    pub failed: Vec<ObjectError>,
    /// X-WR-CALNAME of the first VCALENDAR that has one (a calendar-level property, so it is
    /// not part of any object).
    pub calendar_name: Option<String>,
}

/// Parses a file of one or more VCALENDARs. Components are grouped by UID into objects
/// (a series and its overrides become one object); components without a UID get one
/// derived from their content, so a re-import finds the same UID. Fails as a whole only when
/// nothing in the input is a calendar. `stream_file` gives the same objects one at a time.
pub fn parse_file(text: &str) -> Result<ParsedFile, ParseError> {
    read(text).map_err(Rejected::into_parse_error)
}

/// Why a whole input gave nothing.
pub(crate) enum Rejected {
    Error(ParseError),
    /// Calendars, but no component at all besides time zones: nothing to keep.
    EmptyCalendar {
        line: usize,
    },
}

impl Rejected {
    pub(crate) fn into_parse_error(self) -> ParseError {
        match self {
            Rejected::Error(error) => error,
            Rejected::EmptyCalendar { line } => ParseError::Syntax {
                line,
                message: "the VCALENDAR holds no VEVENT, VTODO or VJOURNAL".to_string(),
            },
        }
    }
}

pub(crate) fn read(text: &str) -> Result<ParsedFile, Rejected> {
    ObjectStream::new(text).map(ObjectStream::into_parsed_file)
}

/// The first pass of a stream: where each component directly under a VCALENDAR lies, and the
/// calendars' own properties; no component is kept.
pub(crate) fn locate(text: &str) -> Builder {
    let mut builder = Builder {
        positions_only: true,
        ..Builder::default()
    };
    let mut lines = LogicalLines::new(text);
    loop {
        let start = lines.offset();
        let Some((number, line)) = lines.next() else {
            break;
        };
        builder.line_start = start;
        builder.line_end = lines.offset();
        builder.line(number, &line);
    }
    builder.line_start = lines.offset();
    builder.finish();
    builder
}

/// Reads a located component again, whole: the same lines through the same states give the
/// same component, errors and line numbers as a single pass over the file would.
pub(crate) fn read_located(text: &str, located: &Located) -> Option<TopComponent> {
    let part = text.get(located.range.clone())?;
    let mut builder = Builder::default();
    if !located.implicit {
        builder.open(0, false);
    }
    for (number, line) in LogicalLines::numbered_from(part, located.line) {
        builder.line(number, &line);
    }
    if let Some(found) = &located.found {
        builder.close_calendar(found);
    }
    builder.calendars.pop()?.components.pop()
}

/// Where a component directly under a VCALENDAR lies in the (BOM-less) text.
pub(crate) struct Located {
    pub(crate) name: String,
    pub(crate) line: usize,
    pub(crate) range: std::ops::Range<usize>,
    /// What ended it when it is never closed (the text its error quotes).
    pub(crate) found: Option<Box<str>>,
    /// It came without a VCALENDAR around it.
    pub(crate) implicit: bool,
    /// The raw value of its first UID property (TZID for a VTIMEZONE).
    pub(crate) key: Option<String>,
}

/// A component directly under a VCALENDAR, with where it started and what is wrong with it.
pub(crate) struct TopComponent {
    pub(crate) component: Component,
    pub(crate) line: usize,
    /// The line where each item of `component` starts.
    pub(crate) item_lines: Vec<usize>,
    pub(crate) errors: Vec<String>,
}

pub(crate) struct CalendarBlock {
    pub(crate) line: usize,
    pub(crate) properties: Vec<ContentLine>,
    components: Vec<TopComponent>,
    /// The components, when only their positions are taken.
    pub(crate) located: Vec<Located>,
    /// A component that came without a VCALENDAR around it.
    implicit: bool,
}

struct Frame {
    component: Component,
    line: usize,
    /// The line where each item of `component` starts.
    item_lines: Vec<usize>,
    errors: Vec<String>,
    /// Inside a VEVENT, VTODO or VJOURNAL (where the data and its repairs matter).
    in_object: bool,
    /// Offset of its BEGIN line.
    start: usize,
    /// The raw value of its first UID (or TZID) property, when only positions are taken.
    key: Option<String>,
}

/// Components may nest this deep inside a VCALENDAR.
const MAX_DEPTH: usize = 16;

/// A block that is skipped whole (a vCard or unknown component outside any VCALENDAR, or a
/// component nested too deep).
struct Skip {
    depth: usize,
}

#[derive(Default)]
pub(crate) struct Builder {
    pub(crate) calendars: Vec<CalendarBlock>,
    /// Whether the last calendar in `calendars` is still open.
    open_calendar: bool,
    stack: Vec<Frame>,
    pub(crate) problems: Vec<ObjectError>,
    skip: Option<Skip>,
    pub(crate) first_stray: Option<(usize, String)>,
    pub(crate) vcard_line: Option<usize>,
    blank_run: usize,
    /// Record where top-level components lie (`CalendarBlock::located`) instead of keeping them.
    positions_only: bool,
    /// Offsets of the current line, and of the line after it.
    line_start: usize,
    line_end: usize,
    /// While a component is closed unterminated: what was found instead of its END.
    found: Option<Box<str>>,
}

/// `BEGIN:NAME` or `END:NAME` (names are case-insensitive, RFC 5545 §2).
fn begin_end(text: &str) -> Option<(bool, &str)> {
    // Most lines are properties: their first letter rules them out before any search.
    if !matches!(text.as_bytes().first(), Some(b'B' | b'b' | b'E' | b'e')) {
        return None;
    }
    let (keyword, name) = text.split_once(':')?;
    let name = name.trim();
    if keyword.eq_ignore_ascii_case("BEGIN") {
        Some((true, name))
    } else if keyword.eq_ignore_ascii_case("END") {
        Some((false, name))
    } else {
        None
    }
}

/// Properties whose value is free text, where a producer's raw line break can land.
/// QUOTED-PRINTABLE values continue with soft line breaks instead, read in `reader`.
fn holds_free_text(line: &ContentLine) -> bool {
    if is_quoted_printable(line.text()) {
        return false;
    }
    const TEXT: [&str; 7] = [
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "COMMENT",
        "CONTACT",
        "RESOURCES",
        "CATEGORIES",
    ];
    let name = line.name();
    TEXT.iter().any(|t| name.eq_ignore_ascii_case(t))
        || (name.len() > 2 && name.as_bytes()[..2].eq_ignore_ascii_case(b"X-"))
        || ICalendarProperty::parse(name.as_bytes()).is_none()
}

pub(crate) fn is_object_name(name: &str) -> bool {
    ComponentKind::parse(name).is_some()
}

/// A producer that forgets to fold leaves lines such as `Passcode: 1234` inside a DESCRIPTION.
/// A line that parses but whose name is neither a known property, nor an X- name, nor written
/// in capitals is taken as such a continuation.
fn looks_like_text(line: &ContentLine) -> bool {
    let name = line.name();
    let x_name = name.len() > 2 && name.as_bytes()[..2].eq_ignore_ascii_case(b"X-");
    !x_name
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && ICalendarProperty::parse(name.as_bytes()).is_none()
}

impl Builder {
    fn line(&mut self, number: usize, text: &str) {
        if text.chars().all(char::is_whitespace) {
            // Blank lines break RFC 5545 §3.1 but carry nothing; many producers write them.
            self.blank_run += 1;
            return;
        }
        let blanks = std::mem::take(&mut self.blank_run);
        let restart = !self.open_calendar
            && begin_end(text)
                .is_some_and(|(begin, name)| begin && name.eq_ignore_ascii_case("VCALENDAR"));
        if restart {
            // An unterminated block before a calendar does not hide the calendar.
            self.skip = None;
        }
        if let Some(skip) = &mut self.skip {
            match begin_end(text) {
                Some((true, _)) => skip.depth += 1,
                Some((false, _)) => skip.depth -= 1,
                None => {}
            }
            if skip.depth == 0 {
                self.skip = None;
            }
            return;
        }
        match begin_end(text) {
            Some((true, name)) => self.begin(number, name),
            Some((false, name)) => self.end(number, name),
            None => self.property(number, text, blanks),
        }
    }

    fn begin(&mut self, number: usize, name: &str) {
        if name.eq_ignore_ascii_case("VCALENDAR") {
            self.close_calendar(&format!("BEGIN:VCALENDAR at line {number}"));
            self.open(number, false);
            return;
        }
        if !self.open_calendar {
            if is_object_name(name) || name.eq_ignore_ascii_case("VTIMEZONE") {
                // A bare component: read it as if a VCALENDAR were around it.
                self.open(number, true);
            } else {
                if name.eq_ignore_ascii_case("VCARD") {
                    self.vcard_line.get_or_insert(number);
                } else {
                    self.stray(number, &format!("BEGIN:{name}"));
                }
                self.skip = Some(Skip { depth: 1 });
                return;
            }
        }
        let depth = self.stack.len();
        if let Some(top) = self.stack.last_mut()
            && depth >= MAX_DEPTH
        {
            // Real data nests three deep (VCALENDAR, VEVENT, VALARM); deeper input is refused
            // before it can exhaust the stack of the recursive writers.
            top.errors.push(format!(
                "line {number}: BEGIN:{name} nests components more than {MAX_DEPTH} deep"
            ));
            self.skip = Some(Skip { depth: 1 });
            return;
        }
        let in_object = self
            .stack
            .first()
            .map_or(is_object_name(name), |f| f.in_object);
        let component = if self.positions_only {
            Component {
                name: name.to_string(),
                items: Vec::new(),
            }
        } else {
            Component::new(name)
        };
        self.stack.push(Frame {
            component,
            line: number,
            item_lines: Vec::new(),
            errors: Vec::new(),
            in_object,
            start: self.line_start,
            key: None,
        });
    }

    fn open(&mut self, number: usize, implicit: bool) {
        self.calendars.push(CalendarBlock {
            line: number,
            properties: Vec::new(),
            components: Vec::new(),
            located: Vec::new(),
            implicit,
        });
        self.open_calendar = true;
    }

    fn end(&mut self, number: usize, name: &str) {
        if !self.open_calendar {
            self.stray(number, &format!("END:{name}"));
            return;
        }
        if let Some(depth) = self.stack.iter().rposition(|f| f.component.is(name)) {
            while self.stack.len() > depth + 1 {
                self.pop_unterminated(&format!("END:{name} at line {number}"));
            }
            self.pop();
            if self.stack.is_empty() && self.calendars.last().is_some_and(|c| c.implicit) {
                self.open_calendar = false;
            }
            return;
        }
        if name.eq_ignore_ascii_case("VCALENDAR") {
            self.close_calendar(&format!("END:VCALENDAR at line {number}"));
            return;
        }
        let message = format!("line {number}: END:{name} without a matching BEGIN");
        match self.stack.last_mut() {
            Some(frame) => frame.errors.push(message),
            None => self.problems.push(ObjectError {
                line: number,
                uid: None,
                message: format!("END:{name} without a matching BEGIN (ignored)"),
            }),
        }
    }

    /// Closes the open calendar: its open components are unterminated.
    pub(crate) fn close_calendar(&mut self, found: &str) {
        while !self.stack.is_empty() {
            self.pop_unterminated(found);
        }
        if !self.open_calendar {
            return;
        }
        self.open_calendar = false;
        if let Some(calendar) = self.calendars.last()
            && !calendar.implicit
            && !found.starts_with("END:VCALENDAR")
        {
            self.problems.push(ObjectError {
                line: calendar.line,
                uid: None,
                message: format!(
                    "BEGIN:VCALENDAR is never closed with END:VCALENDAR (found {found})"
                ),
            });
        }
    }

    fn pop_unterminated(&mut self, found: &str) {
        if let Some(frame) = self.stack.last_mut() {
            let name = frame.component.name.clone();
            frame.errors.push(format!(
                "line {}: BEGIN:{name} is never closed with END:{name} (found {found})",
                frame.line
            ));
        }
        self.found = Some(found.into());
        self.pop();
        self.found = None;
    }

    /// Attaches the top frame to its parent (or to the calendar).
    fn pop(&mut self) {
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        if let Some(parent) = self.stack.last_mut() {
            parent.errors.append(&mut frame.errors);
            parent.item_lines.push(frame.line);
            parent
                .component
                .items
                .push(Item::Component(frame.component));
            return;
        }
        let Some(calendar) = self.calendars.last_mut() else {
            return;
        };
        if self.positions_only {
            // Never closed: its text ends where the line that ended it starts.
            let end = match self.found {
                Some(_) => self.line_start,
                None => self.line_end,
            };
            calendar.located.push(Located {
                name: frame.component.name,
                line: frame.line,
                range: frame.start..end,
                found: self.found.clone(),
                implicit: calendar.implicit,
                key: frame.key,
            });
            return;
        }
        calendar.components.push(TopComponent {
            component: frame.component,
            line: frame.line,
            item_lines: frame.item_lines,
            errors: frame.errors,
        });
    }

    fn stray(&mut self, number: usize, text: &str) {
        if self.calendars.is_empty() {
            if self.first_stray.is_none() {
                self.first_stray = Some((number, text.to_string()));
            }
        } else {
            self.problems.push(ObjectError {
                line: number,
                uid: None,
                message: format!("{} outside any VCALENDAR (ignored)", quote(text)),
            });
        }
    }

    fn property(&mut self, number: usize, text: &str, blanks: usize) {
        if !self.open_calendar {
            self.stray(number, text);
            return;
        }
        if self.positions_only && !self.stack.is_empty() {
            self.note_key(text);
            return;
        }
        let parsed = ContentLine::parse(text);
        let Some(frame) = self.stack.last_mut() else {
            self.calendar_property(number, text, parsed);
            return;
        };
        let continues = frame.in_object
            && frame
                .component
                .last_property_mut()
                .is_some_and(|previous| holds_free_text(previous))
            && match &parsed {
                Ok(line) => looks_like_text(line),
                Err(error) => *error == LineError::NotALine,
            };
        if continues {
            // Repair: the producer put a line break into a text value without folding it
            // (RFC 5545 §3.1); it becomes an escaped newline (§3.3.11) of that value.
            if let Some(previous) = frame.component.last_property_mut() {
                for _ in 0..=blanks {
                    previous.push_value("\\n");
                }
                previous.push_value(text);
            }
            return;
        }
        match parsed {
            Ok(line) => {
                frame.item_lines.push(number);
                frame.component.items.push(Item::Property(line));
            }
            Err(error) => frame.errors.push(format!(
                "line {number}: {}: {}",
                error.describe(),
                quote(text)
            )),
        }
    }

    /// Keeps the first UID (or a VTIMEZONE's TZID) of a top-level component. Such a line is
    /// never taken as the continuation of a text value (UID and TZID are known property names),
    /// so it is a property here exactly when it is one in a full read.
    fn note_key(&mut self, text: &str) {
        let [frame] = self.stack.as_mut_slice() else {
            return;
        };
        if frame.key.is_some() {
            return;
        }
        let name = if frame.component.is("VTIMEZONE") {
            "TZID"
        } else {
            "UID"
        };
        let named = text.len() > name.len()
            && text.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && matches!(text.as_bytes()[name.len()], b';' | b':');
        if !named {
            return;
        }
        if let Ok(line) = ContentLine::parse(text) {
            frame.key = Some(line.value().to_string());
        }
    }

    fn calendar_property(
        &mut self,
        number: usize,
        text: &str,
        parsed: Result<ContentLine, LineError>,
    ) {
        let Some(calendar) = self.calendars.last_mut() else {
            return;
        };
        match parsed {
            Ok(line) => calendar.properties.push(line),
            Err(error) => self.problems.push(ObjectError {
                line: number,
                uid: None,
                message: format!(
                    "{}: {} in VCALENDAR (ignored)",
                    error.describe(),
                    quote(text)
                ),
            }),
        }
    }

    pub(crate) fn finish(&mut self) {
        if self.open_calendar {
            self.close_calendar("the end of the input");
        }
    }
}

/// The TZID a VTIMEZONE defines, as TZID parameters name it.
pub(crate) fn timezone_id(component: &Component) -> Option<String> {
    component
        .property("TZID")
        .map(|id| unescape_text(id.value()).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:series\r\nDTSTART:20240101T090000Z\r\nDTEND:20240101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    const OVERRIDE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:series\r\nRECURRENCE-ID:20240103T090000Z\r\nDTSTART:20240103T110000Z\r\nDTEND:20240103T120000Z\r\nSUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn overrides_in_a_later_vcalendar_join_their_master() {
        let text = format!("{MASTER}{OVERRIDE}");
        let parsed = parse_file(&text).expect("parses");
        assert!(parsed.failed.is_empty(), "{:?}", parsed.failed);
        assert_eq!(parsed.objects.len(), 1);
        let ics = parsed.objects[0].to_ics();
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(ics.matches("BEGIN:VCALENDAR").count(), 1);
    }

    #[test]
    fn master_comes_first_even_after_its_override() {
        let text = format!("{OVERRIDE}{MASTER}");
        let parsed = parse_file(&text).expect("parses");
        let ics = parsed.objects[0].to_ics();
        let master = ics.find("RRULE").expect("master");
        let moved = ics.find("RECURRENCE-ID").expect("override");
        assert!(master < moved);
    }

    #[test]
    fn override_without_master_is_an_object() {
        let parsed = parse_file(OVERRIDE).expect("parses");
        assert_eq!(parsed.objects.len(), 1);
        assert_eq!(parsed.objects[0].uid(), "series");
    }

    #[test]
    fn uidless_components_get_a_stable_uid() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20240101\nSUMMARY:A\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20240102\nSUMMARY:B\nEND:VEVENT\nEND:VCALENDAR\n";
        let first = parse_file(text).expect("parses");
        let again = parse_file(text).expect("parses");
        assert_eq!(first.objects.len(), 2);
        assert_ne!(first.objects[0].uid(), first.objects[1].uid());
        assert_eq!(first.objects[0].uid(), again.objects[0].uid());
        assert!(first.objects[0].uid().starts_with("calvault-"));
        let reparsed = CalendarObject::parse(&first.objects[0].to_ics()).expect("round trip");
        assert_eq!(reparsed, first.objects[0]);
    }

    #[test]
    fn broken_override_fails_the_object_and_keeps_the_others() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:good\nDTSTART:20240101T090000Z\nEND:VEVENT\nBEGIN:VEVENT\nUID:bad\nDTSTART:20240101T090000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\nBEGIN:VEVENT\nUID:bad\nRECURRENCE-ID:20240102T090000Z\nDTSTART:2024-01-02\nEND:VEVENT\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert_eq!(parsed.objects.len(), 1);
        assert_eq!(parsed.objects[0].uid(), "good");
        assert_eq!(parsed.failed.len(), 1);
        assert_eq!(parsed.failed[0].line, 12);
        assert_eq!(parsed.failed[0].uid.as_deref(), Some("bad"));
        assert!(
            parsed.failed[0].message.contains("line 15"),
            "{}",
            parsed.failed[0]
        );
    }

    #[test]
    fn unterminated_vevent_fails_with_its_line() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert!(parsed.objects.is_empty());
        assert_eq!(parsed.failed[0].line, 3);
        assert!(parsed.failed[0].message.contains("never closed"));
    }

    #[test]
    fn not_a_calendar() {
        assert!(matches!(parse_file(""), Err(ParseError::NoCalendar)));
        assert!(matches!(
            parse_file("\nBEGIN:VCARD\nFN:x\nEND:VCARD\n"),
            Err(ParseError::Syntax { line: 2, .. })
        ));
        assert!(matches!(
            parse_file("hello world"),
            Err(ParseError::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            parse_file("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n"),
            Err(ParseError::Syntax { line: 1, .. })
        ));
    }

    #[test]
    fn junk_before_a_calendar_is_reported() {
        let text = "HTTP/1.1 200 OK\nBEGIN:VCARD\nFN:x\nBEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101\nEND:VEVENT\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert_eq!(parsed.objects.len(), 1);
        assert_eq!(parsed.failed.len(), 1);
        assert_eq!(parsed.failed[0].line, 1);
    }

    #[test]
    fn freebusy_only_is_not_a_failure() {
        let text =
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VFREEBUSY\nUID:f\nEND:VFREEBUSY\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert!(parsed.objects.is_empty() && parsed.failed.is_empty());
    }

    #[test]
    fn raw_description_lines_are_joined() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nDESCRIPTION:Dear Team,\n\nJoin: now\nMeeting ID: 1\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert!(parsed.failed.is_empty(), "{:?}", parsed.failed);
        assert!(
            parsed.objects[0]
                .to_ics()
                .contains("DESCRIPTION:Dear Team,\\n\\nJoin: now\\nMeeting ID: 1\r\n")
        );
    }

    #[test]
    fn stray_calendar_line_is_reported_and_objects_kept() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND:VEVENT\nX\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert_eq!(parsed.objects.len(), 1);
        assert_eq!(parsed.failed[0].line, 7);
    }

    #[test]
    fn duplicate_copies_keep_the_highest_sequence() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSEQUENCE:2\nDTSTART:20240101T090000Z\nSUMMARY:new\nEND:VEVENT\nBEGIN:VEVENT\nUID:a\nSEQUENCE:1\nDTSTART:20240101T090000Z\nSUMMARY:old\nEND:VEVENT\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert_eq!(parsed.objects.len(), 1);
        assert_eq!(parsed.objects[0].summary().summary.as_deref(), Some("new"));
        assert_eq!(parsed.failed.len(), 1);
        assert_eq!(parsed.failed[0].line, 8);
    }

    #[test]
    fn objects_are_checked_by_the_version_they_are_written_with() {
        // The first VERSION is the one the object keeps; a later VERSION:1.0 must not relax
        // the checks (found by fuzzing).
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nSUMMARY:no start\nEND:VEVENT\nVERSION:1.0\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        assert!(parsed.objects.is_empty());
        assert_eq!(parsed.failed[0].line, 3);
        let vcalendar = text.replace("VERSION:2.0\n", "VERSION:1.0\n");
        let parsed = parse_file(&vcalendar).expect("parses");
        assert_eq!(parsed.objects.len(), 1);
        let again = CalendarObject::parse(&parsed.objects[0].to_ics()).expect("round trip");
        assert_eq!(again, parsed.objects[0]);
    }

    #[test]
    fn calendar_name_is_exposed() {
        let text = "BEGIN:VCALENDAR\nX-WR-CALNAME:Team\\, A\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101\nEND:VEVENT\nEND:VCALENDAR\n";
        assert_eq!(
            parse_file(text).expect("parses").calendar_name.as_deref(),
            Some("Team, A")
        );
    }
}
