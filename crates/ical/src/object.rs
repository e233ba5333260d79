//! One calendar object: a series and all its RECURRENCE-ID overrides, keyed by UID.

use std::sync::Arc;

use crate::component::Component;
use crate::line::{ContentLine, unescape_text, write_folded};
use crate::parse::{Rejected, read};
use crate::{Fingerprint, ParseError, TimeSpan};

/// The kind of the object's main component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    Event,
    Todo,
    Journal,
}

impl ComponentKind {
    /// The iCalendar component name: `VEVENT`, `VTODO`, `VJOURNAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Event => "VEVENT",
            ComponentKind::Todo => "VTODO",
            ComponentKind::Journal => "VJOURNAL",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "VEVENT" => Some(ComponentKind::Event),
            "VTODO" => Some(ComponentKind::Todo),
            "VJOURNAL" => Some(ComponentKind::Journal),
            _ => None,
        }
    }
}

/// A few fields for listings (trash, diffs, dedupe reports).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectSummary {
    pub summary: Option<String>,
    /// DTSTART (or DUE for a task) as written, e.g. `20240105T090000` with its TZID if any.
    pub start: Option<String>,
}

/// A series (master plus RECURRENCE-ID overrides) or a single non-recurring component, all
/// sharing one UID, together with the VTIMEZONEs it references.
#[derive(Debug, Clone)]
pub struct CalendarObject {
    uid: String,
    /// VERSION, PRODID and CALSCALE of the VCALENDAR it came in (shared by the objects of
    /// one file).
    header: Arc<[ContentLine]>,
    /// Shared by the objects of one file that use the same zone.
    timezones: Vec<Arc<Component>>,
    /// The master (if any) first, then the overrides in input order.
    components: Vec<Component>,
    /// What the input had that the object does not keep, for the RFC 4791 §4.1 check.
    origin: Origin,
}

/// Facts about the input an object was read from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Origin {
    /// Its VCALENDAR had a METHOD (an iTIP message).
    pub(crate) method: bool,
    /// Its components had no UID; the object's UID was made up.
    pub(crate) derived_uid: bool,
}

/// Two objects are equal by what they hold; where they were read from does not count.
impl PartialEq for CalendarObject {
    fn eq(&self, other: &Self) -> bool {
        self.uid == other.uid
            && self.header == other.header
            && self.timezones == other.timezones
            && self.components == other.components
    }
}

impl CalendarObject {
    pub(crate) fn from_parts(
        uid: String,
        header: Arc<[ContentLine]>,
        timezones: Vec<Arc<Component>>,
        components: Vec<Component>,
        origin: Origin,
    ) -> CalendarObject {
        CalendarObject {
            uid,
            header,
            timezones,
            components,
            origin,
        }
    }

    /// Parses a resource that must hold exactly one object (one UID), as a CalDAV PUT body.
    pub fn parse(text: &str) -> Result<CalendarObject, ParseError> {
        let parsed = match read(text) {
            Ok(parsed) => parsed,
            Err(Rejected::EmptyCalendar { .. }) => return Err(ParseError::NoComponent),
            Err(Rejected::Error(error)) => return Err(error),
        };
        if let Some(failure) = parsed.failed.into_iter().next() {
            return Err(ParseError::Syntax {
                line: failure.line,
                message: failure.message,
            });
        }
        let count = parsed.objects.len();
        let mut objects = parsed.objects.into_iter();
        match (objects.next(), count) {
            (Some(object), 1) => Ok(object),
            (None, _) => Err(ParseError::NoComponent),
            (Some(_), count) => Err(ParseError::SeveralUids { count }),
        }
    }

    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// Gives the object a UID (all its components), for input that has none.
    pub fn set_uid(&mut self, uid: &str) {
        // A UID is TEXT (RFC 5545 §3.8.4.7); a line break would end the content line.
        let uid: String = uid.chars().filter(|c| !c.is_control()).collect();
        for component in &mut self.components {
            component.set_property("UID", &uid);
        }
        self.uid = uid;
        self.origin.derived_uid = false;
    }

    pub fn kind(&self) -> ComponentKind {
        self.master()
            .and_then(|c| ComponentKind::parse(&c.name))
            .unwrap_or(ComponentKind::Event)
    }

    /// The whole object as one VCALENDAR (VERSION, PRODID kept from the input or ours,
    /// VTIMEZONEs it uses, then the master and overrides), CRLF line ends, folded at 75 octets.
    pub fn to_ics(&self) -> String {
        let size = 40
            + self
                .header
                .iter()
                .map(|l| l.text().len() + 4)
                .sum::<usize>()
            + self.timezones.iter().map(|c| c.text_len()).sum::<usize>()
            + self
                .components
                .iter()
                .map(Component::text_len)
                .sum::<usize>();
        let mut out = String::with_capacity(size);
        out.push_str("BEGIN:VCALENDAR\r\n");
        for line in self.header.iter() {
            write_folded(&mut out, line.text());
        }
        for component in &self.timezones {
            component.write(&mut out);
        }
        for component in &self.components {
            component.write(&mut out);
        }
        out.push_str("END:VCALENDAR\r\n");
        out
    }

    /// First start and last end over all occurrences, for time-range indexes.
    pub fn time_span(&self) -> TimeSpan {
        crate::span::time_span(&self.components, &self.timezones)
    }

    pub fn fingerprint(&self) -> Fingerprint {
        match self.master() {
            Some(master) => crate::fingerprint::fingerprint(master, &self.timezones),
            None => Fingerprint::default(),
        }
    }

    /// How much the object carries (properties and components); dedupe keeps the richest.
    pub fn richness(&self) -> usize {
        self.components.iter().map(Component::size).sum()
    }

    pub fn summary(&self) -> ObjectSummary {
        let Some(master) = self.master() else {
            return ObjectSummary::default();
        };
        let start = master
            .property("DTSTART")
            .or_else(|| master.property("DUE"))
            .filter(|line| !line.value().trim().is_empty())
            .map(|line| match line.param("TZID") {
                Some(tzid) => format!("{} {tzid}", line.value().trim()),
                None => line.value().trim().to_string(),
            });
        ObjectSummary {
            summary: master
                .property("SUMMARY")
                .map(|line| unescape_text(line.value()).into_owned()),
            start,
        }
    }

    /// The component without RECURRENCE-ID, else the first override.
    fn master(&self) -> Option<&Component> {
        self.components.first()
    }

    /// The master (if any) first, then the overrides.
    pub(crate) fn components(&self) -> &[Component] {
        &self.components
    }

    /// The VTIMEZONEs the components reference.
    pub(crate) fn timezones(&self) -> &[Arc<Component>] {
        &self.timezones
    }

    /// VERSION, PRODID and CALSCALE.
    pub(crate) fn header(&self) -> &[ContentLine] {
        &self.header
    }

    pub(crate) fn origin(&self) -> Origin {
        self.origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Cal\r\nBEGIN:VEVENT\r\nUID:one\r\nDTSTART;TZID=Europe/Berlin:20240105T090000\r\nSUMMARY:Lunch\\, with Bob\r\nX-CUSTOM;X-P=\"a:b\":kept\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn one_resource_one_uid() {
        let object = CalendarObject::parse(EVENT).expect("parses");
        assert_eq!(object.uid(), "one");
        assert_eq!(object.kind(), ComponentKind::Event);
        let two = EVENT.replace(
            "END:VCALENDAR",
            "BEGIN:VTODO\r\nUID:two\r\nEND:VTODO\r\nEND:VCALENDAR",
        );
        assert_eq!(
            CalendarObject::parse(&two),
            Err(ParseError::SeveralUids { count: 2 })
        );
        let empty = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
        assert_eq!(CalendarObject::parse(empty), Err(ParseError::NoComponent));
        assert_eq!(CalendarObject::parse(""), Err(ParseError::NoCalendar));
        let broken = EVENT.replace("DTSTART;TZID=Europe/Berlin:20240105T090000", "DTSTART:x");
        assert!(matches!(
            CalendarObject::parse(&broken),
            Err(ParseError::Syntax { line: 6, .. })
        ));
    }

    #[test]
    fn to_ics_keeps_what_the_object_needs() {
        let object = CalendarObject::parse(EVENT).expect("parses");
        let ics = object.to_ics();
        assert!(ics.starts_with(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        ));
        // METHOD and X-WR-CALNAME belong to the file, not to the object (RFC 4791 §4.1).
        assert!(!ics.contains("METHOD") && !ics.contains("X-WR-CALNAME"));
        assert!(ics.contains("X-CUSTOM;X-P=\"a:b\":kept\r\n"));
        assert!(ics.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n"));
        assert_eq!(CalendarObject::parse(&ics).expect("parses"), object);
    }

    #[test]
    fn missing_header_lines_get_defaults() {
        let bare =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101\nEND:VEVENT\nEND:VCALENDAR\n";
        let ics = CalendarObject::parse(bare).expect("parses").to_ics();
        assert!(
            ics.starts_with(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//calvault//EN\r\n"
            )
        );
    }

    #[test]
    fn summary_richness_and_set_uid() {
        let mut object = CalendarObject::parse(EVENT).expect("parses");
        assert_eq!(
            object.summary(),
            ObjectSummary {
                summary: Some("Lunch, with Bob".to_string()),
                start: Some("20240105T090000 Europe/Berlin".to_string()),
            }
        );
        // VEVENT + 4 properties + VALARM + 2 properties.
        assert_eq!(object.richness(), 8);
        let fingerprint = object.fingerprint();
        object.set_uid("new-uid");
        assert_eq!(object.uid(), "new-uid");
        assert!(object.to_ics().contains("\r\nUID:new-uid\r\n"));
        assert!(!object.to_ics().contains("UID:one"));
        assert_eq!(object.fingerprint(), fingerprint);
        assert_eq!(
            CalendarObject::parse(&object.to_ics()).expect("parses"),
            object
        );
    }

    #[test]
    fn kind_of_tasks_and_journals() {
        let todo = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        assert_eq!(
            CalendarObject::parse(todo).expect("parses").kind(),
            ComponentKind::Todo
        );
        let journal = todo.replace("VTODO", "VJOURNAL");
        assert_eq!(
            CalendarObject::parse(&journal).expect("parses").kind(),
            ComponentKind::Journal
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let depth = 100_000;
        let mut text = String::from("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101\n");
        text.push_str(&"BEGIN:X\n".repeat(depth));
        text.push_str(&"END:X\n".repeat(depth));
        text.push_str("END:VEVENT\nEND:VCALENDAR\n");
        let parsed = crate::parse_file(&text).expect("parses");
        assert!(parsed.objects.is_empty());
        assert!(parsed.failed[0].message.contains("nests components"));
    }
}
