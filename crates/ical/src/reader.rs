//! Physical lines to logical (unfolded) content lines, with the line number where each starts.

use std::borrow::Cow;

/// Yields `(line number, unfolded text)`; blank lines come out as empty text.
pub(crate) struct LogicalLines<'a> {
    rest: &'a str,
    /// Length of the text read, so that `position` can give offsets into it.
    len: usize,
    next_number: usize,
    /// A physical line read ahead, with the offset where it starts.
    peeked: Option<(usize, &'a str, usize)>,
}

/// The text without a UTF-8 byte order mark, which is not part of the first line (Exchange
/// writes one). Offsets from `LogicalLines::offset` are into this text.
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

impl<'a> LogicalLines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self::numbered_from(without_bom(text), 1)
    }

    /// Lines of a part of a text (which starts at a line), numbered as in the whole text.
    pub(crate) fn numbered_from(text: &'a str, first_number: usize) -> Self {
        LogicalLines {
            rest: text,
            len: text.len(),
            next_number: first_number,
            peeked: None,
        }
    }

    /// The byte offset where the next logical line starts (the text's length at its end).
    pub(crate) fn offset(&self) -> usize {
        match self.peeked {
            Some((_, _, start)) => start,
            None => self.len - self.rest.len(),
        }
    }

    /// CRLF and bare LF both end a line (RFC 5545 §3.1 says CRLF; many producers write LF).
    fn physical(&mut self) -> Option<(usize, &'a str)> {
        if let Some((number, line, _)) = self.peeked.take() {
            return Some((number, line));
        }
        if self.rest.is_empty() {
            return None;
        }
        // A plain scan: content lines are short, where memchr's setup costs more than it saves.
        let (line, rest) = match self.rest.bytes().position(|b| b == b'\n') {
            Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        let number = self.next_number;
        self.next_number += 1;
        Some((number, line.strip_suffix('\r').unwrap_or(line)))
    }

    fn peek(&mut self) -> Option<&'a str> {
        if self.peeked.is_none() {
            let start = self.offset();
            self.peeked = self.physical().map(|(number, line)| (number, line, start));
        }
        self.peeked.map(|(_, line, _)| line)
    }
}

impl<'a> Iterator for LogicalLines<'a> {
    type Item = (usize, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        let (number, first) = self.physical()?;
        let mut text = Cow::Borrowed(first);
        while let Some(next) = self.peek() {
            if is_qp_soft_break(&text) {
                // vCalendar 1.0 QUOTED-PRINTABLE: '=' at the end of a line is a soft line break
                // that decoding deletes, so the next physical line continues the value.
                let joined = text.to_mut();
                joined.pop();
                joined.push_str(next);
            } else if !text.is_empty() && next.starts_with([' ', '\t']) {
                // RFC 5545 §3.1 unfolding: CRLF followed by one space or tab is removed.
                text.to_mut().push_str(&next[1..]);
            } else {
                break;
            }
            self.peeked = None;
        }
        Some((number, text))
    }
}

fn is_qp_soft_break(text: &str) -> bool {
    // "==" cannot end quoted-printable text ('=' starts an escape), so it is not a break.
    text.ends_with('=') && !text.ends_with("==") && is_quoted_printable(text)
}

/// Whether the line's parameters (before the first ':') declare QUOTED-PRINTABLE.
pub(crate) fn is_quoted_printable(text: &str) -> bool {
    let head = text.split(':').next().unwrap_or_default();
    head.len() < text.len()
        && head
            .as_bytes()
            .windows(16)
            .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, String)> {
        LogicalLines::new(text)
            .map(|(n, t)| (n, t.into_owned()))
            .collect()
    }

    #[test]
    fn unfolds_with_mixed_line_ends_and_bom() {
        let text = "\u{feff}BEGIN:VCALENDAR\r\nSUMMARY:a\r\n  b\n\tc\nEND:VCALENDAR";
        assert_eq!(
            lines(text),
            vec![
                (1, "BEGIN:VCALENDAR".to_string()),
                (2, "SUMMARY:a bc".to_string()),
                (5, "END:VCALENDAR".to_string()),
            ]
        );
    }

    #[test]
    fn joins_quoted_printable_soft_breaks() {
        let text = "DESCRIPTION;ENCODING=QUOTED-PRINTABLE:a=3D=\r\nb\r\nX:y=\r\n";
        assert_eq!(
            lines(text),
            vec![
                (1, "DESCRIPTION;ENCODING=QUOTED-PRINTABLE:a=3Db".to_string()),
                (3, "X:y=".to_string()),
            ]
        );
    }

    #[test]
    fn blank_lines_are_kept_as_empty() {
        assert_eq!(
            lines("A:b\n\n c\n"),
            vec![
                (1, "A:b".to_string()),
                (2, String::new()),
                (3, " c".to_string())
            ]
        );
    }
}
