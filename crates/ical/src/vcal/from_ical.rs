//! iCalendar 2.0 to vCalendar 1.0: one object (a UID's components and its VTIMEZONEs) as
//! one VCALENDAR for a device.
//!
//! - Times go out in UTC (or in the local time of the event's zone when the device wants
//!   it), with TZ and DAYLIGHT describing that zone over the years the series covers.
//! - RECURRENCE-ID overrides, which vCalendar lacks, go out as EXDATEs of the master plus
//!   one VEVENT per override carrying `X-CALVAULT-RECURRENCE-ID`; reading that back
//!   restores the override and drops the EXDATE, so nothing is duplicated. A cancelled
//!   override goes out as its EXDATE only.
//! - A rule vCalendar cannot express goes out as `X-CALVAULT-RRULE` and no RRULE: the device
//!   shows the first occurrence, and the rule comes back unless the device set another.
//! - Properties vCalendar has no place for go out as `X-CALVAULT-<NAME>`, and come back.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};

use super::alarm::{self, Action};
use super::allday::{self, Days};
use super::rrule::{End, Rule};
use super::text::{escape_field, split_ical_list};
use super::time::{duration_seconds, from_timestamp, local_text, timestamp, utc_text};
use super::timezone::describe;
use super::write::VcalWriter;
use super::{CARRIED_PREFIX, VCAL_PREFIX, VcalError, VcalOptions};
use crate::component::Component;
use crate::line::{ContentLine, unescape_text};
use crate::value::{DateTimeValue, TimeKind, parse_date_time, parse_period};
use crate::zone::Zones;
use crate::{CalendarObject, ComponentKind};

/// How far ahead DAYLIGHT periods are listed for an open-ended series.
const DAYLIGHT_YEARS: i32 = 20;

pub(crate) fn convert(input: &str, options: &VcalOptions) -> Result<String, VcalError> {
    let object = CalendarObject::parse(input)?;
    if object.kind() == ComponentKind::Journal {
        return Err(VcalError::Unsupported("VJOURNAL".to_string()));
    }
    let components = object.components();
    let master = components
        .iter()
        .find(|c| c.property("RECURRENCE-ID").is_none());
    let anchor = master.or(components.first());
    let tzid = anchor
        .and_then(|c| c.property("DTSTART").or_else(|| c.property("DUE")))
        .and_then(|line| line.param("TZID"))
        .map(str::to_string);
    let mut export = Export {
        zones: Zones::new(object.timezones()),
        options,
        tzid,
        writer: VcalWriter::new(options),
    };
    export.writer.raw("BEGIN:VCALENDAR");
    export.writer.raw("VERSION:1.0");
    export.writer.raw(&format!("PRODID:{}", crate::PRODID));
    if let Some(anchor) = anchor {
        export.zone_description(anchor);
    }
    let mut overridden = Vec::new();
    for component in components
        .iter()
        .filter(|c| c.property("RECURRENCE-ID").is_some())
    {
        if let Some(line) = component.property("RECURRENCE-ID") {
            overridden.push(line.clone());
        }
    }
    if let Some(master) = master {
        export.component(master, &overridden);
    }
    for component in components
        .iter()
        .filter(|c| c.property("RECURRENCE-ID").is_some())
    {
        let cancelled = component
            .value("STATUS")
            .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"));
        if !cancelled || master.is_none() {
            export.component(component, &[]);
        }
    }
    export.writer.raw("END:VCALENDAR");
    Ok(export.writer.finish())
}

struct Export<'a> {
    zones: Zones<'a>,
    options: &'a VcalOptions,
    /// The zone of the object's start, in whose local time a device wanting local times
    /// gets every value.
    tzid: Option<String>,
    writer: VcalWriter<'a>,
}

/// What writing one component needs to know about its start.
struct Start {
    all_day: Option<Days>,
    /// DTSTART in its own local time, for rule defaults.
    local: NaiveDateTime,
    /// DTSTART as an instant (floating times read as UTC), for alarms.
    instant: i64,
    floating: bool,
}

impl Export<'_> {
    /// TZ and DAYLIGHT (vCalendar 1.0 §2.2.1, §2.2.2) for a start in a zone.
    fn zone_description(&mut self, anchor: &Component) {
        let Some(tzid) = self.tzid.clone() else {
            return;
        };
        let Some(start) = anchor
            .property("DTSTART")
            .or_else(|| anchor.property("DUE"))
            .and_then(|l| parse_date_time(l.value()))
        else {
            return;
        };
        let first_year = start.local.year();
        let last_year = match anchor
            .property("RRULE")
            .and_then(|l| Rule::parse_ical(l.value()))
        {
            None => first_year,
            Some(rule) => match rule.end {
                End::Until(until) => parse_date_time(&until).map_or(first_year, |u| u.local.year()),
                _ => first_year + DAYLIGHT_YEARS,
            },
        }
        .clamp(first_year, first_year + DAYLIGHT_YEARS);
        let bound = |year: i32, month: u32, day: u32| {
            NaiveDate::from_ymd_opt(year, month, day)
                .map(|d| timestamp(d.and_time(chrono::NaiveTime::MIN)))
        };
        let (Some(from), Some(to)) = (bound(first_year, 1, 1), bound(last_year, 12, 31)) else {
            return;
        };
        let zones = &mut self.zones;
        let mut offset_at = |at: i64| (timestamp(zones.local(at, Some(&tzid))) - at) as i32;
        let (tz, daylight) = describe(&mut offset_at, from, to);
        self.writer.raw(&format!("TZ:{tz}"));
        if daylight.is_empty() {
            self.writer.raw("DAYLIGHT:FALSE");
        }
        for period in daylight {
            self.writer.raw(&format!("DAYLIGHT:{period}"));
        }
    }

    fn component(&mut self, component: &Component, overridden: &[ContentLine]) {
        let Some(kind) = ComponentKind::parse(&component.name) else {
            return;
        };
        let start = self.start(component);
        let is_event = kind == ComponentKind::Event;
        self.writer.raw(&format!("BEGIN:{}", kind.as_str()));
        let mut lists: Vec<(String, Vec<String>)> = Vec::new();
        let mut exdates: Vec<String> = overridden
            .iter()
            .filter_map(|line| self.moment(line, start.as_ref()))
            .collect();
        let has_end = component.property("DTEND").is_some() || component.property("DUE").is_some();
        for line in component.properties() {
            let name = line.name().to_ascii_uppercase();
            match name.as_str() {
                "DTSTART" | "DTEND" if start.as_ref().is_some_and(|s| s.all_day.is_some()) => {
                    let days = start.as_ref().and_then(|s| s.all_day);
                    if let Some(days) = days {
                        let (from, to) = allday::vcal_span(days, self.options.all_day);
                        let value = if name == "DTSTART" { from } else { to };
                        self.writer.raw(&format!("{name}:{value}"));
                        if name == "DTSTART" && component.property("DTEND").is_none() {
                            let (_, to) = allday::vcal_span(days, self.options.all_day);
                            self.writer.raw(&format!("DTEND:{to}"));
                        }
                    }
                }
                "DTSTART" | "DTEND" | "DUE" => {
                    if let Some(value) = self.moment(line, start.as_ref()) {
                        self.writer.raw(&format!("{name}:{value}"));
                    }
                }
                // Written after the loop, so that the end follows the start.
                "DURATION" => {}
                "RECURRENCE-ID" => {
                    if let Some(value) = self.moment(line, start.as_ref()) {
                        self.writer
                            .raw(&format!("{CARRIED_PREFIX}RECURRENCE-ID:{value}"));
                    }
                }
                "CREATED" | "LAST-MODIFIED" | "COMPLETED" => {
                    let target = if name == "CREATED" {
                        "DCREATED"
                    } else {
                        name.as_str()
                    };
                    if let Some(value) = parse_date_time(line.value()) {
                        let at = self.zones.instant(value, line.param("TZID"));
                        self.writer
                            .raw(&format!("{target}:{}", utc_text(from_timestamp(at))));
                    }
                }
                // The stamp of the iCalendar object; vCalendar 1.0 has none.
                "DTSTAMP" => {}
                "SUMMARY" | "DESCRIPTION" | "LOCATION" => {
                    let text = unescape_text(line.value());
                    let params = language(line);
                    self.writer.property(&name, &params, &text);
                }
                "CATEGORIES" | "RESOURCES" => {
                    let items = split_ical_list(line.value());
                    match lists.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, all)) => all.extend(items),
                        None => lists.push((name.clone(), items)),
                    }
                }
                "CLASS" | "PRIORITY" | "SEQUENCE" | "UID" | "URL" | "RELATED-TO" | "ATTACH" => {
                    self.writer.property(&name, "", line.value().trim());
                }
                "STATUS" => self.status(line, is_event),
                "TRANSP" => {
                    let value = if line.value().trim().eq_ignore_ascii_case("TRANSPARENT") {
                        "1"
                    } else {
                        "0"
                    };
                    self.writer.raw(&format!("TRANSP:{value}"));
                }
                "ATTENDEE" | "ORGANIZER" => self.attendee(line, name == "ORGANIZER"),
                "RRULE" | "EXRULE" => self.rule(line, start.as_ref()),
                "EXDATE" => exdates.extend(self.date_list(line, start.as_ref())),
                "RDATE" => {
                    let values = self.date_list(line, start.as_ref());
                    if !values.is_empty() {
                        self.writer.raw(&format!("RDATE:{}", values.join(";")));
                    }
                }
                _ if name.starts_with(VCAL_PREFIX) => {
                    self.carried(line, &name[VCAL_PREFIX.len()..]);
                }
                _ if name.starts_with("X-") => self.carried(line, &name),
                _ => self.carried(line, &format!("{CARRIED_PREFIX}{name}")),
            }
        }
        if !has_end && let Some(line) = component.property("DURATION") {
            self.end_from_duration(line, start.as_ref(), is_event);
        }
        for (name, items) in lists {
            let value: Vec<String> = items.iter().map(|i| escape_field(i)).collect();
            self.writer.property(&name, "", &value.join(";"));
        }
        if !exdates.is_empty() {
            self.writer.raw(&format!("EXDATE:{}", exdates.join(";")));
        }
        let summary = component
            .value("SUMMARY")
            .map(|s| unescape_text(s).into_owned());
        for valarm in component.children().filter(|c| c.is("VALARM")) {
            self.alarm(
                valarm,
                component,
                start.as_ref(),
                summary.as_deref().unwrap_or_default(),
            );
        }
        self.writer.raw(&format!("END:{}", kind.as_str()));
    }

    fn start(&mut self, component: &Component) -> Option<Start> {
        let line = component.property("DTSTART")?;
        let value = parse_date_time(line.value())?;
        let all_day = value.is_date().then(|| {
            let start = value.local.date();
            let end = component
                .property("DTEND")
                .and_then(|l| parse_date_time(l.value()))
                .map(|end| end.local.date())
                .or_else(|| {
                    let seconds = component.value("DURATION").and_then(duration_seconds)?;
                    Some(start + TimeDelta::days(seconds.div_euclid(86_400)))
                })
                .unwrap_or(start + TimeDelta::days(1));
            Days {
                start,
                end: end.max(start + TimeDelta::days(1)),
            }
        });
        let instant = self.zones.instant(value, line.param("TZID"));
        Some(Start {
            all_day: all_day.filter(|_| component.is("VEVENT")),
            local: value.local,
            instant,
            floating: value.kind != TimeKind::Utc && line.param("TZID").is_none(),
        })
    }

    /// A date or date-time value in the form the device wants.
    fn moment(&mut self, line: &ContentLine, start: Option<&Start>) -> Option<String> {
        let value = parse_date_time(line.value())?;
        Some(self.value_text(value, line.param("TZID"), start))
    }

    fn value_text(
        &mut self,
        value: DateTimeValue,
        tzid: Option<&str>,
        start: Option<&Start>,
    ) -> String {
        if value.is_date() {
            let all_day = start.is_some_and(|s| s.all_day.is_some());
            return if all_day {
                allday::vcal_date(value.local.date(), self.options.all_day)
            } else {
                super::time::date_text(value.local.date())
            };
        }
        if value.kind == TimeKind::Local && tzid.is_none() {
            return local_text(value.local);
        }
        let at = self.zones.instant(value, tzid);
        self.instant_text(at)
    }

    /// An instant in UTC, or in the local time of the object's zone when the device wants it.
    fn instant_text(&mut self, at: i64) -> String {
        match (&self.tzid, self.options.utc) {
            (Some(tzid), false) => local_text(self.zones.local(at, Some(tzid))),
            _ => utc_text(from_timestamp(at)),
        }
    }

    /// vCalendar 1.0 has no DURATION: DTSTART plus DURATION becomes DTEND (DUE for a task).
    fn end_from_duration(&mut self, line: &ContentLine, start: Option<&Start>, is_event: bool) {
        let (Some(start), Some(seconds)) = (start, duration_seconds(line.value())) else {
            return;
        };
        if start.all_day.is_some() {
            return;
        }
        let name = if is_event { "DTEND" } else { "DUE" };
        let end = start.instant + seconds;
        let value = if start.floating {
            local_text(from_timestamp(end))
        } else {
            self.instant_text(end)
        };
        self.writer.raw(&format!("{name}:{value}"));
    }

    /// EXDATE or RDATE values (a PERIOD gives its start).
    fn date_list(&mut self, line: &ContentLine, start: Option<&Start>) -> Vec<String> {
        let tzid = line.param("TZID").map(str::to_string);
        line.value()
            .split(',')
            .filter_map(|item| parse_date_time(item).or_else(|| parse_period(item).map(|(s, _)| s)))
            .map(|value| self.value_text(value, tzid.as_deref(), start))
            .collect()
    }

    fn rule(&mut self, line: &ContentLine, start: Option<&Start>) {
        let name = line.name().to_ascii_uppercase();
        let vcal = Rule::parse_ical(line.value()).and_then(|rule| {
            let until = match &rule.end {
                End::Until(until) => Some(self.value_text(parse_date_time(until)?, None, start)),
                _ => None,
            };
            let local = start.map(|s| s.local).unwrap_or_default();
            rule.to_vcal(local, until.as_deref())
        });
        match vcal {
            Some(value) => self.writer.raw(&format!("{name}:{value}")),
            None => self
                .writer
                .raw(&format!("{CARRIED_PREFIX}{name}:{}", line.value().trim())),
        }
    }

    /// RFC 5545 §3.8.1.11 STATUS to vCalendar 1.0 §2.3.23.
    fn status(&mut self, line: &ContentLine, is_event: bool) {
        let value = line.value().trim().to_ascii_uppercase();
        let mapped = match (value.as_str(), is_event) {
            ("NEEDS-ACTION", _) => "NEEDS ACTION",
            ("IN-PROCESS", false) => "ACCEPTED",
            ("CANCELLED", _) => "DECLINED",
            ("COMPLETED" | "TENTATIVE" | "CONFIRMED", _) => value.as_str(),
            _ => {
                self.carried(line, &format!("{CARRIED_PREFIX}STATUS"));
                return;
            }
        };
        self.writer.raw(&format!("STATUS:{mapped}"));
    }

    /// RFC 5545 ATTENDEE/ORGANIZER to vCalendar 1.0 §2.3.3 ATTENDEE with ROLE, STATUS, RSVP
    /// and EXPECT; the common name goes in front of the address, as `Name <address>`.
    fn attendee(&mut self, line: &ContentLine, organizer: bool) {
        let value = line.value().trim();
        let address = value
            .strip_prefix("mailto:")
            .or_else(|| value.strip_prefix("MAILTO:"))
            .unwrap_or(value);
        let mut params = String::new();
        if organizer {
            params.push_str(";ROLE=ORGANIZER");
        }
        let mut name = None;
        for (key, value) in line.params() {
            let upper = value.to_ascii_uppercase();
            match key.to_ascii_uppercase().as_str() {
                "CN" => name = Some(value),
                "PARTSTAT" => params.push_str(&format!(";STATUS={}", vcal_status(&upper))),
                "RSVP" => params.push_str(if upper == "TRUE" {
                    ";RSVP=YES"
                } else {
                    ";RSVP=NO"
                }),
                "ROLE" => params.push_str(match upper.as_str() {
                    "NON-PARTICIPANT" => ";EXPECT=FYI",
                    "OPT-PARTICIPANT" => ";EXPECT=REQUEST",
                    _ => ";EXPECT=REQUIRE",
                }),
                key if key.starts_with("X-") => {
                    params.push_str(&format!(";{key}={}", value.replace([';', ':'], " ")));
                }
                _ => {}
            }
        }
        let value = match name {
            Some(name) => format!("{} <{address}>", name.replace(['<', '>'], "")),
            None => address.to_string(),
        };
        self.writer.property("ATTENDEE", &params, &value);
    }

    /// A property written under another name with its parameters and raw value; the
    /// RFC 5545 `\n` in it becomes a real line break (sent as QUOTED-PRINTABLE).
    fn carried(&mut self, line: &ContentLine, name: &str) {
        let mut params = String::new();
        for (key, value) in line.params() {
            params.push_str(&format!(";{key}={}", super::text::param_value(&value)));
        }
        let value = line.value().replace("\\n", "\n").replace("\\N", "\n");
        self.writer.property(name, &params, &value);
    }

    /// VALARM (RFC 5545 §3.6.6) to the vCalendar alarm properties, with an absolute run time.
    fn alarm(
        &mut self,
        valarm: &Component,
        parent: &Component,
        start: Option<&Start>,
        summary: &str,
    ) {
        let Some(action) = valarm.value("ACTION").and_then(Action::from_ical) else {
            return;
        };
        let Some(run) = self.run_time(valarm, parent, start) else {
            return;
        };
        let floating = start.is_none_or(|s| s.floating || s.all_day.is_some());
        let run = if floating {
            local_text(from_timestamp(run))
        } else {
            self.instant_text(run)
        };
        let snooze = valarm.value("DURATION").unwrap_or_default().to_string();
        let repeat = valarm.value("REPEAT").unwrap_or_default().to_string();
        let text = |name: &str| valarm.value(name).map(|v| unescape_text(v).into_owned());
        let description = text("DESCRIPTION").unwrap_or_else(|| summary.to_string());
        let attach = valarm.value("ATTACH").unwrap_or_default().to_string();
        let (snooze, repeat) = match (snooze.is_empty(), repeat.is_empty()) {
            (false, false) => (snooze, repeat),
            _ => (String::new(), String::new()),
        };
        let mut write = |action: Action, fields: &[&str]| {
            let value = alarm::vcal_value(&run, &snooze, &repeat, fields);
            self.writer.property(action.vcal_name(), "", &value);
        };
        match action {
            Action::Display => {
                write(Action::Display, &[&description]);
                write(Action::Audio, &[""]);
            }
            Action::Audio => write(Action::Audio, &[&attach]),
            Action::Procedure => write(Action::Procedure, &[&attach]),
            Action::Email => {
                let to = valarm
                    .value("ATTENDEE")
                    .map(|a| {
                        a.trim_start_matches("mailto:")
                            .trim_start_matches("MAILTO:")
                            .to_string()
                    })
                    .unwrap_or_default();
                write(Action::Email, &[&to, &description]);
            }
        }
    }

    /// The instant an alarm runs: an absolute TRIGGER, or one relative to the start (or end).
    fn run_time(
        &mut self,
        valarm: &Component,
        parent: &Component,
        start: Option<&Start>,
    ) -> Option<i64> {
        let trigger = valarm.property("TRIGGER")?;
        if let Some(value) = parse_date_time(trigger.value()) {
            return Some(self.zones.instant(value, None));
        }
        let offset = duration_seconds(trigger.value())?;
        let related_end = trigger
            .param("RELATED")
            .is_some_and(|r| r.eq_ignore_ascii_case("END"));
        let anchor = if related_end || start.is_none() {
            self.end_instant(parent, start)?
        } else {
            start?.instant
        };
        Some(anchor + offset)
    }

    fn end_instant(&mut self, parent: &Component, start: Option<&Start>) -> Option<i64> {
        let end = parent.property("DTEND").or_else(|| parent.property("DUE"));
        if let Some(line) = end
            && let Some(value) = parse_date_time(line.value())
        {
            return Some(self.zones.instant(value, line.param("TZID")));
        }
        let seconds = parent
            .value("DURATION")
            .and_then(duration_seconds)
            .unwrap_or(0);
        Some(start?.instant + seconds)
    }
}

fn vcal_status(partstat: &str) -> &'static str {
    match partstat {
        "ACCEPTED" => "ACCEPTED",
        "DECLINED" => "DECLINED",
        "TENTATIVE" => "TENTATIVE",
        "COMPLETED" => "COMPLETED",
        "DELEGATED" => "DELEGATED",
        _ => "NEEDS ACTION",
    }
}

/// The LANGUAGE parameter, which vCalendar 1.0 §2.1.5 has too.
fn language(line: &ContentLine) -> String {
    line.param("LANGUAGE")
        .map(|l| format!(";LANGUAGE={l}"))
        .unwrap_or_default()
}
