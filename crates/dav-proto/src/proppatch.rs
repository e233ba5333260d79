//! PROPPATCH (RFC 4918 §9.2): the ordered set/remove instructions, and the 207 answer in
//! which one failure turns every other property into 424 Failed Dependency.

use crate::error::DavProtoError;
use crate::name::{PropName, dav};
use crate::prop_value::PropValueXml;
use crate::response::{ErrorCondition, Multistatus, PropStat, Property, Response, ResponseOutcome};
use crate::xml::write::{Namespaces, XML_DECLARATION};
use crate::xml::{XmlElement, parse_required};

/// RFC 4918 §14.18-19, §14.26:
/// ```text
/// <!ELEMENT propertyupdate (remove | set)+ >
/// <!ELEMENT set (prop) >
/// <!ELEMENT remove (prop) >
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proppatch {
    /// In document order, which is the order they must be applied in (RFC 4918 §9.2).
    pub operations: Vec<ProppatchOperation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProppatchOperation {
    /// Set the property to this value (the whole property element).
    Set(PropValueXml),
    /// Remove the property; removing an absent property is not an error (RFC 4918 §14.23).
    Remove(PropName),
}

impl ProppatchOperation {
    pub fn name(&self) -> &PropName {
        match self {
            ProppatchOperation::Set(value) => value.name(),
            ProppatchOperation::Remove(name) => name,
        }
    }
}

/// Parses a PROPPATCH body (which is required).
pub fn parse_proppatch(body: &[u8]) -> Result<Proppatch, DavProtoError> {
    let root = parse_required(body)?;
    root.expect_root(&dav::PROPERTYUPDATE)?;
    let mut operations = Vec::new();
    for instruction in root.elements() {
        if instruction.is(&dav::SET) {
            let lang = instruction.lang().or(root.lang());
            let values = set_properties(instruction, lang)?;
            operations.extend(values.into_iter().map(ProppatchOperation::Set));
        } else if instruction.is(&dav::REMOVE) {
            let prop = instruction.required_child(&dav::PROP)?;
            operations.extend(
                prop.elements()
                    .map(|e| ProppatchOperation::Remove(e.name.clone())),
            );
        }
    }
    if !root
        .elements()
        .any(|e| e.is(&dav::SET) || e.is(&dav::REMOVE))
    {
        return Err(DavProtoError::MissingElement {
            parent: dav::PROPERTYUPDATE,
            child: dav::SET,
        });
    }
    Ok(Proppatch { operations })
}

/// The property elements of a DAV:set's DAV:prop, each keeping the xml:lang in scope.
pub(crate) fn set_properties(
    set: &XmlElement,
    inherited_lang: Option<&str>,
) -> Result<Vec<PropValueXml>, DavProtoError> {
    let prop = set.required_child(&dav::PROP)?;
    let lang = prop.lang().or(inherited_lang);
    Ok(prop
        .elements()
        .map(|element| {
            let mut value = PropValueXml::from_element(element.clone());
            value.inherit_lang(lang);
            value
        })
        .collect())
}

/// Why one property could not be set or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropFailure {
    /// E.g. 403 for a protected property, 409 for a bad value, 507 for no room.
    pub status: u16,
    /// E.g. DAV:cannot-modify-protected-property, CALDAV:valid-calendar-data.
    pub error: Option<PropName>,
    pub description: Option<String>,
}

impl PropFailure {
    pub fn new(status: u16) -> Self {
        PropFailure {
            status,
            error: None,
            description: None,
        }
    }

    /// 403 with DAV:cannot-modify-protected-property (RFC 4918 §16).
    pub fn protected() -> Self {
        PropFailure {
            status: 403,
            error: Some(dav::CANNOT_MODIFY_PROTECTED_PROPERTY),
            description: None,
        }
    }
}

/// The outcome of each property of a PROPPATCH, MKCALENDAR or extended MKCOL.
pub type PropUpdateResult = (PropName, Result<(), PropFailure>);

/// Groups update results into propstats. RFC 4918 §9.2: instructions are all-or-nothing,
/// so when any failed, the ones that would have succeeded are reported 424.
pub fn update_propstats(results: Vec<PropUpdateResult>) -> Vec<PropStat> {
    let any_failed = results.iter().any(|(_, outcome)| outcome.is_err());
    let mut propstats: Vec<PropStat> = Vec::new();
    for (name, outcome) in results {
        let failure = match outcome {
            Ok(()) if any_failed => PropFailure::new(424),
            Ok(()) => PropFailure::new(200),
            Err(failure) => failure,
        };
        let existing = propstats.iter_mut().find(|p| {
            p.status == failure.status
                && p.error.as_ref().map(|e| &e.name) == failure.error.as_ref()
                && p.description == failure.description
        });
        match existing {
            Some(propstat) => propstat.properties.push(Property::empty(name)),
            None => propstats.push(PropStat {
                status: failure.status,
                properties: vec![Property::empty(name)],
                error: failure.error.map(ErrorCondition::new),
                description: failure.description,
            }),
        }
    }
    propstats
}

/// The 207 Multi-Status answer to a PROPPATCH on `href` (RFC 4918 §9.2.2 example).
pub fn proppatch_response(href: &str, results: Vec<PropUpdateResult>) -> Multistatus {
    Multistatus {
        responses: vec![Response {
            href: href.to_owned(),
            outcome: ResponseOutcome::PropStats(update_propstats(results)),
            error: None,
            description: None,
        }],
        ..Multistatus::default()
    }
}

/// A body whose root holds propstats directly: CALDAV:mkcalendar-response and
/// DAV:mkcol-response.
pub(crate) fn propstat_document(root: &PropName, propstats: &[PropStat]) -> Vec<u8> {
    let mut namespaces = Namespaces::standard();
    namespaces.bind(&root.namespace);
    for propstat in propstats {
        for property in &propstat.properties {
            property.bind(&mut namespaces);
        }
        if let Some(error) = &propstat.error {
            error.bind(&mut namespaces);
        }
    }
    let mut out = String::from(XML_DECLARATION);
    namespaces.start_tag(&mut out, root);
    namespaces.write_declarations(&mut out);
    out.push('>');
    for propstat in propstats {
        propstat.write(&namespaces, &mut out);
    }
    namespaces.end_tag(&mut out, root);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::{NS_XML, apple, caldav};
    use crate::xml::{XmlNode, parse_document};

    #[test]
    fn rfc_4918_9_2_example() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
     <D:propertyupdate xmlns:D="DAV:"
             xmlns:Z="http://ns.example.com/standards/z39.50/">
       <D:set>
         <D:prop>
           <Z:Authors>
             <Z:Author>Jim Whitehead</Z:Author>
             <Z:Author>Roy Fielding</Z:Author>
           </Z:Authors>
         </D:prop>
       </D:set>
       <D:remove>
         <D:prop><Z:Copyright-Owner/></D:prop>
       </D:remove>
     </D:propertyupdate>"#;
        let patch = parse_proppatch(body).unwrap();
        let z = "http://ns.example.com/standards/z39.50/";
        assert_eq!(patch.operations.len(), 2);
        let ProppatchOperation::Set(authors) = &patch.operations[0] else {
            panic!("expected set");
        };
        assert_eq!(authors.name(), &PropName::new(z, "Authors"));
        let names: Vec<_> = authors
            .element()
            .elements()
            .map(|e| e.text_content())
            .collect();
        assert_eq!(names, ["Jim Whitehead", "Roy Fielding"]);
        assert_eq!(
            patch.operations[1],
            ProppatchOperation::Remove(PropName::new(z, "Copyright-Owner"))
        );
    }

    #[test]
    fn ios_sets_color_and_order_in_document_order() {
        let body = br##"<?xml version="1.0" encoding="UTF-8"?>
<A:propertyupdate xmlns:A="DAV:">
  <A:set>
    <A:prop>
      <B:calendar-color xmlns:B="http://apple.com/ns/ical/" symbolic-color="custom">#63DA38FF</B:calendar-color>
      <B:calendar-order xmlns:B="http://apple.com/ns/ical/">3</B:calendar-order>
      <A:displayname>Work</A:displayname>
    </A:prop>
  </A:set>
  <A:remove><A:prop><C:calendar-description xmlns:C="urn:ietf:params:xml:ns:caldav"/></A:prop></A:remove>
  <A:set><A:prop><A:displayname>Work 2</A:displayname></A:prop></A:set>
</A:propertyupdate>"##;
        let patch = parse_proppatch(body).unwrap();
        let names: Vec<_> = patch.operations.iter().map(|o| o.name().clone()).collect();
        assert_eq!(
            names,
            [
                apple::CALENDAR_COLOR,
                apple::CALENDAR_ORDER,
                dav::DISPLAYNAME,
                caldav::CALENDAR_DESCRIPTION,
                dav::DISPLAYNAME
            ]
        );
        let ProppatchOperation::Set(color) = &patch.operations[0] else {
            panic!()
        };
        assert_eq!(color.text_content(), "#63DA38FF");
        assert_eq!(color.element().attribute("symbolic-color"), Some("custom"));
        let ProppatchOperation::Set(name) = &patch.operations[4] else {
            panic!()
        };
        assert_eq!(name.text_content(), "Work 2");
    }

    #[test]
    fn litmus_props_values_survive() {
        // litmus props: values in other namespaces, xml:lang, unicode, namespaced children,
        // a property in the empty namespace.
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<propertyupdate xmlns=\"DAV:\"><set><prop xml:lang=\"en-US\">\
<prop0 xmlns=\"http://example.com/neon/litmus/\">value0</prop0>\
<valnspace xmlns=\"http://example.com/neon/litmus/\"><foo xmlns=\"http://bar\">foo</foo></valnspace>\
<high-unicode xmlns=\"http://example.com/neon/litmus/\">\u{10000}</high-unicode>\
<nonamespace xmlns=\"\">x</nonamespace>\
<langprop xmlns=\"http://example.com/neon/litmus/\" xml:lang=\"de\">Hallo</langprop>\
</prop></set></propertyupdate>";
        let patch = parse_proppatch(body.as_bytes()).unwrap();
        let values: Vec<&PropValueXml> = patch
            .operations
            .iter()
            .map(|o| match o {
                ProppatchOperation::Set(v) => v,
                ProppatchOperation::Remove(_) => panic!(),
            })
            .collect();
        assert_eq!(values[0].lang(), Some("en-US"));
        assert_eq!(values[4].lang(), Some("de"));
        let inner = values[1].element().elements().next().unwrap();
        assert_eq!(inner.name, PropName::new("http://bar", "foo"));
        assert_eq!(values[2].text_content(), "\u{10000}");
        assert_eq!(values[3].name(), &PropName::new("", "nonamespace"));
        for value in values {
            let again = PropValueXml::from_xml(&value.to_xml_string()).unwrap();
            assert_eq!(&again, value);
        }
    }

    #[test]
    fn round_trip_through_a_multistatus() {
        let body = br#"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>
<Z:Authors xmlns:Z="http://ns.example.com/z/" xmlns:Q="urn:q" xml:lang="en"><Z:Author Q:role="editor">Jim &amp; Roy</Z:Author><Q:note>caf&#233;</Q:note></Z:Authors>
</D:prop></D:set></D:propertyupdate>"#;
        let patch = parse_proppatch(body).unwrap();
        let ProppatchOperation::Set(value) = &patch.operations[0] else {
            panic!()
        };
        let stored = value.to_xml_string();
        let restored = PropValueXml::from_xml(&stored).unwrap();
        let mut response = Response::with_props("/dav/res");
        response.found(Property::new(
            restored.name().clone(),
            crate::response::PropValue::Dead(restored),
        ));
        let xml = Multistatus {
            responses: vec![response],
            ..Multistatus::default()
        }
        .to_bytes();
        let root = parse_document(&xml).unwrap().unwrap();
        let returned = root
            .child(&dav::RESPONSE)
            .and_then(|r| r.child(&dav::PROPSTAT))
            .and_then(|p| p.child(&dav::PROP))
            .and_then(|p| p.elements().next())
            .unwrap();
        assert_eq!(returned, value.element());
        let author = returned.elements().next().unwrap();
        assert_eq!(author.attributes[0].name, PropName::new("urn:q", "role"));
        assert!(
            matches!(&returned.elements().nth(1).unwrap().children[0], XmlNode::Text(t) if t == "café")
        );
        assert_eq!(returned.attributes[0].name, PropName::new(NS_XML, "lang"));
    }

    #[test]
    fn lang_is_inherited_from_set_or_root() {
        let body = br#"<D:propertyupdate xmlns:D="DAV:" xml:lang="fr"><D:set><D:prop><D:displayname>Travail</D:displayname></D:prop></D:set></D:propertyupdate>"#;
        let patch = parse_proppatch(body).unwrap();
        let ProppatchOperation::Set(value) = &patch.operations[0] else {
            panic!()
        };
        assert_eq!(value.lang(), Some("fr"));
    }

    #[test]
    fn refuses_bad_bodies() {
        assert_eq!(parse_proppatch(b""), Err(DavProtoError::EmptyBody));
        assert!(matches!(
            parse_proppatch(br#"<D:propfind xmlns:D="DAV:"/>"#),
            Err(DavProtoError::UnexpectedRoot { .. })
        ));
        assert!(matches!(
            parse_proppatch(br#"<D:propertyupdate xmlns:D="DAV:"/>"#),
            Err(DavProtoError::MissingElement { .. })
        ));
        assert!(matches!(
            parse_proppatch(br#"<D:propertyupdate xmlns:D="DAV:"><D:set/></D:propertyupdate>"#),
            Err(DavProtoError::MissingElement { .. })
        ));
    }

    #[test]
    fn one_failure_makes_the_others_424() {
        let results = vec![
            (dav::DISPLAYNAME, Ok(())),
            (dav::GETETAG, Err(PropFailure::protected())),
            (apple::CALENDAR_COLOR, Ok(())),
        ];
        let xml = proppatch_response("/cal/", results).to_xml();
        assert!(xml.contains(
            "<d:propstat><d:prop><d:displayname/><ic:calendar-color/></d:prop><d:status>HTTP/1.1 424 Failed Dependency</d:status></d:propstat>"
        ), "{xml}");
        assert!(xml.contains(
            "<d:propstat><d:prop><d:getetag/></d:prop><d:status>HTTP/1.1 403 Forbidden</d:status><d:error><d:cannot-modify-protected-property/></d:error></d:propstat>"
        ), "{xml}");
    }

    #[test]
    fn all_success_is_one_200_propstat() {
        let propstats = update_propstats(vec![
            (dav::DISPLAYNAME, Ok(())),
            (apple::CALENDAR_ORDER, Ok(())),
        ]);
        assert_eq!(propstats.len(), 1);
        assert_eq!(propstats[0].status, 200);
        assert_eq!(propstats[0].properties.len(), 2);
    }
}
