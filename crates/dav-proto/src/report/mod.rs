//! REPORT request bodies: the CalDAV reports (RFC 4791 §7.8-7.10), sync-collection
//! (RFC 6578) and the RFC 3253/3744 reports CalDAV clients use for principals.

mod calendar_multiget;
mod calendar_query;
mod expand_property;
mod free_busy_query;
mod principal_property_search;
mod principal_search_property_set;
mod sync_collection;

pub use calendar_multiget::CalendarMultiget;
pub use calendar_query::CalendarQuery;
pub use expand_property::{ExpandProperty, PropertyToExpand};
pub use free_busy_query::FreeBusyQuery;
pub use principal_property_search::{
    MatchType, PrincipalPropertySearch, PropertySearch, SearchTest,
};
pub use principal_search_property_set::{SearchableProperty, principal_search_property_set_body};
pub use sync_collection::{SyncCollection, SyncLevel};

use crate::calendar_data::{CalendarDataRequest, parse_calendar_data};
use crate::error::DavProtoError;
use crate::name::{PropName, caldav, dav};
use crate::propfind::{PropSelection, find_selection};
use crate::xml::{XmlElement, parse_required};

/// A REPORT request, by its document element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    CalendarMultiget(CalendarMultiget),
    CalendarQuery(CalendarQuery),
    FreeBusyQuery(FreeBusyQuery),
    SyncCollection(SyncCollection),
    ExpandProperty(ExpandProperty),
    PrincipalPropertySearch(PrincipalPropertySearch),
    PrincipalSearchPropertySet,
}

impl Report {
    /// The report's element name, as listed in DAV:supported-report-set.
    pub fn name(&self) -> PropName {
        match self {
            Report::CalendarMultiget(_) => caldav::CALENDAR_MULTIGET,
            Report::CalendarQuery(_) => caldav::CALENDAR_QUERY,
            Report::FreeBusyQuery(_) => caldav::FREE_BUSY_QUERY,
            Report::SyncCollection(_) => dav::SYNC_COLLECTION,
            Report::ExpandProperty(_) => dav::EXPAND_PROPERTY,
            Report::PrincipalPropertySearch(_) => dav::PRINCIPAL_PROPERTY_SEARCH,
            Report::PrincipalSearchPropertySet => dav::PRINCIPAL_SEARCH_PROPERTY_SET,
        }
    }
}

/// Parses a REPORT body. A report we do not know is `UnsupportedReport`, which answers
/// 403 with DAV:supported-report (RFC 3253 §3.6).
pub fn parse_report(body: &[u8]) -> Result<Report, DavProtoError> {
    let root = parse_required(body)?;
    let name = &root.name;
    if *name == caldav::CALENDAR_MULTIGET {
        return calendar_multiget::parse(&root).map(Report::CalendarMultiget);
    }
    if *name == caldav::CALENDAR_QUERY {
        return calendar_query::parse(&root).map(Report::CalendarQuery);
    }
    if *name == caldav::FREE_BUSY_QUERY {
        return free_busy_query::parse(&root).map(Report::FreeBusyQuery);
    }
    if *name == dav::SYNC_COLLECTION {
        return sync_collection::parse(&root).map(Report::SyncCollection);
    }
    if *name == dav::EXPAND_PROPERTY {
        return expand_property::parse(&root).map(Report::ExpandProperty);
    }
    if *name == dav::PRINCIPAL_PROPERTY_SEARCH {
        return principal_property_search::parse(&root).map(Report::PrincipalPropertySearch);
    }
    if *name == dav::PRINCIPAL_SEARCH_PROPERTY_SET {
        return Ok(Report::PrincipalSearchPropertySet);
    }
    Err(DavProtoError::UnsupportedReport(root.name))
}

/// The properties a CalDAV report asks for, with the calendar-data request when
/// CALDAV:calendar-data is among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportProps {
    /// `(DAV:allprop | DAV:propname | DAV:prop)?`; absent means allprop.
    pub selection: PropSelection,
    /// Present when DAV:prop names CALDAV:calendar-data (also listed in `selection`).
    pub calendar_data: Option<CalendarDataRequest>,
}

impl ReportProps {
    /// True when the client asked for calendar data.
    pub fn wants_calendar_data(&self) -> bool {
        self.calendar_data.is_some()
    }
}

pub(crate) fn parse_report_props(root: &XmlElement) -> Result<ReportProps, DavProtoError> {
    let selection = find_selection(root).unwrap_or(PropSelection::AllProp {
        include: Vec::new(),
    });
    let calendar_data = root
        .child(&dav::PROP)
        .and_then(|prop| prop.child(&caldav::CALENDAR_DATA))
        .map(parse_calendar_data)
        .transpose()?;
    Ok(ReportProps {
        selection,
        calendar_data,
    })
}

/// The decoded paths of the DAV:href children of `element`.
pub(crate) fn hrefs(element: &XmlElement) -> Result<Vec<String>, DavProtoError> {
    element
        .children_named(&dav::HREF)
        .map(|href| crate::href::href_to_path(&href.text_content()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_reports_are_unsupported() {
        let body = br#"<D:acl-principal-prop-set xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:acl-principal-prop-set>"#;
        let error = parse_report(body).unwrap_err();
        assert_eq!(
            error,
            DavProtoError::UnsupportedReport(PropName::dav("acl-principal-prop-set"))
        );
        assert_eq!(error.status(), 403);
        assert_eq!(error.precondition(), Some(dav::SUPPORTED_REPORT));
        let carddav = br#"<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav"/>"#;
        assert!(matches!(
            parse_report(carddav),
            Err(DavProtoError::UnsupportedReport(_))
        ));
    }

    #[test]
    fn empty_report_body_is_an_error() {
        assert_eq!(parse_report(b""), Err(DavProtoError::EmptyBody));
        assert!(matches!(
            parse_report(b"<not-xml"),
            Err(DavProtoError::Malformed(_))
        ));
    }

    #[test]
    fn principal_search_property_set() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?><D:principal-search-property-set xmlns:D="DAV:"/>"#;
        let report = parse_report(body).unwrap();
        assert_eq!(report, Report::PrincipalSearchPropertySet);
        assert_eq!(report.name(), dav::PRINCIPAL_SEARCH_PROPERTY_SET);
    }
}
