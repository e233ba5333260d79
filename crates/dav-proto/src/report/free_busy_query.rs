//! CALDAV:free-busy-query (RFC 4791 §7.10). The answer is text/calendar, not XML.

use crate::error::DavProtoError;
use crate::name::caldav;
use crate::time_range::{RangeContext, TimeRange, parse_time_range};
use crate::xml::XmlElement;

/// RFC 4791 §9.11:
/// ```text
/// <!ELEMENT free-busy-query (time-range)>
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeBusyQuery {
    pub time_range: TimeRange,
}

pub(super) fn parse(root: &XmlElement) -> Result<FreeBusyQuery, DavProtoError> {
    let range = root.required_child(&caldav::TIME_RANGE)?;
    let time_range = parse_time_range(range, RangeContext::Request)?;
    Ok(FreeBusyQuery { time_range })
}

#[cfg(test)]
mod tests {
    use super::super::{Report, parse_report};
    use super::*;

    #[test]
    fn rfc_4791_7_10_1_example() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
     <C:time-range start="20060104T140000Z"
                     end="20060105T220000Z"/>
   </C:free-busy-query>"#;
        assert_eq!(
            parse_report(body),
            Ok(Report::FreeBusyQuery(FreeBusyQuery {
                time_range: TimeRange {
                    start: Some(1_136_383_200),
                    end: Some(1_136_498_400)
                }
            }))
        );
    }

    #[test]
    fn needs_a_valid_time_range() {
        let missing = br#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>"#;
        assert!(matches!(
            parse_report(missing),
            Err(DavProtoError::MissingElement { .. })
        ));
        let bad = br#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="tomorrow"/></C:free-busy-query>"#;
        let error = parse_report(bad).unwrap_err();
        assert_eq!(error.status(), 400);
    }
}
