//! All-day events. vCalendar 1.0 has no date-only start (§2.2.5 allows dates, few devices
//! write them): phones write `T000000` to `T235959` (or `T235900`) of the last day, midnight
//! to midnight, date values, or a flag (`X-FUNAMBOL-ALLDAY:1`,
//! `X-MICROSOFT-CDO-ALLDAYEVENT:TRUE`). iCalendar writes VALUE=DATE with an exclusive end
//! (RFC 5545 §3.6.1).

use chrono::{NaiveDate, NaiveTime, TimeDelta, Timelike};

use super::AllDayForm;
use super::read::Block;
use super::time::{Stamp, date_text, local_text, parse_stamp};

/// The flags that mark an all-day event; they are absorbed into VALUE=DATE.
pub(crate) const FLAGS: [&str; 2] = ["X-FUNAMBOL-ALLDAY", "X-MICROSOFT-CDO-ALLDAYEVENT"];

/// First day and the day after the last, when the event is all-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Days {
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
}

fn flagged(event: &Block) -> bool {
    FLAGS.iter().any(|flag| {
        event.property(flag).is_some_and(|p| {
            matches!(
                p.trimmed().to_ascii_uppercase().as_str(),
                "1" | "TRUE" | "YES"
            )
        })
    })
}

fn is_midnight(at: chrono::NaiveDateTime) -> bool {
    at.time() == NaiveTime::MIN
}

fn is_end_of_day(at: chrono::NaiveDateTime) -> bool {
    at.hour() == 23 && at.minute() == 59
}

/// Whether and which days an event covers all day.
///
/// A date-only DTEND names the last day (inclusive), as the phones that write dates mean it;
/// a midnight DTEND after the start is exclusive, a 23:59 one names the last day.
pub(crate) fn detect(event: &Block) -> Option<Days> {
    let start = parse_stamp(event.property("DTSTART")?.trimmed())?;
    let end = event
        .property("DTEND")
        .and_then(|p| parse_stamp(p.trimmed()));
    let day = start.naive().date();
    let next = |date: NaiveDate| date + TimeDelta::days(1);
    let end_day = |end: Option<Stamp>| match end {
        Some(Stamp::Date(last)) => next(last),
        Some(end) if is_midnight(end.naive()) && end.naive().date() > day => end.naive().date(),
        Some(end) => next(end.naive().date()),
        None => next(day),
    };
    let all_day = match (start, end) {
        (Stamp::Date(_), _) => true,
        _ if flagged(event) => true,
        (Stamp::Local(from), Some(Stamp::Local(to))) => {
            is_midnight(from)
                && to.date() >= from.date()
                && (is_end_of_day(to) || (is_midnight(to) && to.date() > from.date()))
        }
        _ => false,
    };
    all_day.then(|| Days {
        start: day,
        end: end_day(end).max(next(day)),
    })
}

/// DTSTART and DTEND values for an all-day event in the form a device wants.
pub(crate) fn vcal_span(days: Days, form: AllDayForm) -> (String, String) {
    let last = days.end - TimeDelta::days(1);
    let last = last.max(days.start);
    match form {
        AllDayForm::DateTimeSpan => (
            local_text(days.start.and_time(NaiveTime::MIN)),
            local_text(last.and_hms_opt(23, 59, 59).unwrap_or_default()),
        ),
        AllDayForm::Date => (date_text(days.start), date_text(last)),
        AllDayForm::Midnight => (
            local_text(days.start.and_time(NaiveTime::MIN)),
            local_text(days.end.and_time(NaiveTime::MIN)),
        ),
    }
}

/// A date of an all-day series (EXDATE, RDATE, UNTIL, RECURRENCE-ID) in the form of its
/// DTSTART.
pub(crate) fn vcal_date(date: NaiveDate, form: AllDayForm) -> String {
    match form {
        AllDayForm::Date => date_text(date),
        AllDayForm::DateTimeSpan | AllDayForm::Midnight => {
            local_text(date.and_time(NaiveTime::MIN))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcal::read::read_calendars;

    fn days(body: &str) -> Option<(String, String)> {
        let text = format!("BEGIN:VCALENDAR\nBEGIN:VEVENT\n{body}END:VEVENT\nEND:VCALENDAR\n");
        let calendars = read_calendars(&text).expect("reads");
        detect(&calendars[0].children[0]).map(|d| (date_text(d.start), date_text(d.end)))
    }

    fn pair(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.to_string(), b.to_string()))
    }

    #[test]
    fn producer_forms() {
        assert_eq!(
            days("DTSTART:20230101T000000\nDTEND:20230101T235959\n"),
            pair("20230101", "20230102")
        );
        assert_eq!(
            days("DTSTART:20230101T000000\nDTEND:20230102T000000\n"),
            pair("20230101", "20230102")
        );
        assert_eq!(
            days("DTSTART:20230101\nDTEND:20230103\n"),
            pair("20230101", "20230104")
        );
        assert_eq!(days("DTSTART:20230101\n"), pair("20230101", "20230102"));
        assert_eq!(
            days("DTSTART:20070526T000000\nDTEND:20070526T235900\nX-FUNAMBOL-ALLDAY:1\n"),
            pair("20070526", "20070527")
        );
        assert_eq!(
            days("DTSTART:20230101T000000\nDTEND:20230101T010000\n"),
            None
        );
        assert_eq!(
            days("DTSTART:20230101T000000Z\nDTEND:20230101T235959Z\n"),
            None
        );
    }

    #[test]
    fn device_forms() {
        let days = Days {
            start: NaiveDate::from_ymd_opt(2023, 1, 1).expect("date"),
            end: NaiveDate::from_ymd_opt(2023, 1, 3).expect("date"),
        };
        assert_eq!(
            vcal_span(days, AllDayForm::DateTimeSpan),
            ("20230101T000000".to_string(), "20230102T235959".to_string())
        );
        assert_eq!(
            vcal_span(days, AllDayForm::Date),
            ("20230101".to_string(), "20230102".to_string())
        );
        assert_eq!(
            vcal_span(days, AllDayForm::Midnight),
            ("20230101T000000".to_string(), "20230103T000000".to_string())
        );
    }
}
