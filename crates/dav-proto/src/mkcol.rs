//! Extended MKCOL (RFC 5689): a resourcetype and initial properties in the body, and the
//! DAV:mkcol-response sent when one of them cannot be set.

use crate::error::DavProtoError;
use crate::name::{PropName, dav};
use crate::prop_value::PropValueXml;
use crate::proppatch::{PropUpdateResult, propstat_document, set_properties, update_propstats};
use crate::xml::parse_document;

/// RFC 5689 §5.1:
/// ```text
/// <!ELEMENT mkcol (set+)>
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtendedMkcol {
    /// The children of the DAV:resourcetype that was set, e.g. `[collection, calendar]`;
    /// `None` when the body sets no resourcetype (a plain collection).
    pub resource_type: Option<Vec<PropName>>,
    /// The other properties to set.
    pub properties: Vec<PropValueXml>,
}

/// Parses a MKCOL body. `Ok(None)` for an empty body: a plain RFC 4918 MKCOL.
pub fn parse_mkcol(body: &[u8]) -> Result<Option<ExtendedMkcol>, DavProtoError> {
    let Some(root) = parse_document(body)? else {
        return Ok(None);
    };
    root.expect_root(&dav::MKCOL)?;
    let mut mkcol = ExtendedMkcol::default();
    for set in root.children_named(&dav::SET) {
        for value in set_properties(set, set.lang().or(root.lang()))? {
            if value.name() == &dav::RESOURCETYPE {
                mkcol.resource_type = Some(value.child_names());
            } else {
                mkcol.properties.push(value);
            }
        }
    }
    if root.child(&dav::SET).is_none() {
        return Err(DavProtoError::MissingElement {
            parent: dav::MKCOL,
            child: dav::SET,
        });
    }
    Ok(Some(mkcol))
}

/// The body of a failed extended MKCOL (RFC 5689 §5.2): DAV:mkcol-response.
pub fn mkcol_response_body(results: Vec<PropUpdateResult>) -> Vec<u8> {
    propstat_document(&dav::MKCOL_RESPONSE, &update_propstats(results))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::caldav;
    use crate::proppatch::PropFailure;
    use crate::xml::parse_document;

    #[test]
    fn rfc_5689_example_calendar() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:mkcol xmlns:D="DAV:"
                 xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:set>
       <D:prop>
         <D:resourcetype>
           <D:collection/>
           <C:calendar/>
         </D:resourcetype>
         <D:displayname>Lisa's Events</D:displayname>
         <C:calendar-description xml:lang="en"
   >Calendar restricted to events.</C:calendar-description>
         <C:supported-calendar-component-set>
           <C:comp name="VEVENT"/>
         </C:supported-calendar-component-set>
       </D:prop>
     </D:set>
   </D:mkcol>"#;
        let mkcol = parse_mkcol(body).unwrap().unwrap();
        assert_eq!(
            mkcol.resource_type,
            Some(vec![dav::COLLECTION, caldav::CALENDAR])
        );
        assert_eq!(mkcol.properties.len(), 3);
        assert_eq!(mkcol.properties[0].text_content(), "Lisa's Events");
    }

    #[test]
    fn plain_mkcol_and_errors() {
        assert_eq!(parse_mkcol(b""), Ok(None));
        let no_type = br#"<D:mkcol xmlns:D="DAV:"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set></D:mkcol>"#;
        assert_eq!(parse_mkcol(no_type).unwrap().unwrap().resource_type, None);
        assert!(matches!(
            parse_mkcol(br#"<D:mkcol xmlns:D="DAV:"/>"#),
            Err(DavProtoError::MissingElement { .. })
        ));
        assert!(matches!(
            parse_mkcol(br#"<D:propfind xmlns:D="DAV:"/>"#),
            Err(DavProtoError::UnexpectedRoot { .. })
        ));
    }

    #[test]
    fn failure_body() {
        let body = mkcol_response_body(vec![(
            dav::RESOURCETYPE,
            Err(PropFailure {
                status: 403,
                error: Some(dav::VALID_RESOURCETYPE),
                description: None,
            }),
        )]);
        let root = parse_document(&body).unwrap().unwrap();
        assert_eq!(root.name, dav::MKCOL_RESPONSE);
        let propstat = root.child(&dav::PROPSTAT).unwrap();
        assert!(
            propstat
                .child(&dav::ERROR)
                .unwrap()
                .child(&dav::VALID_RESOURCETYPE)
                .is_some()
        );
    }
}
