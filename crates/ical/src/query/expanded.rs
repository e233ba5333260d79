//! The instances of RFC 4791 §9.6.5 expand as typed values: what each expanded component's
//! RECURRENCE-ID, DTSTART and DTEND (or DUE) hold, and its other properties, without writing
//! the VCALENDAR text and reading it back. `CalendarObject::expand` writes its text from the
//! same values, so the two cannot disagree.

use chrono::NaiveDate;

use crate::CalendarObject;
use crate::ComponentKind;
use crate::component::Component;
use crate::line::{ContentLine, unescape_text};
use crate::query::TimeRange;
use crate::query::instances::{EndKind, Instance, instances};
use crate::query::time_range::instance_overlaps;
use crate::value::{DateTimeValue, TimeKind, parse_date_time};
use crate::zone::Zones;

/// A time of an expanded instance: RFC 4791 §9.6.5 writes dates as dates and every
/// date-time in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstanceTime {
    Date(NaiveDate),
    /// Unix seconds.
    Utc(i64),
}

impl InstanceTime {
    /// The instant `at` as a date or a UTC date-time, the form expand writes.
    pub(crate) fn of(at: i64, date: bool) -> InstanceTime {
        let value = DateTimeValue::utc(at);
        if date {
            InstanceTime::Date(value.local.date())
        } else {
            InstanceTime::Utc(value.local.and_utc().timestamp())
        }
    }

    /// The RFC 5545 §3.3.4/§3.3.5 value and the parameter that goes with it.
    pub(crate) fn to_ical(self) -> (String, &'static str) {
        match self {
            InstanceTime::Date(day) => {
                let value = DateTimeValue {
                    local: day.and_time(chrono::NaiveTime::MIN),
                    kind: TimeKind::Date,
                };
                (value.to_ical(), ";VALUE=DATE")
            }
            InstanceTime::Utc(at) => (DateTimeValue::utc(at).to_ical(), ""),
        }
    }

    pub fn is_date(self) -> bool {
        matches!(self, InstanceTime::Date(_))
    }
}

/// One instance of an object overlapping a range, as RFC 4791 §9.6.5 expand gives it.
#[derive(Debug, Clone, Copy)]
pub struct ExpandedInstance<'a> {
    /// The master or the override that describes the instance.
    component: &'a Component,
    /// The occurrence it stands for; None when the object does not recur.
    pub recurrence_id: Option<InstanceTime>,
    /// DTSTART, when the component has one.
    pub start: Option<InstanceTime>,
    /// DTEND (DUE for a task) when the component states it; an end given by DURATION is
    /// left to the DURATION property, as in the expanded text.
    pub end: Option<InstanceTime>,
}

impl<'a> ExpandedInstance<'a> {
    /// The kind of the component (None for one calvault does not know).
    pub fn kind(&self) -> Option<ComponentKind> {
        ComponentKind::parse(&self.component.name)
    }

    /// The value of the component's first property `name`, as written. The times above are
    /// the instance's own; their properties here are the series' ones.
    pub fn value(&self, name: &str) -> Option<&'a str> {
        self.component.property(name).map(ContentLine::value)
    }

    /// The unescaped value of the first TEXT property `name` (RFC 5545 §3.3.11).
    pub fn text(&self, name: &str) -> Option<String> {
        self.value(name).map(|v| unescape_text(v).into_owned())
    }
}

/// The times one instance gets in the expanded output, and what they are read from.
pub(crate) struct InstanceTimes {
    pub(crate) recurrence_id: Option<InstanceTime>,
    pub(crate) start: Option<InstanceTime>,
    pub(crate) end: Option<InstanceTime>,
}

/// RFC 4791 §9.6.5: the instance's RECURRENCE-ID (in the form of the override's own, else of
/// DTSTART), its start, and the end it states explicitly (DTEND or DUE) in the form written.
pub(crate) fn instance_times(instance: &Instance<'_>, recurring: bool) -> InstanceTimes {
    let source = instance.component;
    let rid_date = match source
        .property("RECURRENCE-ID")
        .and_then(|l| parse_date_time(l.value()))
    {
        Some(value) => value.is_date(),
        None => instance.date,
    };
    let recurrence_id = instance
        .recurrence_id
        .filter(|_| recurring)
        .map(|at| InstanceTime::of(at, rid_date));
    let start = instance
        .start
        .filter(|_| source.property("DTSTART").is_some())
        .map(|at| InstanceTime::of(at, instance.date));
    let end = match (instance.end, instance.end_kind) {
        (Some(end), EndKind::Explicit) => end_line(source).map(|line| {
            let date = parse_date_time(line.value()).is_some_and(|v| v.is_date());
            InstanceTime::of(end, date)
        }),
        _ => None,
    };
    InstanceTimes {
        recurrence_id,
        start,
        end,
    }
}

/// The line that states the end: DUE for a task, DTEND otherwise (RFC 5545 §3.6.1, §3.6.2).
fn end_line(component: &Component) -> Option<&ContentLine> {
    if component.is("VTODO") {
        component.property("DUE")
    } else {
        component.property("DTEND")
    }
}

/// Whether any component of the object makes it a series (only then do instances carry a
/// RECURRENCE-ID in the expanded output).
pub(crate) fn is_series(components: &[Component]) -> bool {
    components.iter().any(|c| {
        c.properties()
            .any(|p| p.is("RRULE") || p.is("RDATE") || p.is("RECURRENCE-ID"))
    })
}

impl CalendarObject {
    /// The instances overlapping `range` (RFC 4791 §9.9) in the order and with the times
    /// RFC 4791 §9.6.5 expand writes them, as typed values.
    pub fn expanded_instances(&self, range: &TimeRange) -> Vec<ExpandedInstance<'_>> {
        let mut zones = Zones::new(self.timezones());
        let recurring = is_series(self.components());
        instances(self.components(), &mut zones, range, 0)
            .into_iter()
            .filter(|instance| instance_overlaps(instance, range, &mut zones))
            .map(|instance| {
                let times = instance_times(&instance, recurring);
                ExpandedInstance {
                    component: instance.component,
                    recurrence_id: times.recurrence_id,
                    start: times.start,
                    end: times.end,
                }
            })
            .collect()
    }
}
