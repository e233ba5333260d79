//! A realistic generated calendar: timed events in several zones, all-day events, recurring
//! series with EXDATEs and overrides, alarms, attendees and descriptions of varied length.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write;

const ZONES: &[(&str, &str)] = &[
    (
        "Europe/Paris",
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
    ),
    (
        "America/New_York",
        "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
    ),
    (
        "Asia/Tokyo",
        "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
    ),
];

const WORDS: &[&str] = &[
    "budget",
    "review",
    "team",
    "lunch",
    "seminar",
    "thesis",
    "defence",
    "lecture",
    "réunion",
    "planning",
    "café",
    "project",
    "Müller",
    "kick-off",
    "retrospective",
    "library",
    "exam",
    "board",
    "workshop",
    "call",
    "dentist",
    "football",
    "concert",
    "séminaire",
    "Zoom",
];

fn words(rng: &mut StdRng, count: usize) -> String {
    (0..count)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn stamp(day: i64, minutes: i64) -> String {
    let base = chrono_like(day);
    format!("{base}T{:02}{:02}00", minutes / 60, minutes % 60)
}

/// YYYYMMDD for a day number counted from 2022-01-01 (a proleptic calendar is enough here).
fn chrono_like(day: i64) -> String {
    const DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut year = 2022;
    let mut rest = day;
    loop {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let length = if leap { 366 } else { 365 };
        if rest < length {
            let mut month = 0;
            while rest >= DAYS[month] + i64::from(leap && month == 1) {
                rest -= DAYS[month] + i64::from(leap && month == 1);
                month += 1;
            }
            return format!("{year}{:02}{:02}", month + 1, rest + 1);
        }
        rest -= length;
        year += 1;
    }
}

/// Writes one VCALENDAR with `count` objects (a series and its overrides count as one).
pub fn calendar(count: usize, seed: u64) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = String::with_capacity(count * 700);
    out.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//bench generator//EN\r\nX-WR-CALNAME:Bench\r\n");
    for (_, zone) in ZONES {
        out.push_str(zone);
    }
    for index in 0..count {
        event(&mut out, &mut rng, index);
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn event(out: &mut String, rng: &mut StdRng, index: usize) {
    let uid = format!("bench-{index:07}@calvault.test");
    let day = rng.random_range(0..1500);
    let start = rng.random_range(7 * 60..19 * 60) / 15 * 15;
    let length = [30, 60, 60, 90, 120][rng.random_range(0..5)];
    let (zone, _) = ZONES[rng.random_range(0..ZONES.len())];
    let kind = rng.random_range(0..100);
    let length_in_words = rng.random_range(2..6);
    let summary = words(rng, length_in_words);
    let mut body = String::new();
    let _ = write!(
        body,
        "UID:{uid}\r\nDTSTAMP:20240101T120000Z\r\nCREATED:20231201T080000Z\r\nSEQUENCE:{}\r\n",
        rng.random_range(0..3)
    );
    if kind < 15 {
        let _ = write!(
            body,
            "DTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\n",
            chrono_like(day),
            chrono_like(day + 1)
        );
    } else {
        let _ = write!(
            body,
            "DTSTART;TZID={zone}:{}\r\nDTEND;TZID={zone}:{}\r\n",
            stamp(day, start),
            stamp(day, start + length)
        );
    }
    let _ = write!(body, "SUMMARY:{summary} {index}\r\n");
    if rng.random_bool(0.6) {
        let _ = write!(
            body,
            "LOCATION:Building {}\\, room {}\r\n",
            rng.random_range(1..40),
            rng.random_range(100..500)
        );
    }
    if rng.random_bool(0.5) {
        let length_in_words = rng.random_range(5..60);
        let _ = write!(body, "DESCRIPTION:{}\r\n", words(rng, length_in_words));
    }
    if rng.random_bool(0.2) {
        let _ = write!(
            body,
            "ATTENDEE;CN=Person {0};PARTSTAT=ACCEPTED:mailto:person{0}@example.org\r\nORGANIZER;CN=Chair:mailto:chair@example.org\r\n",
            rng.random_range(1..500)
        );
    }
    let recurring = (15..30).contains(&kind) && start + length < 24 * 60;
    if recurring {
        match rng.random_range(0..3) {
            0 => body.push_str("RRULE:FREQ=WEEKLY;COUNT=20\r\n"),
            1 => {
                let _ = write!(body, "RRULE:FREQ=WEEKLY;UNTIL={}Z\r\n", stamp(day + 180, 0));
            }
            _ => body.push_str("RRULE:FREQ=MONTHLY;BYMONTHDAY=1\r\n"),
        }
        let _ = write!(body, "EXDATE;TZID={zone}:{}\r\n", stamp(day + 14, start));
    }
    let alarm = rng.random_bool(0.3);
    write_component(out, &body, alarm);
    if recurring {
        // One moved occurrence: an override of the series, stored with it as one object.
        let mut moved = String::new();
        let _ = write!(
            moved,
            "UID:{uid}\r\nDTSTAMP:20240101T120000Z\r\nRECURRENCE-ID;TZID={zone}:{}\r\nDTSTART;TZID={zone}:{}\r\nDTEND;TZID={zone}:{}\r\nSUMMARY:{summary} {index} (moved)\r\n",
            stamp(day + 7, start),
            stamp(day + 8, start),
            stamp(day + 8, start + length)
        );
        write_component(out, &moved, false);
    }
}

fn write_component(out: &mut String, body: &str, alarm: bool) {
    out.push_str("BEGIN:VEVENT\r\n");
    out.push_str(body);
    if alarm {
        out.push_str("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n");
    }
    out.push_str("END:VEVENT\r\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_count_from_2022() {
        assert_eq!(super::chrono_like(0), "20220101");
        assert_eq!(super::chrono_like(59), "20220301");
        assert_eq!(super::chrono_like(365 + 365 + 59), "20240229");
    }

    #[test]
    fn same_seed_same_calendar() {
        assert_eq!(super::calendar(50, 7), super::calendar(50, 7));
        assert!(super::calendar(50, 7).matches("BEGIN:VEVENT").count() >= 50);
    }
}
