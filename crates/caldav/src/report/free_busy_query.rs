//! CALDAV:free-busy-query (RFC 4791 §7.10): the busy time of a calendar in a range, as one
//! VFREEBUSY (200, text/calendar).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use calvault_core::{CoreError, HomeCalendar};
use calvault_dav_proto::{FreeBusyQuery, format_utc_datetime};
use calvault_ical::CalendarObject;
use calvault_ical::query::{BusyKind, BusyPeriod};

use super::filter::time_range;
use crate::{Ctx, DavError};

pub(crate) async fn free_busy_query(
    ctx: &Ctx,
    calendar: &HomeCalendar,
    query: &FreeBusyQuery,
) -> Result<Response, DavError> {
    let range = time_range(&query.time_range);
    let start = range.start.unwrap_or(i64::MIN);
    let end = range.end.unwrap_or(i64::MAX);
    let objects = ctx
        .vault()
        .store()
        .objects_in_range(calendar.calendar.id, start, end)
        .await
        .map_err(CoreError::from)?;
    let mut periods: Vec<BusyPeriod> = objects
        .iter()
        .filter_map(|object| CalendarObject::parse(&object.data).ok())
        .flat_map(|object| object.busy_periods(&range))
        .collect();
    periods.sort_by_key(|p| (p.start, p.end));
    let mut text = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//CalDAV//EN\r\nBEGIN:VFREEBUSY\r\n",
    );
    text.push_str(&format!(
        "DTSTAMP:{}\r\n",
        format_utc_datetime(calvault_core::now())
    ));
    if let Some(start) = range.start {
        text.push_str(&format!("DTSTART:{}\r\n", format_utc_datetime(start)));
    }
    if let Some(end) = range.end {
        text.push_str(&format!("DTEND:{}\r\n", format_utc_datetime(end)));
    }
    for period in periods {
        let kind = match period.kind {
            BusyKind::Busy => "BUSY",
            BusyKind::BusyTentative => "BUSY-TENTATIVE",
            BusyKind::BusyUnavailable => "BUSY-UNAVAILABLE",
        };
        text.push_str(&format!(
            "FREEBUSY;FBTYPE={kind}:{}/{}\r\n",
            format_utc_datetime(period.start),
            format_utc_datetime(period.end)
        ));
    }
    text.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(response)
}
