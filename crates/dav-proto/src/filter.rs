//! The calendar-query filter (RFC 4791 §9.7) as a typed tree. Evaluating it against
//! calendar objects is the domain's business; this module only reads and validates it.
//! Every error here is CALDAV:valid-filter, except an unknown collation
//! (CALDAV:supported-collation).

use crate::error::{DavProtoError, excerpt};
use crate::name::{NS_CALDAV, PropName, caldav};
use crate::time_range::{RangeContext, TimeRange, parse_time_range};
use crate::xml::{XmlElement, trim_xml_whitespace};

/// RFC 4791 §9.7:
/// ```text
/// <!ELEMENT filter (comp-filter)>
/// ```
/// Its comp-filter is always the VCALENDAR one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFilter {
    pub vcalendar: CompFilter,
}

/// RFC 4791 §9.7.1:
/// ```text
/// <!ELEMENT comp-filter (is-not-defined | (time-range?, prop-filter*, comp-filter*))>
/// <!ATTLIST comp-filter name CDATA #REQUIRED>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompFilter {
    /// Upper-cased component name, e.g. `VEVENT`.
    pub name: String,
    pub test: CompTest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompTest {
    /// Matches when the component does not exist.
    IsNotDefined,
    /// Matches when the component exists and every given condition holds (an empty one
    /// just tests existence).
    Matches {
        time_range: Option<TimeRange>,
        prop_filters: Vec<PropFilter>,
        comp_filters: Vec<CompFilter>,
    },
}

/// RFC 4791 §9.7.2:
/// ```text
/// <!ELEMENT prop-filter (is-not-defined | ((time-range | text-match)?, param-filter*))>
/// <!ATTLIST prop-filter name CDATA #REQUIRED>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropFilter {
    /// Upper-cased property name, e.g. `UID`.
    pub name: String,
    pub test: PropTest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropTest {
    IsNotDefined,
    Matches {
        value: Option<PropValueTest>,
        param_filters: Vec<ParamFilter>,
    },
}

/// The test on a property's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropValueTest {
    TimeRange(TimeRange),
    TextMatch(TextMatch),
}

/// RFC 4791 §9.7.3:
/// ```text
/// <!ELEMENT param-filter (is-not-defined | text-match?)>
/// <!ATTLIST param-filter name CDATA #REQUIRED>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamFilter {
    /// Upper-cased parameter name, e.g. `PARTSTAT`.
    pub name: String,
    pub test: ParamTest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamTest {
    IsNotDefined,
    /// Matches when the parameter exists (and its value matches, if a text-match is given).
    Matches(Option<TextMatch>),
}

/// RFC 4791 §9.7.5:
/// ```text
/// <!ELEMENT text-match (#PCDATA)>
/// <!ATTLIST text-match collation        CDATA "i;ascii-casemap"
///                      negate-condition (yes | no) "no">
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    /// The substring to look for (surrounding XML whitespace trimmed).
    pub value: String,
    pub collation: Collation,
    pub negate: bool,
}

/// RFC 4791 §7.5.1: the collations we support (RFC 4790).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collation {
    /// `i;ascii-casemap`: ASCII letters compare case-insensitively.
    AsciiCasemap,
    /// `i;octet`: bytes compare exactly.
    Octet,
}

impl TextMatch {
    /// RFC 4791 §9.7.5: true when `value` contains the text under the collation, inverted
    /// by negate-condition.
    pub fn matches(&self, value: &str) -> bool {
        let found = match self.collation {
            Collation::Octet => value.contains(self.value.as_str()),
            Collation::AsciiCasemap => value
                .to_ascii_lowercase()
                .contains(&self.value.to_ascii_lowercase()),
        };
        found != self.negate
    }
}

/// Parses a CALDAV:filter element.
pub(crate) fn parse_filter(filter: &XmlElement) -> Result<CalendarFilter, DavProtoError> {
    let mut comp_filters = filter.children_named(&caldav::COMP_FILTER);
    let Some(vcalendar) = comp_filters.next() else {
        return Err(invalid("filter has no comp-filter"));
    };
    if comp_filters.next().is_some() {
        return Err(invalid("filter has more than one comp-filter"));
    }
    let vcalendar = parse_comp_filter(vcalendar)?;
    if vcalendar.name != "VCALENDAR" {
        return Err(invalid("the top comp-filter must name VCALENDAR"));
    }
    Ok(CalendarFilter { vcalendar })
}

fn parse_comp_filter(element: &XmlElement) -> Result<CompFilter, DavProtoError> {
    let name = filter_name(element)?;
    check_children(
        element,
        &["is-not-defined", "time-range", "prop-filter", "comp-filter"],
    )?;
    if element.child(&caldav::IS_NOT_DEFINED).is_some() {
        only_is_not_defined(element)?;
        return Ok(CompFilter {
            name,
            test: CompTest::IsNotDefined,
        });
    }
    let time_range = at_most_one(element, &caldav::TIME_RANGE)?
        .map(|e| parse_time_range(e, RangeContext::Filter))
        .transpose()?;
    let prop_filters = element
        .children_named(&caldav::PROP_FILTER)
        .map(parse_prop_filter)
        .collect::<Result<_, _>>()?;
    let comp_filters = element
        .children_named(&caldav::COMP_FILTER)
        .map(parse_comp_filter)
        .collect::<Result<_, _>>()?;
    Ok(CompFilter {
        name,
        test: CompTest::Matches {
            time_range,
            prop_filters,
            comp_filters,
        },
    })
}

fn parse_prop_filter(element: &XmlElement) -> Result<PropFilter, DavProtoError> {
    let name = filter_name(element)?;
    check_children(
        element,
        &["is-not-defined", "time-range", "text-match", "param-filter"],
    )?;
    if element.child(&caldav::IS_NOT_DEFINED).is_some() {
        only_is_not_defined(element)?;
        return Ok(PropFilter {
            name,
            test: PropTest::IsNotDefined,
        });
    }
    let time_range = at_most_one(element, &caldav::TIME_RANGE)?;
    let text_match = at_most_one(element, &caldav::TEXT_MATCH)?;
    let value = match (time_range, text_match) {
        (Some(_), Some(_)) => {
            return Err(invalid("prop-filter has both time-range and text-match"));
        }
        (Some(range), None) => Some(PropValueTest::TimeRange(parse_time_range(
            range,
            RangeContext::Filter,
        )?)),
        (None, Some(text)) => Some(PropValueTest::TextMatch(parse_text_match(text)?)),
        (None, None) => None,
    };
    let param_filters = element
        .children_named(&caldav::PARAM_FILTER)
        .map(parse_param_filter)
        .collect::<Result<_, _>>()?;
    Ok(PropFilter {
        name,
        test: PropTest::Matches {
            value,
            param_filters,
        },
    })
}

fn parse_param_filter(element: &XmlElement) -> Result<ParamFilter, DavProtoError> {
    let name = filter_name(element)?;
    check_children(element, &["is-not-defined", "text-match"])?;
    if element.child(&caldav::IS_NOT_DEFINED).is_some() {
        only_is_not_defined(element)?;
        return Ok(ParamFilter {
            name,
            test: ParamTest::IsNotDefined,
        });
    }
    let text_match = at_most_one(element, &caldav::TEXT_MATCH)?
        .map(parse_text_match)
        .transpose()?;
    Ok(ParamFilter {
        name,
        test: ParamTest::Matches(text_match),
    })
}

fn parse_text_match(element: &XmlElement) -> Result<TextMatch, DavProtoError> {
    let collation = match element.attribute("collation").map(str::trim) {
        None | Some("i;ascii-casemap") => Collation::AsciiCasemap,
        Some("i;octet") => Collation::Octet,
        Some(other) => return Err(DavProtoError::UnsupportedCollation(excerpt(other))),
    };
    let negate = match element.attribute("negate-condition").map(str::trim) {
        None | Some("no") => false,
        Some("yes") => true,
        Some(_) => return Err(invalid("negate-condition must be yes or no")),
    };
    Ok(TextMatch {
        value: trim_xml_whitespace(&element.text_content()).to_owned(),
        collation,
        negate,
    })
}

fn filter_name(element: &XmlElement) -> Result<String, DavProtoError> {
    let name = element.attribute("name").map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Err(invalid(&format!("{} without a name", element.name.local)));
    }
    Ok(name.to_ascii_uppercase())
}

/// CalDAV children we do not know would silently widen the match: refuse them. Children
/// in other namespaces are extensions and are ignored (RFC 4918 §17).
fn check_children(element: &XmlElement, allowed: &[&str]) -> Result<(), DavProtoError> {
    let unknown = element
        .elements()
        .find(|c| c.name.namespace == NS_CALDAV && !allowed.contains(&&*c.name.local));
    match unknown {
        Some(child) => Err(invalid(&format!(
            "{} is not allowed in {}",
            child.name.local, element.name.local
        ))),
        None => Ok(()),
    }
}

fn only_is_not_defined(element: &XmlElement) -> Result<(), DavProtoError> {
    let others = element
        .elements()
        .any(|c| c.name.namespace == NS_CALDAV && !c.is(&caldav::IS_NOT_DEFINED));
    if others {
        return Err(invalid(&format!(
            "is-not-defined must be alone in {}",
            element.name.local
        )));
    }
    Ok(())
}

fn at_most_one<'a>(
    element: &'a XmlElement,
    name: &PropName,
) -> Result<Option<&'a XmlElement>, DavProtoError> {
    let mut found = element.children_named(name);
    let first = found.next();
    if found.next().is_some() {
        return Err(invalid(&format!(
            "more than one {} in {}",
            name.local, element.name.local
        )));
    }
    Ok(first)
}

fn invalid(reason: &str) -> DavProtoError {
    DavProtoError::InvalidFilter(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse_document;

    fn parse(inner: &str) -> Result<CalendarFilter, DavProtoError> {
        let xml =
            format!(r#"<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav">{inner}</C:filter>"#);
        parse_filter(&parse_document(xml.as_bytes()).unwrap().unwrap())
    }

    fn matches(test: &CompTest) -> (&Option<TimeRange>, &Vec<PropFilter>, &Vec<CompFilter>) {
        match test {
            CompTest::Matches {
                time_range,
                prop_filters,
                comp_filters,
            } => (time_range, prop_filters, comp_filters),
            CompTest::IsNotDefined => panic!("expected Matches"),
        }
    }

    #[test]
    fn events_in_a_time_range() {
        let filter = parse(
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="20060104T000000Z" end="20060105T000000Z"/></C:comp-filter></C:comp-filter>"#,
        )
        .unwrap();
        assert_eq!(filter.vcalendar.name, "VCALENDAR");
        let (_, _, comps) = matches(&filter.vcalendar.test);
        assert_eq!(comps[0].name, "VEVENT");
        let (range, props, _) = matches(&comps[0].test);
        assert_eq!(
            *range,
            Some(TimeRange {
                start: Some(1_136_332_800),
                end: Some(1_136_419_200)
            })
        );
        assert!(props.is_empty());
    }

    #[test]
    fn rfc_4791_7_8_6_attendee_partstat() {
        let filter = parse(
            r#"<C:comp-filter name="VCALENDAR">
          <C:comp-filter name="VEVENT">
            <C:prop-filter name="ATTENDEE">
              <C:text-match collation="i;ascii-casemap"
               >mailto:lisa@example.com</C:text-match>
              <C:param-filter name="PARTSTAT">
                <C:text-match collation="i;ascii-casemap"
                 >NEEDS-ACTION</C:text-match>
              </C:param-filter>
            </C:prop-filter>
          </C:comp-filter>
        </C:comp-filter>"#,
        )
        .unwrap();
        let (_, _, comps) = matches(&filter.vcalendar.test);
        let (_, props, _) = matches(&comps[0].test);
        let PropTest::Matches {
            value: Some(PropValueTest::TextMatch(text)),
            param_filters,
        } = &props[0].test
        else {
            panic!()
        };
        assert_eq!(text.value, "mailto:lisa@example.com");
        assert_eq!(text.collation, Collation::AsciiCasemap);
        assert_eq!(param_filters[0].name, "PARTSTAT");
        assert!(
            matches!(&param_filters[0].test, ParamTest::Matches(Some(t)) if t.value == "NEEDS-ACTION")
        );
    }

    #[test]
    fn rfc_4791_7_8_9_todos_needing_action() {
        let filter = parse(
            r#"<C:comp-filter name="VCALENDAR">
          <C:comp-filter name="VTODO">
            <C:prop-filter name="COMPLETED">
              <C:is-not-defined/>
            </C:prop-filter>
            <C:prop-filter name="STATUS">
              <C:text-match
                 negate-condition="yes">CANCELLED</C:text-match>
            </C:prop-filter>
          </C:comp-filter>
        </C:comp-filter>"#,
        )
        .unwrap();
        let (_, _, comps) = matches(&filter.vcalendar.test);
        let (_, props, _) = matches(&comps[0].test);
        assert_eq!(props[0].test, PropTest::IsNotDefined);
        let PropTest::Matches {
            value: Some(PropValueTest::TextMatch(text)),
            ..
        } = &props[1].test
        else {
            panic!()
        };
        assert!(text.negate);
        assert!(text.matches("NEEDS-ACTION"));
        assert!(!text.matches("cancelled"));
    }

    #[test]
    fn thunderbird_uid_lookup_and_octet() {
        let filter = parse(
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">abc-123</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>"#,
        )
        .unwrap();
        let (_, _, comps) = matches(&filter.vcalendar.test);
        let (_, props, _) = matches(&comps[0].test);
        let PropTest::Matches {
            value: Some(PropValueTest::TextMatch(text)),
            ..
        } = &props[0].test
        else {
            panic!()
        };
        assert_eq!(text.collation, Collation::Octet);
        assert!(text.matches("xabc-123y"));
        assert!(!text.matches("ABC-123"));
    }

    #[test]
    fn comp_is_not_defined_and_prop_time_range() {
        let filter = parse(
            r#"<C:comp-filter name="vcalendar"><C:comp-filter name="VTODO"><C:prop-filter name="DUE"><C:time-range end="20060105T000000Z"/></C:prop-filter><C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter></C:comp-filter></C:comp-filter>"#,
        )
        .unwrap();
        assert_eq!(filter.vcalendar.name, "VCALENDAR");
        let (_, _, comps) = matches(&filter.vcalendar.test);
        let (_, props, alarms) = matches(&comps[0].test);
        assert!(matches!(
            &props[0].test,
            PropTest::Matches {
                value: Some(PropValueTest::TimeRange(TimeRange {
                    start: None,
                    end: Some(_)
                })),
                ..
            }
        ));
        assert_eq!(alarms[0].test, CompTest::IsNotDefined);
    }

    #[test]
    fn invalid_filters() {
        let cases = [
            "",
            r#"<C:comp-filter name="VEVENT"/>"#,
            r#"<C:comp-filter name="VCALENDAR"/><C:comp-filter name="VCALENDAR"/>"#,
            r#"<C:comp-filter/>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range/></C:comp-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="2006-01-04"/></C:comp-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060104T000000Z"/><C:time-range start="20060104T000000Z"/></C:comp-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:is-not-defined/><C:prop-filter name="UID"/></C:comp-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:prop-filter name="X"><C:time-range start="20060104T000000Z"/><C:text-match>x</C:text-match></C:prop-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:prop-filter name="X"><C:text-match negate-condition="true">x</C:text-match></C:prop-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:prop-filter name="X"><C:param-filter name=""/></C:prop-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:unknown-test/></C:comp-filter>"#,
        ];
        for case in cases {
            assert!(
                matches!(parse(case), Err(DavProtoError::InvalidFilter(_))),
                "{case}: {:?}",
                parse(case)
            );
        }
    }

    #[test]
    fn unknown_collation() {
        assert_eq!(
            parse(
                r#"<C:comp-filter name="VCALENDAR"><C:prop-filter name="SUMMARY"><C:text-match collation="i;unicode-casemap">x</C:text-match></C:prop-filter></C:comp-filter>"#
            ),
            Err(DavProtoError::UnsupportedCollation(
                "i;unicode-casemap".into()
            ))
        );
    }

    #[test]
    fn foreign_extensions_are_ignored() {
        assert!(
            parse(r#"<C:comp-filter name="VCALENDAR" xmlns:X="urn:x"><X:hint/></C:comp-filter>"#)
                .is_ok()
        );
    }
}
