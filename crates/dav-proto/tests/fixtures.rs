//! Every fixture request body under tests/fixtures parses with the parser its name names.

use std::fs;
use std::path::Path;

use calvault_dav_proto::{
    PropSelection, Report, parse_mkcalendar, parse_mkcol, parse_propfind, parse_proppatch,
    parse_report,
};

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("fixtures folder")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).expect("fixture"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_parses() {
    let files = fixtures();
    assert!(files.len() >= 10);
    for (name, body) in files {
        let ok = if name.starts_with("propfind_") {
            parse_propfind(&body).is_ok()
        } else if name.starts_with("proppatch_") {
            parse_proppatch(&body).is_ok()
        } else if name.starts_with("mkcalendar_") {
            parse_mkcalendar(&body).is_ok()
        } else if name.starts_with("mkcol_") {
            parse_mkcol(&body).is_ok()
        } else if name.starts_with("report_") {
            parse_report(&body).is_ok()
        } else {
            panic!("fixture {name} has no known prefix");
        };
        assert!(ok, "{name} did not parse");
    }
}

#[test]
fn fixture_reports_are_the_named_ones() {
    for (name, body) in fixtures() {
        let Some(report) = name.strip_prefix("report_") else {
            continue;
        };
        let parsed = parse_report(&body).unwrap();
        let expected = report.trim_end_matches(".xml").replace('_', "-");
        assert_eq!(parsed.name().local, expected, "{name}");
        if let Report::CalendarQuery(query) = parsed {
            assert!(matches!(query.props.selection, PropSelection::Prop(_)));
        }
    }
}
