//! The content fingerprint for twin detection.
//!
//! Two copies of one event written by different clients differ in UID, PRODID, DTSTAMP,
//! alarms, the choice of DTEND or DURATION and how text is escaped; the fingerprint covers
//! only what makes the event the same event: SUMMARY, DTSTART, its end, RRULE and LOCATION.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::ComponentKind;
use crate::component::Component;
use crate::line::unescape_text;
use crate::span::{Moment, shift, start_and_length};
use crate::value::{DateTimeValue, TimeKind};
use crate::zone::Zones;

/// A hex digest of the normalised SUMMARY, DTSTART, DTEND/DURATION, RRULE and LOCATION.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Fingerprint(pub String);

impl Fingerprint {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Fields are separated by a control character no normalised value contains.
const SEPARATOR: char = '\u{1f}';

pub(crate) fn fingerprint(master: &Component, timezones: &[Arc<Component>]) -> Fingerprint {
    let mut zones = Zones::new(timezones);
    let kind = ComponentKind::parse(&master.name).map_or("", ComponentKind::as_str);
    let (start, end) = start_and_end(master, &mut zones);
    let fields = [
        kind.to_string(),
        normalise_text(master.value("SUMMARY")),
        start,
        end,
        normalise_rrule(master.value("RRULE")),
        normalise_text(master.value("LOCATION")),
    ];
    let mut hasher = Sha256::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            let mut buf = [0u8; 4];
            hasher.update(SEPARATOR.encode_utf8(&mut buf).as_bytes());
        }
        hasher.update(field.as_bytes());
    }
    Fingerprint(hex::encode(hasher.finalize()))
}

/// Unescaped, trimmed, whitespace collapsed, lower case.
fn normalise_text(value: Option<&str>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    unescape_text(value)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Upper case, parts sorted, list values sorted, INTERVAL=1 (the default) left out.
fn normalise_rrule(value: Option<&str>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let mut parts: Vec<String> = value
        .split(';')
        .map(|part| part.trim().to_ascii_uppercase())
        .filter(|part| !part.is_empty() && part != "INTERVAL=1")
        .map(|part| match part.split_once('=') {
            Some((key, list)) if key.starts_with("BY") => {
                let mut items: Vec<&str> = list.split(',').map(str::trim).collect();
                items.sort_unstable();
                format!("{key}={}", items.join(","))
            }
            _ => part,
        })
        .collect();
    parts.sort_unstable();
    parts.join(";")
}

/// A time as the fingerprint compares it: a UTC instant when it has a zone or is UTC, else
/// as written (floating date-time or date).
fn render(value: DateTimeValue, tzid: Option<&str>, zones: &mut Zones<'_>) -> String {
    match value.kind {
        TimeKind::Local if tzid.is_none() => value.to_ical(),
        TimeKind::Date => value.to_ical(),
        _ => DateTimeValue::utc(zones.instant(value, tzid)).to_ical(),
    }
}

/// DTSTART and the end: DTEND/DUE, DTSTART+DURATION or the RFC 5545 default end, all in
/// the same form so that equivalent ways of writing the end compare equal.
fn start_and_end(master: &Component, zones: &mut Zones<'_>) -> (String, String) {
    let todo = ComponentKind::parse(&master.name) == Some(ComponentKind::Todo);
    if Moment::read(master, "DTSTART").is_none() {
        // A task may have only a DUE (RFC 5545 §3.6.2); it is its end. A DTSTART that does
        // not parse (vCalendar oddities) is compared as written.
        if todo && let Some(due) = Moment::read(master, "DUE") {
            return (String::new(), render(due.value, due.tzid, zones));
        }
        if master.property("RECURRENCE-ID").is_none() {
            let raw = master.value("DTSTART").unwrap_or_default();
            return (raw.to_ascii_uppercase(), String::new());
        }
    }
    let Some((start, length)) = start_and_length(master, zones) else {
        return (String::new(), String::new());
    };
    let start_text = render(start.value, start.tzid, zones);
    let end_local = shift(start.value.local, length.local);
    let end_text = match start.value.kind {
        TimeKind::Date if length.exact == 0 => DateTimeValue {
            local: end_local,
            kind: TimeKind::Date,
        }
        .to_ical(),
        TimeKind::Local if start.tzid.is_none() => DateTimeValue {
            local: shift(end_local, length.exact),
            kind: TimeKind::Local,
        }
        .to_ical(),
        _ => {
            let value = DateTimeValue {
                local: end_local,
                kind: start.value.kind,
            };
            let instant = zones
                .instant(value, start.tzid)
                .saturating_add(length.exact);
            DateTimeValue::utc(instant).to_ical()
        }
    };
    (start_text, end_text)
}

#[cfg(test)]
mod tests {
    use crate::CalendarObject;

    fn fp(body: &str) -> String {
        let text =
            format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n");
        CalendarObject::parse(&text)
            .expect("parses")
            .fingerprint()
            .0
    }

    const BASE: &str = "UID:a\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:Team  Meeting\r\nDTSTART;TZID=Europe/Berlin:20240105T090000\r\nDTEND;TZID=Europe/Berlin:20240105T100000\r\nLOCATION:Room 1\r\n";

    #[test]
    fn same_event_from_another_client() {
        let other = "UID:b@other\r\nDTSTAMP:20240301T120000Z\r\nSUMMARY: team meeting \r\nDTSTART;TZID=W. Europe Standard Time:20240105T090000\r\nDURATION:PT1H\r\nLOCATION:room 1\r\nDESCRIPTION:agenda\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n";
        assert_eq!(fp(BASE), fp(other));
        let utc = "UID:c\r\nSUMMARY:Team Meeting\r\nDTSTART:20240105T080000Z\r\nDTEND:20240105T090000Z\r\nLOCATION:Room 1\r\n";
        assert_eq!(fp(BASE), fp(utc));
    }

    #[test]
    fn all_day_default_end_equals_explicit_end() {
        assert_eq!(
            fp("UID:a\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:20240105\r\n"),
            fp(
                "UID:b\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:20240105\r\nDTEND;VALUE=DATE:20240106\r\n"
            )
        );
        assert_eq!(
            fp("UID:a\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:20240105\r\nDURATION:P1D\r\n"),
            fp(
                "UID:b\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:20240105\r\nDTEND;VALUE=DATE:20240106\r\n"
            )
        );
    }

    #[test]
    fn tasks_with_only_a_due_date_differ_by_it() {
        let task = |due: &str| {
            let text = format!(
                "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:Pay\r\nDUE:{due}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
            );
            CalendarObject::parse(&text).expect("parses").fingerprint()
        };
        assert_ne!(task("20240101T090000Z"), task("20240201T090000Z"));
        assert_eq!(task("20240101T090000Z"), task("20240101T090000Z"));
    }

    #[test]
    fn rrule_parts_order_does_not_matter() {
        let a = format!("{BASE}RRULE:FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=1\r\n");
        let b = format!("{BASE}RRULE:byday=WE,MO;FREQ=WEEKLY\r\n");
        assert_eq!(fp(&a), fp(&b));
    }

    #[test]
    fn any_field_change_changes_it() {
        let base = fp(BASE);
        assert_ne!(base, fp(&BASE.replace("Team  Meeting", "Team Meetings")));
        assert_ne!(
            base,
            fp(&BASE.replace("T090000\r\nDTEND", "T091500\r\nDTEND"))
        );
        assert_ne!(base, fp(&BASE.replace("T100000", "T103000")));
        assert_ne!(base, fp(&BASE.replace("Room 1", "Room 2")));
        assert_ne!(base, fp(&format!("{BASE}RRULE:FREQ=DAILY\r\n")));
    }
}
