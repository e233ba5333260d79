//! DAV:sync-collection (RFC 6578 §3).

use super::{ReportProps, parse_report_props};
use crate::error::{DavProtoError, excerpt};
use crate::name::dav;
use crate::xml::{XmlElement, trim_xml_whitespace};

/// RFC 6578 §6.1:
/// ```text
/// <!ELEMENT sync-collection (sync-token, sync-level, limit?, prop)>
/// <!ELEMENT sync-token CDATA>       <!-- Text MUST be a URI -->
/// <!ELEMENT sync-level CDATA>       <!-- Text MUST be either "1" or "infinite" -->
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCollection {
    /// The client's token; empty on the initial synchronization (RFC 6578 §3.4).
    pub sync_token: String,
    pub sync_level: SyncLevel,
    /// DAV:limit/DAV:nresults (RFC 5323 §5.17): the most results the client wants.
    pub limit: Option<u32>,
    pub props: ReportProps,
}

/// How deep the report looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncLevel {
    /// Direct members only.
    One,
    /// All members at any depth.
    Infinite,
}

pub(super) fn parse(root: &XmlElement) -> Result<SyncCollection, DavProtoError> {
    let sync_token = root
        .child(&dav::SYNC_TOKEN)
        .map(|token| trim_xml_whitespace(&token.text_content()).to_owned())
        .unwrap_or_default();
    // Clients written against the drafts omit sync-level; level 1 is what they meant.
    let sync_level = match root.child(&dav::SYNC_LEVEL) {
        Some(level) => parse_sync_level(level)?,
        None => SyncLevel::One,
    };
    let limit = root.child(&dav::LIMIT).map(parse_limit).transpose()?;
    let props = parse_report_props(root)?;
    Ok(SyncCollection {
        sync_token,
        sync_level,
        limit,
        props,
    })
}

fn parse_sync_level(element: &XmlElement) -> Result<SyncLevel, DavProtoError> {
    let text = element.text_content();
    match trim_xml_whitespace(&text) {
        "1" => Ok(SyncLevel::One),
        "infinite" | "infinity" => Ok(SyncLevel::Infinite),
        other => Err(DavProtoError::InvalidElement {
            element: dav::SYNC_LEVEL,
            reason: format!("{:?} is neither 1 nor infinite", excerpt(other)),
        }),
    }
}

fn parse_limit(element: &XmlElement) -> Result<u32, DavProtoError> {
    let nresults = element.required_child(&dav::NRESULTS)?;
    let text = nresults.text_content();
    trim_xml_whitespace(&text)
        .parse()
        .map_err(|_| DavProtoError::InvalidElement {
            element: dav::NRESULTS,
            reason: format!("{:?} is not a count", excerpt(&text)),
        })
}

#[cfg(test)]
mod tests {
    use super::super::{Report, parse_report};
    use super::*;
    use crate::name::caldav;
    use crate::propfind::PropSelection;

    fn sync(body: &[u8]) -> SyncCollection {
        match parse_report(body).unwrap() {
            Report::SyncCollection(sync) => sync,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rfc_6578_3_8_initial_and_subsequent() {
        let initial = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:sync-collection xmlns:D="DAV:">
     <D:sync-token/>
     <D:sync-level>1</D:sync-level>
     <D:prop xmlns:R="urn:ns.example.com:boxschema">
       <D:getetag/>
       <R:bigbox/>
     </D:prop>
   </D:sync-collection>"#;
        let sync_initial = sync(initial);
        assert_eq!(sync_initial.sync_token, "");
        assert_eq!(sync_initial.sync_level, SyncLevel::One);
        assert_eq!(sync_initial.limit, None);
        assert_eq!(
            sync_initial.props.selection,
            PropSelection::Prop(vec![
                dav::GETETAG,
                crate::name::PropName::new("urn:ns.example.com:boxschema", "bigbox")
            ])
        );
        let next = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:sync-collection xmlns:D="DAV:">
     <D:sync-token
     >http://example.com/ns/sync/1234</D:sync-token>
     <D:sync-level>infinite</D:sync-level>
     <D:limit><D:nresults>100</D:nresults></D:limit>
     <D:prop><D:getetag/></D:prop>
   </D:sync-collection>"#;
        let next = sync(next);
        assert_eq!(next.sync_token, "http://example.com/ns/sync/1234");
        assert_eq!(next.sync_level, SyncLevel::Infinite);
        assert_eq!(next.limit, Some(100));
    }

    #[test]
    fn ios_sync_without_level() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<A:sync-collection xmlns:A="DAV:">
  <A:sync-token>https://calvault.example/sync/17</A:sync-token>
  <A:prop>
    <A:getcontenttype/>
    <A:getetag/>
  </A:prop>
</A:sync-collection>"#;
        let sync = sync(body);
        assert_eq!(sync.sync_level, SyncLevel::One);
        assert_eq!(sync.sync_token, "https://calvault.example/sync/17");
    }

    #[test]
    fn davx5_sync_with_calendar_data() {
        let body = br#"<?xml version='1.0' encoding='UTF-8' ?><sync-collection xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><sync-token>http://calvault/sync/3</sync-token><sync-level>1</sync-level><prop><getetag /><CAL:calendar-data /></prop></sync-collection>"#;
        let sync = sync(body);
        assert!(sync.props.calendar_data.is_some());
        assert!(
            sync.props
                .selection
                .names()
                .contains(&caldav::CALENDAR_DATA)
        );
    }

    #[test]
    fn bad_level_and_limit() {
        let level = br#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>2</D:sync-level><D:prop/></D:sync-collection>"#;
        assert!(matches!(
            parse_report(level),
            Err(DavProtoError::InvalidElement { .. })
        ));
        let limit = br#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:limit><D:nresults>-5</D:nresults></D:limit><D:prop/></D:sync-collection>"#;
        assert!(matches!(
            parse_report(limit),
            Err(DavProtoError::InvalidElement { .. })
        ));
        let no_nresults = br#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:limit/><D:prop/></D:sync-collection>"#;
        assert!(matches!(
            parse_report(no_nresults),
            Err(DavProtoError::MissingElement { .. })
        ));
    }
}
