//! RFC 4791 §9.7 calendar-query filters evaluated against one object.

use crate::CalendarObject;
use crate::component::Component;
use crate::line::{ContentLine, unescape_text};
use crate::query::instances::{Instance, instances, single};
use crate::query::time_range::{
    alarm_in_range, alarm_reach, freebusy_overlaps, instance_overlaps, property_overlaps,
};
use crate::query::{CompFilter, CompTest, ParamFilter, ParamTest, PropFilter, PropTest, TimeRange};
use crate::zone::Zones;

impl CalendarObject {
    /// RFC 4791 §9.7: whether the object, seen as a VCALENDAR, matches `filter` (whose name
    /// is VCALENDAR). Time ranges follow §9.9 (VEVENT, VTODO, VJOURNAL, VFREEBUSY, VALARM
    /// rules) over expanded recurrences, overrides included; prop time-range per §9.7.2;
    /// text-match per §9.7.5 with the two collations.
    pub fn matches(&self, filter: &CompFilter) -> bool {
        if !filter.name.eq_ignore_ascii_case("VCALENDAR") {
            return false;
        }
        let CompTest::Matches {
            time_range,
            props,
            comps,
        } = &filter.test
        else {
            // The object is a VCALENDAR, so it is defined.
            return false;
        };
        let mut zones = Zones::new(self.timezones());
        let header: Vec<&ContentLine> = self.header().iter().collect();
        if !props.iter().all(|p| prop_matches(&header, p, &mut zones)) {
            return false;
        }
        // RFC 4791 defines no time-range on VCALENDAR; read as "some instance in range".
        if let Some(range) = time_range {
            let found = instances(self.components(), &mut zones, range, 0)
                .iter()
                .any(|i| instance_overlaps(i, range, &mut zones));
            if !found {
                return false;
            }
        }
        comps.iter().all(|c| self.top_matches(c, &mut zones))
    }

    /// A comp-filter on a component of the VCALENDAR: matches when any component (any
    /// instance, when a time range needs them) of that name matches.
    fn top_matches(&self, filter: &CompFilter, zones: &mut Zones<'_>) -> bool {
        if filter.name.eq_ignore_ascii_case("VTIMEZONE") {
            let mut timezones = self.timezones().iter().map(|t| t.as_ref());
            return match filter.test {
                CompTest::IsNotDefined => timezones.next().is_none(),
                CompTest::Matches { .. } => timezones.any(|t| comp_matches(t, None, filter, zones)),
            };
        }
        let named: Vec<&Component> = self
            .components()
            .iter()
            .filter(|c| c.is(&filter.name))
            .collect();
        if filter.test == CompTest::IsNotDefined {
            return named.is_empty();
        }
        let Some(window) = hull(filter) else {
            return named.iter().any(|c| comp_matches(c, None, filter, zones));
        };
        let reach = named
            .iter()
            .flat_map(|c| c.children())
            .filter(|c| c.is("VALARM"))
            .map(alarm_reach)
            .max()
            .unwrap_or(0);
        instances(self.components(), zones, &window, reach)
            .iter()
            .filter(|i| i.component.is(&filter.name))
            .any(|i| comp_matches(i.component, Some(i), filter, zones))
    }
}

/// The smallest range holding every time range of the filter and its nested filters; None
/// when there is none (and nothing needs expanding).
fn hull(filter: &CompFilter) -> Option<TimeRange> {
    let CompTest::Matches {
        time_range, comps, ..
    } = &filter.test
    else {
        return None;
    };
    let ranges = time_range
        .iter()
        .copied()
        .chain(comps.iter().filter_map(hull));
    ranges.reduce(|a, b| TimeRange {
        start: a.start.zip(b.start).map(|(x, y)| x.min(y)),
        end: a.end.zip(b.end).map(|(x, y)| x.max(y)),
    })
}

/// One component against a comp-filter whose name it has. `instance` is the component's
/// own instance, or its parent's for a VALARM.
fn comp_matches(
    component: &Component,
    instance: Option<&Instance<'_>>,
    filter: &CompFilter,
    zones: &mut Zones<'_>,
) -> bool {
    let CompTest::Matches {
        time_range,
        props,
        comps,
    } = &filter.test
    else {
        return false;
    };
    if let Some(range) = time_range
        && !component_in_range(component, instance, range, zones)
    {
        return false;
    }
    let lines: Vec<&ContentLine> = component.properties().collect();
    if !props.iter().all(|p| prop_matches(&lines, p, zones)) {
        return false;
    }
    comps.iter().all(|nested| {
        let mut children = component.children().filter(|c| c.is(&nested.name));
        match nested.test {
            CompTest::IsNotDefined => children.next().is_none(),
            CompTest::Matches { .. } => {
                children.any(|child| comp_matches(child, instance, nested, zones))
            }
        }
    })
}

fn component_in_range(
    component: &Component,
    instance: Option<&Instance<'_>>,
    range: &TimeRange,
    zones: &mut Zones<'_>,
) -> bool {
    if component.is("VALARM") {
        return alarm_in_range(component, instance, range);
    }
    if component.is("VFREEBUSY") {
        return freebusy_overlaps(component, range, zones);
    }
    match instance {
        Some(instance) if std::ptr::eq(instance.component, component) => {
            instance_overlaps(instance, range, zones)
        }
        _ => instance_overlaps(&single(component, zones), range, zones),
    }
}

/// RFC 4791 §9.7.2: matches when any property of that name matches (or, for
/// is-not-defined, when there is none).
fn prop_matches(lines: &[&ContentLine], filter: &PropFilter, zones: &mut Zones<'_>) -> bool {
    let mut named = lines.iter().filter(|l| l.is(&filter.name));
    let PropTest::Matches {
        time_range,
        text,
        params,
    } = &filter.test
    else {
        return named.next().is_none();
    };
    named.any(|line| {
        time_range
            .as_ref()
            .is_none_or(|range| property_overlaps(line, range, zones))
            // RFC 4791 §9.7.5 compares the value, so TEXT escapes (RFC 5545 §3.3.11) go.
            && text
                .as_ref()
                .is_none_or(|t| t.test(&unescape_text(line.value())))
            && params.iter().all(|p| param_matches(line, p))
    })
}

/// RFC 4791 §9.7.3.
fn param_matches(line: &ContentLine, filter: &ParamFilter) -> bool {
    let mut named = line
        .params()
        .filter(|(name, _)| name.eq_ignore_ascii_case(&filter.name));
    match &filter.test {
        ParamTest::IsNotDefined => named.next().is_none(),
        ParamTest::Matches(None) => named.next().is_some(),
        ParamTest::Matches(Some(text)) => named.any(|(_, value)| text.test(&value)),
    }
}
