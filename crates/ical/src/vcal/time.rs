//! Date and date-time values of both formats: vCalendar 1.0 §2.2.5 (ISO 8601, basic or
//! extended form) in, RFC 5545 §3.3.4/§3.3.5 forms out; and durations (§3.3.6).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::value::{TimeKind, parse_date_time};

/// A point in time as a vCalendar value states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    Date(NaiveDate),
    Utc(NaiveDateTime),
    /// Local time: floating, or in the zone the context gives (TZ/DAYLIGHT or a TZID).
    Local(NaiveDateTime),
}

impl Stamp {
    pub(crate) fn naive(self) -> NaiveDateTime {
        match self {
            Stamp::Date(date) => date.and_time(NaiveTime::MIN),
            Stamp::Utc(at) | Stamp::Local(at) => at,
        }
    }
}

/// Reads `20230101`, `20230101T090000`, `20230101T090000Z`, the extended
/// `2023-01-01T09:00:00Z` and the short `20230101T0900`. `None` for anything else.
pub(crate) fn parse_stamp(value: &str) -> Option<Stamp> {
    let compact: String = value
        .trim()
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    let compact = match compact.len() {
        // `YYYYMMDDTHHMM` and `YYYYMMDDTHHMMZ`: seconds left out.
        13 => format!("{compact}00"),
        14 if compact.ends_with(['Z', 'z']) => format!("{}00Z", &compact[..13]),
        _ => compact,
    };
    let value = parse_date_time(&compact)?;
    Some(match value.kind {
        TimeKind::Date => Stamp::Date(value.local.date()),
        TimeKind::Utc => Stamp::Utc(value.local),
        TimeKind::Local => Stamp::Local(value.local),
    })
}

pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

pub(crate) fn local_text(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

pub(crate) fn utc_text(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The UTC date-time of a unix timestamp.
pub(crate) fn from_timestamp(seconds: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .naive_utc()
}

pub(crate) fn timestamp(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp()
}

/// RFC 5545 §3.3.6: a signed number of seconds as `-P1D`, `PT15M`, `-PT1H30M`, `PT0S`.
pub(crate) fn duration_text(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let mut rest = seconds.unsigned_abs();
    if rest == 0 {
        return "PT0S".to_string();
    }
    if rest.is_multiple_of(7 * 86_400) {
        return format!("{sign}P{}W", rest / (7 * 86_400));
    }
    let mut out = format!("{sign}P");
    let days = rest / 86_400;
    rest %= 86_400;
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 {
        out.push('T');
        let (hours, minutes, secs) = (rest / 3600, rest % 3600 / 60, rest % 60);
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if secs > 0 {
            out.push_str(&format!("{secs}S"));
        }
    }
    out
}

/// A DURATION value in exact seconds (a day counted as 86400 s, as alarms and vCalendar's
/// absolute times need).
pub(crate) fn duration_seconds(value: &str) -> Option<i64> {
    let duration = crate::value::parse_duration(value)?;
    duration
        .days
        .checked_mul(86_400)?
        .checked_add(duration.seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vcalendar_date_forms() {
        let day = NaiveDate::from_ymd_opt(2023, 1, 1).expect("date");
        assert_eq!(parse_stamp("20230101"), Some(Stamp::Date(day)));
        assert_eq!(
            parse_stamp("2023-01-01T09:30:00Z"),
            Some(Stamp::Utc(day.and_hms_opt(9, 30, 0).expect("time")))
        );
        assert_eq!(
            parse_stamp("20230101T0930"),
            Some(Stamp::Local(day.and_hms_opt(9, 30, 0).expect("time")))
        );
        assert_eq!(parse_stamp("--------T------Z"), None);
        assert_eq!(parse_stamp(""), None);
    }

    #[test]
    fn durations() {
        assert_eq!(duration_text(-900), "-PT15M");
        assert_eq!(duration_text(0), "PT0S");
        assert_eq!(duration_text(86_400 + 5400), "P1DT1H30M");
        assert_eq!(duration_text(-7 * 86_400), "-P1W");
        assert_eq!(duration_seconds("-P1DT1H"), Some(-90_000));
    }
}
