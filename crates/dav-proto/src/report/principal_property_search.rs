//! DAV:principal-property-search (RFC 3744 §9.4), with the CalendarServer `test` and
//! `match-type` attributes that iOS and macOS send.

use crate::error::{DavProtoError, excerpt};
use crate::name::{PropName, dav};
use crate::propfind::prop_names;
use crate::xml::XmlElement;

/// RFC 3744 §9.4:
/// ```text
/// <!ELEMENT principal-property-search
///  ((property-search+), prop?, apply-to-principal-collection-set?) >
/// <!ELEMENT property-search (prop, match) >
/// <!ELEMENT match #PCDATA >
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalPropertySearch {
    pub property_searches: Vec<PropertySearch>,
    /// `test="anyof"|"allof"` on the root; RFC 3744 semantics are allof.
    pub test: SearchTest,
    /// The properties to return for each matching principal.
    pub props: Vec<PropName>,
    /// Search the principal collections rather than the request-URI.
    pub apply_to_principal_collection_set: bool,
}

/// One condition: `match` must be found in any of `props`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertySearch {
    pub props: Vec<PropName>,
    pub match_text: String,
    pub match_type: MatchType,
}

/// How the conditions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchTest {
    AllOf,
    AnyOf,
}

/// CalendarServer's `match-type`; RFC 3744 itself means a case-insensitive substring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchType {
    Contains,
    StartsWith,
    EndsWith,
    Equals,
}

impl MatchType {
    /// Case-insensitive comparison of `value` with `text` under this match type.
    pub fn matches(self, value: &str, text: &str) -> bool {
        let value = value.to_lowercase();
        let text = text.to_lowercase();
        match self {
            MatchType::Contains => value.contains(&text),
            MatchType::StartsWith => value.starts_with(&text),
            MatchType::EndsWith => value.ends_with(&text),
            MatchType::Equals => value == text,
        }
    }
}

pub(super) fn parse(root: &XmlElement) -> Result<PrincipalPropertySearch, DavProtoError> {
    let property_searches = root
        .children_named(&dav::PROPERTY_SEARCH)
        .map(parse_property_search)
        .collect::<Result<Vec<_>, _>>()?;
    if property_searches.is_empty() {
        return Err(DavProtoError::MissingElement {
            parent: dav::PRINCIPAL_PROPERTY_SEARCH,
            child: dav::PROPERTY_SEARCH,
        });
    }
    let test = match root.attribute("test").map(str::trim) {
        None | Some("allof") => SearchTest::AllOf,
        Some("anyof") => SearchTest::AnyOf,
        Some(other) => {
            return Err(DavProtoError::InvalidElement {
                element: dav::PRINCIPAL_PROPERTY_SEARCH,
                reason: format!("test={:?} is neither anyof nor allof", excerpt(other)),
            });
        }
    };
    Ok(PrincipalPropertySearch {
        property_searches,
        test,
        props: root.child(&dav::PROP).map(prop_names).unwrap_or_default(),
        apply_to_principal_collection_set: root
            .child(&dav::APPLY_TO_PRINCIPAL_COLLECTION_SET)
            .is_some(),
    })
}

fn parse_property_search(element: &XmlElement) -> Result<PropertySearch, DavProtoError> {
    let props = prop_names(element.required_child(&dav::PROP)?);
    let matcher = element.required_child(&dav::MATCH)?;
    let match_type = match matcher.attribute("match-type").map(str::trim) {
        None | Some("contains") => MatchType::Contains,
        Some("starts-with") => MatchType::StartsWith,
        Some("ends-with") => MatchType::EndsWith,
        Some("equals") => MatchType::Equals,
        Some(other) => {
            return Err(DavProtoError::InvalidElement {
                element: dav::MATCH,
                reason: format!("unknown match-type {:?}", excerpt(other)),
            });
        }
    };
    Ok(PropertySearch {
        props,
        match_text: matcher.text_content().trim().to_owned(),
        match_type,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Report, parse_report};
    use super::*;
    use crate::name::{NS_CALENDARSERVER, caldav};

    fn search(body: &[u8]) -> PrincipalPropertySearch {
        match parse_report(body).unwrap() {
            Report::PrincipalPropertySearch(search) => search,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rfc_3744_9_4_example() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:principal-property-search xmlns:D="DAV:">
     <D:property-search>
       <D:prop>
         <D:displayname/>
       </D:prop>
       <D:match>doE</D:match>
     </D:property-search>
     <D:property-search>
       <D:prop xmlns:B="http://www.example.com/ns/">
         <B:title/>
       </D:prop>
       <D:match>Sales</D:match>
     </D:property-search>
     <D:prop xmlns:B="http://www.example.com/ns/">
       <D:displayname/>
       <B:department/>
       <B:phone/>
       <B:office/>
       <B:salary/>
     </D:prop>
   </D:principal-property-search>"#;
        let search = search(body);
        assert_eq!(search.property_searches.len(), 2);
        assert_eq!(search.property_searches[0].props, [dav::DISPLAYNAME]);
        assert_eq!(search.property_searches[0].match_text, "doE");
        assert_eq!(search.property_searches[0].match_type, MatchType::Contains);
        assert_eq!(search.test, SearchTest::AllOf);
        assert_eq!(search.props.len(), 5);
        assert!(!search.apply_to_principal_collection_set);
    }

    #[test]
    fn macos_attendee_lookup() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<B:principal-property-search xmlns:B="DAV:" test="anyof">
  <B:property-search>
    <B:prop><CS:first-name xmlns:CS="http://calendarserver.org/ns/"/></B:prop>
    <B:match match-type="starts-with">ali</B:match>
  </B:property-search>
  <B:property-search>
    <B:prop><C:calendar-user-address-set xmlns:C="urn:ietf:params:xml:ns:caldav"/></B:prop>
    <B:match match-type="starts-with">ali</B:match>
  </B:property-search>
  <B:prop>
    <C:calendar-user-address-set xmlns:C="urn:ietf:params:xml:ns:caldav"/>
    <B:displayname/>
    <CS:record-type xmlns:CS="http://calendarserver.org/ns/"/>
  </B:prop>
  <B:apply-to-principal-collection-set/>
</B:principal-property-search>"#;
        let search = search(body);
        assert_eq!(search.test, SearchTest::AnyOf);
        assert!(search.apply_to_principal_collection_set);
        assert_eq!(
            search.property_searches[0].props,
            [PropName::new(NS_CALENDARSERVER, "first-name")]
        );
        assert_eq!(
            search.property_searches[1].props,
            [caldav::CALENDAR_USER_ADDRESS_SET]
        );
        assert_eq!(
            search.property_searches[1].match_type,
            MatchType::StartsWith
        );
        assert!(MatchType::StartsWith.matches("Alice Smith", "ali"));
        assert!(!MatchType::EndsWith.matches("Alice Smith", "ali"));
        assert!(MatchType::Equals.matches("ALICE", "alice"));
    }

    #[test]
    fn refuses_incomplete_searches() {
        let none = br#"<D:principal-property-search xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:principal-property-search>"#;
        assert!(matches!(
            parse_report(none),
            Err(DavProtoError::MissingElement { .. })
        ));
        let no_match = br#"<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop></D:property-search></D:principal-property-search>"#;
        assert!(matches!(
            parse_report(no_match),
            Err(DavProtoError::MissingElement { .. })
        ));
        let bad_type = br#"<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop><D:match match-type="regex">a</D:match></D:property-search></D:principal-property-search>"#;
        assert!(matches!(
            parse_report(bad_type),
            Err(DavProtoError::InvalidElement { .. })
        ));
    }
}
