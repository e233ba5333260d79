//! CALDAV:calendar-query (RFC 4791 §7.8).

use super::{ReportProps, parse_report_props};
use crate::error::DavProtoError;
use crate::filter::{CalendarFilter, parse_filter};
use crate::name::caldav;
use crate::xml::XmlElement;

/// RFC 4791 §9.5:
/// ```text
/// <!ELEMENT calendar-query ((DAV:allprop | DAV:propname | DAV:prop)?, filter, timezone?)>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarQuery {
    pub props: ReportProps,
    pub filter: CalendarFilter,
    /// CALDAV:timezone: a VCALENDAR with one VTIMEZONE, for floating times (RFC 4791 §9.8).
    pub timezone: Option<String>,
    /// CALDAV:timezone-id (RFC 7809 §5.2), the same by name.
    pub timezone_id: Option<String>,
}

pub(super) fn parse(root: &XmlElement) -> Result<CalendarQuery, DavProtoError> {
    let props = parse_report_props(root)?;
    let Some(filter) = root.child(&caldav::FILTER) else {
        // RFC 4791 §7.8 (CALDAV:valid-filter): the filter is required.
        return Err(DavProtoError::InvalidFilter(
            "calendar-query has no filter".into(),
        ));
    };
    let filter = parse_filter(filter)?;
    let timezone = root.child(&caldav::TIMEZONE).map(XmlElement::text_content);
    let timezone_id = root
        .child(&caldav::TIMEZONE_ID)
        .map(|e| e.text_content().trim().to_owned());
    Ok(CalendarQuery {
        props,
        filter,
        timezone,
        timezone_id,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Report, parse_report};
    use super::*;
    use crate::filter::CompTest;
    use crate::name::dav;
    use crate::propfind::PropSelection;

    fn query(body: &[u8]) -> CalendarQuery {
        match parse_report(body).unwrap() {
            Report::CalendarQuery(query) => query,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rfc_4791_7_8_1_partial_retrieval_of_events_by_time_range() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:calendar-query xmlns:D="DAV:"
                 xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:prop>
       <D:getetag/>
       <C:calendar-data>
         <C:comp name="VCALENDAR">
           <C:prop name="VERSION"/>
           <C:comp name="VEVENT">
             <C:prop name="SUMMARY"/>
             <C:prop name="UID"/>
             <C:prop name="DTSTART"/>
             <C:prop name="DTEND"/>
             <C:prop name="DURATION"/>
             <C:prop name="RRULE"/>
             <C:prop name="RDATE"/>
             <C:prop name="EXRULE"/>
             <C:prop name="EXDATE"/>
             <C:prop name="RECURRENCE-ID"/>
           </C:comp>
           <C:comp name="VTIMEZONE"/>
         </C:comp>
       </C:calendar-data>
     </D:prop>
     <C:filter>
       <C:comp-filter name="VCALENDAR">
         <C:comp-filter name="VEVENT">
           <C:time-range start="20060104T000000Z"
                                 end="20060105T000000Z"/>
         </C:comp-filter>
       </C:comp-filter>
     </C:filter>
   </C:calendar-query>"#;
        let query = query(body);
        assert_eq!(
            query.props.selection,
            PropSelection::Prop(vec![dav::GETETAG, caldav::CALENDAR_DATA])
        );
        let comp = query.props.calendar_data.unwrap().comp.unwrap();
        assert!(comp.component("VEVENT").unwrap().wants_property("RRULE"));
        assert!(matches!(
            query.filter.vcalendar.test,
            CompTest::Matches { .. }
        ));
        assert_eq!(query.timezone, None);
    }

    #[test]
    fn rfc_4791_7_8_3_expanded_with_timezone() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:calendar-query xmlns:D="DAV:"
                     xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:prop>
       <C:calendar-data>
         <C:expand start="20060103T000000Z"
                   end="20060105T000000Z"/>
       </C:calendar-data>
     </D:prop>
     <C:filter>
       <C:comp-filter name="VCALENDAR">
         <C:comp-filter name="VEVENT">
           <C:time-range start="20060103T000000Z"
                         end="20060105T000000Z"/>
         </C:comp-filter>
       </C:comp-filter>
     </C:filter>
     <C:timezone>BEGIN:VCALENDAR&#13;
VERSION:2.0&#13;
BEGIN:VTIMEZONE&#13;
TZID:US-Eastern&#13;
END:VTIMEZONE&#13;
END:VCALENDAR&#13;
</C:timezone>
   </C:calendar-query>"#;
        let query = query(body);
        assert!(query.props.calendar_data.unwrap().expand.is_some());
        let timezone = query.timezone.unwrap();
        assert!(timezone.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    }

    #[test]
    fn davx5_etag_listing_of_todos() {
        let body = br#"<?xml version='1.0' encoding='UTF-8' ?><CAL:calendar-query xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop><getetag /></prop><CAL:filter><CAL:comp-filter name="VCALENDAR"><CAL:comp-filter name="VTODO" /></CAL:comp-filter></CAL:filter></CAL:calendar-query>"#;
        let query = query(body);
        assert_eq!(
            query.props.selection,
            PropSelection::Prop(vec![dav::GETETAG])
        );
        assert!(query.props.calendar_data.is_none());
    }

    #[test]
    fn evolution_open_ended_range_and_timezone_id() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="DAV:"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20240101T000000Z"/></C:comp-filter></C:comp-filter></C:filter><C:timezone-id>Europe/Berlin</C:timezone-id></C:calendar-query>"#;
        assert_eq!(query(body).timezone_id.as_deref(), Some("Europe/Berlin"));
    }

    #[test]
    fn missing_or_bad_filter_is_valid_filter() {
        let body = br#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop></C:calendar-query>"#;
        let error = parse_report(body).unwrap_err();
        assert_eq!(error.precondition(), Some(caldav::VALID_FILTER));
        let body = br#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060104"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
        let error = parse_report(body).unwrap_err();
        assert_eq!(error.precondition(), Some(caldav::VALID_FILTER));
        assert_eq!(error.status(), 403);
    }
}
