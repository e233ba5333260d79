//! The calendar a user's SyncML devices sync when their datastore names none (`calendar`,
//! `tasks`): the one the user chose, else the one named `calendar`, else their first.

use calvault_store::{Calendar, User, UserId};

use crate::calendars::DEFAULT_CALENDAR;
use crate::{Actor, CoreError, Result, Vault};

impl Vault {
    /// The calendar the user chose for SyncML devices, when it is still a live calendar of
    /// theirs; a trashed or purged choice counts as none.
    pub async fn chosen_syncml_calendar(&self, user: UserId) -> Result<Option<Calendar>> {
        let Some(id) = self.store.syncml_calendar(user).await? else {
            return Ok(None);
        };
        Ok(self
            .store
            .calendar(id)
            .await?
            .filter(|c| c.user_id == user && c.deleted_at.is_none()))
    }

    /// The calendar the datastores `calendar` and `tasks` name: the chosen one, else the
    /// calendar named `calendar`, else the user's first live calendar; None when they have none.
    pub async fn syncml_calendar(&self, user: UserId) -> Result<Option<Calendar>> {
        if let Some(chosen) = self.chosen_syncml_calendar(user).await? {
            return Ok(Some(chosen));
        }
        if let Some(named) = self.store.calendar_by_name(user, DEFAULT_CALENDAR).await? {
            return Ok(Some(named));
        }
        Ok(self
            .store
            .list_calendars(user, false)
            .await?
            .into_iter()
            .next())
    }

    /// Chooses the calendar of `user` that SyncML devices sync by default (`None`: back to the
    /// one named `calendar`). Only the user or the operator chooses, and only among the user's
    /// own live calendars: SyncML datastores name the user's own calendars, never a share.
    /// Returns the calendar now in effect.
    pub async fn set_syncml_calendar(
        &self,
        actor: Actor,
        user: &str,
        calendar: Option<&str>,
    ) -> Result<Option<Calendar>> {
        let user = self.settings_owner(actor, user).await?;
        let chosen = match calendar {
            Some(name) => Some(
                self.store
                    .calendar_by_name(user.id, name)
                    .await?
                    .ok_or_else(|| CoreError::NotFound(format!("calendar {}/{name}", user.name)))?,
            ),
            None => None,
        };
        self.store
            .set_syncml_calendar(user.id, chosen.as_ref().map(|c| c.id))
            .await?;
        self.syncml_calendar(user.id).await
    }

    /// The user whose settings `actor` reads or changes: only their own, or any for the
    /// operator; another user's answer NotFound, like a name that does not exist.
    pub(crate) async fn settings_owner(&self, actor: Actor, user: &str) -> Result<User> {
        let found = self.user_named(user).await?;
        match actor {
            Actor::User(id) if id != found.id => Err(CoreError::NotFound(format!("user {user}"))),
            _ => Ok(found),
        }
    }
}
