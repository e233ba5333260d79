//! vCalendar 1.0 TZ and DAYLIGHT (§2.2.2 "Time Zone", §2.2.1 "Daylight Savings Rule") to a
//! VTIMEZONE (RFC 5545 §3.6.5), and a zone's offsets back to TZ and DAYLIGHT values.

use chrono::NaiveDateTime;

use super::VcalError;
use super::read::{Block, Property};
use super::time::{Stamp, from_timestamp, local_text, parse_stamp, timestamp, utc_text};

/// The zone a vCalendar states: a standard offset and the daylight-saving periods it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VcalZone {
    /// Seconds east of UTC outside the daylight periods.
    pub(crate) standard: i32,
    pub(crate) periods: Vec<Daylight>,
}

/// One `DAYLIGHT:TRUE;offset;start;end;standard name;daylight name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Daylight {
    pub(crate) offset: i32,
    /// UTC instants of the start and end of the period.
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) standard_name: String,
    pub(crate) daylight_name: String,
}

impl VcalZone {
    /// The zone of a VCALENDAR's TZ and DAYLIGHT properties; `None` without TZ.
    pub(crate) fn from_calendar(calendar: &Block) -> Result<Option<VcalZone>, VcalError> {
        let Some(tz) = calendar.property("TZ").filter(|p| !p.trimmed().is_empty()) else {
            return Ok(None);
        };
        let standard = parse_offset(tz.trimmed()).ok_or_else(|| bad(tz))?;
        let mut periods = Vec::new();
        for property in calendar.all("DAYLIGHT") {
            if let Some(period) = parse_daylight(property, standard)? {
                periods.push(period);
            }
        }
        periods.sort_by_key(|p| p.start);
        Ok(Some(VcalZone { standard, periods }))
    }

    pub(crate) fn offset_at(&self, utc: i64) -> i32 {
        self.periods
            .iter()
            .find(|p| p.start <= utc && utc < p.end)
            .map_or(self.standard, |p| p.offset)
    }

    /// The UTC instant of a local time of this zone.
    pub(crate) fn to_utc(&self, local: NaiveDateTime) -> i64 {
        let seconds = timestamp(local);
        let guess = seconds - i64::from(self.standard);
        let first = seconds - i64::from(self.offset_at(guess));
        seconds - i64::from(self.offset_at(first))
    }

    pub(crate) fn to_local(&self, utc: i64) -> NaiveDateTime {
        from_timestamp(utc + i64::from(self.offset_at(utc)))
    }

    /// The TZID of the VTIMEZONE this zone becomes. It names no known zone, so the crate
    /// reads it from the VTIMEZONE's rules.
    pub(crate) fn tzid(&self) -> String {
        let mut id = format!("vCalendar TZ{}", offset_text(self.standard, false));
        if let Some(first) = self.periods.first() {
            id.push_str(&format!(" DAYLIGHT{}", offset_text(first.offset, false)));
        }
        id
    }

    /// RFC 5545 §3.6.5: a STANDARD observance from 1970, then one DAYLIGHT and one STANDARD
    /// observance per daylight period; DTSTART is local time in TZOFFSETFROM.
    pub(crate) fn vtimezone(&self) -> Vec<String> {
        let standard = offset_text(self.standard, false);
        let mut lines = vec![
            "BEGIN:VTIMEZONE".to_string(),
            format!("TZID:{}", self.tzid()),
            "BEGIN:STANDARD".to_string(),
            "DTSTART:19700101T000000".to_string(),
            format!("TZOFFSETFROM:{standard}"),
            format!("TZOFFSETTO:{standard}"),
        ];
        if let Some(name) = self
            .periods
            .first()
            .map(|p| &p.standard_name)
            .filter(|n| !n.is_empty())
        {
            lines.push(format!("TZNAME:{name}"));
        }
        lines.push("END:STANDARD".to_string());
        for period in &self.periods {
            let daylight = offset_text(period.offset, false);
            let onset = from_timestamp(period.start + i64::from(self.standard));
            lines.extend([
                "BEGIN:DAYLIGHT".to_string(),
                format!("DTSTART:{}", local_text(onset)),
                format!("TZOFFSETFROM:{standard}"),
                format!("TZOFFSETTO:{daylight}"),
            ]);
            if !period.daylight_name.is_empty() {
                lines.push(format!("TZNAME:{}", period.daylight_name));
            }
            lines.push("END:DAYLIGHT".to_string());
            let back = from_timestamp(period.end + i64::from(period.offset));
            lines.extend([
                "BEGIN:STANDARD".to_string(),
                format!("DTSTART:{}", local_text(back)),
                format!("TZOFFSETFROM:{daylight}"),
                format!("TZOFFSETTO:{standard}"),
            ]);
            if !period.standard_name.is_empty() {
                lines.push(format!("TZNAME:{}", period.standard_name));
            }
            lines.push("END:STANDARD".to_string());
        }
        lines.push("END:VTIMEZONE".to_string());
        lines
    }
}

fn bad(property: &Property) -> VcalError {
    VcalError::BadValue {
        line: property.line,
        property: property.name.clone(),
        value: property.value.clone(),
    }
}

/// vCalendar 1.0 §2.2.1: `TRUE;<offset>;<start>;<end>;<standard name>;<daylight name>` or
/// `FALSE`. Start and end are UTC when they end in Z; otherwise the start is in standard
/// and the end in daylight time.
fn parse_daylight(property: &Property, standard: i32) -> Result<Option<Daylight>, VcalError> {
    let parts: Vec<&str> = property.value.split(';').map(str::trim).collect();
    if !parts
        .first()
        .is_some_and(|p| p.eq_ignore_ascii_case("TRUE"))
    {
        return Ok(None);
    }
    let offset = parts
        .get(1)
        .and_then(|p| parse_offset(p))
        .ok_or_else(|| bad(property))?;
    let instant =
        |index: usize, local_offset: i32| match parts.get(index).and_then(|p| parse_stamp(p)) {
            Some(Stamp::Utc(at)) => Some(timestamp(at)),
            Some(stamp) => Some(timestamp(stamp.naive()) - i64::from(local_offset)),
            None => None,
        };
    let start = instant(2, standard).ok_or_else(|| bad(property))?;
    let end = instant(3, offset).ok_or_else(|| bad(property))?;
    let name = |index: usize| parts.get(index).map(|n| n.to_string()).unwrap_or_default();
    Ok(Some(Daylight {
        offset,
        start,
        end,
        standard_name: name(4),
        daylight_name: name(5),
    }))
}

/// `+01:00`, `-07`, `-0500`, `+5`, `+05:30`, `Z` (vCalendar 1.0 §2.2.2: ISO 8601 offsets).
pub(crate) fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("Z") {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() > 2 => rest.split_at(rest.len() - 2),
        None => (rest, "0"),
    };
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(hours) || !all_digits(minutes) {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

/// `+0100` (RFC 5545 UTC-OFFSET) or, with `vcal`, `+01:00`.
pub(crate) fn offset_text(seconds: i32, vcal: bool) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    if vcal {
        format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    } else {
        format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
    }
}

/// `+02` when whole hours, else `+05:30`: the DAYLIGHT offset form of vCalendar 1.0 §2.2.1.
fn short_offset_text(seconds: i32) -> String {
    if seconds.unsigned_abs().is_multiple_of(3600) {
        let sign = if seconds < 0 { '-' } else { '+' };
        format!("{sign}{:02}", seconds.unsigned_abs() / 3600)
    } else {
        offset_text(seconds, true)
    }
}

/// The TZ value and DAYLIGHT values describing a zone between two instants: the standard
/// offset is the smallest one seen, each stretch with a larger offset is a daylight period.
pub(crate) fn describe(
    offset_at: &mut dyn FnMut(i64) -> i32,
    from: i64,
    to: i64,
) -> (String, Vec<String>) {
    const STEP: i64 = 86_400;
    let mut samples = Vec::new();
    let mut at = from;
    while at <= to {
        samples.push((at, offset_at(at)));
        at += STEP;
    }
    let standard = samples.iter().map(|s| s.1).min().unwrap_or(0);
    let mut daylight = Vec::new();
    let mut open: Option<(i64, i32)> = None;
    // A period already running at the start of the range (southern summer) began earlier.
    if let Some(&(first, offset)) = samples.first()
        && offset > standard
    {
        let start = (1..=400)
            .map(|days| first - days * STEP)
            .find(|&at| offset_at(at) == standard)
            .map(|before| transition(offset_at, before, before + STEP, standard))
            .unwrap_or(first);
        open = Some((start, offset));
    }
    for pair in samples.windows(2) {
        let ((before, old), (after, new)) = (pair[0], pair[1]);
        if old == new {
            continue;
        }
        let change = transition(offset_at, before, after, old);
        if new > standard && old == standard {
            open = Some((change, new));
        } else if new == standard
            && let Some((start, offset)) = open.take()
        {
            daylight.push(format!(
                "TRUE;{};{};{};;",
                short_offset_text(offset),
                utc_text(from_timestamp(start)),
                utc_text(from_timestamp(change))
            ));
        }
    }
    if let Some((start, offset)) = open {
        // A period still open at the end of the range runs to the next change.
        let end = (1..=400)
            .map(|days| to + days * STEP)
            .find(|&at| offset_at(at) == standard)
            .map(|after| transition(offset_at, after - STEP, after, offset))
            .unwrap_or(to);
        daylight.push(format!(
            "TRUE;{};{};{};;",
            short_offset_text(offset),
            utc_text(from_timestamp(start)),
            utc_text(from_timestamp(end))
        ));
    }
    (offset_text(standard, true), daylight)
}

/// The first instant in `(before, after]` whose offset is not `old`.
fn transition(
    offset_at: &mut dyn FnMut(i64) -> i32,
    mut before: i64,
    mut after: i64,
    old: i32,
) -> i64 {
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if offset_at(middle) == old {
            before = middle;
        } else {
            after = middle;
        }
    }
    after
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcal::read::read_calendars;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+01:00"), Some(3600));
        assert_eq!(parse_offset("-07"), Some(-7 * 3600));
        assert_eq!(parse_offset("-0500"), Some(-5 * 3600));
        assert_eq!(parse_offset("+05:30"), Some(19_800));
        assert_eq!(parse_offset("+25"), None);
        assert_eq!(parse_offset("x"), None);
        assert_eq!(offset_text(-16_200, true), "-04:30");
    }

    #[test]
    fn reads_tz_and_daylight() {
        let text = "BEGIN:VCALENDAR\nVERSION:1.0\nTZ:+01:00\nDAYLIGHT:TRUE;+02;20240331T010000Z;20241027T010000Z;MEZ;MESZ\nEND:VCALENDAR\n";
        let calendar = &read_calendars(text).expect("reads")[0];
        let zone = VcalZone::from_calendar(calendar)
            .expect("valid")
            .expect("zone");
        assert_eq!(zone.standard, 3600);
        let summer = timestamp(
            NaiveDateTime::parse_from_str("20240701T120000", "%Y%m%dT%H%M%S").expect("t"),
        );
        assert_eq!(zone.offset_at(summer), 7200);
        let local = NaiveDateTime::parse_from_str("20240701T140000", "%Y%m%dT%H%M%S").expect("t");
        assert_eq!(zone.to_utc(local), summer);
        assert!(
            zone.vtimezone()
                .contains(&"DTSTART:20240331T020000".to_string())
        );
        assert!(
            zone.vtimezone()
                .contains(&"DTSTART:20241027T030000".to_string())
        );
    }

    #[test]
    fn describes_a_zone_with_daylight_saving() {
        let zone = VcalZone {
            standard: 3600,
            periods: vec![Daylight {
                offset: 7200,
                start: 1_711_846_800,
                end: 1_729_990_800,
                standard_name: String::new(),
                daylight_name: String::new(),
            }],
        };
        let (tz, daylight) = describe(&mut |at| zone.offset_at(at), 1_704_067_200, 1_735_603_200);
        assert_eq!(tz, "+01:00");
        assert_eq!(
            daylight,
            vec!["TRUE;+02;20240331T010000Z;20241027T010000Z;;".to_string()]
        );
    }
}
