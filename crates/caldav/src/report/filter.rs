//! The bridge from dav-proto's filter and calendar-data types to calvault_ical's queries:
//! the one place the two models meet.

use std::borrow::Cow;

use calvault_dav_proto as proto;
use calvault_dav_proto::ReportProps;
use calvault_ical::CalendarObject;
use calvault_ical::query;

use crate::DavError;

pub(crate) fn time_range(range: &proto::TimeRange) -> query::TimeRange {
    query::TimeRange {
        start: range.start,
        end: range.end,
    }
}

fn bounded(range: &proto::BoundedTimeRange) -> query::TimeRange {
    query::TimeRange {
        start: Some(range.start),
        end: Some(range.end),
    }
}

pub(crate) fn comp_filter(filter: &proto::CompFilter) -> query::CompFilter {
    let test = match &filter.test {
        proto::CompTest::IsNotDefined => query::CompTest::IsNotDefined,
        proto::CompTest::Matches {
            time_range: range,
            prop_filters,
            comp_filters,
        } => query::CompTest::Matches {
            time_range: range.as_ref().map(time_range),
            props: prop_filters.iter().map(prop_filter).collect(),
            comps: comp_filters.iter().map(comp_filter).collect(),
        },
    };
    query::CompFilter {
        name: filter.name.clone(),
        test,
    }
}

fn prop_filter(filter: &proto::PropFilter) -> query::PropFilter {
    let test = match &filter.test {
        proto::PropTest::IsNotDefined => query::PropTest::IsNotDefined,
        proto::PropTest::Matches {
            value,
            param_filters,
        } => query::PropTest::Matches {
            time_range: match value {
                Some(proto::PropValueTest::TimeRange(range)) => Some(time_range(range)),
                _ => None,
            },
            text: match value {
                Some(proto::PropValueTest::TextMatch(text)) => Some(text_match(text)),
                _ => None,
            },
            params: param_filters.iter().map(param_filter).collect(),
        },
    };
    query::PropFilter {
        name: filter.name.clone(),
        test,
    }
}

fn param_filter(filter: &proto::ParamFilter) -> query::ParamFilter {
    let test = match &filter.test {
        proto::ParamTest::IsNotDefined => query::ParamTest::IsNotDefined,
        proto::ParamTest::Matches(text) => query::ParamTest::Matches(text.as_ref().map(text_match)),
    };
    query::ParamFilter {
        name: filter.name.clone(),
        test,
    }
}

fn text_match(text: &proto::TextMatch) -> query::TextMatch {
    query::TextMatch {
        value: text.value.clone(),
        collation: match text.collation {
            proto::Collation::AsciiCasemap => query::Collation::AsciiCasemap,
            proto::Collation::Octet => query::Collation::Octet,
        },
        negate: text.negate,
    }
}

fn comp_selector(selector: &proto::CompSelector) -> query::CompSelector {
    query::CompSelector {
        name: selector.name.clone(),
        props: match &selector.props {
            proto::IcalPropSelection::All => None,
            proto::IcalPropSelection::Only(props) => Some(
                props
                    .iter()
                    .map(|p| query::PropSelector {
                        name: p.name.clone(),
                        novalue: p.novalue,
                    })
                    .collect(),
            ),
        },
        comps: match &selector.comps {
            proto::CompSelection::All => None,
            proto::CompSelection::Only(comps) => Some(comps.iter().map(comp_selector).collect()),
        },
    }
}

/// The calendar data a report answers for `data`: whole, or expanded / limited / selected
/// as the request's CALDAV:calendar-data asks (RFC 4791 §9.6).
pub(crate) fn calendar_data<'a>(
    props: &ReportProps,
    data: &'a str,
) -> Result<Cow<'a, str>, DavError> {
    let Some(request) = &props.calendar_data else {
        return Ok(Cow::Borrowed(data));
    };
    if request.comp.is_none() && request.expand.is_none() && request.limit_recurrence_set.is_none()
    {
        return Ok(Cow::Borrowed(data));
    }
    // Stored objects parsed when they were written; one that no longer does is sent whole.
    let Ok(object) = CalendarObject::parse(data) else {
        return Ok(Cow::Borrowed(data));
    };
    let mut text = if let Some(range) = &request.expand {
        object.expand(&bounded(range))
    } else if let Some(range) = &request.limit_recurrence_set {
        object.limit_recurrence_set(&bounded(range))
    } else {
        data.to_string()
    };
    if let Some(selector) = &request.comp {
        let object = if request.expand.is_some() || request.limit_recurrence_set.is_some() {
            CalendarObject::parse(&text).unwrap_or(object)
        } else {
            object
        };
        text = object.select(&comp_selector(selector));
    }
    Ok(Cow::Owned(text))
}
