//! `calvault calendar list|create|delete|restore`.

use calvault_core::{Actor, CalendarPath, Vault};
use calvault_store::{CalendarPatch, ShareAccess};

use crate::cli::CalendarCommand;

pub async fn run(vault: &Vault, command: CalendarCommand) -> anyhow::Result<()> {
    match command {
        CalendarCommand::List { user } => {
            for calendar in vault.list_calendars(Actor::Admin, &user).await? {
                let count = vault.store().count_objects(calendar.id).await?;
                println!(
                    "{}/{}\t{}\t{}\t{} objects\tposition {}",
                    user,
                    calendar.name,
                    calendar.display_name,
                    calendar.components.join(","),
                    count,
                    calendar.position
                );
            }
        }
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
            vault.delete_calendar(Actor::Admin, &path).await?;
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
            vault
                .restore_calendar(Actor::Admin, &path.user, &path.calendar)
                .await?;
            println!("calendar {path} restored");
        }
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
