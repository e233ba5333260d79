//! RFC 4791 §9.7.5 text-match with the `i;ascii-casemap` and `i;octet` collations.

use crate::query::{Collation, TextMatch};

impl TextMatch {
    /// Whether `text` (already unescaped) contains the match value, negated when asked.
    pub(crate) fn test(&self, text: &str) -> bool {
        let found = match self.collation {
            Collation::Octet => text.contains(self.value.as_str()),
            // RFC 4790 §9.2: only ASCII letters fold; other characters compare as octets.
            Collation::AsciiCasemap => text
                .to_ascii_lowercase()
                .contains(&self.value.to_ascii_lowercase()),
        };
        found != self.negate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(value: &str, collation: Collation, negate: bool) -> TextMatch {
        TextMatch {
            value: value.to_string(),
            collation,
            negate,
        }
    }

    #[test]
    fn collations_and_negation() {
        assert!(m("LISA", Collation::AsciiCasemap, false).test("mailto:lisa@example.com"));
        assert!(!m("LISA", Collation::Octet, false).test("mailto:lisa@example.com"));
        assert!(m("lisa", Collation::Octet, false).test("mailto:lisa@example.com"));
        assert!(m("LISA", Collation::Octet, true).test("mailto:lisa@example.com"));
        assert!(!m("lisa", Collation::AsciiCasemap, true).test("mailto:Lisa@example.com"));
        // Only ASCII folds under i;ascii-casemap.
        assert!(!m("É", Collation::AsciiCasemap, false).test("é"));
        assert!(m("", Collation::Octet, false).test("anything"));
    }
}
