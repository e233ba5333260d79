//! The one access check: who may read or change which calendar.

use calvault_store::{Calendar, ShareAccess, UserId};

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
    /// The access `actor` has to `calendar`: all for its owner and the operator, what a share
    /// grants for others, none otherwise.
    pub async fn access_to(&self, actor: Actor, calendar: &Calendar) -> Result<Option<Access>> {
        let user = match actor {
            Actor::Admin => return Ok(Some(Access::Write)),
            Actor::User(id) if id == calendar.user_id => return Ok(Some(Access::Write)),
            Actor::User(id) => id,
        };
        let share = self.store.share(calendar.id, user).await?;
        Ok(share.map(|s| match s.access {
            ShareAccess::Read => Access::Read,
            ShareAccess::ReadWrite => Access::Write,
        }))
    }

    /// Fails unless `actor` may use the calendar with `access`: NotFound when the actor may
    /// not even see it (so names do not leak), Forbidden when it may read but not write.
    pub(crate) async fn check_access(
        &self,
        actor: Actor,
        calendar: &Calendar,
        access: Access,
    ) -> Result<()> {
        match (self.access_to(actor, calendar).await?, access) {
            (Some(Access::Write), _) | (Some(Access::Read), Access::Read) => Ok(()),
            (Some(Access::Read), Access::Write) => Err(CoreError::Forbidden),
            (None, _) => Err(CoreError::NotFound(format!("calendar {}", calendar.name))),
        }
    }
}
