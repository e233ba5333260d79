//! CALDAV:time-range and the start/end pairs of expand and limit-* (RFC 4791 §9.9, §9.6.5-7).

use crate::error::{DavProtoError, excerpt};
use crate::time::parse_utc_datetime;
use crate::xml::XmlElement;

/// RFC 4791 §9.9:
/// ```text
/// <!ELEMENT time-range EMPTY>
/// <!ATTLIST time-range start CDATA #IMPLIED
///                      end   CDATA #IMPLIED>
/// ```
/// Unix seconds; at least one bound is present. `start` is inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl TimeRange {
    /// RFC 4791 §9.9 overlap test for a span `[start, end)` (an instant when equal).
    pub fn overlaps(&self, start: i64, end: i64) -> bool {
        let after_start = self
            .start
            .is_none_or(|s| end > s || (start == end && start >= s));
        let before_end = self.end.is_none_or(|e| start < e);
        after_start && before_end
    }
}

/// Both bounds required (RFC 4791 §9.6.5 expand, §9.6.6 limit-recurrence-set,
/// §9.6.7 limit-freebusy-set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundedTimeRange {
    pub start: i64,
    pub end: i64,
}

/// Where a time-range was found decides which error a bad one is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RangeContext {
    /// Inside CALDAV:filter: errors are CALDAV:valid-filter.
    Filter,
    /// Elsewhere (free-busy-query): a plain 400.
    Request,
}

/// Parses a CALDAV:time-range element.
pub(crate) fn parse_time_range(
    element: &XmlElement,
    context: RangeContext,
) -> Result<TimeRange, DavProtoError> {
    let start = parse_bound(element, "start", context)?;
    let end = parse_bound(element, "end", context)?;
    if start.is_none() && end.is_none() {
        return Err(range_error(
            element,
            context,
            "neither start nor end".into(),
        ));
    }
    Ok(TimeRange { start, end })
}

/// Parses expand / limit-recurrence-set / limit-freebusy-set.
pub(crate) fn parse_bounded_range(element: &XmlElement) -> Result<BoundedTimeRange, DavProtoError> {
    let context = RangeContext::Request;
    let start = parse_bound(element, "start", context)?;
    let end = parse_bound(element, "end", context)?;
    let (Some(start), Some(end)) = (start, end) else {
        return Err(range_error(
            element,
            context,
            "start and end are required".into(),
        ));
    };
    Ok(BoundedTimeRange { start, end })
}

fn parse_bound(
    element: &XmlElement,
    attribute: &str,
    context: RangeContext,
) -> Result<Option<i64>, DavProtoError> {
    let Some(text) = element.attribute(attribute) else {
        return Ok(None);
    };
    parse_utc_datetime(text).map(Some).ok_or_else(|| {
        let reason = format!("{attribute}={:?} is not a UTC date-time", excerpt(text));
        range_error(element, context, reason)
    })
}

fn range_error(element: &XmlElement, context: RangeContext, reason: String) -> DavProtoError {
    match context {
        RangeContext::Filter => DavProtoError::InvalidFilter(format!("time-range: {reason}")),
        RangeContext::Request => DavProtoError::InvalidElement {
            element: element.name.clone(),
            reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::caldav;

    fn element(attributes: &[(&str, &str)]) -> XmlElement {
        attributes
            .iter()
            .fold(XmlElement::new(caldav::TIME_RANGE), |e, (k, v)| {
                e.with_attribute(k, *v)
            })
    }

    #[test]
    fn parses_open_and_closed_ranges() {
        let both = element(&[("start", "20060104T000000Z"), ("end", "20060105T000000Z")]);
        assert_eq!(
            parse_time_range(&both, RangeContext::Filter).unwrap(),
            TimeRange {
                start: Some(1_136_332_800),
                end: Some(1_136_419_200)
            }
        );
        let open = element(&[("start", "20060104T000000Z")]);
        assert_eq!(
            parse_time_range(&open, RangeContext::Filter).unwrap().end,
            None
        );
    }

    #[test]
    fn errors_depend_on_context() {
        let empty = element(&[]);
        assert!(matches!(
            parse_time_range(&empty, RangeContext::Filter),
            Err(DavProtoError::InvalidFilter(_))
        ));
        assert!(matches!(
            parse_time_range(&empty, RangeContext::Request),
            Err(DavProtoError::InvalidElement { .. })
        ));
        let local = element(&[("start", "20060104T000000")]);
        assert!(matches!(
            parse_time_range(&local, RangeContext::Filter),
            Err(DavProtoError::InvalidFilter(_))
        ));
        let half = element(&[("start", "20060104T000000Z")]);
        assert!(parse_bounded_range(&half).is_err());
    }

    #[test]
    fn overlap_follows_rfc_4791_table() {
        let range = TimeRange {
            start: Some(100),
            end: Some(200),
        };
        assert!(range.overlaps(150, 250));
        assert!(range.overlaps(50, 150));
        assert!(!range.overlaps(200, 300));
        assert!(!range.overlaps(50, 100));
        assert!(range.overlaps(100, 100));
        assert!(!range.overlaps(200, 200));
        let open = TimeRange {
            start: None,
            end: Some(200),
        };
        assert!(open.overlaps(-1000, -999));
    }
}
