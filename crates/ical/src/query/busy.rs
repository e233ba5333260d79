//! RFC 4791 §7.10 free-busy: the busy periods one object contributes.

use crate::CalendarObject;
use crate::query::instances::instances;
use crate::query::time_range::instance_overlaps;
use crate::query::{BusyKind, BusyPeriod, TimeRange};
use crate::zone::Zones;

impl CalendarObject {
    /// RFC 4791 §7.10: busy periods within `range` (TRANSP:TRANSPARENT and STATUS:CANCELLED
    /// events excluded; STATUS:TENTATIVE → BusyTentative), clipped to `range`.
    pub fn busy_periods(&self, range: &TimeRange) -> Vec<BusyPeriod> {
        let mut zones = Zones::new(self.timezones());
        let mut out = Vec::new();
        for instance in instances(self.components(), &mut zones, range, 0) {
            let event = instance.component;
            if !event.is("VEVENT") || !instance_overlaps(&instance, range, &mut zones) {
                continue;
            }
            let is = |name: &str, value: &str| {
                event
                    .value(name)
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
            };
            if is("TRANSP", "TRANSPARENT") || is("STATUS", "CANCELLED") {
                continue;
            }
            let (Some(start), Some(end)) = (instance.start, instance.end) else {
                continue;
            };
            let start = range.start.map_or(start, |s| start.max(s));
            let end = range.end.map_or(end, |e| end.min(e));
            // A zero-length event takes no time.
            if end <= start {
                continue;
            }
            let kind = if is("STATUS", "TENTATIVE") {
                BusyKind::BusyTentative
            } else {
                BusyKind::Busy
            };
            out.push(BusyPeriod { start, end, kind });
        }
        out.sort_by_key(|p| (p.start, p.end));
        out
    }
}
