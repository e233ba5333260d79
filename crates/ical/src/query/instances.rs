//! The recurrence instances of one object near a time range: the master's DTSTART, RRULE and
//! RDATE occurrences less its EXDATEs, with RECURRENCE-ID overrides in their place
//! (RFC 5545 §3.8.5, §3.8.4.4), each with its start and end in UTC.
//!
//! Expansion is bounded by the range: a rule without COUNT is stopped at the range's end and
//! started near the range's start, so an open-ended series costs only what the range holds.

use chrono::{Datelike, Months, NaiveDateTime};

use crate::ComponentKind;
use crate::component::Component;
use crate::query::TimeRange;
use crate::recur;
use crate::span::{
    MAX_INSTANCES, Moment, exdates, local_until, occurrence, rdates, start_and_length,
};
use crate::value::{TimeKind, parse_duration};
use crate::zone::Zones;

const DAY: i64 = 86_400;
/// Room for local times that a DST change makes ambiguous or skipped.
const SLACK: i64 = 3 * 3_600;
/// 0001-01-01 and 9999-12-31T23:59:59 UTC: what RFC 5545 can write, and where the window is
/// clamped so that zone arithmetic never overflows.
const EARLIEST: i64 = -62_135_596_800;
const LATEST: i64 = 253_402_300_799;
/// Occurrences computed of a rule that nothing ends (no COUNT, UNTIL or range end), beyond
/// those EXDATEs and overrides may take away.
const OPEN_LIMIT: usize = 1_000;

/// Where an instance's end comes from, which the VTODO rules of RFC 4791 §9.9 tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndKind {
    /// DTEND (or DUE for a task).
    Explicit,
    Duration,
    /// A DATE DTSTART without DTEND or DURATION lasts one day (RFC 5545 §3.6.1).
    Implied,
    /// No end: the instance is a point in time.
    None,
}

/// One instance of an object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Instance<'a> {
    /// The component that describes it: the master, or the override that replaces it.
    pub(crate) component: &'a Component,
    /// The UTC instant of the occurrence it stands for; None when the object does not recur.
    pub(crate) recurrence_id: Option<i64>,
    /// DTSTART in UTC; None for a task with only DUE, or a component without times.
    pub(crate) start: Option<i64>,
    /// DTEND or DUE (or the end DURATION gives) in UTC.
    pub(crate) end: Option<i64>,
    pub(crate) end_kind: EndKind,
    /// The times are dates (all-day).
    pub(crate) date: bool,
}

impl Instance<'_> {
    /// The instant the instance is sorted by and known from.
    pub(crate) fn anchor(&self) -> Option<i64> {
        self.start.or(self.end)
    }
}

/// A component as one instance, its times as written (for components that are not expanded).
pub(crate) fn single<'a>(component: &'a Component, zones: &mut Zones<'_>) -> Instance<'a> {
    instance_at(component, zones, None, None)
}

/// The times of a component that is not expanded (an override, or a non-recurring master)
/// or of one occurrence of a master starting at `local`.
fn instance_at<'a>(
    component: &'a Component,
    zones: &mut Zones<'_>,
    local: Option<NaiveDateTime>,
    recurrence_id: Option<i64>,
) -> Instance<'a> {
    let todo = ComponentKind::parse(&component.name) == Some(ComponentKind::Todo);
    let Some((anchor, length)) = start_and_length(component, zones) else {
        return Instance {
            component,
            recurrence_id,
            start: None,
            end: None,
            end_kind: EndKind::None,
            date: false,
        };
    };
    let local = local.unwrap_or(anchor.value.local);
    let (begin, end) = occurrence(zones, &anchor, local, length);
    // Only a task may be anchored on something else than its start (DUE); an event
    // override without DTSTART starts at its RECURRENCE-ID.
    let has_dtstart = !todo || Moment::read(component, "DTSTART").is_some();
    let end_name = if todo { "DUE" } else { "DTEND" };
    let end_kind = if !has_dtstart || Moment::read(component, end_name).is_some() {
        EndKind::Explicit
    } else if component
        .value("DURATION")
        .and_then(parse_duration)
        .is_some()
    {
        EndKind::Duration
    } else if anchor.value.is_date() && !todo {
        EndKind::Implied
    } else {
        EndKind::None
    };
    let (start, end) = match (has_dtstart, end_kind) {
        // A task anchored on DUE: the occurrence is its due time.
        (false, _) => (None, Some(begin)),
        (true, EndKind::None) => (Some(begin), None),
        (true, _) => (Some(begin), Some(end)),
    };
    Instance {
        component,
        recurrence_id,
        start,
        end,
        end_kind,
        date: anchor.value.is_date(),
    }
}

/// An override and the occurrence it replaces.
struct Override<'a> {
    component: &'a Component,
    replaces: i64,
    this_and_future: bool,
}

/// All instances of `components` (a master and its overrides) that may concern `range`
/// widened by `reach` seconds on each side, sorted by their anchor. The caller applies the
/// exact RFC 4791 §9.9 test; this only keeps expansion bounded.
pub(crate) fn instances<'a>(
    components: &'a [Component],
    zones: &mut Zones<'_>,
    range: &TimeRange,
    reach: i64,
) -> Vec<Instance<'a>> {
    let master = components
        .iter()
        .find(|c| c.property("RECURRENCE-ID").is_none());
    let master_tzid = master
        .and_then(|m| Moment::read(m, "DTSTART"))
        .and_then(|m| m.tzid);
    let mut overrides: Vec<Override<'a>> = Vec::new();
    for component in components {
        let Some(rid) = Moment::read(component, "RECURRENCE-ID") else {
            continue;
        };
        let line = component.property("RECURRENCE-ID");
        let tzid = match rid.value.kind {
            TimeKind::Local => line.and_then(|l| l.param("TZID")).or(master_tzid),
            _ => None,
        };
        overrides.push(Override {
            component,
            replaces: zones.instant(rid.value, tzid),
            this_and_future: line
                .and_then(|l| l.param("RANGE"))
                .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE")),
        });
    }
    overrides.sort_by_key(|o| o.replaces);
    let mut out: Vec<Instance<'a>> = overrides
        .iter()
        .map(|o| instance_at(o.component, zones, None, Some(o.replaces)))
        .collect();
    if let Some(master) = master {
        let window = widen(range, reach, &overrides, components, zones);
        expand_master(master, &overrides, zones, &window, &mut out);
    }
    out.sort_by_key(|i| i.anchor());
    out
}

/// The range widened by `reach`, the longest instance, the largest THISANDFUTURE shift and
/// some slack for zone offsets, so that every instance that may touch `range` is inside.
fn widen(
    range: &TimeRange,
    reach: i64,
    overrides: &[Override<'_>],
    components: &[Component],
    zones: &mut Zones<'_>,
) -> TimeRange {
    let mut longest: i64 = 0;
    for component in components {
        if let Some((_, length)) = start_and_length(component, zones) {
            let length = length
                .local
                .saturating_abs()
                .saturating_add(length.exact.saturating_abs());
            longest = longest.max(length);
        }
    }
    let mut shift: i64 = 0;
    for o in overrides.iter().filter(|o| o.this_and_future) {
        if let Some(anchor) = instance_at(o.component, zones, None, None).anchor() {
            shift = shift.max(anchor.saturating_sub(o.replaces).saturating_abs());
        }
    }
    let margin = reach
        .saturating_abs()
        .saturating_add(longest)
        .saturating_add(shift)
        .saturating_add(SLACK);
    TimeRange {
        start: range
            .start
            .map(|s| s.saturating_sub(margin).clamp(EARLIEST, LATEST)),
        end: range
            .end
            .map(|e| e.saturating_add(margin).clamp(EARLIEST, LATEST)),
    }
}

fn is_recurring(master: &Component) -> bool {
    master.properties().any(|p| p.is("RRULE") || p.is("RDATE"))
}

fn expand_master<'a>(
    master: &'a Component,
    overrides: &[Override<'a>],
    zones: &mut Zones<'_>,
    window: &TimeRange,
    out: &mut Vec<Instance<'a>>,
) {
    let Some((anchor, length)) = start_and_length(master, zones) else {
        out.push(instance_at(master, zones, None, None));
        return;
    };
    let recurring = is_recurring(master);
    if !recurring && overrides.is_empty() {
        out.push(instance_at(master, zones, None, None));
        return;
    }
    let excluded = exdates(master, &anchor, zones);
    let spare = excluded.skipped().saturating_add(overrides.len());
    let mut locals = vec![anchor.value.local];
    for rule in master.properties().filter(|p| p.is("RRULE")) {
        let value = rule.value().trim();
        locals.extend(rule_starts(value, &anchor, zones, window, spare));
    }
    // The master's own times tell which of start and end each occurrence has.
    let template = instance_at(master, zones, None, None);
    let mut generated: Vec<Instance<'a>> = locals
        .into_iter()
        .map(|local| {
            let (begin, end) = occurrence(zones, &anchor, local, length);
            let (start, end) = match (template.start, template.end) {
                (Some(_), Some(_)) => (Some(begin), Some(end)),
                (Some(_), None) => (Some(begin), None),
                _ => (None, Some(begin)),
            };
            Instance {
                recurrence_id: recurring.then_some(begin),
                start,
                end,
                ..template
            }
        })
        .collect();
    generated.sort_unstable_by_key(|i| i.anchor());
    generated.dedup_by_key(|i| i.anchor());
    for (begin, end) in rdates(master, &anchor, length, zones) {
        if generated.iter().any(|g| g.anchor() == Some(begin)) {
            continue;
        }
        let mut instance = instance_at(master, zones, None, Some(begin));
        if instance.start.is_some() {
            instance.start = Some(begin);
            instance.end = Some(end);
            if instance.end_kind == EndKind::None && end > begin {
                instance.end_kind = EndKind::Explicit;
            }
        } else {
            instance.end = Some(begin);
        }
        generated.push(instance);
    }
    generated.sort_by_key(|i| i.anchor());
    let mut moved: Option<&Override<'a>> = None;
    for instance in generated {
        let Some(at) = instance.anchor() else {
            continue;
        };
        if excluded.instants.binary_search(&at).is_ok() {
            continue;
        }
        if !excluded.days.is_empty()
            && !anchor.value.is_date()
            && excluded
                .days
                .binary_search(&zones.local(at, anchor.tzid).date())
                .is_ok()
        {
            continue;
        }
        if let Ok(found) = overrides.binary_search_by_key(&at, |o| o.replaces) {
            if overrides[found].this_and_future {
                moved = Some(&overrides[found]);
            }
            continue;
        }
        let instance = match moved {
            // RFC 5545 §3.8.4.4 RANGE=THISANDFUTURE: later instances take the override's
            // properties, moved by as much as it moved its own instance.
            Some(o) if at > o.replaces => this_and_future(o, at, zones),
            _ => instance,
        };
        if near(window, &instance) {
            out.push(instance);
        }
    }
}

/// An occurrence at `at` of a series changed from `o` on.
fn this_and_future<'a>(o: &Override<'a>, at: i64, zones: &mut Zones<'_>) -> Instance<'a> {
    let template = instance_at(o.component, zones, None, Some(at));
    let moved = |t: Option<i64>| t.map(|t| t.saturating_add(at.saturating_sub(o.replaces)));
    Instance {
        start: moved(template.start),
        end: moved(template.end),
        ..template
    }
}

/// Whether an instance may concern the window (the exact test is the caller's).
fn near(window: &TimeRange, instance: &Instance<'_>) -> bool {
    let Some(anchor) = instance.anchor() else {
        return true;
    };
    let end = instance.end.unwrap_or(anchor).max(anchor);
    window.start.is_none_or(|s| end >= s) && window.end.is_none_or(|e| anchor < e)
}

/// Local starts of one RRULE within the window (DTSTART itself is added by the caller).
fn rule_starts(
    value: &str,
    anchor: &Moment<'_>,
    zones: &mut Zones<'_>,
    window: &TimeRange,
    spare: usize,
) -> Vec<NaiveDateTime> {
    let rule = if value.to_ascii_uppercase().contains("FREQ=") {
        value.to_string()
    } else {
        // vCalendar 1.0 syntax (`W1 FR #9`).
        match recur::vcalendar_rule(value) {
            Some(rule) => rule,
            None => return Vec::new(),
        }
    };
    // RFC 7529: a non-Gregorian RSCALE needs arithmetic the expansion does not have.
    let gregorian = recur::rule_parts(&rule)
        .find(|(k, _)| k.eq_ignore_ascii_case("RSCALE"))
        .is_none_or(|(_, v)| v.eq_ignore_ascii_case("GREGORIAN"));
    if !gregorian {
        return Vec::new();
    }
    let counted = recur::rule_parts(&rule).any(|(k, _)| k.eq_ignore_ascii_case("COUNT"));
    let until = recur::rule_parts(&rule)
        .find(|(k, _)| k.eq_ignore_ascii_case("UNTIL"))
        .and_then(|(_, v)| local_until(v, anchor, zones));
    // The window (already widened by the length and some slack) in the series' local time.
    let window_end = window.end.map(|end| zones.local(end, anchor.tzid));
    let mut from = anchor.value.local;
    let window_start = window.start.map(|start| zones.local(start, anchor.tzid));
    if !counted && let Some(start) = window_start {
        from = fast_forward(from, &rule, start);
    }
    let bounded = |bound: Option<NaiveDateTime>| {
        let until = match (until, bound) {
            (Some(until), Some(bound)) => Some(until.min(bound)),
            (until, bound) => until.or(bound),
        };
        match until {
            Some(until) => with_until(&rule, until),
            None => rule.clone(),
        }
    };
    if window_start.is_none() && window_end.is_none() {
        // Nothing bounds the question: the first occurrences answer it.
        return recur::expand(from, &bounded(None), OPEN_LIMIT.saturating_add(spare))
            .map(|e| e.starts)
            .unwrap_or_default();
    }
    if window_end.is_some() || until.is_some() || counted {
        return recur::expand(from, &bounded(window_end), MAX_INSTANCES)
            .map(|e| e.starts)
            .unwrap_or_default();
    }
    let Some(start) = window_start else {
        return Vec::new();
    };
    // A range without end over a series without end: a horizon that grows until it holds
    // enough occurrences after the range's start.
    let wanted = OPEN_LIMIT.saturating_add(spare);
    let mut horizon = 4 * 3_600;
    loop {
        let bound = shift_local(start, horizon);
        let Some(expansion) = recur::expand(from, &bounded(Some(bound)), MAX_INSTANCES) else {
            return Vec::new();
        };
        let after = expansion.starts.iter().filter(|s| **s >= start).count();
        let last_bound = bound.year() >= 9999 || horizon > 4_000 * 366 * DAY;
        if after >= wanted || !expansion.complete || last_bound {
            return expansion.starts;
        }
        horizon = horizon.saturating_mul(16);
    }
}

/// The rule with UNTIL set to a local time.
fn with_until(rule: &str, until: NaiveDateTime) -> String {
    let text = until.format("%Y%m%dT%H%M%S").to_string();
    if recur::rule_parts(rule).any(|(k, _)| k.eq_ignore_ascii_case("UNTIL")) {
        recur::with_until(rule, &text)
    } else {
        format!("{rule};UNTIL={text}")
    }
}

fn shift_local(local: NaiveDateTime, seconds: i64) -> NaiveDateTime {
    crate::span::shift(local, seconds)
}

/// Moves the start of a rule without COUNT forward by whole periods of the rule, to the last
/// period start not after `target`: the occurrences from there on are those of the original
/// rule (every BYxxx part works within one period). Months and years only move when the day
/// exists in every month or year.
fn fast_forward(start: NaiveDateTime, rule: &str, target: NaiveDateTime) -> NaiveDateTime {
    if target <= start {
        return start;
    }
    let part = |name: &str| {
        recur::rule_parts(rule)
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_uppercase())
    };
    let interval: i64 = part("INTERVAL")
        .and_then(|v| v.parse().ok())
        .filter(|&i: &i64| i > 0)
        .unwrap_or(1);
    let Some(freq) = part("FREQ") else {
        return start;
    };
    let seconds = match freq.as_str() {
        "SECONDLY" => 1,
        "MINUTELY" => 60,
        "HOURLY" => 3_600,
        "DAILY" => DAY,
        "WEEKLY" => 7 * DAY,
        "MONTHLY" if start.day() <= 28 => return forward_months(start, interval, target, 1),
        "YEARLY" if !(start.month() == 2 && start.day() == 29) => {
            return forward_months(start, interval, target, 12);
        }
        _ => return start,
    };
    let Some(period) = interval.checked_mul(seconds) else {
        return start;
    };
    let gap = (target - start).num_seconds();
    let periods = gap / period;
    shift_local(start, periods.saturating_mul(period))
}

fn forward_months(
    start: NaiveDateTime,
    interval: i64,
    target: NaiveDateTime,
    months_per_unit: i64,
) -> NaiveDateTime {
    let months = |t: NaiveDateTime| i64::from(t.year()) * 12 + i64::from(t.month0());
    let step = interval.saturating_mul(months_per_unit);
    // One period less than the gap, so the result is never after `target`.
    let periods = ((months(target) - months(start)) / step - 1).max(0);
    u32::try_from(periods.saturating_mul(step))
        .ok()
        .and_then(|m| start.checked_add_months(Months::new(m)))
        .unwrap_or(start)
}
