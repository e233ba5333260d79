//! Sync tokens (RFC 6578 §3.2): a URI naming the calendar and a journal position.

/// `http://calvault.invalid/sync/CALENDAR/SEQ`: clients treat it as opaque, we parse it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncToken {
    pub calendar: i64,
    pub position: i64,
}

const PREFIX: &str = "http://calvault.invalid/sync/";

impl SyncToken {
    pub fn parse(text: &str) -> Option<SyncToken> {
        let rest = text.trim().strip_prefix(PREFIX)?;
        let (calendar, position) = rest.split_once('/')?;
        let token = SyncToken {
            calendar: calendar.parse().ok()?,
            position: position.parse().ok()?,
        };
        (token.position >= 0).then_some(token)
    }
}

impl std::fmt::Display for SyncToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}{}/{}", self.calendar, self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let token = SyncToken {
            calendar: 3,
            position: 42,
        };
        assert_eq!(SyncToken::parse(&token.to_string()), Some(token));
        for bad in [
            "",
            "http://calvault.invalid/sync/3",
            "x/3/4",
            "http://calvault.invalid/sync/3/-1",
        ] {
            assert_eq!(SyncToken::parse(bad), None, "{bad}");
        }
    }
}
