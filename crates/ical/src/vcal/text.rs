//! Text values and lists: vCalendar 1.0 §2.1.3 escaping (`\;` inside `;`-separated values,
//! no `\n`: line breaks travel as QUOTED-PRINTABLE) against RFC 5545 §3.3.11 TEXT.

/// Splits a vCalendar compound or list value at each `;` not escaped as `\;`.
pub(crate) fn split_fields(value: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&';') => {
                chars.next();
                push(&mut fields, ';');
            }
            ';' => fields.push(String::new()),
            c => push(&mut fields, c),
        }
    }
    fields
}

fn push(fields: &mut [String], c: char) {
    if let Some(last) = fields.last_mut() {
        last.push(c);
    }
}

/// A vCalendar text value as plain text: the escapes producers write (`\;`, `\,`, `\\`, and
/// the iCalendar `\n` some of them borrow) undone, line breaks as LF.
pub(crate) fn unescape(value: &str) -> String {
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some(';' | ',' | '\\') => out.extend(chars.next()),
            Some('n' | 'N') => {
                chars.next();
                out.push('\n');
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// Escapes `;` for a field of a vCalendar compound value.
pub(crate) fn escape_field(text: &str) -> String {
    text.replace(';', "\\;")
}

/// Splits an RFC 5545 list value at each `,` not escaped as `\,`, undoing TEXT escapes.
pub(crate) fn split_ical_list(value: &str) -> Vec<String> {
    let mut items = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            if let Some(last) = items.last_mut() {
                last.push('\\');
                last.push(c);
            }
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' {
            items.push(String::new());
        } else if let Some(last) = items.last_mut() {
            last.push(c);
        }
    }
    items
        .iter()
        .map(|item| crate::line::unescape_text(item).trim().to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// An RFC 5545 parameter value, quoted when it holds `:`, `;` or `,` (§3.2).
pub(crate) fn param_value(value: &str) -> String {
    let value = value.replace('"', "'");
    if value.contains([':', ';', ',']) {
        format!("\"{value}\"")
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_escapes() {
        assert_eq!(split_fields("a\\;b;c;"), vec!["a;b", "c", ""]);
        assert_eq!(unescape("a\\, b\\;c\\nd\r\ne\\x"), "a, b;c\nd\ne\\x");
        assert_eq!(escape_field("a;b"), "a\\;b");
        assert_eq!(split_ical_list("Foo\\,Bar,Baz"), vec!["Foo,Bar", "Baz"]);
        assert_eq!(param_value("a:b"), "\"a:b\"");
    }
}
