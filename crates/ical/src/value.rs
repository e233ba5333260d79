//! Date, date-time, duration, period and UTC-offset values (RFC 5545 §3.3), parsed strictly.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// How a DATE-TIME is anchored (RFC 5545 §3.3.5), or that it is a DATE (§3.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeKind {
    Date,
    /// Local time: floating, or in the zone named by a TZID parameter.
    Local,
    Utc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTimeValue {
    pub(crate) local: NaiveDateTime,
    pub(crate) kind: TimeKind,
}

impl DateTimeValue {
    pub(crate) fn is_date(&self) -> bool {
        self.kind == TimeKind::Date
    }

    /// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `…Z`, as RFC 5545 writes it.
    pub(crate) fn to_ical(self) -> String {
        let date = format!(
            "{:04}{:02}{:02}",
            self.local.year(),
            self.local.month(),
            self.local.day()
        );
        let time = || {
            format!(
                "T{:02}{:02}{:02}",
                self.local.hour(),
                self.local.minute(),
                self.local.second()
            )
        };
        match self.kind {
            TimeKind::Date => date,
            TimeKind::Local => date + &time(),
            TimeKind::Utc => date + &time() + "Z",
        }
    }

    /// The UTC date-time of a unix timestamp.
    pub(crate) fn utc(timestamp: i64) -> DateTimeValue {
        DateTimeValue {
            local: chrono::DateTime::from_timestamp(timestamp, 0)
                .unwrap_or_default()
                .naive_utc(),
            kind: TimeKind::Utc,
        }
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

fn date(s: &[u8]) -> Option<NaiveDate> {
    if s.len() != 8 {
        return None;
    }
    let year = digits(&s[..4])?;
    NaiveDate::from_ymd_opt(year as i32, digits(&s[4..6])?, digits(&s[6..8])?)
}

fn time(s: &[u8]) -> Option<NaiveTime> {
    if s.len() != 6 {
        return None;
    }
    // RFC 5545 §3.3.12 allows a leap second (60); chrono does not, so it becomes 59.
    let second = digits(&s[4..6])?.min(59);
    NaiveTime::from_hms_opt(digits(&s[..2])?, digits(&s[2..4])?, second)
}

/// A DATE (`19970714`) or DATE-TIME (`19970714T173000`, `19970714T173000Z`).
pub(crate) fn parse_date_time(value: &str) -> Option<DateTimeValue> {
    let b = value.trim().as_bytes();
    let day = date(b.get(..8)?)?;
    match b.len() {
        // Google writes all-day RDATEs as `20131210Z`; the Z means nothing on a date.
        9 if b[8].eq_ignore_ascii_case(&b'Z') => Some(DateTimeValue {
            local: day.and_time(NaiveTime::MIN),
            kind: TimeKind::Date,
        }),
        8 => Some(DateTimeValue {
            local: day.and_time(NaiveTime::MIN),
            kind: TimeKind::Date,
        }),
        15 | 16 => {
            if !b[8].eq_ignore_ascii_case(&b'T') {
                return None;
            }
            let kind = match b.get(15) {
                None => TimeKind::Local,
                Some(z) if z.eq_ignore_ascii_case(&b'Z') => TimeKind::Utc,
                Some(_) => return None,
            };
            Some(DateTimeValue {
                local: day.and_time(time(&b[9..15])?),
                kind,
            })
        }
        _ => None,
    }
}

/// A DURATION (RFC 5545 §3.3.6) split into nominal days (weeks and days, which follow local
/// time across DST changes) and exact seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Duration {
    pub(crate) days: i64,
    pub(crate) seconds: i64,
}

pub(crate) fn parse_duration(value: &str) -> Option<Duration> {
    let value = value.trim();
    let (negative, rest) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    let mut duration = Duration::default();
    let mut in_time = false;
    let mut number: Option<i64> = None;
    let mut any = false;
    for c in rest.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = number.unwrap_or(0);
            number = Some(n.checked_mul(10)?.checked_add(i64::from(d))?);
            continue;
        }
        let c = c.to_ascii_uppercase();
        if c == 'T' {
            if in_time || number.is_some() {
                return None;
            }
            in_time = true;
            continue;
        }
        let n = number.take()?;
        any = true;
        match (c, in_time) {
            ('W', false) => duration.days = duration.days.checked_add(n.checked_mul(7)?)?,
            ('D', false) => duration.days = duration.days.checked_add(n)?,
            ('H', true) => duration.seconds = duration.seconds.checked_add(n.checked_mul(3600)?)?,
            ('M', true) => duration.seconds = duration.seconds.checked_add(n.checked_mul(60)?)?,
            ('S', true) => duration.seconds = duration.seconds.checked_add(n)?,
            _ => return None,
        }
    }
    if number.is_some() || !any {
        return None;
    }
    if negative {
        duration.days = -duration.days;
        duration.seconds = -duration.seconds;
    }
    Some(duration)
}

/// A PERIOD (RFC 5545 §3.3.9): start and either end or duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeriodEnd {
    End(DateTimeValue),
    Duration(Duration),
}

pub(crate) fn parse_period(value: &str) -> Option<(DateTimeValue, PeriodEnd)> {
    let (start, end) = value.split_once('/')?;
    let start = parse_date_time(start)?;
    let end = match parse_date_time(end) {
        Some(end) => PeriodEnd::End(end),
        None => PeriodEnd::Duration(parse_duration(end)?),
    };
    Some((start, end))
}

/// A UTC-OFFSET (RFC 5545 §3.3.14): `+HHMM` or `+HHMMSS`, in seconds.
pub(crate) fn parse_utc_offset(value: &str) -> Option<i32> {
    let value = value.trim();
    let (sign, rest) = match value.as_bytes().first()? {
        b'+' => (1, &value[1..]),
        b'-' => (-1, &value[1..]),
        _ => return None,
    };
    let b = rest.as_bytes();
    if b.len() != 4 && b.len() != 6 {
        return None;
    }
    let hours = digits(&b[..2])?;
    let minutes = digits(&b[2..4])?;
    let seconds = if b.len() == 6 { digits(&b[4..6])? } else { 0 };
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60 + seconds) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        let v = parse_date_time("20240105T090000Z").expect("utc");
        assert_eq!(v.kind, TimeKind::Utc);
        assert_eq!(v.to_ical(), "20240105T090000Z");
        assert!(parse_date_time("20240105").expect("date").is_date());
        assert_eq!(
            parse_date_time("20240105T090000").map(|v| v.kind),
            Some(TimeKind::Local)
        );
        assert!(parse_date_time("20131009T170000T").is_none());
        assert!(parse_date_time("20240230").is_none());
        assert!(parse_date_time("2024-01-05").is_none());
        assert!(parse_date_time("").is_none());
    }

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("PT1H30M"),
            Some(Duration {
                days: 0,
                seconds: 5400
            })
        );
        assert_eq!(
            parse_duration("-P1W2D"),
            Some(Duration {
                days: -9,
                seconds: 0
            })
        );
        assert_eq!(
            parse_duration("P1DT12H"),
            Some(Duration {
                days: 1,
                seconds: 43_200
            })
        );
        assert!(parse_duration("P").is_none());
        assert!(parse_duration("PT-2H").is_none());
        assert!(parse_duration("P1H").is_none());
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_utc_offset("+0100"), Some(3600));
        assert_eq!(parse_utc_offset("-000115"), Some(-75));
        assert_eq!(parse_utc_offset("+5744"), None);
    }
}
