//! vCalendar 1.0 (versit, 1996) to and from iCalendar 2.0 (RFC 5545), for SyncML devices
//! that send and want `text/x-vcalendar`.
//!
//! Reading vCalendar keeps everything: a property with no iCalendar counterpart, or whose
//! value does not convert, is kept as `X-CALVAULT-VCAL-<NAME>` (and written back under its
//! own name). Writing vCalendar keeps what iCalendar has and vCalendar lacks as
//! `X-CALVAULT-<NAME>` (RECURRENCE-ID, a rule vCalendar cannot express as
//! `X-CALVAULT-RRULE`, GEO, …), which reading restores. See `from_ical` for overrides and
//! rules, `allday` for all-day events, `alarm` for alarms, `timezone` for TZ/DAYLIGHT.

mod alarm;
mod allday;
mod error;
mod from_ical;
mod qp;
mod read;
mod rrule;
mod text;
mod time;
mod timezone;
mod to_ical;
mod write;

pub use error::VcalError;
pub use qp::Charset;

/// Prefix of iCalendar properties carried through vCalendar (restored when read back).
const CARRIED_PREFIX: &str = "X-CALVAULT-";
/// Prefix of vCalendar properties carried through iCalendar (restored when written back).
const VCAL_PREFIX: &str = "X-CALVAULT-VCAL-";

/// How an all-day event is written for a device (vCalendar 1.0 has no all-day marker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllDayForm {
    /// `DTSTART:20230101T000000`, `DTEND:20230101T235959` (last day): what most phones and
    /// the Synthesis SyncML engine write.
    #[default]
    DateTimeSpan,
    /// `DTSTART:20230101`, `DTEND:20230101`: dates, the end naming the last day.
    Date,
    /// `DTSTART:20230101T000000`, `DTEND:20230102T000000`: midnight to midnight.
    Midnight,
}

/// When a value goes out as QUOTED-PRINTABLE (vCalendar 1.0 §2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuotedPrintable {
    /// Values with line breaks, and non-ASCII values when the charset is not UTF-8 (so
    /// that the text stays 7-bit).
    #[default]
    LineBreaks,
    /// Values with line breaks or any non-ASCII character.
    LineBreaksAndNonAscii,
    /// Never; line breaks become `\n`, and non-UTF-8 text is left for the caller to encode.
    Never,
}

/// What the device wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcalOptions {
    /// Times in UTC (most devices); otherwise local time of the event's zone, with TZ and
    /// DAYLIGHT describing that zone.
    pub utc: bool,
    /// The CHARSET of non-ASCII values.
    pub charset: Charset,
    pub quoted_printable: QuotedPrintable,
    pub all_day: AllDayForm,
}

impl Default for VcalOptions {
    fn default() -> Self {
        VcalOptions {
            utc: true,
            charset: Charset::Utf8,
            quoted_printable: QuotedPrintable::LineBreaks,
            all_day: AllDayForm::DateTimeSpan,
        }
    }
}

/// Converts a whole vCalendar 1.0 text (one or more VEVENT/VTODO) into one iCalendar 2.0
/// VCALENDAR that `parse_file` reads. UIDs are kept as they are; none is made up.
pub fn to_icalendar(input: &str) -> Result<String, VcalError> {
    to_ical::convert(input)
}

/// Converts one iCalendar 2.0 object (a VCALENDAR with one UID's components and their
/// VTIMEZONEs, as `CalendarObject::to_ics` writes it) into vCalendar 1.0 text.
pub fn from_icalendar(input: &str, options: &VcalOptions) -> Result<String, VcalError> {
    from_ical::convert(input, options)
}

/// Whether the text is a vCalendar 1.0 (its first VCALENDAR says `VERSION:1.0`).
pub fn is_vcalendar(input: &str) -> bool {
    let mut depth = 0usize;
    for (_, line) in read::logical_lines(input) {
        let upper = line.trim().to_ascii_uppercase();
        if let Some(name) = upper.strip_prefix("BEGIN:") {
            if depth == 0 && name.trim() != "VCALENDAR" {
                return false;
            }
            depth += 1;
        } else if upper.starts_with("END:") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return false;
            }
        } else if depth == 1
            && let Some(version) = upper.strip_prefix("VERSION:")
        {
            return version.trim() == "1.0";
        }
    }
    false
}

#[cfg(test)]
mod tests;
