//! The generated calendar split into CalDAV resources: one VCALENDAR per series (a VEVENT and its
//! overrides share a UID, RFC 4791 §4.1), each with the VTIMEZONEs it refers to.

/// One calendar object resource: its name in the collection and its text.
pub struct Resource {
    pub name: String,
    pub text: String,
}

const PROLOGUE: &str =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//bench generator//EN\r\n";

pub fn split(calendar: &str) -> Vec<Resource> {
    let mut zones: Vec<(String, String)> = Vec::new();
    let mut series: Vec<(String, String)> = Vec::new();
    let mut block = String::new();
    let mut uid = String::new();
    let mut tzid = String::new();
    let mut depth = 0usize;
    for line in calendar.split_inclusive("\r\n") {
        let bare = line.trim_end_matches("\r\n");
        if depth == 0 && (bare == "BEGIN:VEVENT" || bare == "BEGIN:VTIMEZONE") {
            block.clear();
            uid.clear();
            tzid.clear();
        }
        if bare.starts_with("BEGIN:") && bare != "BEGIN:VCALENDAR" {
            depth += 1;
        }
        if depth == 0 {
            continue;
        }
        block.push_str(line);
        if depth == 1 {
            if let Some(value) = bare.strip_prefix("UID:") {
                uid = value.to_string();
            }
            if let Some(value) = bare.strip_prefix("TZID:") {
                tzid = value.to_string();
            }
        }
        if bare.starts_with("END:") {
            depth -= 1;
            if depth == 0 {
                finish_block(&block, &uid, &tzid, &mut zones, &mut series);
            }
        }
    }
    series
        .into_iter()
        .enumerate()
        .map(|(index, (_, events))| Resource {
            name: format!("ev-{index:07}.ics"),
            text: wrap(&events, &zones),
        })
        .collect()
}

fn finish_block(
    block: &str,
    uid: &str,
    tzid: &str,
    zones: &mut Vec<(String, String)>,
    series: &mut Vec<(String, String)>,
) {
    if block.starts_with("BEGIN:VTIMEZONE") {
        zones.push((tzid.to_string(), block.to_string()));
        return;
    }
    match series.last_mut() {
        Some((last, events)) if last == uid => events.push_str(block),
        _ => series.push((uid.to_string(), block.to_string())),
    }
}

fn wrap(events: &str, zones: &[(String, String)]) -> String {
    let mut text = String::from(PROLOGUE);
    for (tzid, zone) in zones {
        if events.contains(&format!("TZID={tzid}:")) {
            text.push_str(zone);
        }
    }
    text.push_str(events);
    text.push_str("END:VCALENDAR\r\n");
    text
}

/// The resource names (`ev-NNNNNNN.ics`) an answer mentions, each once.
pub fn names_in(body: &[u8]) -> std::collections::HashSet<usize> {
    let mut found = std::collections::HashSet::new();
    let mut rest = body;
    while let Some(at) = find(rest, b"ev-") {
        let tail = &rest[at + 3..];
        if tail.len() >= 11 && tail[..7].iter().all(u8::is_ascii_digit) && &tail[7..11] == b".ics" {
            let digits = std::str::from_utf8(&tail[..7]).unwrap_or("0");
            found.insert(digits.parse().unwrap_or(0));
        }
        rest = tail;
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_resource_per_series_with_its_zones() {
        let calendar = crate::generate::calendar(200, 3);
        let resources = super::split(&calendar);
        assert_eq!(resources.len(), 200);
        for resource in &resources {
            assert!(resource.text.starts_with("BEGIN:VCALENDAR\r\n"));
            assert!(resource.text.ends_with("END:VCALENDAR\r\n"));
            assert_eq!(
                resource.text.matches("\r\nUID:").count(),
                resource.text.matches("BEGIN:VEVENT").count()
            );
        }
        let overrides = resources
            .iter()
            .filter(|r| r.text.contains("RECURRENCE-ID"))
            .count();
        assert!(overrides > 0);
    }

    #[test]
    fn names_are_found_once() {
        let body = b"<href>/c/ev-0000001.ics</href><href>/c/ev-0000001.ics</href><href>ev-0000012.ics</href>";
        let names = super::names_in(body);
        assert_eq!(names.len(), 2);
        assert!(names.contains(&12));
    }
}
