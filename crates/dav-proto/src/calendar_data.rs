//! The CALDAV:calendar-data request inside a report's DAV:prop (RFC 4791 §9.6): which
//! components and properties to return, and whether to expand or limit recurrences.

use crate::error::{DavProtoError, excerpt};
use crate::name::caldav;
use crate::time_range::{BoundedTimeRange, parse_bounded_range};
use crate::xml::XmlElement;

/// RFC 4791 §9.6:
/// ```text
/// <!ELEMENT calendar-data (comp?, (expand | limit-recurrence-set)?, limit-freebusy-set?)>
/// <!ATTLIST calendar-data content-type CDATA "text/calendar"
///                         version CDATA "2.0">
/// ```
/// The default (`<C:calendar-data/>`) asks for the whole object as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarDataRequest {
    /// `None`: every component and property.
    pub comp: Option<CompSelector>,
    /// Return recurrence instances as separate overridden components in this range (UTC).
    pub expand: Option<BoundedTimeRange>,
    /// Return the master plus only the overrides that affect this range.
    pub limit_recurrence_set: Option<BoundedTimeRange>,
    /// Return only the FREEBUSY values that overlap this range.
    pub limit_freebusy_set: Option<BoundedTimeRange>,
}

/// RFC 4791 §9.6.1:
/// ```text
/// <!ELEMENT comp ((allprop | prop*), (allcomp | comp*))>
/// <!ATTLIST comp name CDATA #REQUIRED>
/// ```
/// Names are upper-cased (iCalendar names are case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompSelector {
    pub name: String,
    pub props: IcalPropSelection,
    pub comps: CompSelection,
}

/// Which properties of a component to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IcalPropSelection {
    /// CALDAV:allprop
    All,
    /// CALDAV:prop* — possibly none.
    Only(Vec<IcalPropSelector>),
}

/// RFC 4791 §9.6.4:
/// ```text
/// <!ELEMENT prop EMPTY>
/// <!ATTLIST prop name CDATA #REQUIRED
///                novalue (yes | no) "no">
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcalPropSelector {
    pub name: String,
    /// Return the property without its value.
    pub novalue: bool,
}

/// Which sub-components of a component to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompSelection {
    /// CALDAV:allcomp: all, in full.
    All,
    /// CALDAV:comp* — possibly none.
    Only(Vec<CompSelector>),
}

impl CompSelector {
    /// True when property `name` (any case) is to be returned.
    pub fn wants_property(&self, name: &str) -> bool {
        self.property(name).is_some() || self.props == IcalPropSelection::All
    }

    /// The selector of property `name`, when listed explicitly.
    pub fn property(&self, name: &str) -> Option<&IcalPropSelector> {
        match &self.props {
            IcalPropSelection::All => None,
            IcalPropSelection::Only(props) => {
                props.iter().find(|p| p.name.eq_ignore_ascii_case(name))
            }
        }
    }

    /// True when sub-component `name` (any case) is to be returned.
    pub fn wants_component(&self, name: &str) -> bool {
        match &self.comps {
            CompSelection::All => true,
            CompSelection::Only(_) => self.component(name).is_some(),
        }
    }

    /// The selector for sub-component `name`; `None` under allcomp (return it whole) or
    /// when it is not asked for.
    pub fn component(&self, name: &str) -> Option<&CompSelector> {
        match &self.comps {
            CompSelection::All => None,
            CompSelection::Only(comps) => comps.iter().find(|c| c.name.eq_ignore_ascii_case(name)),
        }
    }
}

/// Parses a CALDAV:calendar-data element of a report's DAV:prop.
pub(crate) fn parse_calendar_data(
    element: &XmlElement,
) -> Result<CalendarDataRequest, DavProtoError> {
    check_format(element)?;
    let mut request = CalendarDataRequest::default();
    for child in element.elements() {
        if child.is(&caldav::COMP) {
            request.comp = Some(parse_comp(child)?);
        } else if child.is(&caldav::EXPAND) {
            request.expand = Some(parse_bounded_range(child)?);
        } else if child.is(&caldav::LIMIT_RECURRENCE_SET) {
            request.limit_recurrence_set = Some(parse_bounded_range(child)?);
        } else if child.is(&caldav::LIMIT_FREEBUSY_SET) {
            request.limit_freebusy_set = Some(parse_bounded_range(child)?);
        }
    }
    if request.expand.is_some() && request.limit_recurrence_set.is_some() {
        return Err(DavProtoError::InvalidElement {
            element: caldav::CALENDAR_DATA,
            reason: "expand and limit-recurrence-set are exclusive".into(),
        });
    }
    Ok(request)
}

/// RFC 4791 §9.6: we produce iCalendar 2.0 only; anything else is
/// CALDAV:supported-calendar-data.
fn check_format(element: &XmlElement) -> Result<(), DavProtoError> {
    if let Some(content_type) = element.attribute("content-type") {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("text/calendar") {
            return Err(DavProtoError::UnsupportedCalendarData(excerpt(
                content_type,
            )));
        }
    }
    match element.attribute("version") {
        Some(version) if version.trim() != "2.0" => Err(DavProtoError::UnsupportedCalendarData(
            format!("version {}", excerpt(version)),
        )),
        _ => Ok(()),
    }
}

fn parse_comp(element: &XmlElement) -> Result<CompSelector, DavProtoError> {
    let name = element
        .required_attribute("name")?
        .trim()
        .to_ascii_uppercase();
    let mut props = Vec::new();
    let mut comps = Vec::new();
    let mut all_props = false;
    let mut all_comps = false;
    for child in element.elements() {
        if child.is(&caldav::ALLPROP) {
            all_props = true;
        } else if child.is(&caldav::PROP) {
            props.push(IcalPropSelector {
                name: child
                    .required_attribute("name")?
                    .trim()
                    .to_ascii_uppercase(),
                novalue: parse_yes_no(child, "novalue")?,
            });
        } else if child.is(&caldav::ALLCOMP) {
            all_comps = true;
        } else if child.is(&caldav::COMP) {
            comps.push(parse_comp(child)?);
        }
    }
    Ok(CompSelector {
        name,
        props: if all_props {
            IcalPropSelection::All
        } else {
            IcalPropSelection::Only(props)
        },
        comps: if all_comps {
            CompSelection::All
        } else {
            CompSelection::Only(comps)
        },
    })
}

/// A `yes`/`no` attribute, `no` when absent.
pub(crate) fn parse_yes_no(element: &XmlElement, attribute: &str) -> Result<bool, DavProtoError> {
    match element.attribute(attribute).map(str::trim) {
        None | Some("no") => Ok(false),
        Some("yes") => Ok(true),
        Some(other) => Err(DavProtoError::InvalidElement {
            element: element.name.clone(),
            reason: format!("{attribute}={:?} is neither yes nor no", excerpt(other)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse_document;

    fn parse(xml: &str) -> Result<CalendarDataRequest, DavProtoError> {
        let wrapped = format!(r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"{xml}"#);
        parse_calendar_data(&parse_document(wrapped.as_bytes()).unwrap().unwrap())
    }

    #[test]
    fn default_is_everything() {
        assert_eq!(parse("/>"), Ok(CalendarDataRequest::default()));
        assert_eq!(
            parse(r#" content-type="text/calendar" version="2.0"/>"#),
            Ok(CalendarDataRequest::default())
        );
    }

    #[test]
    fn rfc_4791_7_8_1_partial_retrieval() {
        let request = parse(
            r#">
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
     </C:calendar-data>"#,
        )
        .unwrap();
        let calendar = request.comp.unwrap();
        assert_eq!(calendar.name, "VCALENDAR");
        assert!(calendar.wants_property("version"));
        assert!(!calendar.wants_property("PRODID"));
        assert!(calendar.wants_component("VEVENT"));
        assert!(!calendar.wants_component("VTODO"));
        let event = calendar.component("vevent").unwrap();
        assert!(event.wants_property("SUMMARY"));
        assert!(!event.wants_property("DESCRIPTION"));
        let IcalPropSelection::Only(props) = &event.props else {
            panic!()
        };
        assert_eq!(props.len(), 10);
        let timezone = calendar.component("VTIMEZONE").unwrap();
        assert_eq!(timezone.props, IcalPropSelection::Only(vec![]));
    }

    #[test]
    fn rfc_4791_7_8_3_expand() {
        let request = parse(
            r#"><C:expand start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data>"#,
        )
        .unwrap();
        assert_eq!(
            request.expand,
            Some(BoundedTimeRange {
                start: 1_136_246_400,
                end: 1_136_419_200
            })
        );
    }

    #[test]
    fn allprop_allcomp_novalue_and_limits() {
        let request = parse(
            r#"><C:comp name="vcalendar"><C:allprop/><C:comp name="VEVENT"><C:prop name="ATTACH" novalue="yes"/><C:allcomp/></C:comp></C:comp>
<C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/>
<C:limit-freebusy-set start="20060102T000000Z" end="20060103T000000Z"/></C:calendar-data>"#,
        )
        .unwrap();
        let calendar = request.comp.unwrap();
        assert_eq!(calendar.props, IcalPropSelection::All);
        assert!(calendar.wants_property("anything"));
        let event = calendar.component("VEVENT").unwrap();
        assert!(event.property("attach").unwrap().novalue);
        assert!(event.wants_component("VALARM"));
        assert!(event.component("VALARM").is_none());
        assert!(request.limit_recurrence_set.is_some());
        assert!(request.limit_freebusy_set.is_some());
    }

    #[test]
    fn refuses_invalid_requests() {
        assert!(matches!(
            parse(r#" content-type="application/calendar+json"/>"#),
            Err(DavProtoError::UnsupportedCalendarData(_))
        ));
        assert!(matches!(
            parse(r#" version="1.0"/>"#),
            Err(DavProtoError::UnsupportedCalendarData(_))
        ));
        assert!(matches!(
            parse(r#"><C:comp/></C:calendar-data>"#),
            Err(DavProtoError::MissingAttribute { .. })
        ));
        assert!(matches!(
            parse(r#"><C:expand start="20060103T000000Z"/></C:calendar-data>"#),
            Err(DavProtoError::InvalidElement { .. })
        ));
        assert!(matches!(
            parse(
                r#"><C:expand start="20060103T000000Z" end="20060105T000000Z"/><C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data>"#
            ),
            Err(DavProtoError::InvalidElement { .. })
        ));
        assert!(matches!(
            parse(
                r#"><C:comp name="VCALENDAR"><C:prop name="X" novalue="maybe"/></C:comp></C:calendar-data>"#
            ),
            Err(DavProtoError::InvalidElement { .. })
        ));
        assert!(parse(r#" content-type="text/calendar; charset=utf-8"/>"#).is_ok());
    }
}
