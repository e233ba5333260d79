//! VTIMEZONE components for the zones the pages write in TZID parameters. RFC 5545 §3.2.19:
//! every TZID an object uses must have its VTIMEZONE in the object, and clients that do not
//! know IANA names (older phones, Outlook) read the offsets from it.
//!
//! The rules are read from the zone database: a year's summer and winter changes, each
//! written as a yearly rule (month and n-th or last weekday) from 1970 on, the form most
//! clients write; any other change of that year (a zone changing its offset for good) once.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::ics::{Comp, Node, Prop};

/// One change of offset: the UTC instant, and the zone's state just before and after it.
struct Transition {
    at: i64,
    before: i32,
    after: i32,
    daylight: bool,
    name: Option<String>,
}

fn offset_at(tz: Tz, at: i64) -> i32 {
    let utc = DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .naive_utc();
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// The offset changes of `year`, found day by day then narrowed to the second.
fn transitions(tz: Tz, year: i32) -> Vec<Transition> {
    let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    let start = first.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    let mut found = Vec::new();
    let mut previous = offset_at(tz, start);
    for day in 1..=366 {
        let at = start + day * 86_400;
        let offset = offset_at(tz, at);
        if offset == previous {
            continue;
        }
        // The change lies in (at - 1 day, at]: bisect to the first second of the new offset.
        let (mut low, mut high) = (at - 86_400, at);
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if offset_at(tz, middle) == previous {
                low = middle;
            } else {
                high = middle;
            }
        }
        let utc = DateTime::from_timestamp(high, 0)
            .unwrap_or_default()
            .naive_utc();
        let state = tz.offset_from_utc_datetime(&utc);
        found.push(Transition {
            at: high,
            before: previous,
            after: offset,
            daylight: state.dst_offset() != Duration::zero(),
            name: state.abbreviation().map(str::to_string),
        });
        previous = offset;
    }
    found
}

/// `+0100`, `-0330`.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// BYDAY for the weekday of `day` within its month: `-1SU` for the last, else `2SU`.
fn by_day(day: NaiveDate) -> String {
    let weekday = match day.weekday() {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    };
    let last = (day + Duration::days(7)).month() != day.month();
    if last {
        format!("-1{weekday}")
    } else {
        format!("{}{weekday}", (day.day() - 1) / 7 + 1)
    }
}

/// The day `rule_day`'s rule (same month, same n-th or last weekday) gives in `year`.
fn same_rule_in(rule_day: NaiveDate, year: i32) -> Option<NaiveDate> {
    let month = rule_day.month();
    let weekday = rule_day.weekday();
    let last = (rule_day + Duration::days(7)).month() != month;
    if last {
        let next_month = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        let mut day = next_month - Duration::days(1);
        while day.weekday() != weekday {
            day -= Duration::days(1);
        }
        return Some(day);
    }
    let nth = (rule_day.day() - 1) / 7;
    let mut day = NaiveDate::from_ymd_opt(year, month, 1)?;
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    Some(day + Duration::days(i64::from(nth) * 7))
}

fn local(at: i64, offset: i32) -> NaiveDateTime {
    DateTime::from_timestamp(at + i64::from(offset), 0)
        .unwrap_or_default()
        .naive_utc()
}

const EPOCH_YEAR: i32 = 1970;

/// One STANDARD or DAYLIGHT sub-component.
fn observance(
    daylight: bool,
    start: NaiveDateTime,
    rule: Option<String>,
    (from, to): (i32, i32),
    name: Option<&str>,
) -> Comp {
    let mut observance = Comp::new(if daylight { "DAYLIGHT" } else { "STANDARD" });
    observance.push_prop(Prop::new(
        "DTSTART",
        &[],
        &start.format("%Y%m%dT%H%M%S").to_string(),
    ));
    if let Some(rule) = rule {
        observance.push_prop(Prop::new("RRULE", &[], &rule));
    }
    observance.push_prop(Prop::new("TZOFFSETFROM", &[], &utc_offset(from)));
    observance.push_prop(Prop::new("TZOFFSETTO", &[], &utc_offset(to)));
    if let Some(name) = name {
        observance.push_prop(Prop::text("TZNAME", name));
    }
    observance
}

/// The VTIMEZONE of `tz` with the rules in force in `year`.
pub fn vtimezone(tz: Tz, year: i32) -> Comp {
    let mut zone = Comp::new("VTIMEZONE");
    zone.push_prop(Prop::new("TZID", &[], tz.name()));
    let changes = transitions(tz, year);
    let seasonal = changes.len() == 2 && changes[0].before == changes[1].after;
    if seasonal {
        for change in changes {
            // RFC 5545 §3.8.2.4: the onset is the local time in the offset in force before it.
            let onset = local(change.at, change.before);
            let first = same_rule_in(onset.date(), EPOCH_YEAR)
                .map(|d| d.and_time(onset.time()))
                .unwrap_or(onset);
            let rule = format!(
                "FREQ=YEARLY;BYMONTH={};BYDAY={}",
                onset.month(),
                by_day(onset.date())
            );
            zone.push_child(observance(
                change.daylight,
                first,
                Some(rule),
                (change.before, change.after),
                change.name.as_deref(),
            ));
        }
        return zone;
    }
    // No seasonal pair (no change that year, or a lasting change of offset): the offset the
    // year starts with, then each change once, at its own onset.
    let Some(new_year) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return zone;
    };
    let at = new_year
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp();
    let offset = offset_at(tz, at);
    let utc = DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .naive_utc();
    let state = tz.offset_from_utc_datetime(&utc);
    let epoch = NaiveDate::from_ymd_opt(EPOCH_YEAR, 1, 1)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN);
    zone.push_child(observance(
        state.dst_offset() != Duration::zero(),
        epoch,
        None,
        (offset, offset),
        state.abbreviation(),
    ));
    for change in changes {
        zone.push_child(observance(
            change.daylight,
            local(change.at, change.before),
            None,
            (change.before, change.after),
            change.name.as_deref(),
        ));
    }
    zone
}

/// Every TZID used in `comp` and its sub-components.
fn tzids(comp: &Comp, out: &mut Vec<String>) {
    for prop in comp.props() {
        if let Some(tzid) = prop.param("TZID")
            && !out.iter().any(|t| t == tzid)
        {
            out.push(tzid.to_string());
        }
    }
    for child in comp.children().filter(|c| c.name != "VTIMEZONE") {
        tzids(child, out);
    }
}

/// Makes a VCALENDAR carry exactly the VTIMEZONEs its TZIDs need: a missing one is built
/// (for zones the database knows), one no longer used goes, and one already there stays as
/// the client wrote it. `year` picks the rules (the event's start year).
pub fn complete(calendar: &mut Comp, year: i32) {
    let mut used = Vec::new();
    tzids(calendar, &mut used);
    calendar.nodes.retain(|node| match node {
        Node::Comp(c) if c.name == "VTIMEZONE" => {
            c.prop("TZID").is_some_and(|id| used.contains(&id.value))
        }
        _ => true,
    });
    let present: Vec<String> = calendar
        .children()
        .filter(|c| c.name == "VTIMEZONE")
        .filter_map(|c| c.prop("TZID").map(|p| p.value.clone()))
        .collect();
    // VTIMEZONEs before the components that use them, as clients expect to read them.
    let at = calendar
        .nodes
        .iter()
        .position(|node| matches!(node, Node::Comp(_)))
        .unwrap_or(calendar.nodes.len());
    for tzid in used.iter().filter(|t| !present.contains(t)) {
        let Ok(tz) = tzid.parse::<Tz>() else {
            continue;
        };
        if tz == Tz::UTC {
            continue;
        }
        calendar.nodes.insert(at, Node::Comp(vtimezone(tz, year)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_has_its_summer_and_winter_rules() {
        let text = vtimezone(chrono_tz::Europe::Paris, 2026).to_ics();
        assert!(text.contains("TZID:Europe/Paris"), "{text}");
        assert!(
            text.contains(
                "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET"
            ),
            "{text}"
        );
    }

    #[test]
    fn new_york_uses_nth_sundays_and_tokyo_one_offset() {
        let text = vtimezone(chrono_tz::America::New_York, 2026).to_ics();
        assert!(text.contains("BYMONTH=3;BYDAY=2SU"), "{text}");
        assert!(text.contains("BYMONTH=11;BYDAY=1SU"), "{text}");
        assert!(
            text.contains("TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400"),
            "{text}"
        );
        let tokyo = vtimezone(chrono_tz::Asia::Tokyo, 2026).to_ics();
        assert!(
            tokyo.contains("TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900"),
            "{tokyo}"
        );
        assert!(!tokyo.contains("RRULE"));
    }

    #[test]
    fn a_lasting_change_is_written_once_not_as_a_yearly_rule() {
        // Moscow left UTC+4 for UTC+3 for good on 26 October 2014.
        let text = vtimezone(chrono_tz::Europe::Moscow, 2014).to_ics();
        assert!(!text.contains("RRULE"), "{text}");
        assert!(
            text.contains("DTSTART:20141026T020000\r\nTZOFFSETFROM:+0400\r\nTZOFFSETTO:+0300"),
            "{text}"
        );
        assert!(
            text.contains("DTSTART:19700101T000000\r\nTZOFFSETFROM:+0400\r\nTZOFFSETTO:+0400"),
            "{text}"
        );
    }

    #[test]
    fn an_object_gets_the_zones_it_uses_and_loses_the_others() {
        let mut tree = crate::ics::parse(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Paris:20260105T090000\r\nDTEND;TZID=Europe/Paris:20260105T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        )
        .unwrap();
        complete(&mut tree, 2026);
        let text = tree.to_ics();
        assert!(!text.contains("Asia/Tokyo"), "{text}");
        assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1, "{text}");
        let zone = text.find("TZID:Europe/Paris").unwrap();
        assert!(zone < text.find("BEGIN:VEVENT").unwrap(), "{text}");
    }
}
