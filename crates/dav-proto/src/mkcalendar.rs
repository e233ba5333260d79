//! MKCALENDAR (RFC 4791 §5.3.1): the optional body of initial properties, and the
//! CALDAV:mkcalendar-response sent when one of them cannot be set.

use crate::error::DavProtoError;
use crate::name::{caldav, dav};
use crate::prop_value::PropValueXml;
use crate::proppatch::{PropUpdateResult, propstat_document, set_properties, update_propstats};
use crate::xml::parse_document;

/// RFC 4791 §9.3.1:
/// ```text
/// <!ELEMENT mkcalendar (DAV:set)>
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mkcalendar {
    /// The properties to set on the new calendar (displayname, calendar-description,
    /// calendar-timezone, supported-calendar-component-set, calendar-color, ...).
    pub properties: Vec<PropValueXml>,
}

/// Parses a MKCALENDAR body; an empty body creates a calendar with default properties.
pub fn parse_mkcalendar(body: &[u8]) -> Result<Mkcalendar, DavProtoError> {
    let Some(root) = parse_document(body)? else {
        return Ok(Mkcalendar::default());
    };
    root.expect_root(&caldav::MKCALENDAR)?;
    let mut properties = Vec::new();
    for set in root.children_named(&dav::SET) {
        properties.extend(set_properties(set, set.lang().or(root.lang()))?);
    }
    Ok(Mkcalendar { properties })
}

/// The body of a failed MKCALENDAR (RFC 4791 §5.3.1.2): CALDAV:mkcalendar-response with a
/// propstat per status, the properties that would have succeeded as 424.
pub fn mkcalendar_response_body(results: Vec<PropUpdateResult>) -> Vec<u8> {
    propstat_document(&caldav::MKCALENDAR_RESPONSE, &update_propstats(results))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::apple;
    use crate::proppatch::PropFailure;
    use crate::xml::parse_document;

    #[test]
    fn rfc_4791_5_3_1_2_example() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:mkcalendar xmlns:D="DAV:"
                 xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:set>
       <D:prop>
         <D:displayname>Lisa's Events</D:displayname>
         <C:calendar-description xml:lang="en"
   >Calendar restricted to events.</C:calendar-description>
         <C:supported-calendar-component-set>
           <C:comp name="VEVENT"/>
         </C:supported-calendar-component-set>
         <C:calendar-timezone><![CDATA[BEGIN:VCALENDAR
   PRODID:-//Example Corp.//CalDAV Client//EN
   VERSION:2.0
   BEGIN:VTIMEZONE
   TZID:US-Eastern
   LAST-MODIFIED:19870101T000000Z
   BEGIN:STANDARD
   DTSTART:19671029T020000
   RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
   TZOFFSETFROM:-0400
   TZOFFSETTO:-0500
   TZNAME:Eastern Standard Time (US & Canada)
   END:STANDARD
   END:VTIMEZONE
   END:VCALENDAR
   ]]></C:calendar-timezone>
       </D:prop>
     </D:set>
   </C:mkcalendar>"#;
        let mkcalendar = parse_mkcalendar(body).unwrap();
        let properties = &mkcalendar.properties;
        assert_eq!(properties.len(), 4);
        assert_eq!(properties[0].name(), &dav::DISPLAYNAME);
        assert_eq!(properties[0].text_content(), "Lisa's Events");
        assert_eq!(properties[1].lang(), Some("en"));
        assert_eq!(properties[2].comp_names(), ["VEVENT"]);
        let timezone = properties[3].text_content();
        assert!(timezone.starts_with("BEGIN:VCALENDAR\n"));
        assert!(timezone.contains("TZNAME:Eastern Standard Time (US & Canada)"));
    }

    #[test]
    fn thunderbird_style_body_with_color() {
        let body = br##"<?xml version="1.0" encoding="UTF-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Team</D:displayname><I:calendar-color>#3366CC</I:calendar-color><C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"##;
        let properties = parse_mkcalendar(body).unwrap().properties;
        assert_eq!(properties[1].name(), &apple::CALENDAR_COLOR);
        assert_eq!(properties[1].text_content(), "#3366CC");
        assert_eq!(properties[2].comp_names(), ["VEVENT", "VTODO"]);
    }

    #[test]
    fn empty_body_and_errors() {
        assert_eq!(parse_mkcalendar(b""), Ok(Mkcalendar::default()));
        assert!(matches!(
            parse_mkcalendar(br#"<D:mkcol xmlns:D="DAV:"/>"#),
            Err(DavProtoError::UnexpectedRoot { .. })
        ));
        assert!(matches!(
            parse_mkcalendar(br#"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set/></C:mkcalendar>"#),
            Err(DavProtoError::MissingElement { .. })
        ));
    }

    #[test]
    fn failure_body() {
        let body = mkcalendar_response_body(vec![
            (dav::DISPLAYNAME, Ok(())),
            (dav::RESOURCETYPE, Err(PropFailure::protected())),
        ]);
        let root = parse_document(&body).unwrap().unwrap();
        assert_eq!(root.name, caldav::MKCALENDAR_RESPONSE);
        let statuses: Vec<_> = root
            .children_named(&dav::PROPSTAT)
            .map(|p| p.child(&dav::STATUS).unwrap().text_content())
            .collect();
        assert_eq!(
            statuses,
            ["HTTP/1.1 424 Failed Dependency", "HTTP/1.1 403 Forbidden"]
        );
    }
}
