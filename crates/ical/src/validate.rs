//! Checks of the properties an object's times depend on: an object whose dates cannot be read
//! cannot be indexed, expanded or synced correctly, so it is refused with the line at fault.

use crate::component::Component;
use crate::line::ContentLine;
use crate::value::{parse_date_time, parse_duration, parse_period};

/// What the enclosing VCALENDAR says about how to read its components.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CalendarContext {
    /// VERSION:1.0: vCalendar, whose RRULE syntax differs and which has no required DTSTART.
    pub(crate) vcalendar: bool,
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut cut = MAX;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", excerpt(text))
}

/// Checks one property of an object's top-level component; returns why it is unusable.
pub(crate) fn check_property(line: &ContentLine, ctx: CalendarContext) -> Option<String> {
    const DATES: [&str; 4] = ["DTSTART", "DTEND", "DUE", "RECURRENCE-ID"];
    let name = line.name();
    let value = line.value().trim();
    if let Some(date) = DATES.iter().find(|d| name.eq_ignore_ascii_case(d)) {
        return check_date_time(date, line, value);
    }
    if let Some(list) = ["EXDATE", "RDATE"]
        .iter()
        .find(|d| name.eq_ignore_ascii_case(d))
    {
        return value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .find_map(|item| check_list_item(list, line, item));
    }
    if name.eq_ignore_ascii_case("DURATION") && !value.is_empty() && parse_duration(value).is_none()
    {
        return Some(format!(
            "DURATION value {} is not a duration (RFC 5545 §3.3.6)",
            quote(value)
        ));
    }
    if name.eq_ignore_ascii_case("RRULE") && !ctx.vcalendar {
        return check_rrule(value).err();
    }
    None
}

fn check_date_time(name: &str, line: &ContentLine, value: &str) -> Option<String> {
    // An empty value is read as an absent property (phones write `DUE:`).
    if value.is_empty() {
        return None;
    }
    let Some(parsed) = parse_date_time(value) else {
        return Some(format!(
            "{name} value {} is not a DATE or DATE-TIME (RFC 5545 §3.3.4, §3.3.5)",
            quote(value)
        ));
    };
    let declared_date = line
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    if declared_date && !parsed.is_date() {
        return Some(format!(
            "{name} has VALUE=DATE but its value {} has a time",
            quote(value)
        ));
    }
    None
}

fn check_list_item(name: &str, line: &ContentLine, item: &str) -> Option<String> {
    let period = line
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"))
        || item.contains('/');
    if period {
        return parse_period(item).is_none().then(|| {
            format!(
                "{name} value {} is not a PERIOD (RFC 5545 §3.3.9)",
                quote(item)
            )
        });
    }
    check_date_time(name, line, item)
}

const WEEKDAYS: [&str; 7] = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const FREQUENCIES: [&str; 7] = [
    "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY",
];

fn is_signed_int(value: &str) -> bool {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    !digits.is_empty() && digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `weekdaynum` split into its ordinal and weekday (`-1SU` → `-1`, `SU`).
pub(crate) fn split_weekday(value: &str) -> Option<(&str, &str)> {
    let at = value.len().checked_sub(2)?;
    value.is_char_boundary(at).then(|| value.split_at(at))
}

fn is_weekday_num(value: &str) -> bool {
    split_weekday(value.trim()).is_some_and(|(ord, day)| {
        WEEKDAYS.iter().any(|d| d.eq_ignore_ascii_case(day))
            && (ord.is_empty() || is_signed_int(ord))
    })
}

/// RFC 5545 §3.3.10 RECUR, with the RFC 7529 RSCALE/SKIP parts and leap months (`5L`).
pub(crate) fn check_rrule(value: &str) -> Result<(), String> {
    let mut freq = None;
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, v)) = part.split_once('=') else {
            return Err(format!(
                "RRULE part {} has no '=' (RFC 5545 §3.3.10)",
                quote(part)
            ));
        };
        let key = key.trim().to_ascii_uppercase();
        let v = v.trim();
        let ok = match key.as_str() {
            "FREQ" => {
                freq = Some(v);
                FREQUENCIES.iter().any(|f| f.eq_ignore_ascii_case(v))
            }
            "UNTIL" => parse_date_time(v).is_some(),
            "COUNT" | "INTERVAL" => {
                !v.is_empty() && v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit())
            }
            "BYDAY" => v.split(',').all(is_weekday_num),
            "WKST" => WEEKDAYS.iter().any(|d| d.eq_ignore_ascii_case(v)),
            "BYMONTH" => v
                .split(',')
                .all(|m| is_signed_int(m.trim().trim_end_matches(['L', 'l']))),
            "BYSECOND" | "BYMINUTE" | "BYHOUR" | "BYMONTHDAY" | "BYYEARDAY" | "BYWEEKNO"
            | "BYSETPOS" => v.split(',').all(|n| is_signed_int(n.trim())),
            _ => true,
        };
        if !ok {
            return Err(format!(
                "RRULE {key} value {} is not valid (RFC 5545 §3.3.10)",
                quote(v)
            ));
        }
    }
    match freq {
        Some(_) => Ok(()),
        None => Err(format!(
            "RRULE {} has no FREQ (RFC 5545 §3.3.10)",
            quote(value)
        )),
    }
}

/// The UNTIL part of a rule, if any.
pub(crate) fn rrule_until(value: &str) -> Option<&str> {
    value.split(';').find_map(|part| {
        let (key, v) = part.split_once('=')?;
        key.trim().eq_ignore_ascii_case("UNTIL").then_some(v.trim())
    })
}

/// Checks that need the whole component.
pub(crate) fn check_component(component: &Component, ctx: CalendarContext) -> Option<String> {
    if ctx.vcalendar {
        return None;
    }
    let dtstart = component.value("DTSTART");
    // RFC 5545 §3.6.1 lets iTIP messages (with METHOD) leave DTSTART out, but a stored
    // calendar object has no METHOD (RFC 4791 §4.1), so an event needs a start to be kept.
    if component.is("VEVENT") && dtstart.is_none() && component.value("RECURRENCE-ID").is_none() {
        return Some("VEVENT has no DTSTART (RFC 5545 §3.6.1)".to_string());
    }
    let start = dtstart.and_then(parse_date_time)?;
    let until = component
        .value("RRULE")
        .and_then(rrule_until)
        .and_then(parse_date_time)?;
    // A day of slack: UNTIL in UTC and DTSTART in local time may differ by the zone offset.
    if crate::span::shift(until.local, 86_400) < start.local {
        return Some(format!(
            "RRULE UNTIL {} is before DTSTART {} (RFC 5545 §3.3.10)",
            until.to_ical(),
            start.to_ical()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrules() {
        assert!(check_rrule("FREQ=WEEKLY;BYDAY=MO,-1FR;UNTIL=20240101T000000Z").is_ok());
        assert!(check_rrule("FREQ=YEARLY;RSCALE=HEBREW;BYMONTH=5L;SKIP=FORWARD").is_ok());
        assert!(check_rrule("FREQ=INVALID_TYPE_CAUSES_ERROR").is_err());
        assert!(check_rrule("INTERVAL=2").is_err());
        assert!(check_rrule("FREQ=DAILY;COUNT=x").is_err());
        assert!(check_rrule("FREQ=DAILY;").is_ok());
        // Found by fuzzing: a multi-byte character where the weekday should be.
        assert!(check_rrule("FREQ=WEEKLY;BYDAY=1\u{e9}x").is_err());
        // Found by fuzzing: a multi-byte character where the weekday should be.
        assert!(check_rrule("FREQ=WEEKLY;BYDAY=1\u{e9}x").is_err());
    }

    #[test]
    fn date_properties() {
        let ctx = CalendarContext::default();
        let bad = ContentLine::parse("DTSTART:20131009T170000T").expect("line");
        assert!(check_property(&bad, ctx).is_some());
        let date_with_time =
            ContentLine::parse("DTSTART;VALUE=DATE:20090117T200000").expect("line");
        assert!(check_property(&date_with_time, ctx).is_some());
        let empty = ContentLine::parse("DUE:").expect("line");
        assert!(check_property(&empty, ctx).is_none());
        let period =
            ContentLine::parse("RDATE;VALUE=PERIOD:19970101T180000Z/PT5H30M").expect("line");
        assert!(check_property(&period, ctx).is_none());
    }
}
