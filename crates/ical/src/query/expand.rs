//! RFC 4791 §9.6.5 expand and §9.6.6 limit-recurrence-set.

use crate::CalendarObject;
use crate::component::{Component, Item};
use crate::line::ContentLine;
use crate::query::TimeRange;
use crate::query::expanded::{InstanceTime, instance_times, is_series};
use crate::query::instances::{EndKind, Instance, instances};
use crate::query::time_range::instance_overlaps;
use crate::value::{DateTimeValue, TimeKind, parse_date_time};
use crate::zone::Zones;

impl CalendarObject {
    /// RFC 4791 §9.6.5 expand: a whole VCALENDAR text in which every instance overlapping
    /// `range` is its own component with RECURRENCE-ID, DTSTART (and DTEND/DUE) in UTC, no
    /// RRULE/RDATE/EXDATE, no VTIMEZONE.
    pub fn expand(&self, range: &TimeRange) -> String {
        let mut zones = Zones::new(self.timezones());
        let recurring = is_series(self.components());
        let mut out = self.begin_calendar();
        for instance in instances(self.components(), &mut zones, range, 0) {
            if instance_overlaps(&instance, range, &mut zones) {
                instance_component(&instance, recurring, &mut zones).write(&mut out);
            }
        }
        out.push_str("END:VCALENDAR\r\n");
        out
    }

    /// RFC 4791 §9.6.6 limit-recurrence-set: the master plus only the overrides that
    /// affect instances overlapping `range`, as a whole VCALENDAR text.
    pub fn limit_recurrence_set(&self, range: &TimeRange) -> String {
        let mut zones = Zones::new(self.timezones());
        let all = instances(self.components(), &mut zones, range, 0);
        let mut out = self.begin_calendar();
        for timezone in self.timezones() {
            timezone.write(&mut out);
        }
        for component in self.components() {
            let keep = component.property("RECURRENCE-ID").is_none()
                || all.iter().any(|i| {
                    std::ptr::eq(i.component, component)
                        && (instance_overlaps(i, range, &mut zones)
                            || i.recurrence_id.is_some_and(|at| range.contains(at)))
                });
            if keep {
                component.write(&mut out);
            }
        }
        out.push_str("END:VCALENDAR\r\n");
        out
    }

    /// `BEGIN:VCALENDAR` and the calendar's VERSION, PRODID and CALSCALE.
    pub(crate) fn begin_calendar(&self) -> String {
        let mut out = String::from("BEGIN:VCALENDAR\r\n");
        for line in self.header() {
            crate::line::write_folded(&mut out, line.text());
        }
        out
    }
}

/// A time property of the instance, keeping the parameters that are not about its form.
fn time_line(template: Option<&ContentLine>, name: &str, time: InstanceTime) -> ContentLine {
    let (value, extra) = time.to_ical();
    match template {
        Some(line) => line.rewritten(&["TZID", "VALUE", "RANGE"], extra, &value),
        None => ContentLine::new(name, "").rewritten(&[], extra, &value),
    }
}

/// One instance as a component of its own (RFC 4791 §9.6.5), its times those that
/// `instance_times` gives.
fn instance_component(
    instance: &Instance<'_>,
    recurring: bool,
    zones: &mut Zones<'_>,
) -> Component {
    let source = instance.component;
    let times = instance_times(instance, recurring);
    let mut out = Component::new(&source.name);
    let rid_line = source.property("RECURRENCE-ID");
    let mut rid = times
        .recurrence_id
        .map(|time| Item::Property(time_line(rid_line, "RECURRENCE-ID", time)));
    for item in &source.items {
        match item {
            Item::Property(line) => {
                if ["RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"]
                    .iter()
                    .any(|n| line.is(n))
                {
                    continue;
                }
                if line.is("DTSTART") {
                    if let Some(start) = times.start {
                        out.items
                            .push(Item::Property(time_line(Some(line), "DTSTART", start)));
                    }
                    out.items.extend(rid.take());
                } else if line.is("DTEND") || line.is("DUE") {
                    if let (Some(end), EndKind::Explicit) = (instance.end, instance.end_kind) {
                        let date = parse_date_time(line.value()).is_some_and(|v| v.is_date());
                        let time = InstanceTime::of(end, date);
                        out.items
                            .push(Item::Property(time_line(Some(line), line.name(), time)));
                    }
                } else {
                    out.items.push(Item::Property(to_utc(line, zones)));
                }
            }
            Item::Component(child) => out.items.push(Item::Component(child_to_utc(child, zones))),
        }
    }
    if let Some(rid) = rid {
        out.items.insert(0, rid);
    }
    out
}

fn child_to_utc(component: &Component, zones: &mut Zones<'_>) -> Component {
    let mut out = Component::new(&component.name);
    for item in &component.items {
        out.items.push(match item {
            Item::Property(line) => Item::Property(to_utc(line, zones)),
            Item::Component(child) => Item::Component(child_to_utc(child, zones)),
        });
    }
    out
}

/// RFC 4791 §9.6.5: a date-time with a TZID becomes a UTC date-time.
fn to_utc(line: &ContentLine, zones: &mut Zones<'_>) -> ContentLine {
    let Some(tzid) = line.param("TZID") else {
        return line.clone();
    };
    let mut values = Vec::new();
    for item in line.value().split(',') {
        match parse_date_time(item) {
            Some(value) if value.kind == TimeKind::Local => {
                values.push(DateTimeValue::utc(zones.instant(value, Some(tzid))).to_ical());
            }
            _ => return line.clone(),
        }
    }
    line.rewritten(&["TZID"], "", &values.join(","))
}
