//! DAV:principal-search-property-set (RFC 3744 §9.5): the request is an empty element;
//! the answer (200, not 207) lists the properties principal-property-search can search.

use crate::name::{PropName, dav};
use crate::xml::write::{Namespaces, XML_DECLARATION};

/// A searchable property and its human-readable description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchableProperty {
    pub name: PropName,
    pub description: String,
}

/// RFC 3744 §9.5:
/// ```text
/// <!ELEMENT principal-search-property-set (principal-search-property*) >
/// <!ELEMENT principal-search-property (prop, description) >
/// ```
/// Descriptions are marked `xml:lang="en"`.
pub fn principal_search_property_set_body(properties: &[SearchableProperty]) -> Vec<u8> {
    let mut namespaces = Namespaces::standard();
    for property in properties {
        namespaces.bind(&property.name.namespace);
    }
    let mut out = String::from(XML_DECLARATION);
    namespaces.start_tag(&mut out, &dav::PRINCIPAL_SEARCH_PROPERTY_SET);
    namespaces.write_declarations(&mut out);
    out.push('>');
    for property in properties {
        namespaces.start_tag(&mut out, &dav::PRINCIPAL_SEARCH_PROPERTY);
        out.push('>');
        namespaces.start_tag(&mut out, &dav::PROP);
        out.push('>');
        namespaces.empty_element(&mut out, &property.name);
        namespaces.end_tag(&mut out, &dav::PROP);
        namespaces.start_tag(&mut out, &dav::DESCRIPTION);
        out.push_str(" xml:lang=\"en\">");
        crate::xml::write::escape_text(&mut out, &property.description);
        namespaces.end_tag(&mut out, &dav::DESCRIPTION);
        namespaces.end_tag(&mut out, &dav::PRINCIPAL_SEARCH_PROPERTY);
    }
    namespaces.end_tag(&mut out, &dav::PRINCIPAL_SEARCH_PROPERTY_SET);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::caldav;
    use crate::xml::parse_document;

    #[test]
    fn lists_properties_with_descriptions() {
        let body = principal_search_property_set_body(&[
            SearchableProperty {
                name: dav::DISPLAYNAME,
                description: "Full name".into(),
            },
            SearchableProperty {
                name: caldav::CALENDAR_USER_ADDRESS_SET,
                description: "E-mail & calendar address".into(),
            },
        ]);
        let root = parse_document(&body).unwrap().unwrap();
        assert_eq!(root.name, dav::PRINCIPAL_SEARCH_PROPERTY_SET);
        let entries: Vec<_> = root
            .children_named(&dav::PRINCIPAL_SEARCH_PROPERTY)
            .collect();
        assert_eq!(entries.len(), 2);
        let prop = entries[1].child(&dav::PROP).unwrap();
        assert_eq!(
            prop.elements().next().unwrap().name,
            caldav::CALENDAR_USER_ADDRESS_SET
        );
        let description = entries[1].child(&dav::DESCRIPTION).unwrap();
        assert_eq!(description.text_content(), "E-mail & calendar address");
        assert_eq!(description.lang(), Some("en"));
    }
}
