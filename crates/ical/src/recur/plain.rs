//! The rules most calendars hold, computed by date arithmetic: every n days, every n weeks
//! (on given weekdays), every n months (on given days of the month) and every n years (in given
//! months, on given days), with COUNT or UNTIL. RFC 5545 §3.3.10 defines these as "expand"
//! parts only, so each period's dates are known without scanning its days. Any other rule goes
//! to calcard's general expansion, whose results these must equal (tests below compare them).

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, Weekday};

use super::Expansion;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// A rule this module computes.
#[derive(Debug)]
pub(super) struct Plain {
    freq: Freq,
    interval: u32,
    count: Option<u32>,
    until: Option<NaiveDateTime>,
    week_start: Weekday,
    /// BYDAY (WEEKLY only): weekdays without ordinals.
    weekdays: Vec<Weekday>,
    /// BYMONTHDAY (MONTHLY and YEARLY): 1..=31 or -31..=-1.
    month_days: Vec<i8>,
    /// BYMONTH (YEARLY only): 1..=12.
    months: Vec<u32>,
}

/// Periods tried without an occurrence before giving up (a rule such as every 12 months on
/// the 30th from a February has none): calcard gives up likewise.
const EMPTY_PERIODS: u32 = 10_000;

impl Plain {
    /// The rule when it is one of those above; None sends it to the general expansion.
    pub(super) fn read(rule: &str) -> Option<Plain> {
        let mut freq = None;
        let mut interval = None;
        let mut count = None;
        let mut until = None;
        let mut week_start = None;
        let mut weekdays = None;
        let mut month_days = None;
        let mut months = None;
        for part in rule.split(';') {
            let (key, value) = part.split_once('=')?;
            let key = key.trim().to_ascii_uppercase();
            let value = value.trim();
            // A part given twice is not a rule this module guesses at.
            let fresh = match key.as_str() {
                "FREQ" => freq.replace(read_freq(value)?).is_none(),
                "INTERVAL" => interval
                    .replace(value.parse::<u32>().ok().filter(|&i| i > 0)?)
                    .is_none(),
                "COUNT" => count
                    .replace(value.parse::<u32>().ok().filter(|&c| c > 0)?)
                    .is_none(),
                "UNTIL" => until.replace(read_until(value)?).is_none(),
                "WKST" => week_start.replace(read_weekday(value)?).is_none(),
                "BYDAY" => weekdays.replace(read_list(value, read_weekday)?).is_none(),
                "BYMONTHDAY" => month_days
                    .replace(read_list(value, read_month_day)?)
                    .is_none(),
                "BYMONTH" => months.replace(read_list(value, read_month)?).is_none(),
                _ => return None,
            };
            if !fresh {
                return None;
            }
        }
        let freq = freq?;
        let fits = match freq {
            Freq::Daily => weekdays.is_none() && month_days.is_none() && months.is_none(),
            Freq::Weekly => month_days.is_none() && months.is_none(),
            Freq::Monthly => weekdays.is_none() && months.is_none(),
            Freq::Yearly => weekdays.is_none(),
        };
        if !fits {
            return None;
        }
        Some(Plain {
            freq,
            interval: interval.unwrap_or(1),
            count,
            until,
            week_start: week_start.unwrap_or(Weekday::Mon),
            weekdays: weekdays.unwrap_or_default(),
            month_days: month_days.unwrap_or_default(),
            months: months.unwrap_or_default(),
        })
    }

    /// The occurrences from `start` on (those before it are not occurrences), at most `limit`.
    /// None for an UNTIL before the start, a rule the general expansion refuses as well.
    pub(super) fn expand(&self, start: NaiveDateTime, limit: usize) -> Option<Expansion> {
        if self.until.is_some_and(|until| until < start) {
            return None;
        }
        let wanted = match self.count {
            Some(count) => usize::try_from(count)
                .unwrap_or(usize::MAX)
                .min(limit.saturating_add(1)),
            None => limit.saturating_add(1),
        };
        let mut starts: Vec<NaiveDateTime> = Vec::new();
        let mut empty = 0;
        let mut period = 0u32;
        'periods: while starts.len() < wanted && empty < EMPTY_PERIODS {
            let Some(days) = self.period_days(start, period) else {
                break;
            };
            let before = starts.len();
            for day in days {
                let at = day.and_time(start.time());
                if at < start {
                    continue;
                }
                if self.until.is_some_and(|until| at > until) {
                    break 'periods;
                }
                starts.push(at);
                if starts.len() == wanted {
                    break 'periods;
                }
            }
            empty = if starts.len() == before { empty + 1 } else { 0 };
            period = match period.checked_add(self.interval) {
                Some(next) => next,
                None => break,
            };
        }
        let complete = starts.len() <= limit;
        starts.truncate(limit);
        Some(Expansion { starts, complete })
    }

    /// The dates of the period `offset` periods after the one holding `start`, in order;
    /// None past the last date chrono can hold.
    fn period_days(&self, start: NaiveDateTime, offset: u32) -> Option<Vec<NaiveDate>> {
        let first = start.date();
        match self.freq {
            Freq::Daily => Some(vec![first.checked_add_days(Days::new(offset.into()))?]),
            Freq::Weekly => {
                let back = first.weekday().days_since(self.week_start);
                let week = first
                    .checked_sub_days(Days::new(back.into()))?
                    .checked_add_days(Days::new(u64::from(offset) * 7))?;
                if self.weekdays.is_empty() {
                    return Some(vec![week.checked_add_days(Days::new(back.into()))?]);
                }
                let mut days: Vec<NaiveDate> = self
                    .weekdays
                    .iter()
                    .map(|day| {
                        week.checked_add_days(Days::new(day.days_since(self.week_start).into()))
                    })
                    .collect::<Option<_>>()?;
                days.sort_unstable();
                days.dedup();
                Some(days)
            }
            Freq::Monthly => {
                let month = first.with_day(1)?.checked_add_months(Months::new(offset))?;
                Some(self.days_in(month, first.day()))
            }
            Freq::Yearly => {
                let year = first
                    .with_day(1)?
                    .with_month(1)?
                    .checked_add_months(Months::new(offset.checked_mul(12)?))?;
                // RFC 5545 §3.3.10: BYMONTHDAY alone means those days of every month.
                let months: Vec<u32> = match (self.months.is_empty(), self.month_days.is_empty()) {
                    (false, _) => self.months.clone(),
                    (true, false) => (1..=12).collect(),
                    (true, true) => vec![first.month()],
                };
                let mut days = Vec::new();
                for month in months {
                    days.extend(self.days_in(year.with_month(month)?, first.day()));
                }
                days.sort_unstable();
                days.dedup();
                Some(days)
            }
        }
    }

    /// The BYMONTHDAY days (else `default_day`) of the month starting at `month`, in order;
    /// days the month does not have are skipped (RFC 5545 §3.3.10).
    fn days_in(&self, month: NaiveDate, default_day: u32) -> Vec<NaiveDate> {
        let length = month_length(month);
        let default = [i8::try_from(default_day).unwrap_or(1)];
        let wanted: &[i8] = if self.month_days.is_empty() {
            &default
        } else {
            &self.month_days
        };
        let mut days: Vec<NaiveDate> = wanted
            .iter()
            .filter_map(|&day| {
                let day = if day > 0 {
                    i32::from(day)
                } else {
                    length + 1 + i32::from(day)
                };
                if !(1..=length).contains(&day) {
                    return None;
                }
                month.with_day(u32::try_from(day).ok()?)
            })
            .collect();
        days.sort_unstable();
        days.dedup();
        days
    }
}

fn month_length(month: NaiveDate) -> i32 {
    let next = month.checked_add_months(Months::new(1));
    match next {
        Some(next) => i32::try_from(next.signed_duration_since(month).num_days()).unwrap_or(31),
        None => 31,
    }
}

fn read_freq(value: &str) -> Option<Freq> {
    match value.to_ascii_uppercase().as_str() {
        "DAILY" => Some(Freq::Daily),
        "WEEKLY" => Some(Freq::Weekly),
        "MONTHLY" => Some(Freq::Monthly),
        "YEARLY" => Some(Freq::Yearly),
        _ => None,
    }
}

/// UNTIL as a local date-time (the callers write it so); other forms go to calcard.
fn read_until(value: &str) -> Option<NaiveDateTime> {
    if value.len() != 15 {
        return None;
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()
}

fn read_weekday(value: &str) -> Option<Weekday> {
    match value.trim().to_ascii_uppercase().as_str() {
        "MO" => Some(Weekday::Mon),
        "TU" => Some(Weekday::Tue),
        "WE" => Some(Weekday::Wed),
        "TH" => Some(Weekday::Thu),
        "FR" => Some(Weekday::Fri),
        "SA" => Some(Weekday::Sat),
        "SU" => Some(Weekday::Sun),
        _ => None,
    }
}

fn read_month_day(value: &str) -> Option<i8> {
    let day: i8 = value.trim().parse().ok()?;
    (day != 0 && (-31..=31).contains(&day)).then_some(day)
}

fn read_month(value: &str) -> Option<u32> {
    let month: u32 = value.trim().parse().ok()?;
    (1..=12).contains(&month).then_some(month)
}

fn read_list<T>(value: &str, item: fn(&str) -> Option<T>) -> Option<Vec<T>> {
    let items: Vec<T> = value.split(',').map(item).collect::<Option<_>>()?;
    (!items.is_empty()).then_some(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recur::expand_with_calcard;

    /// A small deterministic generator (the same cases on every run).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.next(items.len() as u64) as usize]
        }
    }

    fn random_rule(rng: &mut Lcg) -> String {
        let freq = rng.pick(&["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]);
        let mut rule = format!("FREQ={freq}");
        if rng.next(2) == 0 {
            rule.push_str(&format!(";INTERVAL={}", 1 + rng.next(4)));
        }
        match (freq, rng.next(3)) {
            ("WEEKLY", 0) => {
                let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
                let picked: Vec<&str> = (0..1 + rng.next(3)).map(|_| rng.pick(&days)).collect();
                rule.push_str(&format!(";BYDAY={}", picked.join(",")));
                if rng.next(2) == 0 {
                    rule.push_str(&format!(";WKST={}", rng.pick(&days)));
                }
            }
            ("MONTHLY" | "YEARLY", 0) => {
                let days = ["1", "15", "28", "29", "30", "31", "-1", "-2", "-31", "10"];
                let picked: Vec<&str> = (0..1 + rng.next(2)).map(|_| rng.pick(&days)).collect();
                rule.push_str(&format!(";BYMONTHDAY={}", picked.join(",")));
            }
            ("YEARLY", 1) => {
                let months = ["1", "2", "3", "6", "11", "12"];
                let picked: Vec<&str> = (0..1 + rng.next(2)).map(|_| rng.pick(&months)).collect();
                rule.push_str(&format!(";BYMONTH={}", picked.join(",")));
                if rng.next(2) == 0 {
                    rule.push_str(&format!(
                        ";BYMONTHDAY={}",
                        rng.pick(&["1", "29", "31", "-1"])
                    ));
                }
            }
            _ => {}
        }
        if rng.next(3) == 0 {
            rule.push_str(&format!(";COUNT={}", 1 + rng.next(30)));
        }
        if rng.next(2) == 0 {
            let until = rng.pick(&[
                "20240301T090000",
                "20260101T000000",
                "20280229T235959",
                "20230110T080000",
                "20270615T120000",
            ]);
            rule.push_str(&format!(";UNTIL={until}"));
        }
        rule
    }

    fn random_start(rng: &mut Lcg) -> NaiveDateTime {
        let day = NaiveDate::from_ymd_opt(2023, 1, 1).expect("date")
            + chrono::Duration::days(rng.next(900) as i64);
        // Month ends and leap days are where rules disagree most often.
        let day = match rng.next(4) {
            0 => day.with_day(31).or(day.with_day(30)).unwrap_or(day),
            1 => NaiveDate::from_ymd_opt(2024, 2, 29).expect("leap day"),
            _ => day,
        };
        day.and_hms_opt(rng.next(24) as u32, 15 * rng.next(4) as u32, 0)
            .expect("time")
    }

    #[test]
    fn equals_the_general_expansion() {
        let mut rng = Lcg(20_261_127);
        let (mut compared, mut refused) = (0, 0);
        for _ in 0..4_000 {
            let rule = random_rule(&mut rng);
            let start = random_start(&mut rng);
            let limit = [1, 5, 40, 400][rng.next(4) as usize];
            let plain = Plain::read(&rule).unwrap_or_else(|| panic!("{rule} is plain"));
            let ours = plain.expand(start, limit);
            let theirs = expand_with_calcard(start, &rule, limit);
            let case = format!("{rule} from {start}, limit {limit}");
            match (ours, theirs) {
                (Some(ours), Some(theirs)) => {
                    assert_eq!(ours.starts, theirs.starts, "{case}");
                    assert_eq!(ours.complete, theirs.complete, "{case}");
                    compared += 1;
                }
                (None, None) => refused += 1,
                (ours, theirs) => panic!("{case}: {ours:?} but calcard {theirs:?}"),
            }
        }
        assert_eq!(compared + refused, 4_000);
        assert!(compared > 3_000, "{compared} compared");
    }

    #[test]
    fn other_rules_go_to_the_general_expansion() {
        for rule in [
            "FREQ=MONTHLY;BYDAY=2TU",
            "FREQ=DAILY;BYDAY=MO",
            "FREQ=WEEKLY;BYDAY=1MO",
            "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU",
            "FREQ=HOURLY",
            "FREQ=DAILY;UNTIL=20240101T000000Z",
            "FREQ=DAILY;UNTIL=20240101",
            "FREQ=DAILY;FREQ=WEEKLY",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=MONTHLY;BYMONTHDAY=0",
            "FREQ=YEARLY;BYWEEKNO=20",
            "INTERVAL=2",
        ] {
            assert!(Plain::read(rule).is_none(), "{rule}");
        }
    }

    #[test]
    fn a_rule_without_occurrences_ends() {
        let start = NaiveDate::from_ymd_opt(2024, 2, 10)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("start");
        let plain = Plain::read("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30").expect("plain");
        let expansion = plain.expand(start, 10).expect("a valid rule");
        assert!(expansion.starts.is_empty());
        assert!(expansion.complete);
    }
}
