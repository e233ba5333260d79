//! Objects of a file one UID at a time: a first pass finds where every component lies and
//! groups them by UID, then each object is read from its components' text when it is asked for.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use crate::component::{Component, Item};
use crate::line::{ContentLine, unescape_text};
use crate::object::{CalendarObject, Origin};
use crate::parse::{
    Located, ParsedFile, Rejected, TopComponent, is_object_name, locate, read_located,
};
use crate::reader::without_bom;
use crate::validate::{CalendarContext, check_component, check_property, quote};
use crate::{ObjectError, ParseError};

/// The objects of a file one at a time, in the order `parse_file` gives them, holding only
/// the positions of components between them (bounded memory for any file size).
pub fn stream_file(text: &str) -> Result<ObjectStream<'_>, ParseError> {
    ObjectStream::new(text).map_err(Rejected::into_parse_error)
}

/// Components grouped by UID (a series and its overrides become one object), read into
/// objects as the iterator reaches them. Yields one item per UID, in order of first sight.
pub struct ObjectStream<'a> {
    /// The input without its byte order mark, which the positions refer to.
    text: &'a str,
    calendar_name: Option<String>,
    file_failures: Vec<ObjectError>,
    headers: Vec<CalendarHeader>,
    /// Every VTIMEZONE with a TZID, in file order.
    timezones: Vec<Placed>,
    /// TZID to the first VTIMEZONE of the file that defines it.
    file_timezones: HashMap<String, usize>,
    groups: std::vec::IntoIter<Group>,
    /// VTIMEZONEs already read, by index into `timezones` (objects of a file share a few).
    zone_cache: HashMap<usize, Arc<Component>>,
}

/// A component's place in the text.
struct Placed {
    range: Range<usize>,
    line: usize,
    calendar: usize,
    implicit: bool,
    found: Option<Box<str>>,
}

struct Group {
    uid: String,
    derived_uid: bool,
    members: Vec<Placed>,
}

/// The calendar-level lines an object keeps, and its calendar's time zones by TZID.
struct CalendarHeader {
    lines: Arc<[ContentLine]>,
    /// The VCALENDAR had a METHOD, which `lines` leaves out.
    method: bool,
    context: CalendarContext,
    timezones: HashMap<String, usize>,
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

/// Objects in the making are allowed this many VTIMEZONEs in the cache before it is emptied.
const ZONE_CACHE: usize = 64;

impl<'a> ObjectStream<'a> {
    pub(crate) fn new(text: &'a str) -> Result<ObjectStream<'a>, Rejected> {
        let text = without_bom(text);
        let located = locate(text);
        if located.calendars.is_empty() {
            return Err(Rejected::Error(
                match (located.vcard_line, located.first_stray) {
                    (Some(line), _) => ParseError::Syntax {
                        line,
                        message: "this is a vCard (BEGIN:VCARD), not a calendar".to_string(),
                    },
                    (None, Some((line, text))) => ParseError::Syntax {
                        line,
                        message: format!("expected BEGIN:VCALENDAR, found {}", quote(&text)),
                    },
                    (None, None) => ParseError::NoCalendar,
                },
            ));
        }
        let first_line = located.calendars[0].line;
        let mut file_failures = located.problems;
        if let Some((line, text)) = located.first_stray {
            file_failures.push(ObjectError {
                line,
                uid: None,
                message: format!("{} before the first VCALENDAR (ignored)", quote(&text)),
            });
        }
        let calendar_name = located.calendars.iter().find_map(|c| {
            c.properties
                .iter()
                .find(|p| p.is("X-WR-CALNAME"))
                .map(|p| unescape_text(p.value()).into_owned())
        });
        let mut stream = ObjectStream {
            text,
            calendar_name,
            file_failures,
            headers: Vec::with_capacity(located.calendars.len()),
            timezones: Vec::new(),
            file_timezones: HashMap::new(),
            groups: Vec::new().into_iter(),
            zone_cache: HashMap::new(),
        };
        let mut grouping = Grouping::default();
        let mut has_other_components = false;
        for calendar in located.calendars {
            let index = stream.headers.len();
            let mut header = header(&calendar.properties, stream.headers.last());
            for component in calendar.located {
                if component.name.eq_ignore_ascii_case("VTIMEZONE") {
                    stream.add_timezone(component, index, &mut header);
                } else if is_object_name(&component.name) {
                    let uid = stream.uid_of(&component);
                    grouping.add(uid, place(component, index));
                } else {
                    // VFREEBUSY, VAVAILABILITY and unknown components are not objects.
                    has_other_components = true;
                }
            }
            stream.headers.push(header);
        }
        if grouping.groups.is_empty() && stream.file_failures.is_empty() && !has_other_components {
            return Err(Rejected::EmptyCalendar { line: first_line });
        }
        stream.groups = grouping.groups.into_iter();
        Ok(stream)
    }

    /// X-WR-CALNAME as in `ParsedFile::calendar_name`.
    pub fn calendar_name(&self) -> Option<&str> {
        self.calendar_name.as_deref()
    }

    /// Failures that concern no single object (stray lines, a missing END:VCALENDAR, ...) and
    /// the copies of a component dropped for another copy of it (RFC 5545 §3.8.7.4), which
    /// are added as their object is read: complete once the iterator is exhausted.
    pub fn file_failures(&self) -> &[ObjectError] {
        &self.file_failures
    }

    /// How many items the iterator will yield in all (one per UID not yet read).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.len() == 0
    }

    /// All objects at once, failures in line order (what `parse_file` returns).
    pub(crate) fn into_parsed_file(mut self) -> ParsedFile {
        let mut objects = Vec::with_capacity(self.len());
        let mut failed = std::mem::take(&mut self.file_failures);
        while let Some(item) = self.next() {
            // Dropped copies of this object come before its own failure, as they are found.
            failed.append(&mut self.file_failures);
            match item {
                Ok(object) => objects.push(object),
                Err(failure) => failed.push(failure),
            }
        }
        failed.sort_by_key(|f| f.line);
        ParsedFile {
            objects,
            failed,
            calendar_name: self.calendar_name,
        }
    }

    fn add_timezone(&mut self, located: Located, calendar: usize, header: &mut CalendarHeader) {
        let Some(key) = &located.key else {
            // A VTIMEZONE without TZID cannot be referenced.
            return;
        };
        let id = unescape_text(key).trim().to_string();
        let position = self.timezones.len();
        header.timezones.entry(id.clone()).or_insert(position);
        self.file_timezones.entry(id).or_insert(position);
        self.timezones.push(place(located, calendar));
    }

    /// The component's UID, or one derived from its content when it has none.
    fn uid_of(&self, located: &Located) -> (String, bool) {
        let uid = located
            .key
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        if let Some(uid) = uid {
            return (uid.to_string(), false);
        }
        let component = read_located(self.text, located)
            .map(|top| top.component)
            .unwrap_or_else(|| Component::new(&located.name));
        (derived_uid(&component), true)
    }

    fn read(&self, placed: &Placed) -> Option<TopComponent> {
        let located = Located {
            name: String::new(),
            line: placed.line,
            range: placed.range.clone(),
            found: placed.found.clone(),
            implicit: placed.implicit,
            key: None,
        };
        read_located(self.text, &located)
    }

    fn member(&self, placed: &Placed) -> Result<Member, ObjectError> {
        let Some(top) = self.read(placed) else {
            // Not reached: the first pass found a component in exactly this text.
            return Err(ObjectError {
                line: placed.line,
                uid: None,
                message: "the component could not be read again".to_string(),
            });
        };
        let recurrence_id = top
            .component
            .value("RECURRENCE-ID")
            .map(str::to_ascii_uppercase);
        Ok(Member {
            component: top.component,
            line: top.line,
            item_lines: top.item_lines,
            errors: top.errors,
            calendar: placed.calendar,
            recurrence_id,
        })
    }

    fn build(&mut self, group: Group) -> Result<CalendarObject, ObjectError> {
        let shown_uid = (!group.derived_uid).then(|| group.uid.clone());
        let members = group
            .members
            .iter()
            .map(|placed| self.member(placed))
            .collect::<Result<Vec<Member>, ObjectError>>()?;
        if let Some(bad) = members.iter().find(|m| !m.errors.is_empty()) {
            let message = describe_failure(&bad.component.name, &shown_uid, &bad.errors);
            return Err(ObjectError {
                line: bad.line,
                uid: shown_uid,
                message,
            });
        }
        let (members, dropped) = dedupe(members, &shown_uid);
        // All components are checked by the VCALENDAR the object is written with: the master's.
        let calendar = members.first().map_or(0, |m| m.calendar);
        let context = self
            .headers
            .get(calendar)
            .map_or(CalendarContext { vcalendar: false }, |h| h.context);
        for member in &members {
            let errors = check_object(member, context);
            if !errors.is_empty() {
                // The object fails as a whole: its dropped copies need no report of their own.
                let message = describe_failure(&member.component.name, &shown_uid, &errors);
                return Err(ObjectError {
                    line: member.line,
                    uid: shown_uid,
                    message,
                });
            }
        }
        self.file_failures.extend(dropped);
        let (lines, origin) = match self.headers.get(calendar) {
            Some(header) => (
                header.lines.clone(),
                Origin {
                    method: header.method,
                    derived_uid: group.derived_uid,
                },
            ),
            None => (header_lines(&[]), Origin::default()),
        };
        let mut components: Vec<Component> = Vec::with_capacity(members.len());
        for mut member in members {
            if group.derived_uid {
                member.component.set_property("UID", &group.uid);
            }
            components.push(member.component);
        }
        let timezones = self.timezones_for(&components, calendar);
        Ok(CalendarObject::from_parts(
            group.uid, lines, timezones, components, origin,
        ))
    }

    /// The VTIMEZONEs the components reference, in order of first reference; the definition
    /// from the component's own VCALENDAR is preferred, else any in the file.
    fn timezones_for(&mut self, components: &[Component], calendar: usize) -> Vec<Arc<Component>> {
        let ids = referenced_zones(components);
        let own = self.headers.get(calendar).map(|h| &h.timezones);
        let positions: Vec<usize> = ids
            .iter()
            .filter_map(|id| {
                own.and_then(|t| t.get(*id))
                    .or_else(|| self.file_timezones.get(*id))
                    .copied()
            })
            .collect();
        positions
            .into_iter()
            .filter_map(|position| self.timezone(position))
            .collect()
    }

    fn timezone(&mut self, position: usize) -> Option<Arc<Component>> {
        if let Some(zone) = self.zone_cache.get(&position) {
            return Some(zone.clone());
        }
        let zone = Arc::new(self.read(self.timezones.get(position)?)?.component);
        if self.zone_cache.len() >= ZONE_CACHE {
            self.zone_cache.clear();
        }
        self.zone_cache.insert(position, zone.clone());
        Some(zone)
    }
}

impl Iterator for ObjectStream<'_> {
    type Item = Result<CalendarObject, ObjectError>;

    fn next(&mut self) -> Option<Self::Item> {
        let group = self.groups.next()?;
        Some(self.build(group))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.groups.len(), Some(self.groups.len()))
    }
}

impl ExactSizeIterator for ObjectStream<'_> {}

#[derive(Default)]
struct Grouping {
    groups: Vec<Group>,
    by_uid: HashMap<String, usize>,
}

impl Grouping {
    fn add(&mut self, (uid, derived_uid): (String, bool), placed: Placed) {
        if let Some(&group) = self.by_uid.get(&uid) {
            self.groups[group].members.push(placed);
            return;
        }
        self.by_uid.insert(uid.clone(), self.groups.len());
        self.groups.push(Group {
            uid,
            derived_uid,
            members: vec![placed],
        });
    }
}

fn place(located: Located, calendar: usize) -> Placed {
    Placed {
        range: located.range,
        line: located.line,
        calendar,
        implicit: located.implicit,
        found: located.found,
    }
}

/// A calendar's header; the lines are shared with the previous calendar's when they are the
/// same (files made by concatenating single-event calendars repeat one header).
fn header(properties: &[ContentLine], previous: Option<&CalendarHeader>) -> CalendarHeader {
    let mut lines = header_lines(properties);
    if let Some(previous) = previous
        && previous.lines == lines
    {
        lines = previous.lines.clone();
    }
    let context = CalendarContext {
        vcalendar: lines.first().is_some_and(|v| v.value().trim() == "1.0"),
    };
    CalendarHeader {
        lines,
        method: properties.iter().any(|p| p.is("METHOD")),
        context,
        timezones: HashMap::new(),
    }
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

/// A UID for a component that has none: a digest of its text, so the same input gives the
/// same UID on every import.
fn derived_uid(component: &Component) -> String {
    use sha2::{Digest, Sha256};
    let mut text = String::with_capacity(component.text_len());
    component.write(&mut text);
    let digest = Sha256::digest(text.as_bytes());
    format!("calvault-{}", hex::encode(&digest[..16]))
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

/// One component per RECURRENCE-ID (and one master): of copies, the one with the highest
/// SEQUENCE (RFC 5545 §3.8.7.4), the later one on a tie, is kept. Master first. Gives the
/// kept components and a failure for each dropped copy.
fn dedupe(members: Vec<Member>, uid: &Option<String>) -> (Vec<Member>, Vec<ObjectError>) {
    if members.len() == 1 {
        return (members, Vec::new());
    }
    let mut dropped = Vec::new();
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
        dropped.push(ObjectError {
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
    (kept, dropped)
}

/// The TZIDs the components' properties name, in order of first reference.
fn referenced_zones(components: &[Component]) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    // A set only for objects with many zones; the usual one or two are found in the list.
    let mut seen: HashSet<&str> = HashSet::new();
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
    ids
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
