//! vCalendar 1.0 to iCalendar 2.0: one VCALENDAR text holding every VEVENT and VTODO of the
//! input, the VTIMEZONE its TZ/DAYLIGHT describe, and every property either mapped to its
//! RFC 5545 counterpart or kept as an X- property (`X-CALVAULT-VCAL-<NAME>`).

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::alarm::{self, Action, RunTime, Trigger, VcalAlarm};
use super::allday::{self, Days};
use super::read::{Block, Property, read_calendars};
use super::rrule::{End, Rule};
use super::text::{param_value, split_fields, unescape};
use super::time::{Stamp, date_text, local_text, parse_stamp, timestamp, utc_text};
use super::timezone::VcalZone;
use super::{CARRIED_PREFIX, VCAL_PREFIX, VcalError};
use crate::line::{escape_text, write_folded};
use crate::value::{DateTimeValue, TimeKind};

pub(crate) fn convert(input: &str) -> Result<String, VcalError> {
    let calendars = read_calendars(input)?;
    let mut pending: Vec<&Block> = calendars.iter().collect();
    pending.reverse();
    let mut header: Vec<String> = Vec::new();
    let mut timezones: Vec<(String, Vec<String>)> = Vec::new();
    let mut components: Vec<String> = Vec::new();
    let mut count = 0;
    while let Some(calendar) = pending.pop() {
        let zone = VcalZone::from_calendar(calendar)?;
        let mut import = Import::new(zone.as_ref(), calendar);
        for property in calendar
            .properties
            .iter()
            .filter(|p| p.name.starts_with("X-"))
        {
            let line = x_property(property, &property.name);
            if !header.contains(&line) {
                header.push(line);
            }
        }
        for child in &calendar.children {
            match child.name.as_str() {
                "VEVENT" | "VTODO" => {
                    components.extend(import.component(child)?);
                    count += 1;
                }
                "VCALENDAR" => pending.push(child),
                _ => {}
            }
        }
        if let (true, Some(zone)) = (import.zone_used, zone) {
            let tzid = zone.tzid();
            if !timezones.iter().any(|(id, _)| *id == tzid) {
                timezones.push((tzid, zone.vtimezone()));
            }
        }
    }
    if count == 0 {
        return Err(VcalError::NoComponent);
    }
    let mut out = String::with_capacity(input.len() * 2);
    out.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    write_folded(&mut out, &format!("PRODID:{}", crate::PRODID));
    let lines = header
        .iter()
        .chain(timezones.iter().flat_map(|(_, lines)| lines))
        .chain(&components);
    for line in lines {
        write_folded(&mut out, line);
    }
    out.push_str("END:VCALENDAR\r\n");
    Ok(out)
}

/// The conversion state of one VCALENDAR.
struct Import<'a> {
    zone: Option<&'a VcalZone>,
    /// Whether a component refers to the VTIMEZONE made from TZ/DAYLIGHT.
    zone_used: bool,
    /// Per UID, the instants of the overrides calvault sent as separate components: the
    /// EXDATEs it added to the master for them are dropped again.
    overridden: HashMap<String, Vec<i64>>,
}

/// What the conversion of one component needs to know about it.
struct Event {
    is_event: bool,
    all_day: Option<Days>,
    /// DTSTART and DTEND in UTC are moved into the TZ/DAYLIGHT zone, so that the rule
    /// repeats in the device's local time as the device means it.
    localize: bool,
    /// DTSTART as it is written in the output: its local time and whether it is floating.
    start: Option<(NaiveDateTime, Form)>,
    start_instant: Option<i64>,
    due_instant: Option<i64>,
    uid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Floating,
    Anchored,
}

impl<'a> Import<'a> {
    fn new(zone: Option<&'a VcalZone>, calendar: &Block) -> Self {
        let mut import = Import {
            zone,
            zone_used: false,
            overridden: HashMap::new(),
        };
        for child in &calendar.children {
            let recurrence = child
                .property(&format!("{CARRIED_PREFIX}RECURRENCE-ID"))
                .and_then(|p| parse_stamp(p.trimmed()));
            let uid = child.property("UID").map(|p| p.trimmed().to_string());
            if let (Some(stamp), Some(uid)) = (recurrence, uid) {
                let at = import.instant(stamp, None, false);
                import.overridden.entry(uid).or_default().push(at);
            }
        }
        import
    }

    fn component(&mut self, block: &Block) -> Result<Vec<String>, VcalError> {
        let all_day = (block.name == "VEVENT")
            .then(|| allday::detect(block))
            .flatten();
        let carried = format!("{CARRIED_PREFIX}RRULE");
        let recurring = ["RRULE", "RDATE", carried.as_str()].iter().any(|name| {
            block
                .property(name)
                .is_some_and(|p| !p.trimmed().is_empty())
        });
        let mut event = Event {
            is_event: block.name == "VEVENT",
            all_day,
            localize: recurring && self.zone.is_some(),
            start: None,
            start_instant: None,
            due_instant: None,
            uid: block
                .property("UID")
                .map(|p| p.trimmed().to_string())
                .unwrap_or_default(),
        };
        if let Some(start) = block
            .property("DTSTART")
            .filter(|p| !p.trimmed().is_empty())
        {
            let (stamp, tzid) = self.moment(start)?;
            let (params, value) = self.render(stamp, tzid.as_deref(), &event, true);
            let local = parse_stamp(&value).map_or(stamp.naive(), Stamp::naive);
            let form = if params.is_empty() && !value.ends_with('Z') {
                Form::Floating
            } else {
                Form::Anchored
            };
            event.start = Some((local, form));
            event.start_instant = Some(self.instant(stamp, tzid.as_deref(), all_day.is_some()));
        }
        if let Some(due) = block.property("DUE").filter(|p| !p.trimmed().is_empty()) {
            let (stamp, tzid) = self.moment(due)?;
            event.due_instant = Some(self.instant(stamp, tzid.as_deref(), false));
        }
        let summary = block
            .property("SUMMARY")
            .map(|p| unescape(&p.value))
            .unwrap_or_default();
        let mut lines = vec![format!("BEGIN:{}", block.name)];
        let mut alarms = Vec::new();
        let mut carried_rule = None;
        let mut has_rule = false;
        for property in &block.properties {
            match property.name.as_str() {
                "AALARM" | "DALARM" | "PALARM" | "MALARM" => {
                    let action = Action::from_vcal(&property.name).unwrap_or(Action::Display);
                    match alarm::read(property, action) {
                        Ok(Some(alarm)) => alarms.push(alarm),
                        Ok(None) => {}
                        Err(_) => lines.push(kept(property)),
                    }
                }
                "RRULE" | "EXRULE" => {
                    let line = self.rule(property, &event);
                    has_rule |= property.name == "RRULE" && line.starts_with("RRULE");
                    lines.push(line);
                }
                name if name == format!("{CARRIED_PREFIX}RRULE") => {
                    carried_rule = Some(property.trimmed().to_string());
                }
                _ => lines.extend(self.property(property, &event)?),
            }
        }
        // The rule calvault sent as X-CALVAULT-RRULE because vCalendar could not express it
        // comes back unless the device set a recurrence of its own.
        if let (Some(rule), false) = (carried_rule, has_rule) {
            lines.push(format!("RRULE:{rule}"));
        }
        for (alarm, trigger) in self.merged_alarms(alarms, &event) {
            lines.extend(alarm::valarm(&alarm, trigger, &summary));
        }
        lines.push(format!("END:{}", block.name));
        Ok(lines)
    }

    /// One property (alarms and rules aside) as zero or more iCalendar lines.
    fn property(&mut self, property: &Property, event: &Event) -> Result<Vec<String>, VcalError> {
        let name = property.name.as_str();
        let value = property.trimmed();
        let one = |line: String| Ok(vec![line]);
        match name {
            "DTSTART" | "DTEND" | "DUE" => {
                if value.is_empty() {
                    return Ok(Vec::new());
                }
                if let (Some(days), "DTSTART" | "DTEND") = (event.all_day, name) {
                    let day = if name == "DTSTART" {
                        days.start
                    } else {
                        days.end
                    };
                    return one(format!("{name};VALUE=DATE:{}", date_text(day)));
                }
                let (stamp, tzid) = self.moment(property)?;
                let (params, value) = self.render(stamp, tzid.as_deref(), event, name != "DUE");
                one(format!("{name}{params}:{value}"))
            }
            "COMPLETED" | "LAST-MODIFIED" | "DCREATED" | "CREATED" | "DTSTAMP" => {
                if value.is_empty() {
                    return Ok(Vec::new());
                }
                let target = if name == "DCREATED" { "CREATED" } else { name };
                match parse_stamp(value) {
                    Some(stamp) => {
                        let at = self.instant(stamp, None, false);
                        one(format!(
                            "{target}:{}",
                            utc_text(super::time::from_timestamp(at))
                        ))
                    }
                    None => one(kept(property)),
                }
            }
            "EXDATE" | "RDATE" => Ok(self
                .date_list(property, event)
                .unwrap_or_else(|| vec![kept(property)])),
            "SUMMARY" | "DESCRIPTION" | "LOCATION" | "COMMENT" | "CONTACT" => one(format!(
                "{name}{}:{}",
                params(property, &[]),
                escape_text(&unescape(&property.value))
            )),
            "CATEGORIES" | "RESOURCES" => {
                let items = list_items(&property.value);
                if items.is_empty() {
                    return Ok(Vec::new());
                }
                let items: Vec<String> = items.iter().map(|i| escape_text(i)).collect();
                one(format!(
                    "{name}{}:{}",
                    params(property, &[]),
                    items.join(",")
                ))
            }
            "CLASS" => one(format!("CLASS:{}", value.to_ascii_uppercase())),
            "PRIORITY" | "SEQUENCE" | "PERCENT-COMPLETE" => match value.parse::<u32>() {
                Ok(number) => one(format!("{name}:{number}")),
                Err(_) => one(kept(property)),
            },
            "STATUS" => one(match status(value, event.is_event) {
                Some(status) => format!("STATUS:{status}"),
                None => kept(property),
            }),
            "TRANSP" => one(match value.to_ascii_uppercase().as_str() {
                "0" | "OPAQUE" => "TRANSP:OPAQUE".to_string(),
                "1" | "TRANSPARENT" => "TRANSP:TRANSPARENT".to_string(),
                _ => kept(property),
            }),
            "ATTENDEE" => one(attendee(property)),
            "UID" | "URL" | "RELATED-TO" | "ATTACH" | "ORGANIZER" | "DURATION" => {
                one(format!("{name}{}:{value}", params(property, &[])))
            }
            "GEO" => one(format!("GEO:{}", value.replace(',', ";"))),
            _ if name == format!("{CARRIED_PREFIX}RECURRENCE-ID") => {
                let (stamp, _) = self.moment(property)?;
                Ok(vec![match (event.all_day, stamp) {
                    (Some(_), stamp) => format!(
                        "RECURRENCE-ID;VALUE=DATE:{}",
                        date_text(stamp.naive().date())
                    ),
                    (None, stamp) => {
                        let (params, value) = self.render(stamp, None, event, true);
                        format!("RECURRENCE-ID{params}:{value}")
                    }
                }])
            }
            _ if allday::FLAGS.contains(&name) && event.all_day.is_some() => Ok(Vec::new()),
            _ if name.starts_with(VCAL_PREFIX) => one(x_property(property, name)),
            _ if name.starts_with(CARRIED_PREFIX) => {
                let restored = &name[CARRIED_PREFIX.len()..];
                one(x_property(property, restored))
            }
            _ if name.starts_with("X-") => one(x_property(property, name)),
            _ => one(kept(property)),
        }
    }

    fn rule(&mut self, property: &Property, event: &Event) -> String {
        let start = event.start.map(|(local, _)| local).unwrap_or_default();
        let Ok(mut rule) = Rule::parse_vcal(property.trimmed(), start) else {
            return kept(property);
        };
        if let End::Until(raw) = &rule.end {
            match self.until(raw, event) {
                Some(until) => rule.end = End::Until(until),
                None => return kept(property),
            }
        }
        format!("{}:{}", property.name, rule.to_ical())
    }

    /// RFC 5545 §3.3.10: UNTIL is a date for an all-day series, floating for a floating
    /// DTSTART, and UTC otherwise.
    fn until(&mut self, raw: &str, event: &Event) -> Option<String> {
        let stamp = parse_stamp(raw)?;
        if event.all_day.is_some() {
            return Some(date_text(stamp.naive().date()));
        }
        let stamp = match stamp {
            // A date ends at the end of that day.
            Stamp::Date(day) => Stamp::Local(day.and_hms_opt(23, 59, 59)?),
            other => other,
        };
        match event.start.map(|(_, form)| form) {
            Some(Form::Floating) => Some(local_text(stamp.naive())),
            _ => Some(utc_text(super::time::from_timestamp(
                self.instant(stamp, None, false),
            ))),
        }
    }

    /// EXDATE or RDATE: a `;`-separated list (vCalendar 1.0 §2.3.10, §2.3.21); `None` when
    /// an item cannot be read.
    fn date_list(&mut self, property: &Property, event: &Event) -> Option<Vec<String>> {
        let skip = (property.name == "EXDATE")
            .then(|| self.overridden.get(&event.uid).cloned())
            .flatten()
            .unwrap_or_default();
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for item in split_fields(&property.value)
            .iter()
            .flat_map(|f| f.split(','))
        {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let stamp = parse_stamp(item)?;
            if skip.contains(&self.instant(stamp, None, false)) {
                continue;
            }
            let (params, value) = match event.all_day {
                Some(_) => (";VALUE=DATE".to_string(), date_text(stamp.naive().date())),
                None => self.render(stamp, None, event, false),
            };
            match groups.iter_mut().find(|(p, _)| *p == params) {
                Some((_, values)) => values.push(value),
                None => groups.push((params, vec![value])),
            }
        }
        Some(
            groups
                .into_iter()
                .map(|(params, values)| format!("{}{params}:{}", property.name, values.join(",")))
                .collect(),
        )
    }

    /// The value of a DTSTART-like property and its TZID (a non-standard parameter some
    /// VERSION:1.0 producers write), when the crate knows that zone.
    fn moment(&self, property: &Property) -> Result<(Stamp, Option<String>), VcalError> {
        let stamp = parse_stamp(property.trimmed()).ok_or_else(|| VcalError::BadValue {
            line: property.line,
            property: property.name.clone(),
            value: property.value.clone(),
        })?;
        let tzid = property
            .param("TZID")
            .and_then(crate::tz::windows_to_iana)
            .map(str::to_string);
        Ok((stamp, tzid))
    }

    /// Parameters and value of a date or date-time in the output.
    fn render(
        &mut self,
        stamp: Stamp,
        tzid: Option<&str>,
        event: &Event,
        movable: bool,
    ) -> (String, String) {
        match (stamp, tzid, self.zone) {
            (Stamp::Date(day), _, _) => (";VALUE=DATE".to_string(), date_text(day)),
            (Stamp::Utc(at), _, Some(zone)) if movable && event.localize => {
                self.zone_used = true;
                let local = zone.to_local(timestamp(at));
                (format!(";TZID={}", zone.tzid()), local_text(local))
            }
            (Stamp::Utc(at), _, _) => (String::new(), utc_text(at)),
            (Stamp::Local(at), Some(tzid), _) => {
                (format!(";TZID={}", param_value(tzid)), local_text(at))
            }
            (Stamp::Local(at), None, Some(zone)) => {
                self.zone_used = true;
                (format!(";TZID={}", zone.tzid()), local_text(at))
            }
            (Stamp::Local(at), None, None) => (String::new(), local_text(at)),
        }
    }

    /// The UTC instant of a value: local times in the TZID or TZ/DAYLIGHT zone, floating ones
    /// (and, with `floating`, all local ones) read as UTC.
    fn instant(&self, stamp: Stamp, tzid: Option<&str>, floating: bool) -> i64 {
        match (stamp, tzid, self.zone) {
            (Stamp::Local(at), _, _) if floating => timestamp(at),
            (Stamp::Local(at), Some(tzid), _) => {
                let value = DateTimeValue {
                    local: at,
                    kind: TimeKind::Local,
                };
                crate::zone::Zones::new(&[]).instant(value, Some(tzid))
            }
            (Stamp::Local(at), None, Some(zone)) => zone.to_utc(at),
            (stamp, _, _) => timestamp(stamp.naive()),
        }
    }

    /// Triggers for the alarms, an AALARM that only accompanies a DALARM of the same time
    /// merged into it.
    fn merged_alarms(&self, alarms: Vec<VcalAlarm>, event: &Event) -> Vec<(VcalAlarm, Trigger)> {
        let with_triggers: Vec<(VcalAlarm, Trigger)> = alarms
            .into_iter()
            .map(|alarm| {
                let trigger = self.trigger(&alarm, event);
                (alarm, trigger)
            })
            .collect();
        let mut displays: Vec<Trigger> = with_triggers
            .iter()
            .filter(|(a, _)| a.action == Action::Display)
            .map(|(_, t)| *t)
            .collect();
        let mut out = Vec::new();
        for (alarm, trigger) in with_triggers {
            if alarm::is_display_companion(&alarm)
                && let Some(index) = displays.iter().position(|t| *t == trigger)
            {
                displays.remove(index);
                continue;
            }
            out.push((alarm, trigger));
        }
        out
    }

    fn trigger(&self, alarm: &VcalAlarm, event: &Event) -> Trigger {
        match (alarm.run, event.start_instant, event.due_instant) {
            (RunTime::Relative(seconds), None, Some(_)) => Trigger::Relative { seconds, end: true },
            (RunTime::Relative(seconds), _, _) => Trigger::Relative {
                seconds,
                end: false,
            },
            (RunTime::Absolute(stamp), start, due) => {
                let at = self.instant(stamp, None, event.all_day.is_some());
                match (start, due) {
                    (Some(start), _) => Trigger::Relative {
                        seconds: at - start,
                        end: false,
                    },
                    (None, Some(due)) => Trigger::Relative {
                        seconds: at - due,
                        end: true,
                    },
                    (None, None) => Trigger::Absolute(at),
                }
            }
        }
    }
}

/// vCalendar 1.0 §2.3.23 STATUS values: VTODO and VEVENT take different RFC 5545 values
/// (§3.8.1.11); a value without a counterpart is kept as an X- property.
fn status(value: &str, event: bool) -> Option<&'static str> {
    let value = value.trim().to_ascii_uppercase().replace(['_', '-'], " ");
    match (value.as_str(), event) {
        ("TENTATIVE", true) => Some("TENTATIVE"),
        ("CONFIRMED", true) => Some("CONFIRMED"),
        ("CANCELLED" | "DECLINED", _) => Some("CANCELLED"),
        ("NEEDS ACTION", false) => Some("NEEDS-ACTION"),
        ("COMPLETED", false) => Some("COMPLETED"),
        ("IN PROCESS" | "ACCEPTED", false) => Some("IN-PROCESS"),
        _ => None,
    }
}

/// CATEGORIES and RESOURCES: `;`-separated in vCalendar 1.0 (§2.3.2); some producers use
/// `,` as iCalendar does, which is read as a separator too.
fn list_items(value: &str) -> Vec<String> {
    split_fields(value)
        .iter()
        .flat_map(|field| field.split(','))
        .map(|item| unescape(item).trim().to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// vCalendar 1.0 §2.3.3 ATTENDEE: ROLE, STATUS, RSVP and EXPECT become RFC 5545 §3.2
/// ROLE, PARTSTAT and RSVP; `ROLE=ORGANIZER` (or OWNER) makes an ORGANIZER property.
fn attendee(property: &Property) -> String {
    let raw = property.trimmed();
    let raw = raw
        .strip_prefix("MAILTO:")
        .or_else(|| raw.strip_prefix("mailto:"))
        .unwrap_or(raw);
    let (name, address) = match (raw.find('<'), raw.rfind('>')) {
        (Some(open), Some(close)) if open < close => (
            raw[..open].trim().trim_matches('"'),
            raw[open + 1..close].trim(),
        ),
        _ => ("", raw),
    };
    let mut out_params = String::new();
    let mut organizer = false;
    if !name.is_empty() {
        out_params.push_str(&format!(";CN={}", param_value(name)));
    }
    for (key, value) in &property.params {
        let upper = value.to_ascii_uppercase();
        let mapped = match key.as_str() {
            "ROLE" if matches!(upper.as_str(), "ORGANIZER" | "OWNER") => {
                organizer = true;
                None
            }
            "ROLE" if upper == "ATTENDEE" => None,
            "STATUS" => Some(format!(";PARTSTAT={}", partstat(&upper))),
            "RSVP" => Some(format!(
                ";RSVP={}",
                if matches!(upper.as_str(), "YES" | "TRUE") {
                    "TRUE"
                } else {
                    "FALSE"
                }
            )),
            "EXPECT" => Some(format!(";ROLE={}", expect_role(&upper))),
            "TYPE" => None,
            _ if key.starts_with("X-") || key == "CN" || key == "LANGUAGE" => {
                Some(format!(";{key}={}", param_value(value)))
            }
            _ => Some(format!(";X-VCAL-{key}={}", param_value(value))),
        };
        out_params.extend(mapped);
    }
    let target = if organizer { "ORGANIZER" } else { "ATTENDEE" };
    let value = if address.contains(':') {
        address.to_string()
    } else {
        format!("mailto:{address}")
    };
    format!("{target}{out_params}:{value}")
}

fn partstat(status: &str) -> &'static str {
    match status {
        "ACCEPTED" | "CONFIRMED" => "ACCEPTED",
        "DECLINED" => "DECLINED",
        "TENTATIVE" => "TENTATIVE",
        "COMPLETED" => "COMPLETED",
        "DELEGATED" => "DELEGATED",
        _ => "NEEDS-ACTION",
    }
}

fn expect_role(expect: &str) -> &'static str {
    match expect {
        "FYI" => "NON-PARTICIPANT",
        "REQUEST" => "OPT-PARTICIPANT",
        _ => "REQ-PARTICIPANT",
    }
}

/// The parameters of a property worth keeping in iCalendar (LANGUAGE, X- ones), as text.
fn params(property: &Property, extra_skip: &[&str]) -> String {
    let mut out = String::new();
    for (key, value) in &property.params {
        if key == "TYPE" || extra_skip.contains(&key.as_str()) {
            continue;
        }
        out.push_str(&format!(";{key}={}", param_value(value)));
    }
    out
}

/// An X- property (or one restored from X-CALVAULT-) with its value and parameters; a line
/// break in the decoded value becomes the RFC 5545 `\n`.
fn x_property(property: &Property, name: &str) -> String {
    let value = property.value.replace("\r\n", "\n").replace('\n', "\\n");
    format!("{name}{}:{value}", params(property, &[]))
}

/// A vCalendar property with no iCalendar counterpart (or a value that does not convert),
/// kept as `X-CALVAULT-VCAL-<NAME>` so that it is neither lost nor misread.
fn kept(property: &Property) -> String {
    x_property(property, &format!("{VCAL_PREFIX}{}", property.name))
}
