//! PROPFIND request bodies (RFC 4918 §9.1) and the property selection reports share.

use crate::error::DavProtoError;
use crate::name::{PropName, dav};
use crate::xml::{XmlElement, parse_document};

/// Which properties a PROPFIND (or a report) asks for.
///
/// RFC 4918 §14.20:
/// ```text
/// <!ELEMENT propfind ( propname | (allprop, include?) | prop ) >
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropSelection {
    /// All dead properties and the live ones RFC 4918 defines, plus the `include`d ones
    /// (RFC 4918 §9.1: e.g. CALDAV:supported-calendar-component-set).
    AllProp { include: Vec<PropName> },
    /// Names only, no values.
    PropName,
    /// These properties, in request order, duplicates removed.
    Prop(Vec<PropName>),
}

impl PropSelection {
    /// Property names explicitly named (prop list or allprop's include).
    pub fn names(&self) -> &[PropName] {
        match self {
            PropSelection::AllProp { include } => include,
            PropSelection::PropName => &[],
            PropSelection::Prop(names) => names,
        }
    }
}

/// Parses a PROPFIND body. RFC 4918 §9.1: an empty body means allprop.
pub fn parse_propfind(body: &[u8]) -> Result<PropSelection, DavProtoError> {
    let Some(root) = parse_document(body)? else {
        return Ok(PropSelection::AllProp {
            include: Vec::new(),
        });
    };
    root.expect_root(&dav::PROPFIND)?;
    find_selection(&root).ok_or(DavProtoError::MissingElement {
        parent: dav::PROPFIND,
        child: dav::PROP,
    })
}

/// Finds `allprop` (with `include`), `propname` or `prop` among the children of `parent`;
/// `None` when it has none of them. Unknown siblings are ignored (RFC 4918 §17).
pub(crate) fn find_selection(parent: &XmlElement) -> Option<PropSelection> {
    for child in parent.elements() {
        if child.is(&dav::PROP) {
            return Some(PropSelection::Prop(prop_names(child)));
        }
        if child.is(&dav::PROPNAME) {
            return Some(PropSelection::PropName);
        }
        if child.is(&dav::ALLPROP) {
            let include = parent
                .child(&dav::INCLUDE)
                .map(prop_names)
                .unwrap_or_default();
            return Some(PropSelection::AllProp { include });
        }
    }
    None
}

/// The names of the child elements of a DAV:prop (or DAV:include), first occurrence kept.
pub(crate) fn prop_names(prop: &XmlElement) -> Vec<PropName> {
    let mut names: Vec<PropName> = Vec::new();
    for child in prop.elements() {
        if !names.contains(&child.name) {
            names.push(child.name.clone());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::{apple, caldav, calendarserver};

    #[test]
    fn empty_body_is_allprop() {
        assert_eq!(
            parse_propfind(b""),
            Ok(PropSelection::AllProp { include: vec![] })
        );
        assert_eq!(
            parse_propfind(b"\r\n"),
            Ok(PropSelection::AllProp { include: vec![] })
        );
    }

    #[test]
    fn rfc_4918_9_1_examples() {
        let prop = br#"<?xml version="1.0" encoding="utf-8" ?>
     <D:propfind xmlns:D="DAV:">
       <D:prop xmlns:R="http://ns.example.com/boxschema/">
         <R:bigbox/>
         <R:author/>
         <R:DingALing/>
         <R:Random/>
       </D:prop>
     </D:propfind>"#;
        let boxschema = "http://ns.example.com/boxschema/";
        assert_eq!(
            parse_propfind(prop),
            Ok(PropSelection::Prop(vec![
                PropName::new(boxschema, "bigbox"),
                PropName::new(boxschema, "author"),
                PropName::new(boxschema, "DingALing"),
                PropName::new(boxschema, "Random"),
            ]))
        );
        let propname = br#"<?xml version="1.0" encoding="utf-8" ?>
     <propfind xmlns="DAV:">
       <propname/>
     </propfind>"#;
        assert_eq!(parse_propfind(propname), Ok(PropSelection::PropName));
        let allprop = br#"<?xml version="1.0" encoding="utf-8" ?>
     <D:propfind xmlns:D="DAV:">
       <D:allprop/>
       <D:include>
         <D:supported-live-property-set/>
         <D:supported-report-set/>
       </D:include>
     </D:propfind>"#;
        assert_eq!(
            parse_propfind(allprop),
            Ok(PropSelection::AllProp {
                include: vec![
                    PropName::dav("supported-live-property-set"),
                    dav::SUPPORTED_REPORT_SET
                ]
            })
        );
    }

    #[test]
    fn ios_calendar_home_discovery() {
        // The shape macOS/iOS Calendar sends on a calendar home, Depth: 1.
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:add-member/>
    <C:allowed-sharing-modes xmlns:C="http://calendarserver.org/ns/"/>
    <D:autoprovisioned xmlns:D="http://apple.com/ns/ical/"/>
    <E:bulk-requests xmlns:E="http://me.com/_namespace/"/>
    <D:calendar-color xmlns:D="http://apple.com/ns/ical/"/>
    <B:calendar-description xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:calendar-free-busy-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <D:calendar-order xmlns:D="http://apple.com/ns/ical/"/>
    <B:calendar-timezone xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:current-user-privilege-set/>
    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>
    <A:displayname/>
    <A:owner/>
    <A:resourcetype/>
    <B:supported-calendar-component-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:supported-report-set/>
    <A:sync-token/>
  </A:prop>
</A:propfind>"#;
        let PropSelection::Prop(names) = parse_propfind(body).unwrap() else {
            panic!("expected prop");
        };
        assert_eq!(names.len(), 17);
        assert!(names.contains(&apple::CALENDAR_COLOR));
        assert!(names.contains(&calendarserver::GETCTAG));
        assert!(names.contains(&caldav::SUPPORTED_CALENDAR_COMPONENT_SET));
        assert!(names.contains(&PropName::new("http://me.com/_namespace/", "bulk-requests")));
    }

    #[test]
    fn davx5_current_user_principal() {
        let body = br#"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><current-user-principal /><CAL:calendar-home-set /><CARD:addressbook-home-set /></prop></propfind>"#;
        assert_eq!(
            parse_propfind(body),
            Ok(PropSelection::Prop(vec![
                dav::CURRENT_USER_PRINCIPAL,
                caldav::CALENDAR_HOME_SET,
                PropName::new("urn:ietf:params:xml:ns:carddav", "addressbook-home-set"),
            ]))
        );
    }

    #[test]
    fn duplicates_are_dropped_and_unknown_siblings_ignored() {
        let body = br#"<propfind xmlns="DAV:"><x:ext xmlns:x="urn:x"/><prop><getetag/><getetag/></prop></propfind>"#;
        assert_eq!(
            parse_propfind(body),
            Ok(PropSelection::Prop(vec![dav::GETETAG]))
        );
    }

    #[test]
    fn litmus_invalid_bodies() {
        // litmus propfind_invalid: not well-formed.
        assert!(matches!(
            parse_propfind(b"<foo>"),
            Err(DavProtoError::Malformed(_))
        ));
        // litmus propfind_invalid2: a prefix bound to the empty namespace.
        let body = br#"<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><bar:foo xmlns:bar=""/></prop></propfind>"#;
        assert!(matches!(
            parse_propfind(body),
            Err(DavProtoError::Malformed(_))
        ));
    }

    #[test]
    fn wrong_root_and_missing_selection() {
        assert!(matches!(
            parse_propfind(br#"<D:propertyupdate xmlns:D="DAV:"/>"#),
            Err(DavProtoError::UnexpectedRoot { .. })
        ));
        assert!(matches!(
            parse_propfind(br#"<propfind xmlns="dav:"><prop/></propfind>"#),
            Err(DavProtoError::UnexpectedRoot { .. })
        ));
        assert!(matches!(
            parse_propfind(br#"<D:propfind xmlns:D="DAV:"/>"#),
            Err(DavProtoError::MissingElement { .. })
        ));
    }
}
