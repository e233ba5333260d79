//! Property tests: no input makes a parser panic, and what the writers produce reads back.

use calvault_dav_proto::{
    Depth, Destination, EntityTag, EtagList, IfHeader, Multistatus, Overwrite, PropName, PropValue,
    PropValueXml, Property, ProppatchOperation, Response, XmlAttribute, XmlElement, XmlNode,
    decode_path, encode_href, format_http_date, format_rfc3339, format_utc_datetime, href_to_path,
    parse_document, parse_mkcalendar, parse_mkcol, parse_propfind, parse_proppatch, parse_report,
    parse_utc_datetime,
};
use proptest::collection::vec;
use proptest::prelude::*;

const CORPUS: [&[u8]; 11] = [
    include_bytes!("fixtures/propfind_ios_home.xml"),
    include_bytes!("fixtures/propfind_allprop_include.xml"),
    include_bytes!("fixtures/proppatch_litmus.xml"),
    include_bytes!("fixtures/mkcalendar_rfc4791.xml"),
    include_bytes!("fixtures/mkcol_rfc5689.xml"),
    include_bytes!("fixtures/report_calendar_multiget.xml"),
    include_bytes!("fixtures/report_calendar_query.xml"),
    include_bytes!("fixtures/report_sync_collection.xml"),
    include_bytes!("fixtures/report_expand_property.xml"),
    include_bytes!("fixtures/report_principal_property_search.xml"),
    include_bytes!("fixtures/report_free_busy_query.xml"),
];

/// Pieces of markup that hit the parser's interesting paths when spliced in anywhere.
const TOKENS: [&str; 28] = [
    "<",
    ">",
    "/>",
    "&",
    "&amp;",
    "&#x10FFFF;",
    "&#0;",
    "&lol;",
    "<!DOCTYPE x [<!ENTITY lol \"lol\">]>",
    "<![CDATA[",
    "]]>",
    "xmlns:D=\"\"",
    " xmlns=\"urn:x\"",
    "</D:prop>",
    "<D:prop>",
    "<C:comp-filter name=\"VEVENT\">",
    "</C:comp-filter>",
    "<C:time-range start=\"20060104T000000Z\"/>",
    "<C:time-range/>",
    "<C:text-match collation=\"i;foo\">x</C:text-match>",
    "<C:is-not-defined/>",
    "\u{FFFF}",
    "\"",
    "=",
    "\0",
    "é",
    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
    "<D:href>/%zz</D:href>",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Splice(usize, usize),
    Delete(usize, usize),
    Replace(usize, u8),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), vec(any::<u8>(), 1..6))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Splice(at, token)),
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace(at, byte)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(body: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut body = body.to_vec();
    for mutation in mutations {
        let len = body.len();
        match mutation {
            Mutation::Insert(at, bytes) => {
                let at = at % (len + 1);
                body.splice(at..at, bytes.iter().copied());
            }
            Mutation::Splice(at, token) => {
                let at = at % (len + 1);
                body.splice(at..at, TOKENS[*token].bytes());
            }
            Mutation::Delete(at, count) => {
                let at = at % (len + 1);
                let end = (at + count).min(len);
                body.drain(at..end);
            }
            Mutation::Replace(at, byte) => {
                if len > 0 {
                    body[at % len] = *byte;
                }
            }
            Mutation::Truncate(at) => body.truncate(at % (len + 1)),
        }
    }
    body
}

/// Runs every body parser; PROPPATCH values that parse must also survive storage.
fn exercise_body(body: &[u8]) {
    let _ = parse_document(body);
    let _ = parse_propfind(body);
    let _ = parse_mkcalendar(body);
    let _ = parse_mkcol(body);
    let _ = parse_report(body);
    if let Ok(patch) = parse_proppatch(body) {
        for operation in patch.operations {
            if let ProppatchOperation::Set(value) = operation {
                let stored = value.to_xml_string();
                assert_eq!(
                    PropValueXml::from_xml(&stored).as_ref(),
                    Ok(&value),
                    "{stored}"
                );
            }
        }
    }
    match parse_report(body) {
        Ok(report) => {
            let _ = report.name();
        }
        Err(error) => {
            let _ = (error.status(), error.precondition(), error.error_body());
        }
    }
}

fn exercise_text(text: &str) {
    let _ = Depth::parse(text);
    let _ = Overwrite::parse(text);
    let _ = Destination::parse(text);
    let _ = EntityTag::parse(text);
    let _ = EtagList::parse(text);
    if let Ok(header) = IfHeader::parse(text) {
        let _ = header.evaluate(|_| Some(EntityTag::strong("x")));
        let _ = header.evaluate(|_| None);
    }
    let _ = href_to_path(text);
    let _ = decode_path(text);
    let _ = encode_href(text);
    let _ = parse_utc_datetime(text);
    let _ = PropValueXml::from_xml(text);
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn sanitized(text: &str) -> String {
    text.chars()
        .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
        .collect()
}

/// Random property elements: names from a few namespaces, attributes, text and children.
fn element_tree() -> impl Strategy<Value = XmlElement> {
    let namespace = prop_oneof![
        Just(""),
        Just("DAV:"),
        Just("urn:ietf:params:xml:ns:caldav"),
        Just("http://example.com/neon/litmus/"),
        Just("urn:x \"quoted\" <ns>"),
    ];
    let name = (namespace, "[a-zA-Z_][a-zA-Z0-9._-]{0,8}")
        .prop_map(|(namespace, local)| PropName::new(namespace, local));
    let text = "\\PC{1,12}".prop_map(|t| sanitized(&t));
    let attribute = (
        prop_oneof![
            "[a-z]{1,6}"
                .prop_filter("xmlns is a declaration", |local| local != "xmlns")
                .prop_map(|local| PropName::new("", local)),
            Just(PropName::new(
                "http://www.w3.org/XML/1998/namespace",
                "lang"
            )),
            "[a-z]{1,6}".prop_map(|local| PropName::new("urn:attr", local)),
        ],
        "\\PC{0,10}".prop_map(|t| sanitized(&t)),
    )
        .prop_map(|(name, value)| XmlAttribute { name, value });
    let leaf = (
        name.clone(),
        vec(attribute.clone(), 0..3),
        proptest::option::of(text.clone()),
    )
        .prop_map(|(name, attributes, text)| {
            make_element(
                name,
                attributes,
                text.into_iter().map(XmlNode::Text).collect(),
            )
        });
    leaf.prop_recursive(4, 24, 4, move |inner| {
        (
            name.clone(),
            vec(attribute.clone(), 0..3),
            vec(
                prop_oneof![
                    inner.prop_map(XmlNode::Element),
                    text.clone().prop_map(XmlNode::Text)
                ],
                0..4,
            ),
        )
            .prop_map(|(name, attributes, children)| make_element(name, attributes, children))
    })
}

/// Builds an element the way the reader would: distinct attributes, adjacent text merged.
fn make_element(
    name: PropName,
    attributes: Vec<XmlAttribute>,
    children: Vec<XmlNode>,
) -> XmlElement {
    let mut element = XmlElement::new(name);
    for attribute in attributes {
        if !element.attributes.iter().any(|a| a.name == attribute.name) {
            element.attributes.push(attribute);
        }
    }
    for child in children {
        match (element.children.last_mut(), child) {
            (Some(XmlNode::Text(previous)), XmlNode::Text(text)) => previous.push_str(&text),
            (_, child) => element.children.push(child),
        }
    }
    element
}

fn returned_prop(xml: &[u8]) -> XmlElement {
    let root = parse_document(xml).unwrap().unwrap();
    root.elements()
        .next()
        .and_then(|response| response.elements().nth(1))
        .and_then(|propstat| propstat.elements().next())
        .and_then(|prop| prop.elements().next())
        .cloned()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in vec(any::<u8>(), 0..2048)) {
        exercise_body(&body);
        exercise_text(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn mutated_client_bodies_never_panic(
        index in 0..CORPUS.len(),
        mutations in vec(mutation(), 1..8),
    ) {
        let body = apply(CORPUS[index], &mutations);
        exercise_body(&body);
    }

    #[test]
    fn arbitrary_header_text_never_panics(text in "\\PC{0,64}") {
        exercise_text(&text);
    }

    #[test]
    fn header_shaped_text_never_panics(
        parts in vec(prop_oneof![
            Just("("), Just(")"), Just("<"), Just(">"), Just("["), Just("]"), Just("Not "),
            Just("W/"), Just("\""), Just(","), Just(" "), Just("*"), Just("http://h/a%20b"),
            Just("urn:uuid:1"), Just("/x/../y"), Just("%"), Just("é"),
        ], 0..24)
    ) {
        exercise_text(&parts.concat());
    }

    #[test]
    fn date_formatting_never_panics(unix in any::<i64>()) {
        let _ = (format_http_date(unix), format_rfc3339(unix), format_utc_datetime(unix));
    }

    #[test]
    fn utc_datetimes_round_trip(unix in -62_135_596_800i64..253_402_300_800) {
        prop_assert_eq!(parse_utc_datetime(&format_utc_datetime(unix)), Some(unix));
    }

    #[test]
    fn text_values_read_back(text in "\\PC{0,40}|[\\x00-\\x7F]{0,40}") {
        let mut response = Response::with_props("/x");
        response.found(Property::new(PropName::dav("displayname"), PropValue::text(text.clone())));
        let xml = Multistatus { responses: vec![response], ..Multistatus::default() }.to_bytes();
        prop_assert_eq!(returned_prop(&xml).text_content(), sanitized(&text));
    }

    #[test]
    fn hrefs_read_back(segments in vec("[^/\\x00]{1,10}", 1..5), collection in any::<bool>()) {
        prop_assume!(segments.iter().all(|s| s != "." && s != ".."));
        let mut path = format!("/{}", segments.join("/"));
        if collection {
            path.push('/');
        }
        let xml = Multistatus {
            responses: vec![Response::with_status(path.clone(), 404)],
            ..Multistatus::default()
        }
        .to_bytes();
        let root = parse_document(&xml).unwrap().unwrap();
        let href = root.elements().next().unwrap().elements().next().unwrap().text_content();
        prop_assert_eq!(href_to_path(&href), Ok(path));
    }

    #[test]
    fn dead_properties_survive_storage_and_multistatus(element in element_tree()) {
        let value = PropValueXml::from_element(element.clone());
        let stored = value.to_xml_string();
        let restored = PropValueXml::from_xml(&stored);
        prop_assert_eq!(restored.as_ref(), Ok(&value), "{}", stored);

        let mut response = Response::with_props("/dav/x");
        response.found(Property::new(element.name.clone(), PropValue::Dead(value)));
        let xml = Multistatus { responses: vec![response], ..Multistatus::default() }.to_bytes();
        prop_assert_eq!(returned_prop(&xml), element);
    }
}
