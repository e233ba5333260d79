//! The one access check: who may read or change which calendar.

use calvault_store::{Calendar, UserId};

use crate::{CoreError, Result, Vault};

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The operator at the command line: may do anything.
    Admin,
    /// A signed-in user.
    User(UserId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Vault {
    /// Fails with NotFound (never Forbidden, so names do not leak) unless `actor` may use the
    /// calendar with `access`.
    pub(crate) async fn check_access(
        &self,
        actor: Actor,
        calendar: &Calendar,
        _access: Access,
    ) -> Result<()> {
        match actor {
            Actor::Admin => Ok(()),
            Actor::User(id) if id == calendar.user_id => Ok(()),
            Actor::User(_) => Err(CoreError::NotFound(format!("calendar {}", calendar.name))),
        }
    }
}
