//! Date-time text of the protocols: CalDAV UTC date-times and HTTP dates, as unix seconds.

/// Parses an RFC 5545 UTC date-time, `YYYYMMDDTHHMMSSZ`, the only form RFC 4791 §9.9 allows
/// in time-range, expand and limit-* attributes. `None` when it is not exactly that.
pub fn parse_utc_datetime(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[4..6])?;
    let day = digits(&bytes[6..8])?;
    let hour = digits(&bytes[9..11])?;
    let minute = digits(&bytes[11..13])?;
    let second = digits(&bytes[13..15])?;
    // RFC 5545 §3.3.12 allows second 60 (a leap second); it counts as the next second.
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second <= 60;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Formats unix seconds as `YYYYMMDDTHHMMSSZ`.
pub fn format_utc_datetime(unix: i64) -> String {
    let (year, month, day, hour, minute, second) = civil_from_unix(unix);
    format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z")
}

/// Formats unix seconds as an HTTP date (RFC 9110 §5.6.7 IMF-fixdate), the format of
/// DAV:getlastmodified: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn format_http_date(unix: i64) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day, hour, minute, second) = civil_from_unix(unix);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[unix.div_euclid(86_400).rem_euclid(7) as usize];
    let month_name = MONTHS[(month - 1) as usize];
    format!("{weekday}, {day:02} {month_name} {year:04} {hour:02}:{minute:02}:{second:02} GMT")
}

/// Formats unix seconds as an RFC 3339 UTC timestamp, the format of DAV:creationdate.
pub fn format_rfc3339(unix: i64) -> String {
    let (year, month, day, hour, minute, second) = civil_from_unix(unix);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0i64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the classic era-based computation).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn civil_from_unix(unix: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (year, month, day) = civil_from_days(unix.div_euclid(86_400));
    let seconds = unix.rem_euclid(86_400);
    (
        year,
        month,
        day,
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_datetimes() {
        assert_eq!(parse_utc_datetime("19700101T000000Z"), Some(0));
        assert_eq!(parse_utc_datetime("20060104T140000Z"), Some(1_136_383_200));
        assert_eq!(parse_utc_datetime("20000229T235959Z"), Some(951_868_799));
        assert_eq!(parse_utc_datetime("19691231T235959Z"), Some(-1));
        assert_eq!(
            parse_utc_datetime("00010101T000000Z"),
            Some(-62_135_596_800)
        );
    }

    #[test]
    fn refuses_other_forms() {
        for text in [
            "",
            "20060104",
            "20060104T140000",
            "20060104T140000z",
            "2006-01-04T14:00:00Z",
            "20061304T140000Z",
            "20060230T140000Z",
            "20070229T000000Z",
            "20060104T240000Z",
            "20060104T146000Z",
            "20060104T140061Z",
            "2006010AT140000Z",
            "+0060104T140000Z",
            "20060104T14000ZZ",
            "２００６0104T140000Z",
        ] {
            assert_eq!(parse_utc_datetime(text), None, "{text:?}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for unix in [0, 1_136_383_200, 951_868_799, -1, 253_402_300_799] {
            assert_eq!(parse_utc_datetime(&format_utc_datetime(unix)), Some(unix));
        }
    }

    #[test]
    fn formats_http_and_rfc3339_dates() {
        assert_eq!(
            format_http_date(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(format_rfc3339(784_111_777), "1994-11-06T08:49:37Z");
    }
}
