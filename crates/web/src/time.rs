//! Dates and times as the pages show and read them, in the visitor's time zone.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::i18n::Text;

/// The UTC instant of a local date and time; in a gap (spring forward) the next valid time.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => at.timestamp(),
        chrono::LocalResult::Ambiguous(first, _) => first.timestamp(),
        chrono::LocalResult::None => tz
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map_or_else(|| local.and_utc().timestamp(), |at| at.timestamp()),
    }
}

/// The start of a local day as a UTC instant.
pub fn day_start(tz: Tz, day: NaiveDate) -> i64 {
    local_to_utc(tz, day.and_time(NaiveTime::MIN))
}

pub fn to_local(tz: Tz, at: i64) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp(at, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .naive_local()
}

pub fn today(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// Monday of the week of `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

pub fn add_months(day: NaiveDate, months: i32) -> NaiveDate {
    let total = day.year() * 12 + day.month0() as i32 + months;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).unwrap_or(day)
}

/// `lundi 5 janvier 2026` / `Mon 5 January 2026`.
pub fn long_date(t: &Text, day: NaiveDate) -> String {
    let weekday = t.weekdays[day.weekday().num_days_from_monday() as usize];
    let month = t.months[day.month0() as usize];
    format!("{weekday} {} {month} {}", day.day(), day.year())
}

pub fn month_title(t: &Text, day: NaiveDate) -> String {
    format!("{} {}", t.months[day.month0() as usize], day.year())
}

pub fn hm(at: NaiveDateTime) -> String {
    hm_of(at.time())
}

pub fn hm_of(at: NaiveTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// A date and time for listings (trash, snapshots), in the visitor's zone.
pub fn stamp(tz: Tz, at: i64) -> String {
    to_local(tz, at).format("%Y-%m-%d %H:%M").to_string()
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3), for query values.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A handful of zones for the form's list; the event's own and the visitor's are added to it.
pub const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/Paris",
    "Europe/London",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Lisbon",
    "America/Montreal",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Abidjan",
    "Africa/Dakar",
    "Africa/Casablanca",
    "Indian/Reunion",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Australia/Sydney",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_weeks() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(
            add_months(day, 1),
            NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
        );
        assert_eq!(
            add_months(day, -1),
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
        assert_eq!(
            week_start(day),
            NaiveDate::from_ymd_opt(2026, 1, 26).unwrap()
        );
    }

    #[test]
    fn local_times_to_utc() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        assert_eq!(
            local_to_utc(paris, local),
            local.and_utc().timestamp() - 7200
        );
        assert_eq!(url_encode("/agenda?view=week"), "%2Fagenda%3Fview%3Dweek");
    }
}
