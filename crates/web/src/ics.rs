//! The iCalendar fields the pages read and write (RFC 5545): a lossless tree of components
//! and content lines, so that editing an event from a phone keeps every property the pages
//! do not know.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prop {
    /// Upper-cased.
    pub name: String,
    /// Parameter names upper-cased; values without their quotes.
    pub params: Vec<(String, String)>,
    pub value: String,
    /// The unfolded line as read (or as made), written back as it is.
    raw: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Prop(Prop),
    Comp(Comp),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comp {
    /// Upper-cased.
    pub name: String,
    pub nodes: Vec<Node>,
}

impl Prop {
    pub fn new(name: &str, params: &[(&str, &str)], value: &str) -> Prop {
        let mut raw = name.to_string();
        for (key, val) in params {
            raw.push(';');
            raw.push_str(key);
            raw.push('=');
            if val.contains([':', ';', ',']) {
                raw.push('"');
                raw.push_str(val);
                raw.push('"');
            } else {
                raw.push_str(val);
            }
        }
        raw.push(':');
        raw.push_str(value);
        Prop {
            name: name.to_ascii_uppercase(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), v.to_string()))
                .collect(),
            value: value.to_string(),
            raw,
        }
    }

    /// A TEXT property, escaped (RFC 5545 §3.3.11).
    pub fn text(name: &str, value: &str) -> Prop {
        Prop::new(name, &[], &escape_text(value))
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn parse(line: &str) -> Option<Prop> {
        let mut in_quotes = false;
        let mut name_end = None;
        let mut value_start = None;
        for (at, c) in line.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ';' if !in_quotes && name_end.is_none() => name_end = Some(at),
                ':' if !in_quotes => {
                    value_start = Some(at);
                    break;
                }
                _ => {}
            }
        }
        let colon = value_start?;
        let name_end = name_end.unwrap_or(colon);
        let name = line[..name_end].trim().to_ascii_uppercase();
        if name.is_empty() {
            return None;
        }
        let params = split_params(line.get(name_end + 1..colon).unwrap_or(""));
        Some(Prop {
            name,
            params,
            value: line[colon + 1..].to_string(),
            raw: line.to_string(),
        })
    }
}

fn split_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut pieces = Vec::new();
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => pieces.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    pieces.push(current);
    for piece in pieces {
        if let Some((key, value)) = piece.split_once('=') {
            params.push((key.trim().to_ascii_uppercase(), value.to_string()));
        }
    }
    params
}

impl Comp {
    pub fn new(name: &str) -> Comp {
        Comp {
            name: name.to_ascii_uppercase(),
            nodes: Vec::new(),
        }
    }

    pub fn prop(&self, name: &str) -> Option<&Prop> {
        self.props().find(|p| p.name == name)
    }

    pub fn props(&self) -> impl Iterator<Item = &Prop> {
        self.nodes.iter().filter_map(|node| match node {
            Node::Prop(prop) => Some(prop),
            Node::Comp(_) => None,
        })
    }

    pub fn children(&self) -> impl Iterator<Item = &Comp> {
        self.nodes.iter().filter_map(|node| match node {
            Node::Comp(comp) => Some(comp),
            Node::Prop(_) => None,
        })
    }

    pub fn children_mut(&mut self) -> impl Iterator<Item = &mut Comp> {
        self.nodes.iter_mut().filter_map(|node| match node {
            Node::Comp(comp) => Some(comp),
            Node::Prop(_) => None,
        })
    }

    /// The unescaped text of a TEXT property, if present and not empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.prop(name)
            .map(|p| unescape_text(&p.value))
            .filter(|v| !v.trim().is_empty())
    }

    pub fn remove_props(&mut self, names: &[&str]) {
        self.nodes.retain(|node| match node {
            Node::Prop(prop) => !names.contains(&prop.name.as_str()),
            Node::Comp(_) => true,
        });
    }

    pub fn remove_children(&mut self, name: &str) {
        self.nodes.retain(|node| match node {
            Node::Comp(comp) => comp.name != name,
            Node::Prop(_) => true,
        });
    }

    /// Adds a property after the other properties (before sub-components).
    pub fn push_prop(&mut self, prop: Prop) {
        let at = self
            .nodes
            .iter()
            .position(|node| matches!(node, Node::Comp(_)))
            .unwrap_or(self.nodes.len());
        self.nodes.insert(at, Node::Prop(prop));
    }

    pub fn push_child(&mut self, comp: Comp) {
        self.nodes.push(Node::Comp(comp));
    }

    pub fn write(&self, out: &mut String) {
        write_folded(out, &format!("BEGIN:{}", self.name));
        for node in &self.nodes {
            match node {
                Node::Prop(prop) => write_folded(out, &prop.raw),
                Node::Comp(comp) => comp.write(out),
            }
        }
        write_folded(out, &format!("END:{}", self.name));
    }

    pub fn to_ics(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// Parses a VCALENDAR text into its tree; None when it is not one.
pub fn parse(text: &str) -> Option<Comp> {
    let mut stack: Vec<Comp> = Vec::new();
    let mut top = None;
    for line in unfold(text) {
        if line.trim().is_empty() {
            continue;
        }
        let prop = Prop::parse(&line)?;
        match prop.name.as_str() {
            "BEGIN" => stack.push(Comp::new(prop.value.trim())),
            "END" => {
                let done = stack.pop()?;
                match stack.last_mut() {
                    Some(parent) => parent.nodes.push(Node::Comp(done)),
                    None => {
                        top = Some(done);
                        break;
                    }
                }
            }
            _ => stack.last_mut()?.nodes.push(Node::Prop(prop)),
        }
    }
    top.filter(|c| c.name == "VCALENDAR")
}

/// RFC 5545 §3.1: a line break followed by a space or tab continues the line.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(raw.to_string()),
        }
    }
    lines
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded, never inside a character.
fn write_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub fn unescape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// A DATE or DATE-TIME value (RFC 5545 §3.3.4, §3.3.5) in the form it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Date(NaiveDate),
    Utc(i64),
    Zoned(NaiveDateTime, Tz),
    Floating(NaiveDateTime),
}

impl Moment {
    pub fn of(prop: &Prop) -> Option<Moment> {
        let value = prop.value.trim();
        if prop
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || value.len() == 8
        {
            return NaiveDate::parse_from_str(value, "%Y%m%d")
                .ok()
                .map(Moment::Date);
        }
        if let Some(utc) = value.strip_suffix('Z') {
            let at = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
            return Some(Moment::Utc(at.and_utc().timestamp()));
        }
        let local = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?;
        match prop.param("TZID").and_then(zone_named) {
            Some(tz) => Some(Moment::Zoned(local, tz)),
            None => Some(Moment::Floating(local)),
        }
    }

    /// The instant, floating times and dates being read in `tz`.
    pub fn instant(self, tz: Tz) -> i64 {
        match self {
            Moment::Date(day) => crate::time::day_start(tz, day),
            Moment::Utc(at) => at,
            Moment::Zoned(local, zone) => crate::time::local_to_utc(zone, local),
            Moment::Floating(local) => crate::time::local_to_utc(tz, local),
        }
    }

    /// The local date and time in `tz` (a date keeps its own day at midnight).
    pub fn local(self, tz: Tz) -> NaiveDateTime {
        match self {
            Moment::Date(day) => day.and_time(chrono::NaiveTime::MIN),
            Moment::Floating(local) => local,
            Moment::Zoned(local, zone) if zone == tz => local,
            other => crate::time::to_local(tz, other.instant(tz)),
        }
    }

    pub fn is_date(self) -> bool {
        matches!(self, Moment::Date(_))
    }

    /// The property `name` holding this moment.
    pub fn prop(self, name: &str) -> Prop {
        match self {
            Moment::Date(day) => Prop::new(
                name,
                &[("VALUE", "DATE")],
                &day.format("%Y%m%d").to_string(),
            ),
            Moment::Utc(at) => Prop::new(
                name,
                &[],
                &crate::time::to_local(Tz::UTC, at)
                    .format("%Y%m%dT%H%M%SZ")
                    .to_string(),
            ),
            Moment::Zoned(local, tz) => Prop::new(
                name,
                &[("TZID", tz.name())],
                &local.format("%Y%m%dT%H%M%S").to_string(),
            ),
            Moment::Floating(local) => {
                Prop::new(name, &[], &local.format("%Y%m%dT%H%M%S").to_string())
            }
        }
    }

    /// The instant `at` written in the same form as `self` (for RECURRENCE-ID and EXDATE,
    /// which RFC 5545 §3.8.4.4 wants in the form of DTSTART).
    pub fn same_form(self, at: i64, tz: Tz) -> Moment {
        match self {
            Moment::Date(_) => Moment::Date(crate::time::to_local(tz, at).date()),
            Moment::Utc(_) => Moment::Utc(at),
            Moment::Zoned(_, zone) => Moment::Zoned(crate::time::to_local(zone, at), zone),
            Moment::Floating(_) => Moment::Floating(crate::time::to_local(tz, at)),
        }
    }
}

/// An IANA zone by name, or a Windows zone name Outlook writes.
pub fn zone_named(name: &str) -> Option<Tz> {
    let name = name.trim().trim_start_matches('/');
    name.parse::<Tz>()
        .ok()
        .or_else(|| calvault_ical::windows_to_iana(name).and_then(|n| n.parse().ok()))
}

/// RFC 5545 §3.3.6 DURATION in seconds (days counted as 86400 s).
pub fn duration_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = 0i64;
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' => {}
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                total += n * match unit {
                    'W' => 7 * 86_400,
                    'D' => 86_400,
                    'H' => 3600,
                    'M' => 60,
                    'S' => 1,
                    _ => return None,
                };
            }
        }
    }
    Some(sign * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Caf\\, th\\;é\r\nDTSTART;TZID=\"Europe/Paris\":20260105T100000\r\nX-LONG:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n aaaaaaaaaa\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn round_trips_what_it_does_not_know() {
        let calendar = parse(EVENT).unwrap();
        let event = calendar.children().next().unwrap();
        assert_eq!(event.text("SUMMARY").as_deref(), Some("Caf, th;é"));
        let start = Moment::of(event.prop("DTSTART").unwrap()).unwrap();
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert!(matches!(start, Moment::Zoned(_, tz) if tz == paris));
        assert_eq!(parse(&calendar.to_ics()).unwrap(), calendar);
        assert!(calendar.to_ics().lines().all(|l| l.len() <= 76));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("PT1H30M"), Some(5400));
        assert_eq!(duration_seconds("-P1D"), Some(-86_400));
        assert_eq!(duration_seconds("P1W"), Some(604_800));
        assert_eq!(duration_seconds("1H"), None);
    }
}
