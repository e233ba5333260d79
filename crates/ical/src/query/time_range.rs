//! RFC 4791 §9.9 time-range tests for components (per instance) and §9.7.2 for properties.

use crate::component::Component;
use crate::line::ContentLine;
use crate::query::TimeRange;
use crate::query::instances::{EndKind, Instance};
use crate::span::Moment;
use crate::value::{PeriodEnd, TimeKind, parse_date_time, parse_duration, parse_period};
use crate::zone::Zones;

const DAY: i64 = 86_400;

/// RFC 4791 §9.9: whether one instance of a VEVENT, VTODO or VJOURNAL overlaps `range`.
pub(crate) fn instance_overlaps(
    instance: &Instance<'_>,
    range: &TimeRange,
    zones: &mut Zones<'_>,
) -> bool {
    let component = instance.component;
    if component.is("VEVENT") {
        event_overlaps(instance, range)
    } else if component.is("VTODO") {
        todo_overlaps(instance, range, zones)
    } else if component.is("VJOURNAL") {
        journal_overlaps(instance, range)
    } else {
        false
    }
}

fn event_overlaps(instance: &Instance<'_>, range: &TimeRange) -> bool {
    let Some(start) = instance.start else {
        return false;
    };
    match instance.end {
        // DTEND, a positive DURATION, or the implied day of a DATE.
        Some(end) if end > start => range.start_lt(end) && range.end_gt(start),
        // Zero duration, or a DATE-TIME DTSTART alone: a point in time.
        _ => range.start_le(start) && range.end_gt(start),
    }
}

fn journal_overlaps(instance: &Instance<'_>, range: &TimeRange) -> bool {
    let Some(start) = instance.start else {
        return false;
    };
    if instance.date {
        range.start_lt(start.saturating_add(DAY)) && range.end_gt(start)
    } else {
        range.start_le(start) && range.end_gt(start)
    }
}

/// The VTODO table of RFC 4791 §9.9, row by row.
fn todo_overlaps(instance: &Instance<'_>, range: &TimeRange, zones: &mut Zones<'_>) -> bool {
    let r = range;
    match (instance.start, instance.end, instance.end_kind) {
        (Some(start), Some(end), EndKind::Duration) => {
            r.start_le(end) && (r.end_gt(start) || r.end_ge(end))
        }
        (Some(start), Some(due), _) => {
            (r.start_lt(due) || r.start_le(start)) && (r.end_gt(start) || r.end_ge(due))
        }
        (Some(start), None, _) => r.start_le(start) && r.end_gt(start),
        (None, Some(due), _) => r.start_lt(due) && r.end_ge(due),
        (None, None, _) => {
            let component = instance.component;
            let completed = instant(component, "COMPLETED", zones);
            let created = instant(component, "CREATED", zones);
            match (completed, created) {
                (Some(completed), Some(created)) => {
                    (r.start_le(created) || r.start_le(completed))
                        && (r.end_ge(created) || r.end_ge(completed))
                }
                (Some(completed), None) => r.start_le(completed) && r.end_ge(completed),
                (None, Some(created)) => r.end_gt(created),
                (None, None) => true,
            }
        }
    }
}

fn instant(component: &Component, name: &str, zones: &mut Zones<'_>) -> Option<i64> {
    let moment = Moment::read(component, name)?;
    Some(zones.instant(moment.value, moment.tzid))
}

/// RFC 4791 §9.9 VALARM: whether an alarm of `instance` (or one of its repetitions)
/// triggers within `range`.
pub(crate) fn alarm_in_range(
    alarm: &Component,
    instance: Option<&Instance<'_>>,
    range: &TimeRange,
) -> bool {
    alarm_times(alarm, instance)
        .into_iter()
        .any(|at| range.contains(at))
}

/// How far from its instance an alarm may trigger, repetitions included, in seconds.
pub(crate) fn alarm_reach(alarm: &Component) -> i64 {
    let offset = trigger_offset(alarm).map_or(0, |(seconds, _)| seconds.saturating_abs());
    offset.saturating_add(repeat_span(alarm).saturating_abs())
}

/// A relative TRIGGER: seconds, and whether it is RELATED=END.
fn trigger_offset(alarm: &Component) -> Option<(i64, bool)> {
    let trigger = alarm.property("TRIGGER")?;
    let duration = parse_duration(trigger.value())?;
    let seconds = duration
        .days
        .saturating_mul(DAY)
        .saturating_add(duration.seconds);
    let related_end = trigger
        .param("RELATED")
        .is_some_and(|r| r.trim().eq_ignore_ascii_case("END"));
    Some((seconds, related_end))
}

/// REPEAT times DURATION (RFC 5545 §3.8.6.2), the time between the first and last trigger.
fn repeat_span(alarm: &Component) -> i64 {
    let (count, every) = repeat(alarm);
    count.saturating_mul(every)
}

fn repeat(alarm: &Component) -> (i64, i64) {
    let count: i64 = alarm
        .value("REPEAT")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
        .clamp(0, 1_000);
    let every = alarm
        .value("DURATION")
        .and_then(parse_duration)
        .map_or(0, |d| d.days.saturating_mul(DAY).saturating_add(d.seconds));
    if every == 0 { (0, 0) } else { (count, every) }
}

fn alarm_times(alarm: &Component, instance: Option<&Instance<'_>>) -> Vec<i64> {
    let Some(trigger) = alarm.property("TRIGGER") else {
        return Vec::new();
    };
    let first = match parse_date_time(trigger.value()) {
        // An absolute trigger (VALUE=DATE-TIME) is in UTC (RFC 5545 §3.8.6.3).
        Some(value) if value.kind != TimeKind::Date => value.local.and_utc().timestamp(),
        _ => {
            let Some((offset, related_end)) = trigger_offset(alarm) else {
                return Vec::new();
            };
            let Some(instance) = instance else {
                return Vec::new();
            };
            // RFC 5545 §3.8.6.3: START or END of the component; a task without DTSTART is
            // taken from its DUE, and a component without end from its start.
            let base = if related_end {
                instance.end.or(instance.start)
            } else {
                instance.start.or(instance.end)
            };
            let Some(base) = base else {
                return Vec::new();
            };
            base.saturating_add(offset)
        }
    };
    let (count, every) = repeat(alarm);
    (0..=count)
        .map(|n| first.saturating_add(n.saturating_mul(every)))
        .collect()
}

/// RFC 4791 §9.9 VFREEBUSY: by its FREEBUSY periods, else by DTSTART and DTEND.
pub(crate) fn freebusy_overlaps(
    component: &Component,
    range: &TimeRange,
    zones: &mut Zones<'_>,
) -> bool {
    let periods: Vec<&ContentLine> = component
        .properties()
        .filter(|p| p.is("FREEBUSY"))
        .collect();
    if !periods.is_empty() {
        return periods
            .iter()
            .any(|line| property_overlaps(line, range, zones));
    }
    match (
        instant(component, "DTSTART", zones),
        instant(component, "DTEND", zones),
    ) {
        (Some(start), Some(end)) => range.start_le(end) && range.end_gt(start),
        _ => false,
    }
}

/// RFC 4791 §9.7.2: whether a DATE, DATE-TIME or PERIOD property (any of its values)
/// falls within `range`; a DATE covers its whole day.
pub(crate) fn property_overlaps(
    line: &ContentLine,
    range: &TimeRange,
    zones: &mut Zones<'_>,
) -> bool {
    let tzid = line.param("TZID");
    line.value().split(',').any(|item| {
        if let Some(value) = parse_date_time(item) {
            let tz = tzid.filter(|_| value.kind == TimeKind::Local);
            let at = zones.instant(value, tz);
            return if value.is_date() {
                range.start_lt(at.saturating_add(DAY)) && range.end_gt(at)
            } else {
                range.contains(at)
            };
        }
        let Some((from, end)) = parse_period(item) else {
            return false;
        };
        let tz = tzid.filter(|_| from.kind == TimeKind::Local);
        let start = zones.instant(from, tz);
        let end = match end {
            PeriodEnd::End(end) => zones.instant(end, tzid.filter(|_| end.kind == TimeKind::Local)),
            PeriodEnd::Duration(d) => start
                .saturating_add(d.days.saturating_mul(DAY))
                .saturating_add(d.seconds),
        };
        if end > start {
            range.start_lt(end) && range.end_gt(start)
        } else {
            range.contains(start)
        }
    })
}
