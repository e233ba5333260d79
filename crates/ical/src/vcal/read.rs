//! Reading vCalendar 1.0 text into blocks of decoded properties: unfolding, QUOTED-PRINTABLE
//! soft line breaks, CHARSET decoding and the parameter grammar of vCalendar 1.0 §2.1.

use super::VcalError;
use super::qp;

/// One property with its value decoded (QUOTED-PRINTABLE and CHARSET undone); escapes such
/// as `\;` are still in the value, since their meaning depends on the property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Property {
    /// Physical line where the property starts.
    pub(crate) line: usize,
    /// Upper-cased name.
    pub(crate) name: String,
    /// Parameters in input order, names upper-cased. A vCalendar 1.0 bare parameter
    /// (`;QUOTED-PRINTABLE`) is read as its named form (`ENCODING=QUOTED-PRINTABLE`).
    /// ENCODING=QUOTED-PRINTABLE and CHARSET are removed once the value is decoded.
    pub(crate) params: Vec<(String, String)>,
    pub(crate) value: String,
}

impl Property {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value without surrounding white space.
    pub(crate) fn trimmed(&self) -> &str {
        self.value.trim()
    }
}

/// `BEGIN:NAME` … `END:NAME`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    pub(crate) name: String,
    pub(crate) line: usize,
    pub(crate) properties: Vec<Property>,
    pub(crate) children: Vec<Block>,
}

impl Block {
    pub(crate) fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> {
        self.properties.iter().filter(move |p| p.name == name)
    }
}

/// Every VCALENDAR of the input (vCalendar 1.0 §2.1.1 allows several, and nested ones).
pub(crate) fn read_calendars(input: &str) -> Result<Vec<Block>, VcalError> {
    let mut stack: Vec<Block> = Vec::new();
    let mut calendars = Vec::new();
    for (line, text) in logical_lines(input) {
        let Some(property) = parse_line(line, &text)? else {
            continue;
        };
        match property.name.as_str() {
            "BEGIN" => {
                let name = property.value.trim().to_ascii_uppercase();
                if stack.is_empty() && name != "VCALENDAR" {
                    return Err(VcalError::Syntax {
                        line,
                        message: format!("BEGIN:{name} outside a VCALENDAR"),
                    });
                }
                stack.push(Block {
                    name,
                    line,
                    ..Block::default()
                });
            }
            "END" => {
                let name = property.value.trim().to_ascii_uppercase();
                let Some(block) = stack.pop() else {
                    return Err(VcalError::Syntax {
                        line,
                        message: format!("END:{name} without BEGIN"),
                    });
                };
                if block.name != name {
                    return Err(VcalError::Syntax {
                        line,
                        message: format!(
                            "END:{name} closes BEGIN:{} of line {}",
                            block.name, block.line
                        ),
                    });
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(block),
                    None => calendars.push(block),
                }
            }
            _ => {
                if let Some(block) = stack.last_mut() {
                    block.properties.push(property);
                }
            }
        }
    }
    if let Some(open) = stack.first() {
        return Err(VcalError::Unclosed {
            line: open.line,
            name: open.name.clone(),
        });
    }
    if calendars.is_empty() {
        return Err(VcalError::NoCalendar);
    }
    Ok(calendars)
}

/// Joins physical lines into logical ones, each with the number of its first physical line.
///
/// - vCalendar 1.0 §2.1.3: a line break followed by white space is a fold; the break and one
///   white-space character are removed (the RFC 5545 §3.1 rule, which is what producers
///   that fold mid-word rely on).
/// - RFC 2045 §6.7 rule 5: in a QUOTED-PRINTABLE value a line ending in `=` is a soft line
///   break; the next physical line continues the value whatever it starts with (phones break
///   with `=` and a bare LF). Trailing white space of such lines is transport padding
///   (rule 3) and is dropped.
/// - Blank lines carry nothing and are skipped.
pub(crate) fn logical_lines(input: &str) -> Vec<(usize, String)> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut soft_break = false;
    for (index, physical) in input.split('\n').enumerate() {
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        if soft_break && let Some((_, last)) = out.last_mut() {
            last.pop();
            last.push_str(physical.trim_end_matches([' ', '\t']));
            soft_break = ends_in_soft_break(last);
            continue;
        }
        if physical.starts_with([' ', '\t'])
            && let Some((_, last)) = out.last_mut()
        {
            last.push_str(&physical[1..]);
            soft_break = is_quoted_printable(last) && ends_in_soft_break(last);
            continue;
        }
        if physical.trim().is_empty() {
            continue;
        }
        let mut text = physical.to_string();
        if is_quoted_printable(&text) {
            let kept = text.trim_end_matches([' ', '\t']).len();
            text.truncate(kept);
            soft_break = ends_in_soft_break(&text);
        }
        out.push((index + 1, text));
    }
    out
}

fn ends_in_soft_break(text: &str) -> bool {
    text.ends_with('=') && !text.ends_with("==")
}

/// Whether the part before the value names QUOTED-PRINTABLE.
fn is_quoted_printable(text: &str) -> bool {
    let head = text.split(':').next().unwrap_or_default();
    head.contains(';') && head.to_ascii_uppercase().contains("QUOTED-PRINTABLE")
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// vCalendar 1.0 §2.1.2: `name *(";" param) ":" value`, a param being `name=value` or a
/// bare value. `None` for nothing to keep.
fn parse_line(line: usize, text: &str) -> Result<Option<Property>, VcalError> {
    let syntax = |message: &str| VcalError::Syntax {
        line,
        message: message.to_string(),
    };
    let bytes = text.as_bytes();
    let name_end = bytes.iter().take_while(|&&b| is_name_byte(b)).count();
    if name_end == 0 {
        return Err(syntax("not a property line (expected NAME:value)"));
    }
    let name = text[..name_end].to_ascii_uppercase();
    let mut params = Vec::new();
    let mut i = name_end;
    loop {
        match bytes.get(i) {
            Some(b':') => break,
            Some(b';') => {
                let (param, next) =
                    read_param(text, i + 1).ok_or_else(|| syntax("broken parameter"))?;
                if let Some(param) = param {
                    params.push(param);
                }
                i = next;
            }
            _ => return Err(syntax("property has no ':' and value")),
        }
    }
    let raw = &text[i + 1..];
    let mut property = Property {
        line,
        name,
        params,
        value: raw.to_string(),
    };
    decode_value(&mut property)?;
    Ok(Some(property))
}

/// One parameter from `start` (after its `;`) to the next `;` or `:` outside quotes.
fn read_param(text: &str, start: usize) -> Option<(Option<(String, String)>, usize)> {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut quoted = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => quoted = !quoted,
            b';' | b':' if !quoted => break,
            _ => {}
        }
        i += 1;
    }
    if i >= bytes.len() {
        return None;
    }
    let raw = text[start..i].trim();
    if raw.is_empty() {
        return Some((None, i));
    }
    let param = match raw.split_once('=') {
        Some((name, value)) => (
            name.trim().to_ascii_uppercase(),
            value.trim().trim_matches('"').to_string(),
        ),
        None => (bare_param_name(raw).to_string(), raw.to_string()),
    };
    Some((Some(param), i))
}

/// vCalendar 1.0 §2.1.2 allows a parameter value without its name.
fn bare_param_name(value: &str) -> &'static str {
    match value.to_ascii_uppercase().as_str() {
        "QUOTED-PRINTABLE" | "BASE64" | "8BIT" | "7BIT" => "ENCODING",
        "INLINE" | "URL" | "CONTENT-ID" | "CID" => "VALUE",
        _ => "TYPE",
    }
}

/// Undoes QUOTED-PRINTABLE and CHARSET.
fn decode_value(property: &mut Property) -> Result<(), VcalError> {
    let is_qp = property
        .param("ENCODING")
        .is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"));
    if !is_qp {
        return Ok(());
    }
    let bytes = qp::decode(&property.value).ok_or_else(|| VcalError::QuotedPrintable {
        line: property.line,
        property: property.name.clone(),
    })?;
    let charset = property.param("CHARSET").map(str::to_string);
    property.value = qp::decode_charset(&bytes, charset.as_deref());
    property
        .params
        .retain(|(name, _)| name != "ENCODING" && name != "CHARSET");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_joins_soft_breaks() {
        let text = "A:one\r\n two\r\nB;ENCODING=QUOTED-PRINTABLE:x=\ny=20=\n z\n\nC:c\n";
        let lines = logical_lines(text);
        assert_eq!(
            lines,
            vec![
                (1, "A:onetwo".to_string()),
                (3, "B;ENCODING=QUOTED-PRINTABLE:xy=20 z".to_string()),
                (7, "C:c".to_string()),
            ]
        );
    }

    #[test]
    fn reads_blocks_and_decodes_values() {
        let text = "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VEVENT\nSUMMARY;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:Gr=FC=DFe\nEND:VEVENT\nEND:VCALENDAR\n";
        let calendars = read_calendars(text).expect("reads");
        let event = &calendars[0].children[0];
        let summary = event.property("SUMMARY").expect("summary");
        assert_eq!(summary.value, "Grüße");
        assert!(summary.params.is_empty());
        assert_eq!(summary.line, 4);
    }

    #[test]
    fn reports_broken_input_by_line() {
        let truncated = "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VEVENT\nSUMMARY:x\n";
        assert_eq!(
            read_calendars(truncated).err(),
            Some(VcalError::Unclosed {
                line: 1,
                name: "VCALENDAR".to_string()
            })
        );
        let bad_qp = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY;ENCODING=QUOTED-PRINTABLE:a=XYb\nEND:VEVENT\nEND:VCALENDAR\n";
        assert!(matches!(
            read_calendars(bad_qp),
            Err(VcalError::QuotedPrintable { line: 3, .. })
        ));
        let no_colon = "BEGIN:VCALENDAR\nSUMMARY\nEND:VCALENDAR\n";
        assert!(matches!(
            read_calendars(no_colon),
            Err(VcalError::Syntax { line: 2, .. })
        ));
        assert_eq!(
            read_calendars("hello").err(),
            Some(VcalError::Syntax {
                line: 1,
                message: "property has no ':' and value".to_string()
            })
        );
        assert_eq!(read_calendars("").err(), Some(VcalError::NoCalendar));
    }
}
