//! The Overwrite header (RFC 4918 §10.6).

use super::invalid;
use crate::error::DavProtoError;

/// `Overwrite = "Overwrite" ":" ("T" | "F")`; absent means T, which the caller applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite(pub bool);

impl Overwrite {
    pub fn parse(value: &str) -> Result<Overwrite, DavProtoError> {
        match value.trim() {
            "T" | "t" => Ok(Overwrite(true)),
            "F" | "f" => Ok(Overwrite(false)),
            _ => Err(invalid("Overwrite", value, "expected T or F")),
        }
    }

    /// True when an existing destination may be replaced.
    pub fn allows(self) -> bool {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_t_and_f() {
        assert!(Overwrite::parse("T").unwrap().allows());
        assert!(!Overwrite::parse(" F").unwrap().allows());
        for bad in ["", "true", "0", "TF"] {
            assert!(Overwrite::parse(bad).is_err(), "{bad:?}");
        }
    }
}
