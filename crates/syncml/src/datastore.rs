//! Datastores: the server URIs a device syncs, and the calendar and components each names.
//! `calendar` is the user's default calendar, `calendar/NAME` another one, `tasks` (or
//! `tasks/NAME`) the VTODOs of that calendar.

use calvault_core::store::{Calendar, UserId};
use calvault_core::{DEFAULT_CALENDAR, Vault};
use serde::{Deserialize, Serialize};

use crate::error::{Result, SyncmlError};

/// Which components of the calendar a datastore carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Collection {
    /// Everything but VTODO.
    Events,
    /// VTODO only.
    Tasks,
}

impl Collection {
    pub fn holds(self, component: &str) -> bool {
        let todo = component.eq_ignore_ascii_case("VTODO");
        match self {
            Collection::Events => !todo,
            Collection::Tasks => todo,
        }
    }
}

/// A parsed target URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatastoreUri {
    /// The URI as the server names it: `calendar`, `tasks/work`.
    pub name: String,
    pub collection: Collection,
    /// None: the user's default calendar.
    pub calendar: Option<String>,
}

impl DatastoreUri {
    /// Reads a Target LocURI; `./` and a trailing `/` are ignored, an absolute URL's path too.
    pub fn parse(uri: &str) -> Option<Self> {
        let path = uri.split('?').next().unwrap_or("");
        let path = match path.find("://") {
            Some(i) => path[i + 3..].split_once('/').map(|(_, p)| p).unwrap_or(""),
            None => path,
        };
        let path = path.trim_start_matches("./").trim_matches('/');
        let path = path.strip_prefix("syncml/").unwrap_or(path);
        let (head, calendar) = match path.split_once('/') {
            Some((head, name)) if !name.is_empty() && !name.contains('/') => {
                (head, Some(name.to_string()))
            }
            Some(_) => return None,
            None => (path, None),
        };
        let collection = match head.to_ascii_lowercase().as_str() {
            "calendar" | "events" | "event" | "cal" => Collection::Events,
            "tasks" | "task" | "todo" | "todos" => Collection::Tasks,
            _ => return None,
        };
        let head = match collection {
            Collection::Events => "calendar",
            Collection::Tasks => "tasks",
        };
        let name = match &calendar {
            Some(c) => format!("{head}/{c}"),
            None => head.to_string(),
        };
        Some(DatastoreUri {
            name,
            collection,
            calendar,
        })
    }

    /// The calendar it names, of `user`.
    pub async fn calendar(&self, vault: &Vault, user: UserId) -> Result<Calendar> {
        let store = vault.store();
        let wanted = self.calendar.as_deref().unwrap_or(DEFAULT_CALENDAR);
        if let Some(calendar) = store.calendar_by_name(user, wanted).await? {
            return Ok(calendar);
        }
        if self.calendar.is_none()
            && let Some(first) = store.list_calendars(user, false).await?.into_iter().next()
        {
            return Ok(first);
        }
        Err(SyncmlError::UnknownDatastore(self.name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_uris() {
        let cal = DatastoreUri::parse("./calendar").unwrap();
        assert_eq!(
            (cal.name.as_str(), cal.collection),
            ("calendar", Collection::Events)
        );
        let work = DatastoreUri::parse("calendar/work").unwrap();
        assert_eq!(work.calendar.as_deref(), Some("work"));
        let tasks = DatastoreUri::parse("http://h:1/syncml/tasks").unwrap();
        assert_eq!(
            (tasks.name.as_str(), tasks.collection),
            ("tasks", Collection::Tasks)
        );
        assert!(DatastoreUri::parse("contacts").is_none());
        assert!(DatastoreUri::parse("calendar/a/b").is_none());
        assert!(Collection::Tasks.holds("VTODO") && !Collection::Events.holds("vtodo"));
    }
}
