//! Resolving TZIDs to offsets, for turning local times into UTC instants.
//!
//! A TZID is tried as a known zone first (IANA, Windows, vendor-prefixed or Outlook names):
//! CalConnect's guidance (CC/R 0602) is to trust the well-known zone over the attached
//! VTIMEZONE, which clients often truncate. Failing that the object's VTIMEZONE rules are
//! evaluated (RFC 5545 §3.6.5), then an offset stated in the name, and last UTC.

use std::sync::Arc;

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeDelta, TimeZone};

use crate::component::Component;
use crate::parse::timezone_id;
use crate::recur;
use crate::tz::{iana_zone, stated_offset, windows_to_iana};
use crate::value::{DateTimeValue, TimeKind, parse_date_time, parse_period, parse_utc_offset};

pub(crate) enum Zone {
    Utc,
    Fixed(i32),
    Iana(chrono_tz::Tz),
    Rules(Transitions),
}

/// Offset changes of a VTIMEZONE: (UTC instant of the onset, offset from then on).
pub(crate) struct Transitions {
    changes: Vec<(i64, i32)>,
    /// The offset before the first change.
    initial: i32,
}

fn timestamp(local: NaiveDateTime) -> i64 {
    local.and_utc().timestamp()
}

fn naive(timestamp: i64) -> NaiveDateTime {
    DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .naive_utc()
}

impl Transitions {
    fn offset_at(&self, utc: i64) -> i32 {
        match self.changes.partition_point(|&(at, _)| at <= utc) {
            0 => self.initial,
            n => self.changes[n - 1].1,
        }
    }
}

impl Zone {
    /// The UTC instant of a local time in this zone.
    pub(crate) fn to_utc(&self, local: NaiveDateTime) -> i64 {
        let seconds = timestamp(local);
        match self {
            Zone::Utc => seconds,
            Zone::Fixed(offset) => seconds - i64::from(*offset),
            Zone::Iana(tz) => iana_to_utc(*tz, local),
            Zone::Rules(rules) => {
                let guess = seconds - i64::from(rules.offset_at(seconds));
                seconds - i64::from(rules.offset_at(guess))
            }
        }
    }

    /// The local time of a UTC instant in this zone.
    pub(crate) fn to_local(&self, utc: i64) -> NaiveDateTime {
        let offset = match self {
            Zone::Utc => 0,
            Zone::Fixed(offset) => *offset,
            Zone::Iana(tz) => tz
                .offset_from_utc_datetime(&naive(utc))
                .fix()
                .local_minus_utc(),
            Zone::Rules(rules) => rules.offset_at(utc),
        };
        naive(utc + i64::from(offset))
    }
}

fn iana_to_utc(tz: chrono_tz::Tz, local: NaiveDateTime) -> i64 {
    if let Some(earliest) = tz.from_local_datetime(&local).earliest() {
        return earliest.timestamp();
    }
    // RFC 5545 §3.3.5: a local time in a DST gap is read with the offset before the gap.
    let before = local - TimeDelta::days(1);
    let offset = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
    timestamp(local) - i64::from(offset)
}

/// Zones of one object, resolved once per TZID.
pub(crate) struct Zones<'a> {
    timezones: &'a [Arc<Component>],
    resolved: HashMap<String, Zone>,
}

impl<'a> Zones<'a> {
    pub(crate) fn new(timezones: &'a [Arc<Component>]) -> Self {
        Zones {
            timezones,
            resolved: HashMap::new(),
        }
    }

    pub(crate) fn zone(&mut self, tzid: &str) -> &Zone {
        let tzid = tzid.trim();
        if !self.resolved.contains_key(tzid) {
            let zone = resolve(tzid, self.timezones);
            self.resolved.insert(tzid.to_string(), zone);
        }
        &self.resolved[tzid]
    }

    /// The UTC instant of a value: dates and floating times are taken as UTC.
    pub(crate) fn instant(&mut self, value: DateTimeValue, tzid: Option<&str>) -> i64 {
        match (value.kind, tzid) {
            (TimeKind::Local, Some(tzid)) => self.zone(tzid).to_utc(value.local),
            _ => timestamp(value.local),
        }
    }

    /// The local time, in the zone of `tzid`, of a UTC instant.
    pub(crate) fn local(&mut self, utc: i64, tzid: Option<&str>) -> NaiveDateTime {
        match tzid {
            Some(tzid) => self.zone(tzid).to_local(utc),
            None => naive(utc),
        }
    }
}

fn known_zone(name: &str) -> Option<chrono_tz::Tz> {
    iana_zone(name).or_else(|| windows_to_iana(name).and_then(|n| chrono_tz::Tz::from_str(n).ok()))
}

fn resolve(tzid: &str, timezones: &[Arc<Component>]) -> Zone {
    if let Some(tz) = known_zone(tzid) {
        return Zone::Iana(tz);
    }
    let definition = timezones
        .iter()
        .find(|c| timezone_id(c).is_some_and(|id| id == tzid));
    if let Some(definition) = definition {
        if let Some(tz) = definition.value("X-LIC-LOCATION").and_then(known_zone) {
            return Zone::Iana(tz);
        }
        if let Some(calcard::common::timezone::Tz::Tz(tz)) = definition
            .value("X-MICROSOFT-CDO-TZID")
            .and_then(calcard::common::timezone::Tz::from_ms_cdo_zone_id)
        {
            return Zone::Iana(tz);
        }
        if let Some(rules) = transitions(definition) {
            return Zone::Rules(rules);
        }
    }
    match stated_offset(tzid) {
        Some(offset) => Zone::Fixed(offset),
        None => Zone::Utc,
    }
}

/// Rules are computed up to this year; later times keep the last offset.
const LAST_YEAR: i32 = 2100;
/// Yearly rules that started long ago are expanded from this year on, so that a rule from
/// 1601 (as Exchange writes them) does not cost four centuries of occurrences.
const FIRST_YEAR: i32 = 1970;

/// RFC 5545 §3.6.5: each STANDARD/DAYLIGHT observance starts at DTSTART (local time in
/// TZOFFSETFROM) and again at each RRULE and RDATE occurrence, switching to TZOFFSETTO.
fn transitions(definition: &Component) -> Option<Transitions> {
    let mut onsets: Vec<(i64, i32, i32)> = Vec::new();
    for observance in definition.children() {
        let Some(to) = observance.value("TZOFFSETTO").and_then(parse_utc_offset) else {
            continue;
        };
        let from = observance
            .value("TZOFFSETFROM")
            .and_then(parse_utc_offset)
            .unwrap_or(to);
        let Some(start) = observance.value("DTSTART").and_then(parse_date_time) else {
            continue;
        };
        let mut push = |local: NaiveDateTime| {
            onsets.push((timestamp(local) - i64::from(from), from, to));
        };
        push(start.local);
        for rdate in observance.properties().filter(|p| p.is("RDATE")) {
            for item in rdate.value().split(',') {
                let local = parse_date_time(item)
                    .or_else(|| parse_period(item).map(|(start, _)| start))
                    .map(|v| v.local);
                if let Some(local) = local {
                    push(local);
                }
            }
        }
        for rule in observance.properties().filter(|p| p.is("RRULE")) {
            for local in observance_occurrences(start.local, rule.value()) {
                push(local);
            }
        }
    }
    onsets.sort_unstable_by_key(|&(at, _, _)| at);
    let initial = onsets.first()?.1;
    Some(Transitions {
        changes: onsets.into_iter().map(|(at, _, to)| (at, to)).collect(),
        initial,
    })
}

fn observance_occurrences(start: NaiveDateTime, rule: &str) -> Vec<NaiveDateTime> {
    if let Some(onsets) = yearly_weekday_onsets(start, rule) {
        return onsets;
    }
    let yearly = recur::rule_parts(rule)
        .any(|(k, v)| k.eq_ignore_ascii_case("FREQ") && v.eq_ignore_ascii_case("YEARLY"));
    let counted = recur::rule_parts(rule).any(|(k, _)| k.eq_ignore_ascii_case("COUNT"));
    let mut from = start;
    if yearly && !counted && start.year() < FIRST_YEAR {
        from = start.with_year(FIRST_YEAR).unwrap_or(start);
    }
    let until = recur::rule_parts(rule)
        .find(|(k, _)| k.eq_ignore_ascii_case("UNTIL"))
        .and_then(|(_, v)| parse_date_time(v));
    // The UNTIL of an observance is in UTC; local and UTC differ by hours, which does not
    // move a yearly onset.
    let rule = match until {
        Some(until) => recur::with_until(rule, &until.local.format("%Y%m%dT%H%M%S").to_string()),
        None => rule.to_string(),
    };
    let years = usize::try_from(LAST_YEAR - from.year()).unwrap_or(0);
    let limit = if yearly { years + 1 } else { 400 };
    recur::expand(from, &rule, limit)
        .map(|e| e.starts)
        .unwrap_or_default()
}

/// Nearly every observance rule is "the n-th (or last) weekday of a month, every year"
/// (`FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`, or `FREQ=MONTHLY;INTERVAL=12;BYDAY=1SU`); those are
/// computed directly rather than through the general expansion.
fn yearly_weekday_onsets(start: NaiveDateTime, rule: &str) -> Option<Vec<NaiveDateTime>> {
    let mut month = start.month();
    let mut day = None;
    let mut until = None;
    let mut yearly = false;
    let mut interval = 1;
    for (key, value) in recur::rule_parts(rule) {
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => yearly = value.eq_ignore_ascii_case("YEARLY"),
            "INTERVAL" => interval = value.parse().ok()?,
            "BYMONTH" => month = value.parse().ok()?,
            "BYDAY" => day = Some(value),
            "UNTIL" => until = Some(parse_date_time(value)?.local),
            "WKST" => {}
            _ => return None,
        }
    }
    let monthly_twelve =
        !yearly && interval == 12 && rule.to_ascii_uppercase().contains("FREQ=MONTHLY");
    if !((yearly && interval == 1) || monthly_twelve) {
        return None;
    }
    let day = day?;
    let (ordinal, weekday) = crate::validate::split_weekday(day)?;
    let ordinal: i32 = if ordinal.is_empty() {
        return None;
    } else {
        ordinal.trim_start_matches('+').parse().ok()?
    };
    let weekday = match weekday.to_ascii_uppercase().as_str() {
        "SU" => chrono::Weekday::Sun,
        "MO" => chrono::Weekday::Mon,
        "TU" => chrono::Weekday::Tue,
        "WE" => chrono::Weekday::Wed,
        "TH" => chrono::Weekday::Thu,
        "FR" => chrono::Weekday::Fri,
        "SA" => chrono::Weekday::Sat,
        _ => return None,
    };
    if ordinal == 0 || ordinal.abs() > 5 {
        return None;
    }
    // As for expanded rules: onsets before FIRST_YEAR are not needed.
    let first_year = start.year().max(FIRST_YEAR);
    let mut onsets = Vec::new();
    for year in first_year..=LAST_YEAR {
        let Some(date) = nth_weekday(year, month, weekday, ordinal) else {
            continue;
        };
        let onset = date.and_time(start.time());
        if onset < start {
            continue;
        }
        if until.is_some_and(|until| onset > until) {
            break;
        }
        onsets.push(onset);
    }
    Some(onsets)
}

/// The `ordinal`-th `weekday` of a month (negative: counted from the end).
fn nth_weekday(
    year: i32,
    month: u32,
    weekday: chrono::Weekday,
    ordinal: i32,
) -> Option<chrono::NaiveDate> {
    let ordinal = i8::try_from(ordinal).ok()?;
    if ordinal > 0 {
        return chrono::NaiveDate::from_weekday_of_month_opt(
            year,
            month,
            weekday,
            ordinal.unsigned_abs(),
        );
    }
    let next_month = if month == 12 {
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        chrono::NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = next_month.pred_opt()?;
    let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    let date =
        last - TimeDelta::days(i64::from(back) + 7 * (i64::from(ordinal.unsigned_abs()) - 1));
    (date.month() == month).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_file;

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").expect("date")
    }

    #[test]
    fn weekday_rules_in_closed_form_match_the_expansion() {
        let start = local("19701025T030000");
        let direct =
            yearly_weekday_onsets(start, "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10").expect("simple");
        let expanded =
            recur::expand(start, "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", 131).expect("rule");
        assert_eq!(direct, expanded.starts);
        let start = local("19700405T020000");
        let direct = yearly_weekday_onsets(
            start,
            "FREQ=MONTHLY;INTERVAL=12;BYDAY=1SU;UNTIL=20061029T060000Z",
        )
        .expect("simple");
        let expanded = recur::expand(
            start,
            "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4;UNTIL=20061029T060000",
            200,
        )
        .expect("rule");
        assert_eq!(direct, expanded.starts);
        assert!(yearly_weekday_onsets(start, "FREQ=YEARLY;BYMONTHDAY=8,9,10;BYDAY=SU").is_none());
        assert!(yearly_weekday_onsets(start, "FREQ=YEARLY;BYMONTH=3;BYDAY=1\u{fffd}").is_none());
    }

    #[test]
    fn iana_gap_uses_the_offset_before() {
        let zone = Zone::Iana(chrono_tz::Europe::Berlin);
        // 2024-03-31 02:30 does not exist in Berlin; read with +01:00.
        assert_eq!(zone.to_utc(local("20240331T023000")), 1_711_848_600);
        assert_eq!(zone.to_utc(local("20240701T120000")), 1_719_828_000);
    }

    #[test]
    fn custom_vtimezone_rules_are_evaluated() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:My Own Zone\nBEGIN:STANDARD\nDTSTART:16011028T030000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:16010325T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\nBEGIN:VEVENT\nUID:x\nDTSTART;TZID=My Own Zone:20240701T120000\nEND:VEVENT\nEND:VCALENDAR\n";
        let parsed = parse_file(text).expect("parses");
        let span = parsed.objects[0].time_span();
        assert_eq!(span.first_start, Some(1_719_828_000));
        let text = text.replace("20240701", "20240105");
        let span = parse_file(&text).expect("parses").objects[0].time_span();
        assert_eq!(span.first_start, Some(1_704_452_400));
    }
}
