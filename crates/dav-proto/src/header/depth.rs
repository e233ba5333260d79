//! The Depth header (RFC 4918 §10.2).

use super::invalid;
use crate::error::DavProtoError;

/// `Depth = "Depth" ":" ("0" | "1" | "infinity")`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Zero,
    One,
    Infinity,
}

impl Depth {
    pub fn parse(value: &str) -> Result<Depth, DavProtoError> {
        let trimmed = value.trim();
        match trimmed {
            "0" => Ok(Depth::Zero),
            "1" => Ok(Depth::One),
            _ if trimmed.eq_ignore_ascii_case("infinity") => Ok(Depth::Infinity),
            _ => Err(invalid("Depth", value, "expected 0, 1 or infinity")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_depths() {
        assert_eq!(Depth::parse("0"), Ok(Depth::Zero));
        assert_eq!(Depth::parse(" 1 "), Ok(Depth::One));
        assert_eq!(Depth::parse("infinity"), Ok(Depth::Infinity));
        assert_eq!(Depth::parse("Infinity"), Ok(Depth::Infinity));
        for bad in ["", "2", "01", "infinite", "1,0"] {
            assert!(Depth::parse(bad).is_err(), "{bad:?}");
        }
    }
}
