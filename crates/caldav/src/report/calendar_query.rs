//! CALDAV:calendar-query (RFC 4791 §7.8): the objects a filter matches, narrowed first by
//! the store's time index when the filter has a VEVENT time-range.

use axum::response::Response;
use calvault_core::store::StoredObject;
use calvault_core::{CoreError, HomeCalendar};
use calvault_dav_proto::{CalendarQuery, CompTest, Multistatus};
use calvault_ical::CalendarObject;

use super::filter::{calendar_data, comp_filter};
use crate::error::multistatus;
use crate::properties::Node;
use crate::{Ctx, DavError};

const PAGE: u32 = 500;

pub(crate) async fn calendar_query(
    ctx: &Ctx,
    calendar: &HomeCalendar,
    query: &CalendarQuery,
) -> Result<Response, DavError> {
    let filter = comp_filter(&query.filter.vcalendar);
    let mut answer = Multistatus::new();
    let mut push = |object: &StoredObject| -> Result<(), DavError> {
        let Ok(parsed) = CalendarObject::parse(&object.data) else {
            return Ok(());
        };
        if !parsed.matches(&filter) {
            return Ok(());
        }
        let data = calendar_data(&query.props, &object.data)?;
        let node = Node::Object {
            calendar,
            meta: &object.meta,
            data: &data,
        };
        answer.push(node.render(ctx, &query.props.selection));
        Ok(())
    };
    let store = ctx.vault().store();
    let id = calendar.calendar.id;
    if let Some((start, end)) = event_range(query) {
        let objects = store
            .objects_in_range(id, start, end)
            .await
            .map_err(CoreError::from)?;
        for object in &objects {
            push(object)?;
        }
    } else {
        let mut after = 0;
        loop {
            let page = store
                .objects_page(id, after, PAGE)
                .await
                .map_err(CoreError::from)?;
            let Some(last) = page.last() else { break };
            after = last.meta.id;
            for object in &page {
                push(object)?;
            }
        }
    }
    Ok(multistatus(&answer))
}

/// The time-range of a VEVENT comp-filter directly under VCALENDAR: every match must meet
/// it (filters are ANDed), so the store's span index can narrow the candidates.
fn event_range(query: &CalendarQuery) -> Option<(i64, i64)> {
    let CompTest::Matches { comp_filters, .. } = &query.filter.vcalendar.test else {
        return None;
    };
    comp_filters.iter().find_map(|filter| match &filter.test {
        CompTest::Matches {
            time_range: Some(range),
            ..
        } if filter.name.eq_ignore_ascii_case("VEVENT") => Some((
            range.start.unwrap_or(i64::MIN),
            range.end.unwrap_or(i64::MAX),
        )),
        _ => None,
    })
}
