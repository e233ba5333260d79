//! WebDAV/CalDAV as bytes and typed values, for calvault's CalDAV server.
//!
//! Pure protocol: request headers and bodies in, typed values out; typed responses in,
//! XML bytes out. No I/O, no async, no storage, so every piece is testable from bytes
//! alone. Covers RFC 4918 (WebDAV), RFC 4791 (CalDAV), RFC 6578 (sync-collection),
//! RFC 5689 (extended MKCOL), the RFC 3253/3744 reports CalDAV clients use, and RFC 5397
//! (current-user-principal).
//!
//! XML is read with quick-xml's namespace-aware reader into a small tree
//! ([`XmlElement`]); DOCTYPEs are refused, so no entity is ever expanded, and depth and
//! element count are bounded. Every parser returns [`DavProtoError`], which knows its HTTP
//! status and DAV:error precondition; none panics.
//!
//! ```
//! use calvault_dav_proto::name::{caldav, dav};
//! use calvault_dav_proto::{
//!     Multistatus, PropValue, Property, Report, Response, parse_report,
//! };
//!
//! let body = br#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
//!   <D:prop><D:getetag/><C:calendar-data/></D:prop>
//!   <D:href>/calendars/alice/home/a%20b.ics</D:href>
//!   <D:href>/calendars/alice/home/gone.ics</D:href>
//! </C:calendar-multiget>"#;
//! let Ok(Report::CalendarMultiget(multiget)) = parse_report(body) else {
//!     panic!("expected a multiget");
//! };
//! assert_eq!(multiget.hrefs[0], "/calendars/alice/home/a b.ics");
//!
//! let mut found = Response::with_props(multiget.hrefs[0].clone());
//! found.found(Property::new(dav::GETETAG, PropValue::text("\"1\"")));
//! found.found(Property::new(
//!     caldav::CALENDAR_DATA,
//!     PropValue::calendar_data("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
//! ));
//! let mut multistatus = Multistatus::new();
//! multistatus.push(found);
//! multistatus.push(Response::with_status(multiget.hrefs[1].clone(), 404));
//! let xml = multistatus.to_xml();
//! assert!(xml.contains("<d:href>/calendars/alice/home/a%20b.ics</d:href>"));
//! assert!(xml.contains("<d:status>HTTP/1.1 404 Not Found</d:status>"));
//! ```

mod calendar_data;
mod error;
mod filter;
mod header;
mod href;
mod mkcalendar;
mod mkcol;
pub mod name;
mod prop_value;
mod propfind;
mod proppatch;
mod report;
mod response;
mod time;
mod time_range;
mod xml;

pub use calendar_data::{
    CalendarDataRequest, CompSelection, CompSelector, IcalPropSelection, IcalPropSelector,
};
pub use error::DavProtoError;
pub use filter::{
    CalendarFilter, Collation, CompFilter, CompTest, ParamFilter, ParamTest, PropFilter, PropTest,
    PropValueTest, TextMatch,
};
pub use header::{
    Depth, Destination, EntityTag, EtagList, IfCondition, IfHeader, IfList, Overwrite,
};
pub use href::{decode_path, encode_href, href_to_path};
pub use mkcalendar::{Mkcalendar, mkcalendar_response_body, parse_mkcalendar};
pub use mkcol::{ExtendedMkcol, mkcol_response_body, parse_mkcol};
pub use name::{NS_APPLE_ICAL, NS_CALDAV, NS_CALENDARSERVER, NS_DAV, NS_XML, PropName};
pub use prop_value::PropValueXml;
pub use propfind::{PropSelection, parse_propfind};
pub use proppatch::{
    PropFailure, PropUpdateResult, Proppatch, ProppatchOperation, parse_proppatch,
    proppatch_response, update_propstats,
};
pub use report::{
    CalendarMultiget, CalendarQuery, ExpandProperty, FreeBusyQuery, MatchType,
    PrincipalPropertySearch, PropertySearch, PropertyToExpand, Report, ReportProps, SearchTest,
    SearchableProperty, SyncCollection, SyncLevel, parse_report,
    principal_search_property_set_body,
};
pub use response::{
    ErrorCondition, Multistatus, MultistatusWriter, PropStat, PropValue, Property, Response,
    ResponseOutcome, error_body, error_body_with_href, href_element, reason_phrase, status_line,
};
pub use time::{format_http_date, format_rfc3339, format_utc_datetime, parse_utc_datetime};
pub use time_range::{BoundedTimeRange, TimeRange};
pub use xml::{MAX_DEPTH, MAX_ELEMENTS, XmlAttribute, XmlElement, XmlNode, parse_document};
