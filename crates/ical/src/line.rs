//! One content line (RFC 5545 §3.1), kept exactly as written once unfolded.
//!
//! The model stores the unfolded text and only the positions of the name, parameters and value,
//! so writing a line back gives the same characters: nothing is normalised, re-escaped or
//! dropped, whatever the producer wrote.

use std::borrow::Cow;

/// An unfolded content line: `name *(";" param) ":" value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLine {
    text: String,
    name_end: usize,
    value_start: usize,
}

/// Why a line is not a content line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineError {
    /// It does not start with a property name followed by `;` or `:` (free text, a line the
    /// producer forgot to fold, spaces inside the name).
    NotALine,
    /// A name (and maybe parameters) but no `:` and value.
    MissingValue,
    /// A parameter that breaks the RFC 5545 §3.1 grammar.
    BadParameter(&'static str),
}

impl LineError {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            LineError::NotALine => "not a content line (expected NAME:value)",
            LineError::MissingValue => "property has no ':' and value",
            LineError::BadParameter(why) => why,
        }
    }
}

/// RFC 5545 §3.1: `iana-token = 1*(ALPHA / DIGIT / "-")`; `_` is tolerated because some
/// producers use it in X- names.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

impl ContentLine {
    /// Parses one unfolded line. Parameters without `=` are accepted (vCalendar 1.0 writes
    /// `DESCRIPTION;QUOTED-PRINTABLE:`), empty parameter names and unterminated quotes are not.
    pub(crate) fn parse(text: impl Into<String>) -> Result<ContentLine, LineError> {
        let text = text.into();
        let (name_end, value_start) = scan(text.as_bytes())?;
        Ok(ContentLine {
            text,
            name_end,
            value_start,
        })
    }

    /// Builds `NAME:value` from parts the caller knows to be well formed.
    pub(crate) fn new(name: &str, value: &str) -> ContentLine {
        let mut text = String::with_capacity(name.len() + value.len() + 1);
        text.push_str(name);
        text.push(':');
        text.push_str(value);
        ContentLine {
            name_end: name.len(),
            value_start: name.len() + 1,
            text,
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn name(&self) -> &str {
        &self.text[..self.name_end]
    }

    /// Case-insensitive name test (RFC 5545 §2: names are case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name().eq_ignore_ascii_case(name)
    }

    pub(crate) fn value(&self) -> &str {
        &self.text[self.value_start..]
    }

    /// The raw parameter section, `;A=b;C="d"` (empty when there are none).
    fn params_text(&self) -> &str {
        &self.text[self.name_end..self.value_start.saturating_sub(1)]
    }

    /// The first value of parameter `name`, without its quotes.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        Params::new(self.params_text())
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| first_param_value(v))
    }

    /// The parameters as `(name, value)`, the value without its quotes (a list keeps its
    /// commas), in the order written.
    pub(crate) fn params(&self) -> impl Iterator<Item = (&str, String)> {
        Params::new(self.params_text()).map(|(name, raw)| (name, raw.replace('"', "")))
    }

    /// The line with another value and without the parameters named in `drop`; `extra`
    /// (like `;VALUE=DATE`) is added after the kept parameters.
    pub(crate) fn rewritten(&self, drop: &[&str], extra: &str, value: &str) -> ContentLine {
        let mut text = String::with_capacity(self.text.len() + extra.len());
        text.push_str(self.name());
        let mut rest = self.params_text();
        while let Some(after) = rest.strip_prefix(';') {
            let next = Params::new(rest).next();
            let taken = match next {
                Some((name, _)) => {
                    let mut params = Params::new(rest);
                    params.next();
                    let len = rest.len() - params.rest.len();
                    if !drop.iter().any(|d| d.eq_ignore_ascii_case(name)) {
                        text.push_str(&rest[..len]);
                    }
                    len
                }
                None => after.len() + 1,
            };
            rest = &rest[taken..];
        }
        text.push_str(extra);
        let value_start = text.len() + 1;
        text.push(':');
        text.push_str(value);
        ContentLine {
            text,
            name_end: self.name_end,
            value_start,
        }
    }

    /// Appends text to the value, for repairing values the producer spread over raw lines.
    pub(crate) fn push_value(&mut self, more: &str) {
        self.text.push_str(more);
    }
}

/// Finds the end of the name and the start of the value, checking the parameter grammar.
fn scan(b: &[u8]) -> Result<(usize, usize), LineError> {
    let mut i = b.iter().take_while(|&&c| is_name_byte(c)).count();
    if i == 0 {
        return Err(LineError::NotALine);
    }
    let name_end = i;
    match b.get(i) {
        Some(b':') => return Ok((name_end, i + 1)),
        Some(b';') => {}
        None => return Err(LineError::MissingValue),
        Some(_) => return Err(LineError::NotALine),
    }
    // At a ';' that starts a parameter.
    while b.get(i) == Some(&b';') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(|&c| is_name_byte(c)) {
            i += 1;
        }
        if i == start {
            return Err(LineError::BadParameter("empty parameter name"));
        }
        match b.get(i) {
            Some(b'=') => i = scan_param_values(b, i + 1)?,
            Some(b';' | b':') => {}
            None => return Err(LineError::MissingValue),
            Some(_) => return Err(LineError::BadParameter("bad character in parameter name")),
        }
    }
    match b.get(i) {
        Some(b':') => Ok((name_end, i + 1)),
        None => Err(LineError::MissingValue),
        Some(_) => Err(LineError::BadParameter(
            "bad character after parameter value",
        )),
    }
}

/// `param-value *("," param-value)`, each a quoted-string or paramtext (RFC 5545 §3.1).
fn scan_param_values(b: &[u8], mut i: usize) -> Result<usize, LineError> {
    loop {
        if b.get(i) == Some(&b'"') {
            let close = b[i + 1..].iter().position(|&c| c == b'"');
            match close {
                Some(offset) => i += offset + 2,
                None => {
                    return Err(LineError::BadParameter(
                        "unterminated quoted parameter value",
                    ));
                }
            }
        } else {
            while let Some(&c) = b.get(i) {
                match c {
                    b';' | b':' | b',' => break,
                    // Not RFC 5545 (parameter values are quoted, not escaped), but Apple writes
                    // `X-TITLE=Hauptstraße 1-5\; 4041 Linz`: the escaped character is text.
                    b'\\' => i += 2,
                    _ => i += 1,
                }
            }
            i = i.min(b.len());
        }
        if b.get(i) == Some(&b',') {
            i += 1;
        } else {
            return Ok(i);
        }
    }
}

/// Iterates `(name, raw value list)` over a parameter section that `scan` accepted.
struct Params<'a> {
    rest: &'a str,
}

impl<'a> Params<'a> {
    fn new(params: &'a str) -> Self {
        Params { rest: params }
    }
}

impl<'a> Iterator for Params<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.strip_prefix(';')?;
        let b = rest.as_bytes();
        let name_len = b.iter().take_while(|&&c| is_name_byte(c)).count();
        let name = &rest[..name_len];
        if b.get(name_len) != Some(&b'=') {
            self.rest = &rest[name_len..];
            return Some((name, ""));
        }
        let mut i = name_len + 1;
        let mut quoted = false;
        while let Some(&c) = b.get(i) {
            match c {
                b'"' => quoted = !quoted,
                b'\\' if !quoted => i += 1,
                b';' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        let i = i.min(b.len());
        self.rest = &rest[i..];
        Some((name, &rest[name_len + 1..i]))
    }
}

fn first_param_value(values: &str) -> &str {
    if let Some(quoted) = values.strip_prefix('"') {
        return quoted.split('"').next().unwrap_or_default();
    }
    values.split(',').next().unwrap_or_default()
}

/// RFC 5545 §3.3.11: undoes TEXT escapes (`\\`, `\;`, `\,`, `\n`, `\N`).
pub(crate) fn unescape_text(value: &str) -> Cow<'_, str> {
    if !value.contains('\\') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// RFC 5545 §3.3.11: escapes a TEXT value.
pub(crate) fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF and one space, never inside
/// a UTF-8 sequence. Writes the line and its CRLF.
pub(crate) fn write_folded(out: &mut String, line: &str) {
    const LIMIT: usize = 75;
    if line.len() <= LIMIT {
        out.push_str(line);
        out.push_str("\r\n");
        return;
    }
    let mut rest = line;
    let mut limit = LIMIT;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // A physical line ending in a single '=' reads as a vCalendar QUOTED-PRINTABLE soft
        // line break, so no fold is put right after one.
        if rest[..cut].ends_with('=') && !rest[..cut].ends_with("==") {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The leading space counts towards the 75 octets of the continuation line.
        limit = LIMIT - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_params_and_value() {
        let line =
            ContentLine::parse("DTSTART;TZID=\"Europe/Berlin\";VALUE=DATE-TIME:20240105T090000")
                .expect("valid");
        assert_eq!(line.name(), "DTSTART");
        assert_eq!(line.param("tzid"), Some("Europe/Berlin"));
        assert_eq!(line.param("VALUE"), Some("DATE-TIME"));
        assert_eq!(line.value(), "20240105T090000");
    }

    #[test]
    fn quoted_params_may_hold_separators() {
        let line = ContentLine::parse("ATTENDEE;CN=\"Klä,rchen; Mül:ler\";ROLE=CHAIR:mailto:a@b.c")
            .expect("valid");
        assert_eq!(line.param("CN"), Some("Klä,rchen; Mül:ler"));
        assert_eq!(line.param("ROLE"), Some("CHAIR"));
        assert_eq!(line.value(), "mailto:a@b.c");
    }

    #[test]
    fn rejects_broken_lines() {
        assert_eq!(
            ContentLine::parse("X-NO-VALUE"),
            Err(LineError::MissingValue)
        );
        assert_eq!(
            ContentLine::parse("ORGANIZER;CN=Sixt SE"),
            Err(LineError::MissingValue)
        );
        assert_eq!(ContentLine::parse("Dear Team,"), Err(LineError::NotALine));
        assert_eq!(
            ContentLine::parse("REFRESH - INTERVAL; VALUE = DURATION:PT48H"),
            Err(LineError::NotALine)
        );
        assert!(matches!(
            ContentLine::parse("DTSTART;;VALUE=DATE-TIME:20140409T093000"),
            Err(LineError::BadParameter(_))
        ));
        assert!(matches!(
            ContentLine::parse("X;A=\"open:v"),
            Err(LineError::BadParameter(_))
        ));
        assert!(ContentLine::parse("DESCRIPTION;ENCODING=QUOTED-PRINTABLE;CHARSET:x").is_ok());
        let apple =
            ContentLine::parse("X-A;X-TITLE=Haupt 1-5\\; 4041 Linz;X-R=7:geo:1,2").expect("valid");
        assert_eq!(apple.param("X-R"), Some("7"));
        assert_eq!(apple.value(), "geo:1,2");
    }

    #[test]
    fn rewritten_keeps_other_parameters() {
        let line =
            ContentLine::parse("DTSTART;X-A=\"p;q:r\";TZID=Europe/Berlin;X-B=1:20240101T090000")
                .expect("valid");
        let utc = line.rewritten(&["TZID"], "", "20240101T080000Z");
        assert_eq!(utc.text(), "DTSTART;X-A=\"p;q:r\";X-B=1:20240101T080000Z");
        assert_eq!(utc.value(), "20240101T080000Z");
        assert_eq!(utc.param("X-B"), Some("1"));
        let date = ContentLine::new("DTEND", "x").rewritten(&[], ";VALUE=DATE", "20240102");
        assert_eq!(date.text(), "DTEND;VALUE=DATE:20240102");
        assert_eq!(date.name(), "DTEND");
    }

    #[test]
    fn text_escapes_round_trip() {
        let raw = "a, b; c\\d\nnext";
        assert_eq!(unescape_text(&escape_text(raw)), raw);
    }

    #[test]
    fn folding_respects_utf8_and_75_octets() {
        let line = format!("SUMMARY:{}", "é€😀x".repeat(40));
        let mut out = String::new();
        write_folded(&mut out, &line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }
}
