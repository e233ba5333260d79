//! `calvault calendar list|create|delete|restore|share|unshare|default`.

use calvault_core::{Actor, CalendarPath, Vault};
use calvault_store::{CalendarPatch, ShareAccess};
use calvault_syncml::datastore::{
    default_calendar_id, set_default_calendar, settle_default_calendar,
};

use crate::cli::CalendarCommand;

pub async fn run(vault: &Vault, command: CalendarCommand) -> anyhow::Result<()> {
    match command {
        CalendarCommand::List { user } => {
            let owner = vault.user_named(&user).await?;
            let syncml = vault.syncml_calendar(owner.id).await?.map(|c| c.id);
            for calendar in vault.list_calendars(Actor::Admin, &user).await? {
                let count = vault.store().count_objects(calendar.id).await?;
                let default = if syncml == Some(calendar.id) {
                    "\tSyncML default"
                } else {
                    ""
                };
                println!(
                    "{}/{}\t{}\t{}\t{} objects\tposition {}{default}",
                    user,
                    calendar.name,
                    calendar.display_name,
                    calendar.components.join(","),
                    count,
                    calendar.position
                );
            }
        }
        CalendarCommand::Default { user, calendar } => default(vault, &user, calendar).await?,
        CalendarCommand::Create {
            path,
            display_name,
            color,
        } => {
            let path = CalendarPath::parse(&path)?;
            if let Some(color) = &color {
                check_color(color)?;
            }
            let calendar = vault
                .create_calendar(Actor::Admin, &path, display_name.as_deref())
                .await?;
            if color.is_some() {
                let patch = CalendarPatch {
                    color: Some(color),
                    ..CalendarPatch::default()
                };
                vault.update_calendar(Actor::Admin, &path, patch).await?;
            }
            println!("created calendar {path} ({})", calendar.display_name);
        }
        CalendarCommand::Delete { path } => {
            let path = CalendarPath::parse(&path)?;
            let before = default_calendar_id(vault, &path.user).await?;
            vault.delete_calendar(Actor::Admin, &path).await?;
            settle_default_calendar(vault, &path.user, before).await?;
            println!(
                "calendar {path} moved to the trash (bring it back with: calvault calendar restore {path})"
            );
        }
        CalendarCommand::Share {
            path,
            other,
            access,
        } => {
            let path = CalendarPath::parse(&path)?;
            let Some(access) = ShareAccess::parse(&access) else {
                anyhow::bail!("invalid access {access:?}: use read or read-write");
            };
            let share = vault
                .share_calendar(Actor::Admin, &path, &other, access)
                .await?;
            println!(
                "calendar {path} shared with {other} ({}); it appears in their home as {}",
                share.access.as_str(),
                share.mount_name
            );
        }
        CalendarCommand::Unshare { path, other } => {
            let path = CalendarPath::parse(&path)?;
            vault.unshare_calendar(Actor::Admin, &path, &other).await?;
            println!("calendar {path} no longer shared with {other}");
        }
        CalendarCommand::Restore { path } => {
            let path = CalendarPath::parse(&path)?;
            let before = default_calendar_id(vault, &path.user).await?;
            vault
                .restore_calendar(Actor::Admin, &path.user, &path.calendar)
                .await?;
            settle_default_calendar(vault, &path.user, before).await?;
            println!("calendar {path} restored");
        }
    }
    Ok(())
}

/// Shows or chooses the calendar SyncML devices sync by default.
async fn default(vault: &Vault, user: &str, calendar: Option<String>) -> anyhow::Result<()> {
    let in_effect = match calendar {
        Some(name) => {
            set_default_calendar(vault, Actor::Admin, user, Some(&name)).await?;
            println!("SyncML devices of {user} now sync {user}/{name} as `calendar` and `tasks`");
            return Ok(());
        }
        None => {
            vault
                .syncml_calendar(vault.user_named(user).await?.id)
                .await?
        }
    };
    match in_effect {
        Some(calendar) => println!("{user}/{}", calendar.name),
        None => anyhow::bail!("{user} has no calendar"),
    }
    Ok(())
}

fn check_color(color: &str) -> anyhow::Result<()> {
    let valid = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    anyhow::ensure!(valid, "invalid colour {color:?}: use #RRGGBB");
    Ok(())
}
