//! First start and last end of an object over all its occurrences.

use std::sync::Arc;

use chrono::{NaiveDateTime, NaiveTime, TimeDelta};

use crate::ComponentKind;
use crate::component::Component;
use crate::recur;
use crate::value::{
    DateTimeValue, Duration, PeriodEnd, TimeKind, parse_date_time, parse_duration, parse_period,
};
use crate::zone::Zones;

/// Unix seconds (UTC). Floating times and dates are taken as UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeSpan {
    /// None when the object has no start (a task without DTSTART or DUE).
    pub first_start: Option<i64>,
    /// None when the object never ends (an open-ended series) or has no time at all.
    pub last_end: Option<i64>,
}

/// A bounded rule with more occurrences than this is treated as open-ended.
pub(crate) const MAX_INSTANCES: usize = 100_000;

/// A date or date-time property with its TZID.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moment<'a> {
    pub(crate) value: DateTimeValue,
    pub(crate) tzid: Option<&'a str>,
}

impl<'a> Moment<'a> {
    pub(crate) fn read(component: &'a Component, name: &str) -> Option<Moment<'a>> {
        let line = component.property(name)?;
        let value = parse_date_time(line.value())?;
        // RFC 5545 §3.2.19: TZID applies to local times only (not to dates or UTC).
        let tzid = match value.kind {
            TimeKind::Local => line.param("TZID").filter(|t| !t.trim().is_empty()),
            _ => None,
        };
        Some(Moment { value, tzid })
    }

    pub(crate) fn same_zone(&self, other: &Moment<'_>) -> bool {
        self.value.kind == other.value.kind && self.tzid.map(str::trim) == other.tzid.map(str::trim)
    }
}

/// How long one occurrence lasts: a part in local time (nominal days, or DTEND's local clock
/// time) and an exact part (RFC 5545 §3.3.6: days are nominal, hours exact).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Length {
    pub(crate) local: i64,
    pub(crate) exact: i64,
}

/// Start and length of a component's first occurrence (RFC 5545 §3.6.1, §3.6.2).
pub(crate) fn start_and_length<'a>(
    component: &'a Component,
    zones: &mut Zones<'_>,
) -> Option<(Moment<'a>, Length)> {
    let todo = ComponentKind::parse(&component.name) == Some(ComponentKind::Todo);
    let end_name = if todo { "DUE" } else { "DTEND" };
    let dtstart = Moment::read(component, "DTSTART");
    let end = Moment::read(component, end_name);
    let start = match (dtstart, todo) {
        (Some(start), _) => start,
        (None, true) => return end.map(|due| (due, Length::default())),
        (None, false) => Moment::read(component, "RECURRENCE-ID")?,
    };
    let length = if let Some(end) = end {
        if start.same_zone(&end) {
            Length {
                local: (end.value.local - start.value.local).num_seconds(),
                exact: 0,
            }
        } else {
            Length {
                local: 0,
                exact: zones.instant(end.value, end.tzid) - zones.instant(start.value, start.tzid),
            }
        }
    } else if let Some(duration) = component.value("DURATION").and_then(parse_duration) {
        duration_length(duration)
    } else if start.value.is_date() && !todo {
        // RFC 5545 §3.6.1: a DATE DTSTART without DTEND or DURATION lasts one day.
        Length {
            local: 86_400,
            exact: 0,
        }
    } else {
        Length::default()
    };
    Some((start, length))
}

pub(crate) fn duration_length(duration: Duration) -> Length {
    Length {
        local: duration.days.saturating_mul(86_400),
        exact: duration.seconds,
    }
}

/// Occurrences gathered so far.
#[derive(Default)]
struct Bounds {
    first: Option<i64>,
    last: Option<i64>,
    open: bool,
}

impl Bounds {
    fn add(&mut self, start: i64, end: i64) {
        self.first = Some(self.first.map_or(start, |f| f.min(start)));
        let end = end.max(start);
        self.last = Some(self.last.map_or(end, |l| l.max(end)));
    }
}

/// `local` moved by `seconds`, or unchanged when that leaves the representable range.
pub(crate) fn shift(local: NaiveDateTime, seconds: i64) -> NaiveDateTime {
    TimeDelta::try_seconds(seconds)
        .and_then(|delta| local.checked_add_signed(delta))
        .unwrap_or(local)
}

/// One occurrence starting at `local` (in the zone of `start`).
pub(crate) fn occurrence(
    zones: &mut Zones<'_>,
    start: &Moment<'_>,
    local: NaiveDateTime,
    length: Length,
) -> (i64, i64) {
    let value = DateTimeValue {
        local,
        kind: start.value.kind,
    };
    let begin = zones.instant(value, start.tzid);
    let end_value = DateTimeValue {
        local: shift(local, length.local),
        kind: start.value.kind,
    };
    let end = zones
        .instant(end_value, start.tzid)
        .saturating_add(length.exact);
    (begin, end)
}

/// A RECURRENCE-ID override: the instant it replaces, and how it moves later ones.
struct Override {
    replaces: i64,
    this_and_future: bool,
    start: i64,
    length: i64,
}

pub(crate) fn time_span(components: &[Component], timezones: &[Arc<Component>]) -> TimeSpan {
    let mut zones = Zones::new(timezones);
    let mut bounds = Bounds::default();
    let master_tzid = components
        .iter()
        .find(|c| c.property("RECURRENCE-ID").is_none())
        .and_then(|c| Moment::read(c, "DTSTART"))
        .and_then(|m| m.tzid);
    let mut overrides = Vec::new();
    for component in components {
        let Some(rid) = Moment::read(component, "RECURRENCE-ID") else {
            continue;
        };
        let Some((start, length)) = start_and_length(component, &mut zones) else {
            continue;
        };
        let (begin, end) = occurrence(&mut zones, &start, start.value.local, length);
        bounds.add(begin, end);
        let rid_zone = match rid.value.kind {
            TimeKind::Local => component
                .property("RECURRENCE-ID")
                .and_then(|l| l.param("TZID"))
                .or(master_tzid),
            _ => None,
        };
        overrides.push(Override {
            replaces: zones.instant(rid.value, rid_zone),
            this_and_future: component
                .property("RECURRENCE-ID")
                .and_then(|l| l.param("RANGE"))
                .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE")),
            start: begin,
            length: end.saturating_sub(begin),
        });
    }
    overrides.sort_by_key(|o| o.replaces);
    for master in components
        .iter()
        .filter(|c| c.property("RECURRENCE-ID").is_none())
    {
        expand_master(master, &overrides, &mut zones, &mut bounds);
    }
    TimeSpan {
        first_start: bounds.first,
        last_end: if bounds.open { None } else { bounds.last },
    }
}

fn expand_master(
    master: &Component,
    overrides: &[Override],
    zones: &mut Zones<'_>,
    bounds: &mut Bounds,
) {
    let Some((start, length)) = start_and_length(master, zones) else {
        return;
    };
    let exdates = exdates(master, &start, zones);
    let first = occurrence(zones, &start, start.value.local, length).0;
    // RFC 5545 §3.8.5.3: DTSTART is the first instance; later ones are only needed to find
    // the first start when DTSTART itself is excluded or overridden.
    let first_removed = exdates.instants.binary_search(&first).is_ok()
        || (!start.value.is_date()
            && exdates
                .days
                .binary_search(&start.value.local.date())
                .is_ok())
        || overrides
            .binary_search_by_key(&first, |o| o.replaces)
            .is_ok();
    let mut locals = vec![start.value.local];
    for rule in master.properties().filter(|p| p.is("RRULE")) {
        let value = rule.value().trim();
        let rule = if value.to_ascii_uppercase().contains("FREQ=") {
            value.to_string()
        } else {
            // vCalendar 1.0 syntax (`W1 FR #9`).
            match recur::vcalendar_rule(value) {
                Some(rule) => rule,
                None => {
                    bounds.open = true;
                    continue;
                }
            }
        };
        let needed = first_removed.then(|| exdates.skipped() + overrides.len());
        expand_rule(&rule, &start, needed, zones, bounds, &mut locals);
    }
    let mut instants: Vec<(i64, i64)> = locals
        .into_iter()
        .map(|local| occurrence(zones, &start, local, length))
        .collect();
    instants.extend(rdates(master, &start, length, zones));
    instants.sort_unstable();
    instants.dedup_by_key(|(begin, _)| *begin);
    let mut moved: Option<&Override> = None;
    for (begin, end) in instants {
        if exdates.instants.binary_search(&begin).is_ok() {
            continue;
        }
        if !exdates.days.is_empty()
            && !start.value.is_date()
            && exdates
                .days
                .binary_search(&zones.local(begin, start.tzid).date())
                .is_ok()
        {
            continue;
        }
        if let Ok(found) = overrides.binary_search_by_key(&begin, |o| o.replaces) {
            let o = &overrides[found];
            if o.this_and_future {
                moved = Some(o);
            }
            continue;
        }
        match moved {
            // RFC 5545 §3.8.4.4 RANGE=THISANDFUTURE: later instances move and take the length
            // of the override.
            Some(o) if begin > o.replaces => {
                let begin = begin.saturating_add(o.start.saturating_sub(o.replaces));
                bounds.add(begin, begin.saturating_add(o.length));
            }
            _ => bounds.add(begin, end),
        }
    }
}

/// Adds the local starts of one rule; marks the span open when the rule has no end. For an
/// open-ended rule only `skipped` + 2 occurrences are computed, and none when `skipped` is
/// None (DTSTART is the first start).
fn expand_rule(
    rule: &str,
    start: &Moment<'_>,
    skipped: Option<usize>,
    zones: &mut Zones<'_>,
    bounds: &mut Bounds,
    locals: &mut Vec<NaiveDateTime>,
) {
    // RFC 7529: a non-Gregorian RSCALE needs that calendar's arithmetic, which the expansion
    // does not have; the series is then known only to start at DTSTART.
    let gregorian = recur::rule_parts(rule)
        .find(|(k, _)| k.eq_ignore_ascii_case("RSCALE"))
        .is_none_or(|(_, v)| v.eq_ignore_ascii_case("GREGORIAN"));
    if !gregorian {
        bounds.open = true;
        return;
    }
    let bounded = recur::is_bounded(rule);
    let limit = match (bounded, skipped) {
        (true, _) => MAX_INSTANCES,
        (false, Some(skipped)) => skipped + 2,
        (false, None) => {
            bounds.open = true;
            return;
        }
    };
    let rule = match recur::rule_parts(rule)
        .find(|(k, _)| k.eq_ignore_ascii_case("UNTIL"))
        .map(|(_, v)| v)
    {
        Some(until) => match local_until(until, start, zones) {
            Some(local) => recur::with_until(rule, &local.format("%Y%m%dT%H%M%S").to_string()),
            None => rule.to_string(),
        },
        None => rule.to_string(),
    };
    match recur::expand(start.value.local, &rule, limit) {
        Some(expansion) => {
            if !bounded || !expansion.complete {
                bounds.open = true;
            }
            locals.extend(expansion.starts);
        }
        // A rule calcard cannot expand: only DTSTART is known, and nothing bounds the series.
        None => bounds.open = true,
    }
}

/// RFC 5545 §3.3.10: UNTIL is in UTC when DTSTART has a zone; the expansion runs in local
/// time, so it becomes the local time of that instant. An UNTIL date bounds a date-time
/// series at the end of that day.
pub(crate) fn local_until(
    until: &str,
    start: &Moment<'_>,
    zones: &mut Zones<'_>,
) -> Option<NaiveDateTime> {
    let until = parse_date_time(until)?;
    let local = match (until.kind, start.value.kind) {
        (TimeKind::Utc, TimeKind::Local) if start.tzid.is_some() => {
            zones.local(until.local.and_utc().timestamp(), start.tzid)
        }
        (TimeKind::Date, TimeKind::Local | TimeKind::Utc) => until
            .local
            .date()
            .and_time(NaiveTime::from_hms_opt(23, 59, 59)?),
        _ => until.local,
    };
    Some(local)
}

pub(crate) fn rdates(
    master: &Component,
    start: &Moment<'_>,
    length: Length,
    zones: &mut Zones<'_>,
) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for line in master.properties().filter(|p| p.is("RDATE")) {
        let tzid = line.param("TZID").or(start.tzid);
        for item in line.value().split(',').map(str::trim) {
            if let Some(value) = parse_date_time(item) {
                let moment = Moment {
                    value,
                    tzid: tzid.filter(|_| value.kind == TimeKind::Local),
                };
                out.push(occurrence(zones, &moment, value.local, length));
            } else if let Some((from, end)) = parse_period(item) {
                let tzid = tzid.filter(|_| from.kind == TimeKind::Local);
                let begin = zones.instant(from, tzid);
                let end = match end {
                    PeriodEnd::End(end) => {
                        zones.instant(end, tzid.filter(|_| end.kind == TimeKind::Local))
                    }
                    PeriodEnd::Duration(d) => {
                        let moment = Moment { value: from, tzid };
                        occurrence(zones, &moment, from.local, duration_length(d)).1
                    }
                };
                out.push((begin, end));
            }
        }
    }
    out
}

/// EXDATE values (RFC 5545 §3.8.5.1): instants, and dates that exclude a whole local day.
#[derive(Default)]
pub(crate) struct Exdates {
    pub(crate) instants: Vec<i64>,
    pub(crate) days: Vec<chrono::NaiveDate>,
}

impl Exdates {
    /// How many occurrences they can remove (an excluded day holds several of an hourly
    /// rule's).
    pub(crate) fn skipped(&self) -> usize {
        self.instants.len() + 24 * self.days.len()
    }
}

pub(crate) fn exdates(master: &Component, start: &Moment<'_>, zones: &mut Zones<'_>) -> Exdates {
    let mut out = Exdates::default();
    for line in master.properties().filter(|p| p.is("EXDATE")) {
        let tzid = line.param("TZID").or(start.tzid);
        for value in line.value().split(',').filter_map(parse_date_time) {
            if value.is_date() && !start.value.is_date() {
                out.days.push(value.local.date());
            } else {
                let tzid = tzid.filter(|_| value.kind == TimeKind::Local);
                out.instants.push(zones.instant(value, tzid));
            }
        }
    }
    out.instants.sort_unstable();
    out.days.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use crate::{CalendarObject, TimeSpan};

    fn span(body: &str) -> TimeSpan {
        span_with(body, "")
    }

    fn span_with(body: &str, extra: &str) -> TimeSpan {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{extra}BEGIN:VEVENT\r\nUID:t\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        CalendarObject::parse(&text).expect("parses").time_span()
    }

    // 2024-01-01T09:00:00Z
    const T0: i64 = 1_704_099_600;
    const DAY: i64 = 86_400;

    #[test]
    fn single_event_with_dtend_or_duration() {
        let expected = TimeSpan {
            first_start: Some(T0),
            last_end: Some(T0 + 3600),
        };
        assert_eq!(
            span("DTSTART:20240101T090000Z\r\nDTEND:20240101T100000Z\r\n"),
            expected
        );
        assert_eq!(
            span("DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\n"),
            expected
        );
        // Floating time is taken as UTC.
        assert_eq!(
            span("DTSTART:20240101T090000\r\nDTEND:20240101T100000\r\n"),
            expected
        );
    }

    #[test]
    fn all_day_lasts_one_day() {
        let midnight = T0 - 9 * 3600;
        assert_eq!(
            span("DTSTART;VALUE=DATE:20240101\r\n"),
            TimeSpan {
                first_start: Some(midnight),
                last_end: Some(midnight + DAY)
            }
        );
        assert_eq!(
            span("DTSTART;VALUE=DATE:20240101\r\nDTEND;VALUE=DATE:20240103\r\n").last_end,
            Some(midnight + 2 * DAY)
        );
    }

    #[test]
    fn open_ended_series_is_fast() {
        let started = std::time::Instant::now();
        let s = span("DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=SECONDLY\r\n");
        assert_eq!(
            s,
            TimeSpan {
                first_start: Some(T0),
                last_end: None
            }
        );
        let s = span("DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n");
        assert_eq!(s.last_end, None);
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
    }

    #[test]
    fn count_and_until() {
        let s = span("DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=10\r\n");
        assert_eq!(s.last_end, Some(T0 + 9 * DAY + 3600));
        let s = span(
            "DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;UNTIL=20240115T090000Z\r\n",
        );
        assert_eq!(s.last_end, Some(T0 + 14 * DAY + 3600));
    }

    #[test]
    fn huge_count_is_capped() {
        let started = std::time::Instant::now();
        let s = span("DTSTART:20240101T090000Z\r\nRRULE:FREQ=SECONDLY;COUNT=5000000\r\n");
        assert_eq!(s.last_end, None);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn exdate_removes_the_last_occurrence() {
        let s = span(
            "DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20240103T090000Z\r\n",
        );
        assert_eq!(s.last_end, Some(T0 + DAY + 3600));
        let s = span(
            "DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20240101T090000Z\r\n",
        );
        assert_eq!(s.first_start, Some(T0 + DAY));
    }

    #[test]
    fn open_ended_series_with_its_first_instance_excluded() {
        let s = span(
            "DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nEXDATE:20240101T090000Z,20240102T090000Z\r\n",
        );
        assert_eq!(
            s,
            TimeSpan {
                first_start: Some(T0 + 2 * DAY),
                last_end: None
            }
        );
    }

    #[test]
    fn absurd_durations_do_not_overflow() {
        let s = span(
            "DTSTART:20240101T090000Z\r\nDURATION:P999999999999W\r\nRRULE:FREQ=DAILY;COUNT=2\r\n",
        );
        assert_eq!(s.first_start, Some(T0));
        let s = span("DTSTART:20240101T090000Z\r\nDURATION:PT9999999999999999S\r\n");
        assert!(s.last_end >= s.first_start);
    }

    #[test]
    fn rdate_extends_the_span() {
        let s = span("DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRDATE:20240201T090000Z\r\n");
        assert_eq!(s.last_end, Some(T0 + 31 * DAY + 3600));
    }

    #[test]
    fn overrides_move_occurrences() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20240103T090000Z\r\nDTSTART:20240102T120000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let s = CalendarObject::parse(text).expect("parses").time_span();
        assert_eq!(s.last_end, Some(T0 + DAY + 4 * 3600));
    }

    #[test]
    fn tzid_with_vtimezone_and_iana_and_windows() {
        // 09:00 in Berlin in winter is 08:00Z.
        let expected = Some(T0 - 3600);
        assert_eq!(
            span("DTSTART;TZID=Europe/Berlin:20240101T090000\r\n").first_start,
            expected
        );
        assert_eq!(
            span("DTSTART;TZID=W. Europe Standard Time:20240101T090000\r\n").first_start,
            expected
        );
        let vtimezone = "BEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
        assert_eq!(
            span_with("DTSTART;TZID=Custom:20240101T090000\r\n", vtimezone).first_start,
            expected
        );
        // An unknown TZID without VTIMEZONE is read as UTC.
        assert_eq!(
            span("DTSTART;TZID=Nowhere:20240101T090000\r\n").first_start,
            Some(T0)
        );
    }

    #[test]
    fn until_in_utc_bounds_a_zoned_series_inclusively() {
        // Daily at 10:00 Berlin (09:00Z); UNTIL is the UTC instant of the third one.
        let s = span(
            "DTSTART;TZID=Europe/Berlin:20240101T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;UNTIL=20240103T090000Z\r\n",
        );
        assert_eq!(s.last_end, Some(T0 + 2 * DAY + 3600));
    }

    #[test]
    fn tasks_use_due() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nDUE:20240101T090000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        let s = CalendarObject::parse(text).expect("parses").time_span();
        assert_eq!(
            s,
            TimeSpan {
                first_start: Some(T0),
                last_end: Some(T0)
            }
        );
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        let s = CalendarObject::parse(text).expect("parses").time_span();
        assert_eq!(s, TimeSpan::default());
    }
}
