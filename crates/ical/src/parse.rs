//! Reading a whole .ics file into objects grouped by UID.

use std::collections::HashMap;
use std::sync::Arc;

use calcard::common::IanaParse;
use calcard::icalendar::ICalendarProperty;

use crate::component::{Component, Item};
use crate::line::{ContentLine, LineError, unescape_text};
use crate::object::CalendarObject;
use crate::reader::{LogicalLines, is_quoted_printable};
use crate::validate::{CalendarContext, check_component, check_property, quote};
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
/// nothing in the input is a calendar.
pub fn parse_file(text: &str) -> Result<ParsedFile, ParseError> {
    read(text).map_err(|rejected| match rejected {
        Rejected::Error(error) => error,
        Rejected::EmptyCalendar { line } => ParseError::Syntax {
            line,
            message: "the VCALENDAR holds no VEVENT, VTODO or VJOURNAL".to_string(),
        },
    })
}

/// Why a whole input gave nothing.
pub(crate) enum Rejected {
    Error(ParseError),
    /// Calendars, but no component at all besides time zones: nothing to keep.
    EmptyCalendar {
        line: usize,
    },
}

pub(crate) fn read(text: &str) -> Result<ParsedFile, Rejected> {
    let mut builder = Builder::default();
    for (number, line) in LogicalLines::new(text) {
        builder.line(number, &line);
    }
    builder.finish();
    builder.into_parsed_file()
}

/// A component directly under a VCALENDAR, with where it started and what is wrong with it.
struct TopComponent {
    component: Component,
    line: usize,
    /// The line where each item of `component` starts.
    item_lines: Vec<usize>,
    errors: Vec<String>,
}

struct CalendarBlock {
    line: usize,
    properties: Vec<ContentLine>,
    components: Vec<TopComponent>,
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
}

/// Components may nest this deep inside a VCALENDAR.
const MAX_DEPTH: usize = 16;

/// A block that is skipped whole (a vCard or unknown component outside any VCALENDAR, or a
/// component nested too deep).
struct Skip {
    depth: usize,
}

#[derive(Default)]
struct Builder {
    calendars: Vec<CalendarBlock>,
    /// Whether the last calendar in `calendars` is still open.
    open_calendar: bool,
    stack: Vec<Frame>,
    problems: Vec<ObjectError>,
    skip: Option<Skip>,
    first_stray: Option<(usize, String)>,
    vcard_line: Option<usize>,
    blank_run: usize,
}

/// `BEGIN:NAME` or `END:NAME` (names are case-insensitive, RFC 5545 §2).
fn begin_end(text: &str) -> Option<(bool, &str)> {
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

/// Checks an object's top-level component as it will be stored (repaired values as repaired,
/// read by the VERSION of the VCALENDAR the object is written with).
fn check_object(member: &Member, context: CalendarContext) -> Vec<String> {
    let mut errors = Vec::new();
    for (item, number) in member.component.items.iter().zip(&member.item_lines) {
        if let Item::Property(line) = item
            && let Some(problem) = check_property(line, context)
        {
            errors.push(format!("line {number}: {problem}"));
        }
    }
    if let Some(problem) = check_component(&member.component, context) {
        errors.push(format!("line {}: {problem}", member.line));
    }
    errors
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

fn is_object_name(name: &str) -> bool {
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
        if text.trim().is_empty() {
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
        self.stack.push(Frame {
            component: Component::new(name),
            line: number,
            item_lines: Vec::new(),
            errors: Vec::new(),
            in_object,
        });
    }

    fn open(&mut self, number: usize, implicit: bool) {
        self.calendars.push(CalendarBlock {
            line: number,
            properties: Vec::new(),
            components: Vec::new(),
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
    fn close_calendar(&mut self, found: &str) {
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
        self.pop();
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

    fn finish(&mut self) {
        if self.open_calendar {
            self.close_calendar("the end of the input");
        }
    }

    fn into_parsed_file(self) -> Result<ParsedFile, Rejected> {
        if self.calendars.is_empty() {
            return Err(Rejected::Error(match (self.vcard_line, self.first_stray) {
                (Some(line), _) => ParseError::Syntax {
                    line,
                    message: "this is a vCard (BEGIN:VCARD), not a calendar".to_string(),
                },
                (None, Some((line, text))) => ParseError::Syntax {
                    line,
                    message: format!("expected BEGIN:VCALENDAR, found {}", quote(&text)),
                },
                (None, None) => ParseError::NoCalendar,
            }));
        }
        let first_line = self.calendars[0].line;
        let mut problems = self.problems;
        if let Some((line, text)) = self.first_stray {
            problems.push(ObjectError {
                line,
                uid: None,
                message: format!("{} before the first VCALENDAR (ignored)", quote(&text)),
            });
        }
        let has_other_components = self.calendars.iter().any(|c| {
            c.components
                .iter()
                .any(|t| !is_object_name(&t.component.name) && !t.component.is("VTIMEZONE"))
        });
        let mut grouping = Grouping {
            failed: problems,
            ..Grouping::default()
        };
        let calendar_name = self.calendars.iter().find_map(|c| {
            c.properties
                .iter()
                .find(|p| p.is("X-WR-CALNAME"))
                .map(|p| unescape_text(p.value()).into_owned())
        });
        for calendar in self.calendars {
            grouping.add_calendar(calendar);
        }
        let parsed = grouping.into_parsed_file(calendar_name);
        if parsed.objects.is_empty() && parsed.failed.is_empty() && !has_other_components {
            return Err(Rejected::EmptyCalendar { line: first_line });
        }
        Ok(parsed)
    }
}

/// One component of an object, before the object is built.
struct Member {
    component: Component,
    line: usize,
    item_lines: Vec<usize>,
    errors: Vec<String>,
    calendar: usize,
    recurrence_id: Option<String>,
}

struct Group {
    uid: String,
    derived_uid: bool,
    members: Vec<Member>,
}

/// The calendar-level lines an object keeps, and its calendar's time zones by TZID.
struct CalendarHeader {
    lines: Arc<[ContentLine]>,
    /// The VCALENDAR had a METHOD, which `lines` leaves out.
    method: bool,
    context: CalendarContext,
    timezones: HashMap<String, usize>,
}

#[derive(Default)]
struct Grouping {
    groups: Vec<Group>,
    by_uid: HashMap<String, usize>,
    headers: Vec<CalendarHeader>,
    timezones: Vec<Arc<Component>>,
    /// TZID to the first VTIMEZONE of the file that defines it.
    file_timezones: HashMap<String, usize>,
    failed: Vec<ObjectError>,
}

/// VERSION, PRODID and CALSCALE are what an object needs of its VCALENDAR (RFC 5545 §3.7);
/// METHOD is left out: RFC 4791 §4.1 forbids it in stored calendar object resources.
fn header_lines(properties: &[ContentLine]) -> Arc<[ContentLine]> {
    let find = |name: &str| properties.iter().find(|p| p.is(name)).cloned();
    let mut lines = Vec::with_capacity(3);
    lines.push(find("VERSION").unwrap_or_else(|| ContentLine::new("VERSION", "2.0")));
    lines.push(find("PRODID").unwrap_or_else(|| ContentLine::new("PRODID", crate::PRODID)));
    lines.extend(find("CALSCALE"));
    lines.into()
}

/// The TZID a VTIMEZONE defines, as TZID parameters name it.
pub(crate) fn timezone_id(component: &Component) -> Option<String> {
    component
        .property("TZID")
        .map(|id| unescape_text(id.value()).trim().to_string())
}

/// A UID for a component that has none: a digest of its text, so the same input gives the
/// same UID on every import.
fn derived_uid(component: &Component) -> String {
    use sha2::{Digest, Sha256};
    let mut text = String::with_capacity(component.text_len());
    component.write(&mut text);
    let digest = Sha256::digest(text.as_bytes());
    format!("calvault-{}", hex::encode(&digest[..16]))
}

impl Grouping {
    fn add_calendar(&mut self, calendar: CalendarBlock) {
        let index = self.headers.len();
        let lines = header_lines(&calendar.properties);
        let context = CalendarContext {
            vcalendar: lines.first().is_some_and(|v| v.value().trim() == "1.0"),
        };
        let mut header = CalendarHeader {
            lines,
            method: calendar.properties.iter().any(|p| p.is("METHOD")),
            context,
            timezones: HashMap::new(),
        };
        for top in calendar.components {
            if top.component.is("VTIMEZONE") {
                if let Some(id) = timezone_id(&top.component) {
                    let position = self.timezones.len();
                    header.timezones.entry(id.clone()).or_insert(position);
                    self.file_timezones.entry(id).or_insert(position);
                    self.timezones.push(Arc::new(top.component));
                }
                continue;
            }
            if is_object_name(&top.component.name) {
                self.add_member(top, index);
            }
            // VFREEBUSY, VAVAILABILITY and unknown components are not calendar objects.
        }
        self.headers.push(header);
    }

    fn add_member(&mut self, top: TopComponent, calendar: usize) {
        let (uid, derived) = match top.component.value("UID") {
            Some(uid) => (uid.to_string(), false),
            None => (derived_uid(&top.component), true),
        };
        let recurrence_id = top
            .component
            .value("RECURRENCE-ID")
            .map(str::to_ascii_uppercase);
        let member = Member {
            component: top.component,
            line: top.line,
            item_lines: top.item_lines,
            errors: top.errors,
            calendar,
            recurrence_id,
        };
        match self.by_uid.get(&uid) {
            Some(&group) => self.groups[group].members.push(member),
            None => {
                self.by_uid.insert(uid.clone(), self.groups.len());
                self.groups.push(Group {
                    uid,
                    derived_uid: derived,
                    members: vec![member],
                });
            }
        }
    }

    fn into_parsed_file(mut self, calendar_name: Option<String>) -> ParsedFile {
        let mut objects = Vec::with_capacity(self.groups.len());
        for group in std::mem::take(&mut self.groups) {
            if let Some(object) = self.build(group) {
                objects.push(object);
            }
        }
        self.failed.sort_by_key(|f| f.line);
        ParsedFile {
            objects,
            failed: self.failed,
            calendar_name,
        }
    }

    fn build(&mut self, group: Group) -> Option<CalendarObject> {
        let shown_uid = (!group.derived_uid).then(|| group.uid.clone());
        if let Some(bad) = group.members.iter().find(|m| !m.errors.is_empty()) {
            let message = describe_failure(&bad.component.name, &shown_uid, &bad.errors);
            self.failed.push(ObjectError {
                line: bad.line,
                uid: shown_uid,
                message,
            });
            return None;
        }
        let reported = self.failed.len();
        let members = self.dedupe(group.members, &shown_uid);
        let calendar = members.first()?.calendar;
        let header = self.headers.get(calendar)?;
        let context = header.context;
        let lines = header.lines.clone();
        let origin = crate::object::Origin {
            method: header.method,
            derived_uid: group.derived_uid,
        };
        for member in &members {
            let errors = check_object(member, context);
            if !errors.is_empty() {
                // The object fails as a whole: its dropped copies need no report of their own.
                self.failed.truncate(reported);
                let message = describe_failure(&member.component.name, &shown_uid, &errors);
                self.failed.push(ObjectError {
                    line: member.line,
                    uid: shown_uid,
                    message,
                });
                return None;
            }
        }
        let mut components: Vec<Component> = Vec::with_capacity(members.len());
        for mut member in members {
            if group.derived_uid {
                member.component.set_property("UID", &group.uid);
            }
            components.push(member.component);
        }
        let timezones = self.timezones_for(&components, calendar);
        Some(CalendarObject::from_parts(
            group.uid, lines, timezones, components, origin,
        ))
    }

    /// One component per RECURRENCE-ID (and one master): of copies, the one with the highest
    /// SEQUENCE (RFC 5545 §3.8.7.4), the later one on a tie, is kept. Master first.
    fn dedupe(&mut self, members: Vec<Member>, uid: &Option<String>) -> Vec<Member> {
        if members.len() == 1 {
            return members;
        }
        let mut kept: Vec<Member> = Vec::with_capacity(members.len());
        let mut by_recurrence_id: HashMap<Option<String>, usize> = HashMap::new();
        for member in members {
            let Some(&index) = by_recurrence_id.get(&member.recurrence_id) else {
                by_recurrence_id.insert(member.recurrence_id.clone(), kept.len());
                kept.push(member);
                continue;
            };
            let loser = if sequence(&member.component) >= sequence(&kept[index].component) {
                std::mem::replace(&mut kept[index], member)
            } else {
                member
            };
            let which = match &loser.recurrence_id {
                Some(rid) => format!("RECURRENCE-ID {rid}"),
                None => "the master component".to_string(),
            };
            self.failed.push(ObjectError {
                line: loser.line,
                uid: uid.clone(),
                message: format!(
                    "{} is a second copy of {which}; the copy at line {} was kept",
                    loser.component.name, kept[index].line
                ),
            });
        }
        if let Some(master) = kept.iter().position(|m| m.recurrence_id.is_none()) {
            let master = kept.remove(master);
            kept.insert(0, master);
        }
        kept
    }

    /// The VTIMEZONEs the components reference, in order of first reference; the definition
    /// from the component's own VCALENDAR is preferred, else any in the file.
    fn timezones_for(&self, components: &[Component], calendar: usize) -> Vec<Arc<Component>> {
        let mut ids: Vec<&str> = Vec::new();
        // A set only for objects with many zones; the usual one or two are found in the list.
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for component in components {
            component.walk_properties(&mut |line| {
                let Some(id) = line.param("TZID").map(str::trim) else {
                    return;
                };
                let new = if ids.len() < 8 {
                    !ids.contains(&id)
                } else {
                    if seen.is_empty() {
                        seen.extend(ids.iter().copied());
                    }
                    seen.insert(id)
                };
                if new {
                    ids.push(id);
                }
            });
        }
        let own = self.headers.get(calendar).map(|h| &h.timezones);
        ids.iter()
            .filter_map(|id| {
                own.and_then(|t| t.get(*id))
                    .or_else(|| self.file_timezones.get(*id))
            })
            .filter_map(|&index| self.timezones.get(index).cloned())
            .collect()
    }
}

fn sequence(component: &Component) -> i64 {
    component
        .value("SEQUENCE")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn describe_failure(component: &str, uid: &Option<String>, errors: &[String]) -> String {
    let uid = match uid {
        Some(uid) => format!(" (UID {})", quote(uid)),
        None => String::new(),
    };
    format!("{component}{uid}: {}", errors.join("; "))
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
