//! Alert codes (SyncML RepPro 1.2 §6.6.2, OMA DS Protocol 1.2 §8).

use std::fmt;

/// An Alert `Data` code; known codes are associated constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlertCode(pub u16);

impl AlertCode {
    /// 100 Display.
    pub const DISPLAY: AlertCode = AlertCode(100);
    /// 200 Two-way sync.
    pub const TWO_WAY: AlertCode = AlertCode(200);
    /// 201 Slow sync.
    pub const SLOW_SYNC: AlertCode = AlertCode(201);
    /// 202 One-way sync from client.
    pub const ONE_WAY_FROM_CLIENT: AlertCode = AlertCode(202);
    /// 203 Refresh sync from client.
    pub const REFRESH_FROM_CLIENT: AlertCode = AlertCode(203);
    /// 204 One-way sync from server.
    pub const ONE_WAY_FROM_SERVER: AlertCode = AlertCode(204);
    /// 205 Refresh sync from server.
    pub const REFRESH_FROM_SERVER: AlertCode = AlertCode(205);
    /// 206 Two-way sync alerted by server.
    pub const TWO_WAY_BY_SERVER: AlertCode = AlertCode(206);
    /// 207 One-way sync from client alerted by server.
    pub const ONE_WAY_FROM_CLIENT_BY_SERVER: AlertCode = AlertCode(207);
    /// 208 Refresh sync from client alerted by server.
    pub const REFRESH_FROM_CLIENT_BY_SERVER: AlertCode = AlertCode(208);
    /// 209 One-way sync from server alerted by server.
    pub const ONE_WAY_FROM_SERVER_BY_SERVER: AlertCode = AlertCode(209);
    /// 210 Refresh sync from server alerted by server.
    pub const REFRESH_FROM_SERVER_BY_SERVER: AlertCode = AlertCode(210);
    /// 221 Result alert.
    pub const RESULT_ALERT: AlertCode = AlertCode(221);
    /// 222 Next message.
    pub const NEXT_MESSAGE: AlertCode = AlertCode(222);
    /// 223 No end of data.
    pub const NO_END_OF_DATA: AlertCode = AlertCode(223);
    /// 224 Suspend.
    pub const SUSPEND: AlertCode = AlertCode(224);
    /// 225 Resume.
    pub const RESUME: AlertCode = AlertCode(225);

    /// The name the specification gives this code, if it defines one.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            100 => "Display",
            200 => "Two-way sync",
            201 => "Slow sync",
            202 => "One-way sync from client",
            203 => "Refresh sync from client",
            204 => "One-way sync from server",
            205 => "Refresh sync from server",
            206 => "Two-way sync alerted by server",
            207 => "One-way sync from client alerted by server",
            208 => "Refresh sync from client alerted by server",
            209 => "One-way sync from server alerted by server",
            210 => "Refresh sync from server alerted by server",
            221 => "Result alert",
            222 => "Next message",
            223 => "No end of data",
            224 => "Suspend",
            225 => "Resume",
            _ => return None,
        })
    }

    /// 200–210: the alert starts a synchronization of one of the sync types
    /// (OMA DS Protocol 1.2 §8: two-way, slow, one-way, refresh, server alerted).
    pub fn is_sync(self) -> bool {
        (200..=210).contains(&self.0)
    }

    /// 100–199: user interaction alerts (display and the like).
    pub fn is_user_interaction(self) -> bool {
        (100..200).contains(&self.0)
    }
}

impl fmt::Display for AlertCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_classes() {
        assert_eq!(AlertCode::SLOW_SYNC.name(), Some("Slow sync"));
        assert!(AlertCode::REFRESH_FROM_SERVER.is_sync());
        assert!(!AlertCode::NEXT_MESSAGE.is_sync());
        assert!(AlertCode::DISPLAY.is_user_interaction());
    }
}
