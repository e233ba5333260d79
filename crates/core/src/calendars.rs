//! Calendars: create, find by path, list, change, delete to the trash.

use calvault_store::{Calendar, CalendarId, CalendarPatch, NewCalendar, User};

use crate::{Access, Actor, CoreError, Result, Vault, now};

/// The calendar every new user gets, and the one `USER` alone names.
pub const DEFAULT_CALENDAR: &str = "calendar";

/// `USER` or `USER/CALENDAR`, as typed at the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPath {
    pub user: String,
    pub calendar: String,
}

impl CalendarPath {
    pub fn parse(text: &str) -> Result<Self> {
        let (user, calendar) = match text.split_once('/') {
            Some((user, calendar)) => (user, calendar),
            None => (text, DEFAULT_CALENDAR),
        };
        check_name("user", user)?;
        check_name("calendar", calendar)?;
        Ok(CalendarPath {
            user: user.to_string(),
            calendar: calendar.to_string(),
        })
    }
}

impl std::fmt::Display for CalendarPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.user, self.calendar)
    }
}

/// Names travel in URLs and paths: keep them to a safe alphabet.
pub(crate) fn check_name(what: &str, name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if valid {
        Ok(())
    } else {
        Err(CoreError::Invalid(format!(
            "invalid {what} name {name:?}: use 1 to 64 letters, digits, '-', '_', '.' or '@', not starting with '.'"
        )))
    }
}

pub(crate) fn new_calendar(name: &str, display_name: &str) -> NewCalendar {
    NewCalendar {
        name: name.to_string(),
        display_name: display_name.to_string(),
        color: None,
        description: None,
        components: vec!["VEVENT".to_string(), "VTODO".to_string()],
        created_at: now(),
        timezone: None,
    }
}

impl Vault {
    pub async fn user_named(&self, name: &str) -> Result<User> {
        self.store
            .user_by_name(name)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("user {name}")))
    }

    /// Finds a live calendar by path and checks the actor's access to it.
    pub async fn calendar(
        &self,
        actor: Actor,
        path: &CalendarPath,
        access: Access,
    ) -> Result<Calendar> {
        let user = self.user_named(&path.user).await?;
        let calendar = self
            .store
            .calendar_by_name(user.id, &path.calendar)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("calendar {path}")))?;
        self.check_access(actor, &calendar, access).await?;
        Ok(calendar)
    }

    pub(crate) async fn calendar_by_id(
        &self,
        actor: Actor,
        id: CalendarId,
        access: Access,
    ) -> Result<Calendar> {
        let calendar = self
            .store
            .calendar(id)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("calendar {id}")))?;
        self.check_access(actor, &calendar, access).await?;
        Ok(calendar)
    }

    pub async fn list_calendars(&self, actor: Actor, user: &str) -> Result<Vec<Calendar>> {
        let user = self.user_named(user).await?;
        if let Actor::User(id) = actor
            && id != user.id
        {
            return Err(CoreError::NotFound(format!("user {}", user.name)));
        }
        Ok(self.store.list_calendars(user.id, false).await?)
    }

    pub async fn create_calendar(
        &self,
        actor: Actor,
        path: &CalendarPath,
        display_name: Option<&str>,
    ) -> Result<Calendar> {
        let user = self.user_named(&path.user).await?;
        if let Actor::User(id) = actor
            && id != user.id
        {
            return Err(CoreError::Forbidden);
        }
        if self
            .store
            .calendar_by_name(user.id, &path.calendar)
            .await?
            .is_some()
        {
            return Err(CoreError::AlreadyExists(format!("calendar {path}")));
        }
        let display = display_name.unwrap_or(&path.calendar);
        Ok(self
            .store
            .create_calendar(user.id, new_calendar(&path.calendar, display))
            .await?)
    }

    pub async fn update_calendar(
        &self,
        actor: Actor,
        path: &CalendarPath,
        patch: CalendarPatch,
    ) -> Result<Calendar> {
        let calendar = self.calendar(actor, path, Access::Write).await?;
        if let Some(name) = &patch.name {
            check_name("calendar", name)?;
        }
        Ok(self.store.update_calendar(calendar.id, patch).await?)
    }

    /// Moves a calendar to the trash: its objects and journal stay, so it can come back.
    pub async fn delete_calendar(&self, actor: Actor, path: &CalendarPath) -> Result<Calendar> {
        let calendar = self.calendar(actor, path, Access::Write).await?;
        self.snapshot_automatic(&calendar, "before deleting the calendar")
            .await?;
        self.store.trash_calendar(calendar.id, now()).await?;
        Ok(calendar)
    }

    /// Removes a calendar that the same request just created and then could not finish
    /// (RFC 4791 §5.3.1: a property that cannot be set fails the whole MKCALENDAR). It never
    /// held anything, so it leaves nothing in the trash; a calendar with any change is refused.
    pub async fn discard_new_calendar(&self, actor: Actor, path: &CalendarPath) -> Result<()> {
        let calendar = self.calendar(actor, path, Access::Write).await?;
        if self.store.position(calendar.id).await? != 0 {
            return Err(CoreError::Invalid(format!(
                "calendar {}/{} is not new",
                path.user, path.calendar
            )));
        }
        Ok(self.store.purge_calendar(calendar.id).await?)
    }

    /// Brings a calendar back from the trash, unless another live calendar took its name.
    pub async fn restore_calendar(&self, actor: Actor, user: &str, name: &str) -> Result<Calendar> {
        let owner = self.user_named(user).await?;
        if let Actor::User(id) = actor
            && id != owner.id
        {
            return Err(CoreError::NotFound(format!("user {user}")));
        }
        if self.store.calendar_by_name(owner.id, name).await?.is_some() {
            return Err(CoreError::AlreadyExists(format!("calendar {user}/{name}")));
        }
        let deleted = self
            .store
            .list_calendars(owner.id, true)
            .await?
            .into_iter()
            .filter(|calendar| calendar.name == name && calendar.deleted_at.is_some())
            .max_by_key(|calendar| calendar.deleted_at)
            .ok_or_else(|| CoreError::NotFound(format!("deleted calendar {user}/{name}")))?;
        self.store.restore_calendar(deleted.id).await?;
        Ok(deleted)
    }
}
