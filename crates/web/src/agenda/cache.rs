//! The occurrences of recently shown windows, per calendar. A calendar's journal position
//! changes with every commit to it (in the transaction that changes its objects), so what was
//! read while the calendar was at a position stays true as long as it is still there: a key
//! holds the position, and a write to the calendar makes the old entries unreachable.
//!
//! A page read after a commit may have been computed from objects newer than the position
//! its calendar row showed; that entry is then only newer than its key, never older.
//!
//! After a commit, the same window at the calendar's older position is the starting point:
//! only the objects changed since then are read again (`previous`), so the first view after a
//! phone's sync costs what the sync changed, not what the month holds.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use calvault_ical::CalendarObject;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::Occurrence;

/// Windows kept: a few months of a few calendars, for going back and forth between views.
/// A month of a 100,000-event calendar holds about 6,000 occurrences (about 2 MB).
const ENTRIES: usize = 16;

/// What a calendar's occurrences in a window depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub calendar: i64,
    pub position: i64,
    pub tz: Tz,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// Shown with every occurrence; a calendar's colour or name changes without a commit.
    pub colour: String,
    pub label: String,
}

#[derive(Default)]
pub struct Cache {
    /// Most recently used first.
    entries: Mutex<VecDeque<(Key, Arc<Vec<Occurrence>>)>>,
    /// Series parsed for any window.
    pub series: Arc<Series>,
}

impl Cache {
    pub fn get(&self, key: &Key) -> Option<Arc<Vec<Occurrence>>> {
        let mut entries = self.entries.lock().ok()?;
        let at = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(at)?;
        let found = entry.1.clone();
        entries.push_front(entry);
        Some(found)
    }

    pub fn put(&self, key: Key, occurrences: Arc<Vec<Occurrence>>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // The same window at an older position can never be asked for again; the calendar's
        // other windows at older positions stay, for `previous` to update them when shown.
        entries.retain(|(k, _)| !(same_window(k, &key) && k.position <= key.position));
        entries.push_front((key, occurrences));
        entries.truncate(ENTRIES);
    }

    /// The newest entry of the same calendar and window at an older position than the key's,
    /// with that position: what the objects changed since then update.
    pub fn previous(&self, key: &Key) -> Option<(i64, Arc<Vec<Occurrence>>)> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .filter(|(k, _)| same_window(k, key) && k.position < key.position)
            .max_by_key(|(k, _)| k.position)
            .map(|(k, occurrences)| (k.position, occurrences.clone()))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map_or(0, |entries| entries.len())
    }
}

/// Whether two keys are the same window of the same calendar, shown the same way, at any
/// position.
fn same_window(a: &Key, b: &Key) -> bool {
    a.calendar == b.calendar
        && a.tz == b.tz
        && a.first == b.first
        && a.last == b.last
        && a.colour == b.colour
        && a.label == b.label
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A window of `day` days after 2024-03-01.
    fn key(calendar: i64, position: i64, day: i64) -> Key {
        let first =
            NaiveDate::from_ymd_opt(2024, 3, 1).expect("a day") + chrono::Duration::days(day);
        Key {
            calendar,
            position,
            tz: Tz::UTC,
            first,
            last: first,
            colour: "#000000".to_string(),
            label: "c".to_string(),
        }
    }

    #[test]
    fn a_new_position_replaces_the_windows_old_entry() {
        let cache = Cache::default();
        cache.put(key(1, 5, 1), Arc::new(Vec::new()));
        cache.put(key(1, 5, 2), Arc::new(Vec::new()));
        cache.put(key(2, 5, 1), Arc::new(Vec::new()));
        assert!(cache.get(&key(1, 5, 1)).is_some());
        assert!(
            cache.get(&key(1, 6, 1)).is_none(),
            "a commit was made since"
        );
        cache.put(key(1, 6, 1), Arc::new(Vec::new()));
        assert!(cache.previous(&key(1, 7, 1)).is_some_and(|(at, _)| at == 6));
        // The calendar's other window stays at its position, to be updated when shown.
        assert!(cache.get(&key(1, 5, 2)).is_some());
        assert_eq!(cache.previous(&key(1, 6, 2)).map(|(at, _)| at), Some(5));
        assert!(
            cache.get(&key(2, 5, 1)).is_some(),
            "other calendars keep theirs"
        );
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn the_least_recently_used_window_goes_first() {
        let cache = Cache::default();
        for day in 1..=ENTRIES as i64 {
            cache.put(key(1, 1, day), Arc::new(Vec::new()));
        }
        assert!(cache.get(&key(1, 1, 1)).is_some());
        cache.put(key(1, 1, 100), Arc::new(Vec::new()));
        assert_eq!(cache.len(), ENTRIES);
        assert!(cache.get(&key(1, 1, 1)).is_some(), "used recently");
        assert!(cache.get(&key(1, 1, 2)).is_none(), "the oldest");
    }

    #[test]
    fn the_previous_entry_is_the_same_window_at_an_older_position() {
        let cache = Cache::default();
        cache.put(key(1, 5, 1), Arc::new(Vec::new()));
        cache.put(key(1, 5, 2), Arc::new(Vec::new()));
        cache.put(key(2, 3, 1), Arc::new(Vec::new()));
        assert_eq!(cache.previous(&key(1, 7, 1)).map(|(at, _)| at), Some(5));
        assert!(cache.previous(&key(1, 7, 3)).is_none(), "another window");
        assert!(cache.previous(&key(1, 5, 1)).is_none(), "not older");
        assert!(cache.previous(&key(1, 4, 1)).is_none(), "newer than asked");
        let mut recoloured = key(1, 7, 1);
        recoloured.colour = "#ffffff".to_string();
        assert!(cache.previous(&recoloured).is_none(), "shown differently");
        assert_eq!(cache.previous(&key(2, 9, 1)).map(|(at, _)| at), Some(3));
    }
}

/// Series parsed for earlier windows. A series spans many windows (a monthly meeting is in
/// every month), and parsing it costs about as much as expanding it: kept parsed, the next
/// month reads only what is new. A revision is known by its calendar and journal position
/// (each write takes the next one) and checked against the text it was parsed from.
#[derive(Default)]
pub struct Series {
    /// The generation being filled and the one before; a look-up in the older one moves the
    /// series back to the newer. About the series of a few months of a large calendar.
    generations: Mutex<[HashMap<(i64, i64), Parsed>; 2]>,
}

struct Parsed {
    text: Box<str>,
    object: Arc<CalendarObject>,
}

/// Series in a generation: a month of a 100,000-event calendar holds about 4,000, parsed a few
/// KB each.
const GENERATION: usize = 4_096;

impl Series {
    /// The parsed object of revision `seq` of a calendar, if it was parsed from `text`.
    pub fn get(&self, calendar: i64, seq: i64, text: &str) -> Option<Arc<CalendarObject>> {
        self.find(calendar, seq, |parsed| &*parsed.text == text)
    }

    /// The parsed object of revision `seq` of a calendar, found without its text (a
    /// time-range read finds objects in an index): the revision is checked by the object's UID.
    pub fn get_known(&self, calendar: i64, seq: i64, uid: &str) -> Option<Arc<CalendarObject>> {
        self.find(calendar, seq, |parsed| parsed.object.uid() == uid)
    }

    fn find(
        &self,
        calendar: i64,
        seq: i64,
        same: impl Fn(&Parsed) -> bool,
    ) -> Option<Arc<CalendarObject>> {
        let mut generations = self.generations.lock().ok()?;
        let key = (calendar, seq);
        if let Some(parsed) = generations[0].get(&key) {
            return same(parsed).then(|| parsed.object.clone());
        }
        let parsed = generations[1].remove(&key)?;
        if !same(&parsed) {
            return None;
        }
        let object = parsed.object.clone();
        let dropped = Self::insert(&mut generations, key, parsed);
        drop(generations);
        drop(dropped);
        Some(object)
    }

    pub fn put(&self, calendar: i64, seq: i64, text: &str, object: Arc<CalendarObject>) {
        let Ok(mut generations) = self.generations.lock() else {
            return;
        };
        let parsed = Parsed {
            text: text.into(),
            object,
        };
        let dropped = Self::insert(&mut generations, (calendar, seq), parsed);
        drop(generations);
        drop(dropped);
    }

    /// Inserts into the newer generation, starting a new one when it is full; the generation
    /// that goes is handed back, to be dropped once the lock is released (thousands of parsed
    /// objects take a while to free, and the other reading threads wait on the lock).
    fn insert(
        generations: &mut [HashMap<(i64, i64), Parsed>; 2],
        key: (i64, i64),
        parsed: Parsed,
    ) -> Option<HashMap<(i64, i64), Parsed>> {
        let mut dropped = None;
        if generations[0].len() >= GENERATION {
            let newer = std::mem::take(&mut generations[0]);
            dropped = Some(std::mem::replace(&mut generations[1], newer));
        }
        generations[0].insert(key, parsed);
        dropped
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.generations
            .lock()
            .map_or(0, |g| g[0].len() + g[1].len())
    }
}

#[cfg(test)]
mod series_tests {
    use super::*;

    const TEXT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T090000Z\r\nRRULE:FREQ=MONTHLY\r\nSUMMARY:S\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn parsed() -> Arc<CalendarObject> {
        Arc::new(CalendarObject::parse(TEXT).expect("a series"))
    }

    #[test]
    fn a_series_is_found_by_revision_and_text() {
        let series = Series::default();
        series.put(1, 7, TEXT, parsed());
        assert!(series.get(1, 7, TEXT).is_some());
        assert!(series.get(1, 8, TEXT).is_none(), "another revision");
        assert!(series.get(2, 7, TEXT).is_none(), "another calendar");
        assert!(
            series
                .get(1, 7, &TEXT.replace("SUMMARY:S", "SUMMARY:T"))
                .is_none(),
            "not what it was parsed from"
        );
    }

    #[test]
    fn a_known_revision_is_found_by_its_uid() {
        let series = Series::default();
        series.put(1, 7, TEXT, parsed());
        series.put(2, 9, TEXT, parsed());
        assert!(series.get_known(1, 7, "s").is_some());
        assert!(series.get_known(1, 7, "other").is_none(), "another object");
        assert!(series.get_known(1, 9, "s").is_none(), "another revision");
    }

    #[test]
    fn the_older_generation_goes_and_what_is_used_stays() {
        let series = Series::default();
        let object = parsed();
        for seq in 0..GENERATION as i64 {
            series.put(1, seq, TEXT, object.clone());
        }
        // A new generation starts: seq 0 is used (moved to it), seq 1 is not.
        series.put(1, -1, TEXT, object.clone());
        assert!(series.get(1, 0, TEXT).is_some());
        for seq in 0..GENERATION as i64 {
            series.put(1, 100_000 + seq, TEXT, object.clone());
        }
        assert!(
            series.get(1, 0, TEXT).is_some(),
            "used in the last generation"
        );
        assert!(series.get(1, 1, TEXT).is_none(), "two generations old");
        assert!(series.len() <= 2 * GENERATION);
    }
}
