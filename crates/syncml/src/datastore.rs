//! Datastores: the server URIs a device syncs, and the calendar and components each names.
//! `calendar` is the user's default calendar, `calendar/NAME` another one, `tasks` (or
//! `tasks/NAME`) the VTODOs of that calendar. The user chooses which calendar is the default.

use calvault_core::store::{Calendar, CalendarId, UserId};
use calvault_core::{Actor, Vault};
use serde::{Deserialize, Serialize};

use crate::auth::PROTOCOL;
use crate::error::{Result, SyncmlError};
use crate::state::DeviceState;

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

    /// The calendar it names, of `user`: a named one, else the calendar the user chose for
    /// SyncML devices (a trashed or purged choice falls back to the one named `calendar`, else
    /// the user's first).
    pub async fn calendar(&self, vault: &Vault, user: UserId) -> Result<Calendar> {
        let found = match &self.calendar {
            Some(name) => vault.store().calendar_by_name(user, name).await?,
            None => vault.syncml_calendar(user).await?,
        };
        found.ok_or_else(|| SyncmlError::UnknownDatastore(self.name.clone()))
    }
}

/// The datastores that name no calendar: they follow the user's choice.
const DEFAULT_DATASTORES: [&str; 2] = ["calendar", "tasks"];

/// Chooses the calendar `calendar` and `tasks` sync for `user` (None: back to the one named
/// `calendar`), then settles the devices as [`settle_default_calendar`] does.
pub async fn set_default_calendar(
    vault: &Vault,
    actor: Actor,
    user: &str,
    calendar: Option<&str>,
) -> Result<Option<Calendar>> {
    let before = default_calendar_id(vault, user).await?;
    let after = vault.set_syncml_calendar(actor, user, calendar).await?;
    settle_default_calendar(vault, user, before).await?;
    Ok(after)
}

/// The id of the calendar `calendar` and `tasks` name for `user` now: read it before a change
/// that may move them (choosing, trashing or restoring a calendar), then settle.
pub async fn default_calendar_id(vault: &Vault, user: &str) -> Result<Option<CalendarId>> {
    let owner = vault.user_named(user).await?;
    Ok(vault.syncml_calendar(owner.id).await?.map(|c| c.id))
}

/// When `calendar` and `tasks` no longer name the calendar they named `before`, every SyncML
/// device of the user forgets its anchors for them: the anchors are positions in the old
/// calendar's journal, so the next sync of them is slow (OMA DS 1.2 §4.1: 508), compares
/// everything, and twin detection keeps it from doubling anything.
pub async fn settle_default_calendar(
    vault: &Vault,
    user: &str,
    before: Option<CalendarId>,
) -> Result<()> {
    if default_calendar_id(vault, user).await? != before {
        forget_default_anchors(vault, user).await?;
    }
    Ok(())
}

async fn forget_default_anchors(vault: &Vault, user: &str) -> Result<()> {
    for device in vault.list_devices(user).await? {
        if device.protocol != PROTOCOL {
            continue;
        }
        let mut state = DeviceState::from_json(&device.state);
        let before = state.anchors.len() + state.suspended.len();
        for name in DEFAULT_DATASTORES {
            state.anchors.remove(name);
            state.suspended.remove(name);
        }
        if state.anchors.len() + state.suspended.len() != before {
            vault
                .save_device_state(device.id, &state.to_json(), false)
                .await?;
        }
    }
    Ok(())
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
