//! DAV:expand-property (RFC 3253 §3.8), used by clients to read principals' properties
//! (e.g. calendar-proxy groups) in one request.

use crate::error::{DavProtoError, excerpt};
use crate::name::{NS_DAV, PropName, dav, is_ncname};
use crate::xml::XmlElement;

/// RFC 3253 §3.8:
/// ```text
/// <!ELEMENT expand-property (property*)>
/// <!ELEMENT property (property*)>
/// <!ATTLIST property name NMTOKEN #REQUIRED
///                    namespace NMTOKEN "DAV:">
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandProperty {
    pub properties: Vec<PropertyToExpand>,
}

/// A property to report; when it has children, each href in its value is replaced by a
/// DAV:response for that resource carrying the child properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyToExpand {
    pub name: PropName,
    pub properties: Vec<PropertyToExpand>,
}

pub(super) fn parse(root: &XmlElement) -> Result<ExpandProperty, DavProtoError> {
    Ok(ExpandProperty {
        properties: parse_properties(root)?,
    })
}

fn parse_properties(element: &XmlElement) -> Result<Vec<PropertyToExpand>, DavProtoError> {
    element
        .children_named(&dav::PROPERTY)
        .map(parse_property)
        .collect()
}

fn parse_property(element: &XmlElement) -> Result<PropertyToExpand, DavProtoError> {
    let local = element.required_attribute("name")?.trim();
    // The name is written back as an element name: it must be one.
    if !is_ncname(local) {
        return Err(DavProtoError::InvalidElement {
            element: dav::PROPERTY,
            reason: format!("{:?} is not an XML name", excerpt(local)),
        });
    }
    let namespace = element.attribute("namespace").unwrap_or(NS_DAV).trim();
    Ok(PropertyToExpand {
        name: PropName::new(namespace, local),
        properties: parse_properties(element)?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Report, parse_report};
    use super::*;
    use crate::name::{NS_CALENDARSERVER, calendarserver};

    #[test]
    fn rfc_3253_3_8_1_example() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:expand-property xmlns:D="DAV:">
     <D:property name="version-history">
       <D:property name="version-set">
         <D:property name="creator-displayname"/>
         <D:property name="activity-set"/>
       </D:property>
     </D:property>
   </D:expand-property>"#;
        let Report::ExpandProperty(expand) = parse_report(body).unwrap() else {
            panic!()
        };
        assert_eq!(expand.properties.len(), 1);
        let history = &expand.properties[0];
        assert_eq!(history.name, PropName::dav("version-history"));
        assert_eq!(history.properties[0].properties.len(), 2);
    }

    #[test]
    fn ios_proxy_expansion() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<A:expand-property xmlns:A="DAV:">
  <A:property name="calendar-proxy-write-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="principal-URL" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
  </A:property>
  <A:property name="calendar-proxy-read-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
  </A:property>
</A:expand-property>"#;
        let Report::ExpandProperty(expand) = parse_report(body).unwrap() else {
            panic!()
        };
        assert_eq!(
            expand.properties[0].name,
            calendarserver::CALENDAR_PROXY_WRITE_FOR
        );
        assert_eq!(expand.properties[0].name.namespace, NS_CALENDARSERVER);
        assert_eq!(
            expand.properties[0].properties[2].name,
            crate::name::caldav::CALENDAR_USER_ADDRESS_SET
        );
    }

    #[test]
    fn refuses_unwritable_names() {
        for name in ["", "a b", "x:y", "<z>"] {
            let body = format!(
                r#"<D:expand-property xmlns:D="DAV:"><D:property name="{}"/></D:expand-property>"#,
                name.replace('<', "&lt;").replace('>', "&gt;")
            );
            assert!(parse_report(body.as_bytes()).is_err(), "{name:?}");
        }
        let missing = br#"<D:expand-property xmlns:D="DAV:"><D:property/></D:expand-property>"#;
        assert!(matches!(
            parse_report(missing),
            Err(DavProtoError::MissingAttribute { .. })
        ));
    }
}
