//! CALDAV:calendar-multiget (RFC 4791 §7.9).

use super::{ReportProps, hrefs, parse_report_props};
use crate::error::DavProtoError;
use crate::name::{caldav, dav};
use crate::xml::XmlElement;

/// RFC 4791 §9.10:
/// ```text
/// <!ELEMENT calendar-multiget ((DAV:allprop | DAV:propname | DAV:prop)?, DAV:href+)>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarMultiget {
    pub props: ReportProps,
    /// Decoded paths, in request order; each gets a response (404 when missing).
    pub hrefs: Vec<String>,
}

pub(super) fn parse(root: &XmlElement) -> Result<CalendarMultiget, DavProtoError> {
    let props = parse_report_props(root)?;
    let hrefs = hrefs(root)?;
    if hrefs.is_empty() {
        return Err(DavProtoError::MissingElement {
            parent: caldav::CALENDAR_MULTIGET,
            child: dav::HREF,
        });
    }
    Ok(CalendarMultiget { props, hrefs })
}

#[cfg(test)]
mod tests {
    use super::super::{Report, parse_report};
    use super::*;
    use crate::propfind::PropSelection;

    fn multiget(body: &[u8]) -> CalendarMultiget {
        match parse_report(body).unwrap() {
            Report::CalendarMultiget(multiget) => multiget,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rfc_4791_7_9_1_example() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:calendar-multiget xmlns:D="DAV:"
                    xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:prop>
       <D:getetag/>
       <C:calendar-data/>
     </D:prop>
     <D:href>/bernard/work/abcd1.ics</D:href>
     <D:href>/bernard/work/mtg1.ics</D:href>
   </C:calendar-multiget>"#;
        let multiget = multiget(body);
        assert_eq!(
            multiget.props.selection,
            PropSelection::Prop(vec![dav::GETETAG, caldav::CALENDAR_DATA])
        );
        assert!(multiget.props.wants_calendar_data());
        assert_eq!(
            multiget.hrefs,
            ["/bernard/work/abcd1.ics", "/bernard/work/mtg1.ics"]
        );
    }

    #[test]
    fn davx5_multiget_with_escaped_hrefs() {
        let body = br#"<?xml version='1.0' encoding='UTF-8' ?><CAL:calendar-multiget xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop><getcontenttype /><getetag /><CAL:calendar-data /></prop><href>/calendars/alice/home/4c2a%40example.com.ics</href><href>https://cal.example.com/calendars/alice/home/b%20c.ics</href></CAL:calendar-multiget>"#;
        let multiget = multiget(body);
        assert_eq!(
            multiget.hrefs,
            [
                "/calendars/alice/home/4c2a@example.com.ics",
                "/calendars/alice/home/b c.ics"
            ]
        );
    }

    #[test]
    fn no_prop_means_allprop() {
        let body = br#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:href>/a.ics</D:href></C:calendar-multiget>"#;
        let multiget = multiget(body);
        assert_eq!(
            multiget.props.selection,
            PropSelection::AllProp { include: vec![] }
        );
        assert!(!multiget.props.wants_calendar_data());
    }

    #[test]
    fn needs_hrefs() {
        let body = br#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop></C:calendar-multiget>"#;
        assert!(matches!(
            parse_report(body),
            Err(DavProtoError::MissingElement { .. })
        ));
        let bad = br#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:href>a.ics</D:href></C:calendar-multiget>"#;
        assert!(matches!(
            parse_report(bad),
            Err(DavProtoError::InvalidHref(_))
        ));
    }
}
