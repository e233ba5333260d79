//! Recurrence rules (RFC 5545 §3.3.10) expanded in local ("floating") time: the commonest by
//! date arithmetic (`plain`), any other by calcard.
//!
//! Rules are expanded in the local time of DTSTART and each occurrence is converted to UTC
//! afterwards, which is what RFC 5545 §3.3.10 asks for across DST changes.

use calcard::common::timezone::Tz;
use calcard::{Entry, Parser};
use chrono::NaiveDateTime;

mod plain;

/// Occurrence starts in local time, in order; `complete` is false when `limit` cut it short.
#[derive(Debug)]
pub(crate) struct Expansion {
    pub(crate) starts: Vec<NaiveDateTime>,
    pub(crate) complete: bool,
}

/// Expands `rule` (an RRULE value whose UNTIL, if any, is already in the local time of
/// `start`) from `start`, at most `limit` occurrences. None when calcard cannot use the rule.
/// The commonest rules are computed directly (`plain`), the others by calcard.
pub(crate) fn expand(start: NaiveDateTime, rule: &str, limit: usize) -> Option<Expansion> {
    match plain::Plain::read(rule) {
        Some(plain) => plain.expand(start, limit),
        None => expand_with_calcard(start, rule, limit),
    }
}

/// Any rule, through calcard: the rule is written into a VCALENDAR and expanded.
fn expand_with_calcard(start: NaiveDateTime, rule: &str, limit: usize) -> Option<Expansion> {
    // A control character would end the synthesised content line early.
    let rule: String = rule.chars().filter(|c| !c.is_control()).collect();
    let text = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:{}\r\nRRULE:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        start.format("%Y%m%dT%H%M%S"),
        rule
    );
    // The expansion runs third-party date arithmetic on input-derived rules; should it ever
    // panic, the rule is treated as one calcard cannot expand rather than failing the caller.
    let expanded = std::panic::catch_unwind(|| {
        let Entry::ICalendar(calendar) = Parser::new(&text).entry() else {
            return None;
        };
        Some(calendar.expand_dates(Tz::Floating, limit.saturating_add(1)))
    })
    .ok()??;
    if !expanded.errors.is_empty() {
        return None;
    }
    let mut starts: Vec<NaiveDateTime> = expanded
        .events
        .iter()
        .map(|event| event.start.naive_local())
        .collect();
    starts.sort_unstable();
    let complete = starts.len() <= limit;
    starts.truncate(limit);
    Some(Expansion { starts, complete })
}

/// The parts of an RRULE value, `KEY=value` split on `;`.
pub(crate) fn rule_parts(rule: &str) -> impl Iterator<Item = (&str, &str)> {
    rule.split(';').filter_map(|part| {
        let (key, value) = part.split_once('=')?;
        Some((key.trim(), value.trim()))
    })
}

/// Whether the rule ends (has COUNT or UNTIL).
pub(crate) fn is_bounded(rule: &str) -> bool {
    rule_parts(rule)
        .any(|(key, _)| key.eq_ignore_ascii_case("COUNT") || key.eq_ignore_ascii_case("UNTIL"))
}

/// The rule with its UNTIL value replaced.
pub(crate) fn with_until(rule: &str, until: &str) -> String {
    rule.split(';')
        .map(|part| match part.split_once('=') {
            Some((key, _)) if key.trim().eq_ignore_ascii_case("UNTIL") => format!("UNTIL={until}"),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// A vCalendar 1.0 rule (vCalendar 1.0 §3.1.9 and its appendix grammar: `D1 #5`,
/// `W1 MO TH 20240101T000000Z`, `MP1 2- FR #17`, `MD3 20 LD #0`, `YM1 6 7`, `YD1 141`)
/// written as an RFC 5545 rule, for computing occurrences.
pub(crate) fn vcalendar_rule(rule: &str) -> Option<String> {
    let mut tokens = rule.split_whitespace();
    let head = tokens.next()?.to_ascii_uppercase();
    let split = head.find(|c: char| c.is_ascii_digit())?;
    let (kind, interval) = head.split_at(split);
    let interval: u32 = interval.parse().ok()?;
    let freq = match kind {
        "D" => "DAILY",
        "W" => "WEEKLY",
        "MP" | "MD" => "MONTHLY",
        "YM" | "YD" => "YEARLY",
        _ => return None,
    };
    let mut weekdays = Vec::new();
    let mut ordinals = Vec::new();
    let mut numbers = Vec::new();
    // vCalendar 1.0: without a duration the rule repeats twice.
    let mut count = Some(2u32);
    let mut until = None;
    for token in tokens {
        let token = token.trim_end_matches('$').to_ascii_uppercase();
        if let Some(n) = token.strip_prefix('#') {
            let n: u32 = n.parse().ok()?;
            count = (n > 0).then_some(n);
        } else if token.len() >= 8 && token.as_bytes()[..8].iter().all(u8::is_ascii_digit) {
            until = Some(token);
            count = None;
        } else if ["SU", "MO", "TU", "WE", "TH", "FR", "SA"].contains(&token.as_str()) {
            weekdays.push(token);
        } else if token == "LD" {
            numbers.push(-1);
        } else if let Some(n) = token.strip_suffix('-') {
            let n: i32 = n.parse().ok()?;
            ordinals.push(-n);
            numbers.push(-n);
        } else {
            let n: i32 = token.trim_end_matches('+').parse().ok()?;
            ordinals.push(n);
            numbers.push(n);
        }
    }
    let list = |values: &[i32]| {
        values
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = format!("FREQ={freq};INTERVAL={interval}");
    match kind {
        "W" if !weekdays.is_empty() => out.push_str(&format!(";BYDAY={}", weekdays.join(","))),
        "MP" if !weekdays.is_empty() => {
            let days: Vec<String> = if ordinals.is_empty() {
                weekdays.clone()
            } else {
                ordinals
                    .iter()
                    .flat_map(|o| weekdays.iter().map(move |d| format!("{o}{d}")))
                    .collect()
            };
            out.push_str(&format!(";BYDAY={}", days.join(",")));
        }
        "MD" if !numbers.is_empty() => out.push_str(&format!(";BYMONTHDAY={}", list(&numbers))),
        "YM" if !numbers.is_empty() => out.push_str(&format!(";BYMONTH={}", list(&numbers))),
        "YD" if !numbers.is_empty() => out.push_str(&format!(";BYYEARDAY={}", list(&numbers))),
        _ => {}
    }
    if let Some(count) = count {
        out.push_str(&format!(";COUNT={count}"));
    }
    if let Some(until) = until {
        out.push_str(&format!(";UNTIL={until}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").expect("date")
    }

    #[test]
    fn expands_counted_rules() {
        let e = expand(at("20240101T090000"), "FREQ=DAILY;COUNT=3", 100).expect("rule");
        assert!(e.complete);
        assert_eq!(
            e.starts,
            vec![
                at("20240101T090000"),
                at("20240102T090000"),
                at("20240103T090000")
            ]
        );
    }

    #[test]
    fn limit_marks_incomplete() {
        let e = expand(at("20240101T090000"), "FREQ=DAILY", 5).expect("rule");
        assert!(!e.complete);
        assert_eq!(e.starts.len(), 5);
    }

    #[test]
    fn vcalendar_rules() {
        assert_eq!(
            vcalendar_rule("W1 FR #9").as_deref(),
            Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=FR;COUNT=9")
        );
        assert_eq!(
            vcalendar_rule("MP3 2- FR #17").as_deref(),
            Some("FREQ=MONTHLY;INTERVAL=3;BYDAY=-2FR;COUNT=17")
        );
        assert_eq!(
            vcalendar_rule("MD3 20 #17").as_deref(),
            Some("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20;COUNT=17")
        );
        assert_eq!(
            vcalendar_rule("D1 20100228T083000Z").as_deref(),
            Some("FREQ=DAILY;INTERVAL=1;UNTIL=20100228T083000Z")
        );
        assert_eq!(
            vcalendar_rule("D1 #0").as_deref(),
            Some("FREQ=DAILY;INTERVAL=1")
        );
        assert_eq!(vcalendar_rule("FREQ=DAILY"), None);
    }
}
