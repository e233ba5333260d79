//! The per-device sync window (DESIGN.md: "a phone gets the recent part, the server keeps
//! everything"): objects entirely outside it are not sent to the device, and when they leave
//! the device they are not deleted on the server.

use calvault_core::store::ObjectFacts;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// From `back_days` before now to `ahead_days` after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncWindow {
    pub back_days: u32,
    pub ahead_days: u32,
}

impl SyncWindow {
    /// Whether an object with these facts meets the window at time `now` (an object without
    /// times, or that never ends, is inside).
    pub fn holds(&self, facts: &ObjectFacts, now: i64) -> bool {
        let start = now - i64::from(self.back_days) * DAY;
        let end = now + i64::from(self.ahead_days) * DAY;
        facts.first_start.is_none_or(|s| s < end) && facts.last_end.is_none_or(|e| e > start)
    }
}

/// Inside the window, or no window.
pub fn holds(window: Option<SyncWindow>, facts: &ObjectFacts) -> bool {
    window.is_none_or(|w| w.holds(facts, calvault_core::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(start: Option<i64>, end: Option<i64>) -> ObjectFacts {
        ObjectFacts {
            component: "VEVENT".into(),
            first_start: start,
            last_end: end,
            fingerprint: String::new(),
            summary: None,
        }
    }

    #[test]
    fn objects_meet_the_window_or_not() {
        let window = SyncWindow {
            back_days: 90,
            ahead_days: 540,
        };
        let now = 1_000 * DAY;
        assert!(window.holds(&facts(Some(now), Some(now + 3600)), now));
        assert!(!window.holds(&facts(Some(now - 100 * DAY), Some(now - 91 * DAY)), now));
        assert!(!window.holds(&facts(Some(now + 541 * DAY), Some(now + 542 * DAY)), now));
        // A series that started long ago and never ends reaches into it.
        assert!(window.holds(&facts(Some(now - 900 * DAY), None), now));
        assert!(window.holds(&facts(None, None), now));
    }
}
