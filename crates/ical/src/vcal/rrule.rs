//! Recurrence rules: the vCalendar 1.0 grammar (§3.1.9 and appendix A: `D1 #5`,
//! `W1 MO TH 20240101T000000Z`, `MP3 1+ 2- FR #17`, `MD1 1 LD`, `YM1 6 7`, `YD1 141`) to an
//! RFC 5545 §3.3.10 RRULE and back, where vCalendar can say the same thing.

use chrono::{Datelike, NaiveDateTime, Timelike};

const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// How a rule ends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum End {
    #[default]
    Forever,
    Count(u32),
    /// The end as written in the source format; the caller converts it.
    Until(String),
}

/// A recurrence rule in the terms both formats share.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Rule {
    pub(crate) freq: String,
    pub(crate) interval: u32,
    pub(crate) end: End,
    /// `(ordinal, weekday)`; ordinal 0 means every such weekday.
    pub(crate) by_day: Vec<(i32, String)>,
    pub(crate) by_month_day: Vec<i32>,
    pub(crate) by_month: Vec<i32>,
    pub(crate) by_year_day: Vec<i32>,
    pub(crate) by_set_pos: Vec<i32>,
    pub(crate) by_hour: Vec<i32>,
    pub(crate) by_minute: Vec<i32>,
    /// Parts vCalendar 1.0 has no form for (BYWEEKNO, BYSECOND, RSCALE, a WKST that matters).
    pub(crate) other: Vec<(String, String)>,
}

fn numbers(list: &str) -> Option<Vec<i32>> {
    list.split(',').map(|n| n.trim().parse().ok()).collect()
}

fn weekday(token: &str) -> Option<String> {
    let token = token.to_ascii_uppercase();
    WEEKDAYS.contains(&token.as_str()).then_some(token)
}

impl Rule {
    /// RFC 5545 §3.3.10 `recur`. `None` when a part is malformed.
    pub(crate) fn parse_ical(text: &str) -> Option<Rule> {
        let mut rule = Rule {
            interval: 1,
            ..Rule::default()
        };
        for part in text.trim().split(';').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part.split_once('=')?;
            let key = key.trim().to_ascii_uppercase();
            let value = value.trim();
            match key.as_str() {
                "FREQ" => rule.freq = value.to_ascii_uppercase(),
                "INTERVAL" => rule.interval = value.parse().ok().filter(|&i| i > 0)?,
                "COUNT" => rule.end = End::Count(value.parse().ok()?),
                "UNTIL" => rule.end = End::Until(value.to_string()),
                "BYDAY" => {
                    for item in value.split(',') {
                        let item = item.trim();
                        let split = item.len().checked_sub(2)?;
                        let day = weekday(item.get(split..)?)?;
                        let ordinal = match &item[..split] {
                            "" => 0,
                            number => number.trim_start_matches('+').parse().ok()?,
                        };
                        rule.by_day.push((ordinal, day));
                    }
                }
                "BYMONTHDAY" => rule.by_month_day = numbers(value)?,
                "BYMONTH" => rule.by_month = numbers(value)?,
                "BYYEARDAY" => rule.by_year_day = numbers(value)?,
                "BYSETPOS" => rule.by_set_pos = numbers(value)?,
                "BYHOUR" => rule.by_hour = numbers(value)?,
                "BYMINUTE" => rule.by_minute = numbers(value)?,
                "WKST" if value.eq_ignore_ascii_case("MO") => {}
                _ => rule.other.push((key, value.to_string())),
            }
        }
        (!rule.freq.is_empty()).then_some(rule)
    }

    /// The RFC 5545 form. `End::Until` must already hold an RFC 5545 value.
    pub(crate) fn to_ical(&self) -> String {
        let join = |values: &[i32]| {
            values
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = format!("FREQ={}", self.freq);
        if self.interval > 1 {
            out.push_str(&format!(";INTERVAL={}", self.interval));
        }
        let lists = [
            ("BYMONTH", &self.by_month),
            ("BYYEARDAY", &self.by_year_day),
            ("BYMONTHDAY", &self.by_month_day),
        ];
        for (name, values) in lists {
            if !values.is_empty() {
                out.push_str(&format!(";{name}={}", join(values)));
            }
        }
        if !self.by_day.is_empty() {
            let days: Vec<String> = self
                .by_day
                .iter()
                .map(|(ordinal, day)| match ordinal {
                    0 => day.clone(),
                    n => format!("{n}{day}"),
                })
                .collect();
            out.push_str(&format!(";BYDAY={}", days.join(",")));
        }
        for (name, values) in [("BYHOUR", &self.by_hour), ("BYMINUTE", &self.by_minute)] {
            if !values.is_empty() {
                out.push_str(&format!(";{name}={}", join(values)));
            }
        }
        if !self.by_set_pos.is_empty() {
            out.push_str(&format!(";BYSETPOS={}", join(&self.by_set_pos)));
        }
        for (key, value) in &self.other {
            out.push_str(&format!(";{key}={value}"));
        }
        match &self.end {
            End::Forever => {}
            End::Count(count) => out.push_str(&format!(";COUNT={count}")),
            End::Until(until) => out.push_str(&format!(";UNTIL={until}")),
        }
        out
    }

    /// vCalendar 1.0 appendix A grammar. `start` is DTSTART in its local time, for `MP`
    /// without a position list (which means DTSTART's position in its month). Returns why a
    /// rule cannot be read.
    pub(crate) fn parse_vcal(text: &str, start: NaiveDateTime) -> Result<Rule, String> {
        let mut tokens = text.split_whitespace();
        let head = tokens.next().ok_or("empty rule")?.to_ascii_uppercase();
        let split = head
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(head.len());
        let (kind, interval) = head.split_at(split);
        let interval = match interval {
            "" => 1,
            digits => digits
                .parse()
                .ok()
                .filter(|&i| i > 0)
                .ok_or("bad interval")?,
        };
        let freq = match kind {
            "D" => "DAILY",
            "W" => "WEEKLY",
            "MP" | "MD" => "MONTHLY",
            "YM" | "YD" => "YEARLY",
            _ => return Err(format!("unknown frequency {kind:?}")),
        };
        let mut rule = Rule {
            freq: freq.to_string(),
            interval,
            // Appendix A: "If no duration is specified, a default of #2 is used."
            end: End::Count(2),
            ..Rule::default()
        };
        // MP: ordinals bind to the weekdays that follow them.
        let mut ordinals: Vec<i32> = Vec::new();
        let mut ordinals_used = false;
        let mut numbers = Vec::new();
        let mut times = Vec::new();
        for token in tokens {
            // `$` marks an occurrence the producer already handled; it changes nothing here.
            let token = token.trim_end_matches('$').to_ascii_uppercase();
            if token.is_empty() {
                continue;
            }
            if let Some(count) = token.strip_prefix('#') {
                let count: u32 = count.parse().map_err(|_| format!("bad count {token}"))?;
                rule.end = if count == 0 {
                    End::Forever
                } else {
                    End::Count(count)
                };
            } else if token.len() >= 8 && token.as_bytes()[..8].iter().all(u8::is_ascii_digit) {
                rule.end = End::Until(token);
            } else if let Some(day) = weekday(&token) {
                match kind {
                    "W" => rule.by_day.push((0, day)),
                    "MP" if ordinals.is_empty() => rule.by_day.push((0, day)),
                    "MP" => {
                        rule.by_day
                            .extend(ordinals.iter().map(|&o| (o, day.clone())));
                        ordinals_used = true;
                    }
                    _ => return Err(format!("weekday {token} in a {kind} rule")),
                }
            } else if token.len() == 4 && matches!(kind, "D" | "W") {
                times.push(parse_time(&token).ok_or_else(|| format!("bad time {token}"))?);
            } else if is_frequency(&token) {
                return Err("several rules in one RRULE".to_string());
            } else {
                let number = parse_number(&token).ok_or_else(|| format!("bad token {token}"))?;
                if kind == "MP" {
                    if ordinals_used {
                        ordinals.clear();
                        ordinals_used = false;
                    }
                    ordinals.push(number);
                } else {
                    numbers.push(number);
                }
            }
        }
        match kind {
            "MD" => rule.by_month_day = numbers,
            "YM" => rule.by_month = numbers,
            "YD" => rule.by_year_day = numbers,
            "MP" if rule.by_day.is_empty() => {
                let ordinal = (start.day() as i32 - 1) / 7 + 1;
                let day = WEEKDAYS[start.weekday().num_days_from_monday() as usize];
                rule.by_day.push((ordinal, day.to_string()));
            }
            _ if !numbers.is_empty() => return Err(format!("numbers in a {kind} rule")),
            _ => {}
        }
        if !times.is_empty() {
            let minute = times[0].1;
            if times.iter().any(|t| t.1 != minute) {
                return Err("times with different minutes".to_string());
            }
            rule.by_hour = times.iter().map(|t| t.0).collect();
            rule.by_minute = vec![minute];
        }
        Ok(rule)
    }

    /// The vCalendar 1.0 form, `None` when vCalendar cannot say the same thing. `until` is
    /// the end already written as a vCalendar date-time; `start` is DTSTART in local time.
    pub(crate) fn to_vcal(&self, start: NaiveDateTime, until: Option<&str>) -> Option<String> {
        if !self.other.is_empty() || !self.by_hour.is_empty() || !self.by_minute.is_empty() {
            return None;
        }
        let body = match self.freq.as_str() {
            "DAILY" => self.daily_vcal()?,
            "WEEKLY" => self.weekly_vcal(start)?,
            "MONTHLY" => self.monthly_vcal(start)?,
            "YEARLY" => self.yearly_vcal(start)?,
            _ => return None,
        };
        let end = match (&self.end, until) {
            (End::Forever, _) => "#0".to_string(),
            (End::Count(count), _) => format!("#{count}"),
            (End::Until(_), Some(until)) => until.to_string(),
            (End::Until(_), None) => return None,
        };
        Some(format!("{body} {end}"))
    }

    fn daily_vcal(&self) -> Option<String> {
        let only_days = self.by_month.is_empty()
            && self.by_month_day.is_empty()
            && self.by_year_day.is_empty()
            && self.by_set_pos.is_empty();
        if !only_days {
            return None;
        }
        if self.by_day.is_empty() {
            return Some(format!("D{}", self.interval));
        }
        // Every day restricted to some weekdays is a weekly rule on those days.
        if self.interval == 1 && self.by_day.iter().all(|(o, _)| *o == 0) {
            return Some(format!("W1 {}", self.days()));
        }
        None
    }

    fn weekly_vcal(&self, start: NaiveDateTime) -> Option<String> {
        let plain = self.by_month.is_empty()
            && self.by_month_day.is_empty()
            && self.by_year_day.is_empty()
            && self.by_set_pos.is_empty()
            && self.by_day.iter().all(|(o, _)| *o == 0);
        if !plain {
            return None;
        }
        let days = if self.by_day.is_empty() {
            WEEKDAYS[start.weekday().num_days_from_monday() as usize].to_string()
        } else {
            self.days()
        };
        Some(format!("W{} {days}", self.interval))
    }

    fn monthly_vcal(&self, start: NaiveDateTime) -> Option<String> {
        if !self.by_month.is_empty() || !self.by_year_day.is_empty() {
            return None;
        }
        if !self.by_day.is_empty() {
            if !self.by_month_day.is_empty() {
                return None;
            }
            return self.positions_vcal();
        }
        if !self.by_set_pos.is_empty() {
            return None;
        }
        let days = if self.by_month_day.is_empty() {
            vec![start.day() as i32]
        } else {
            self.by_month_day.clone()
        };
        if days.iter().any(|d| *d == 0 || d.abs() > 31) {
            return None;
        }
        let days: Vec<String> = days.iter().map(|&d| month_day_text(d)).collect();
        Some(format!("MD{} {}", self.interval, days.join(" ")))
    }

    /// `MP`: weekdays by their position in the month.
    fn positions_vcal(&self) -> Option<String> {
        let mut pairs: Vec<(i32, String)> = Vec::new();
        if self.by_set_pos.is_empty() {
            for (ordinal, day) in &self.by_day {
                match ordinal {
                    // Every such weekday: positions 1 to 5.
                    0 => pairs.extend((1..=5).map(|o| (o, day.clone()))),
                    o if o.abs() <= 5 => pairs.push((*o, day.clone())),
                    _ => return None,
                }
            }
        } else {
            // BYSETPOS over a single weekday is a position of that weekday.
            let [(0, day)] = self.by_day.as_slice() else {
                return None;
            };
            if self.by_set_pos.iter().any(|p| *p == 0 || p.abs() > 5) {
                return None;
            }
            pairs.extend(self.by_set_pos.iter().map(|&p| (p, day.clone())));
        }
        let mut out = format!("MP{}", self.interval);
        let mut last: Option<i32> = None;
        for (ordinal, day) in pairs {
            if last != Some(ordinal) {
                out.push_str(&format!(" {}", position_text(ordinal)));
                last = Some(ordinal);
            }
            out.push_str(&format!(" {day}"));
        }
        Some(out)
    }

    fn yearly_vcal(&self, start: NaiveDateTime) -> Option<String> {
        if !self.by_day.is_empty() || !self.by_set_pos.is_empty() {
            return None;
        }
        // A month-day list other than DTSTART's own day needs both lists, which YM lacks.
        if !self.by_month_day.is_empty() && self.by_month_day != [start.day() as i32] {
            return None;
        }
        if !self.by_year_day.is_empty() {
            if !self.by_month.is_empty() || !self.by_month_day.is_empty() {
                return None;
            }
            let days: Vec<String> = self
                .by_year_day
                .iter()
                .map(|&d| month_day_text(d))
                .collect();
            return Some(format!("YD{} {}", self.interval, days.join(" ")));
        }
        let months = if self.by_month.is_empty() {
            vec![start.month() as i32]
        } else {
            self.by_month.clone()
        };
        let months: Vec<String> = months.iter().map(i32::to_string).collect();
        Some(format!("YM{} {}", self.interval, months.join(" ")))
    }

    fn days(&self) -> String {
        self.by_day
            .iter()
            .map(|(_, day)| day.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `1+`, `2-` (appendix A `occurrence`).
fn position_text(ordinal: i32) -> String {
    if ordinal < 0 {
        format!("{}-", -ordinal)
    } else {
        format!("{ordinal}+")
    }
}

/// `15`, `LD` for the last day, `3-` for the third-last (appendix A `daynumber`).
fn month_day_text(day: i32) -> String {
    match day {
        -1 => "LD".to_string(),
        d if d < 0 => format!("{}-", -d),
        d => d.to_string(),
    }
}

/// `12`, `1+`, `2-`, `LD`.
fn parse_number(token: &str) -> Option<i32> {
    if token == "LD" {
        return Some(-1);
    }
    let (digits, sign) = match token.strip_suffix('-') {
        Some(digits) => (digits, -1),
        None => (token.strip_suffix('+').unwrap_or(token), 1),
    };
    let value: i32 = digits.parse().ok()?;
    (value > 0 && value <= 366).then_some(sign * value)
}

/// `HHMM`, a time of day in a daily or weekly rule.
fn parse_time(token: &str) -> Option<(i32, i32)> {
    let at = chrono::NaiveTime::parse_from_str(token, "%H%M").ok()?;
    Some((at.hour() as i32, at.minute() as i32))
}

fn is_frequency(token: &str) -> bool {
    let split = token
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(token.len());
    matches!(&token[..split], "D" | "W" | "MP" | "MD" | "YM" | "YD")
        && token[split..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("20050520T170000", "%Y%m%dT%H%M%S").expect("date")
    }

    fn ical(vcal: &str) -> String {
        Rule::parse_vcal(vcal, start()).expect("reads").to_ical()
    }

    #[test]
    fn vcalendar_rules_to_ical() {
        assert_eq!(ical("W1 FR #9"), "FREQ=WEEKLY;BYDAY=FR;COUNT=9");
        assert_eq!(
            ical("MP3 2- FR #17"),
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=-2FR;COUNT=17"
        );
        assert_eq!(ical("MP1 1+ MO 3+ FR$ #0"), "FREQ=MONTHLY;BYDAY=1MO,3FR");
        assert_eq!(ical("MP1 1+ 2- FR"), "FREQ=MONTHLY;BYDAY=1FR,-2FR;COUNT=2");
        assert_eq!(ical("MP1 #4"), "FREQ=MONTHLY;BYDAY=3FR;COUNT=4");
        assert_eq!(ical("MD1 1 LD 3- #0"), "FREQ=MONTHLY;BYMONTHDAY=1,-1,-3");
        assert_eq!(ical("YM1 6 7 #3"), "FREQ=YEARLY;BYMONTH=6,7;COUNT=3");
        assert_eq!(ical("YD1 141 #17"), "FREQ=YEARLY;BYYEARDAY=141;COUNT=17");
        assert_eq!(
            ical("D2 0800 1200 #4"),
            "FREQ=DAILY;INTERVAL=2;BYHOUR=8,12;BYMINUTE=0;COUNT=4"
        );
        let until = Rule::parse_vcal("D1 20100228T083000Z", start()).expect("reads");
        assert_eq!(until.end, End::Until("20100228T083000Z".to_string()));
    }

    #[test]
    fn broken_vcalendar_rules() {
        for bad in [
            "",
            "X1 #2",
            "W0 MO",
            "W1 MO #x",
            "MD1 MO",
            "D1 #2 W1 MO",
            "YD1 400",
        ] {
            assert!(Rule::parse_vcal(bad, start()).is_err(), "{bad}");
        }
    }

    fn vcal(ical: &str) -> Option<String> {
        let rule = Rule::parse_ical(ical).expect("reads");
        rule.to_vcal(start(), Some("20301231T000000Z"))
    }

    #[test]
    fn ical_rules_to_vcalendar() {
        assert_eq!(vcal("FREQ=WEEKLY").as_deref(), Some("W1 FR #0"));
        assert_eq!(
            vcal("FREQ=DAILY;BYDAY=MO,TU").as_deref(),
            Some("W1 MO TU #0")
        );
        assert_eq!(
            vcal("FREQ=MONTHLY;BYDAY=1MO,-1MO;COUNT=3").as_deref(),
            Some("MP1 1+ MO 1- MO #3")
        );
        assert_eq!(
            vcal("FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-2").as_deref(),
            Some("MP1 2- FR #0")
        );
        assert_eq!(
            vcal("FREQ=MONTHLY;BYMONTHDAY=-1,15;UNTIL=20301231T000000Z").as_deref(),
            Some("MD1 LD 15 20301231T000000Z")
        );
        assert_eq!(vcal("FREQ=YEARLY;INTERVAL=2").as_deref(), Some("YM2 5 #0"));
        assert_eq!(vcal("FREQ=YEARLY;BYMONTH=5;BYDAY=3FR"), None);
        assert_eq!(vcal("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1"), None);
        assert_eq!(vcal("FREQ=DAILY;BYHOUR=9,17"), None);
        assert_eq!(vcal("FREQ=HOURLY"), None);
        assert_eq!(vcal("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU"), None);
    }

    #[test]
    fn expressible_rules_survive_both_ways() {
        for rule in [
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=-2FR;COUNT=17",
            "FREQ=YEARLY;BYYEARDAY=141;COUNT=17",
            "FREQ=MONTHLY;BYMONTHDAY=1,-1",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10",
        ] {
            let there = vcal(rule).expect("expressible");
            assert_eq!(ical(&there), rule, "{there}");
        }
    }
}
