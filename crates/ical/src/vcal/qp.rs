//! QUOTED-PRINTABLE (RFC 2045 §6.7, as vCalendar 1.0 §2.1.3 uses it) and the CHARSET
//! parameter (vCalendar 1.0 §2.1.4): bytes to text and back.

/// Decodes a QUOTED-PRINTABLE value whose soft line breaks were already joined. `None` when
/// an `=` is not followed by two hex digits.
pub(crate) fn decode(value: &str) -> Option<Vec<u8>> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' => {
                let high = bytes.get(i + 1).and_then(|&b| hex(b))?;
                let low = bytes.get(i + 2).and_then(|&b| hex(b))?;
                out.push(high << 4 | low);
                i += 3;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Some(out)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Encodes bytes as QUOTED-PRINTABLE on one logical line: `=`, control characters, non-ASCII
/// and trailing spaces are escaped; line breaks become `=0D=0A` (RFC 2045 §6.7 rules 1-4).
/// Soft line breaks are added by the writer.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    for (i, &byte) in bytes.iter().enumerate() {
        let last = i + 1 == bytes.len();
        let plain = matches!(byte, b'!'..=b'<' | b'>'..=b'~') || (byte == b' ' && !last);
        if plain {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("={byte:02X}"));
        }
    }
    out
}

/// A character set named by a CHARSET parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// UTF-8 (the default of calvault's output).
    #[default]
    Utf8,
    /// ISO-8859-1 (Latin-1).
    Latin1,
    /// windows-1252 (Latin-1 with printable characters in 0x80-0x9F).
    Windows1252,
}

impl Charset {
    /// The charset a CHARSET parameter names; `None` for one this converter does not know.
    pub(crate) fn from_name(name: &str) -> Option<Charset> {
        let name = name
            .trim()
            .trim_matches('"')
            .to_ascii_uppercase()
            .replace('_', "-");
        match name.as_str() {
            "UTF-8" | "UTF8" | "US-ASCII" | "ASCII" => Some(Charset::Utf8),
            "ISO-8859-1" | "ISO8859-1" | "LATIN1" | "LATIN-1" | "L1" => Some(Charset::Latin1),
            "WINDOWS-1252" | "CP1252" | "WIN-1252" => Some(Charset::Windows1252),
            _ => None,
        }
    }

    /// The name written in CHARSET parameters.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Latin1 => "ISO-8859-1",
            Charset::Windows1252 => "WINDOWS-1252",
        }
    }

    pub(crate) fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Charset::Windows1252 => bytes.iter().map(|&b| windows_1252(b)).collect(),
        }
    }

    /// The bytes of `text` in this charset; characters it cannot hold become `?`.
    pub(crate) fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            Charset::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Charset::Windows1252 => text.chars().map(to_windows_1252).collect(),
        }
    }
}

/// Decodes value bytes by the CHARSET parameter. Without one, vCalendar 1.0 says ASCII, but
/// phones write UTF-8 (and older Windows tools windows-1252): UTF-8 is tried first. An
/// unknown charset keeps the bytes as UTF-8, lossily.
pub(crate) fn decode_charset(bytes: &[u8], charset: Option<&str>) -> String {
    match charset {
        None => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(_) => Charset::Windows1252.decode(bytes),
        },
        Some(name) => Charset::from_name(name)
            .unwrap_or(Charset::Utf8)
            .decode(bytes),
    }
}

/// 0x80-0x9F of windows-1252; the five unassigned bytes map to the C1 controls, as
/// WHATWG's encoding standard does.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

fn windows_1252(byte: u8) -> char {
    match byte {
        0x80..=0x9f => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

fn to_windows_1252(c: char) -> u8 {
    if let Some(index) = CP1252_HIGH.iter().position(|&h| h == c) {
        return 0x80 + index as u8;
    }
    match u8::try_from(u32::from(c)) {
        Ok(byte) if !(0x80..=0x9f).contains(&byte) => byte,
        _ => b'?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_rejects_broken_ones() {
        assert_eq!(decode("m=C3=B6chen").as_deref(), Some("möchen".as_bytes()));
        assert_eq!(decode("a=0D=0Ab").as_deref(), Some(&b"a\r\nb"[..]));
        assert_eq!(decode("a=ZZ"), None);
        assert_eq!(decode("a="), None);
    }

    #[test]
    fn encodes_what_must_be_escaped() {
        assert_eq!(encode("a=b\r\nc ".as_bytes()), "a=3Db=0D=0Ac=20");
        assert_eq!(encode("ö".as_bytes()), "=C3=B6");
        let text = "Grüße, 1 = 1\nnext";
        let bytes = decode(&encode(text.as_bytes())).expect("decodes");
        assert_eq!(String::from_utf8(bytes).expect("utf-8"), text);
    }

    #[test]
    fn charsets() {
        assert_eq!(decode_charset(&[0xe4], Some("ISO-8859-1")), "ä");
        assert_eq!(decode_charset(&[0x80, 0x93], Some("windows-1252")), "€“");
        assert_eq!(decode_charset(&[0xe4], None), "ä");
        assert_eq!(decode_charset("ä".as_bytes(), None), "ä");
        assert_eq!(
            decode_charset(&[0xff, b'a'], Some("x-unknown")),
            "\u{fffd}a"
        );
        assert_eq!(Charset::Latin1.encode("äΩ"), vec![0xe4, b'?']);
        assert_eq!(Charset::Windows1252.encode("€ä"), vec![0x80, 0xe4]);
    }
}
