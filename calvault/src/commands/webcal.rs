//! `calvault webcal add|list|revoke`: private subscription addresses of calendars.

use calvault_core::{Actor, CalendarPath, Vault};

use super::format_time;
use crate::cli::WebcalCommand;

pub async fn run(vault: &Vault, command: WebcalCommand) -> anyhow::Result<()> {
    match command {
        WebcalCommand::Add {
            user,
            calendar,
            base_url,
        } => {
            let path = calendar_path(&user, &calendar)?;
            let (feed, token) = vault.add_webcal(Actor::Admin, &user, &path).await?;
            let base = base_url.as_deref().unwrap_or("").trim_end_matches('/');
            println!("subscription address {} for {user} to {path}:", feed.id);
            println!("{base}/webcal/{token}.ics");
            if base.is_empty() {
                println!("(after the server's address; shown this once, revoke it if it leaks)");
            } else {
                println!("(shown this once; revoke it if it leaks)");
            }
        }
        WebcalCommand::List { user } => {
            for (feed, calendar) in vault.list_webcals(Actor::Admin, &user).await? {
                let owner = vault.store().user(calendar.user_id).await?;
                let owner = owner.map(|u| u.name).unwrap_or_default();
                let trashed = if calendar.deleted_at.is_some() {
                    "\t(calendar in the trash)"
                } else {
                    ""
                };
                println!(
                    "{}\t{owner}/{}\tmade {}{trashed}",
                    feed.id,
                    calendar.name,
                    format_time(feed.created_at)
                );
            }
        }
        WebcalCommand::Revoke { user, target } => revoke(vault, &user, &target).await?,
    }
    Ok(())
}

/// `CALENDAR` is the user's own; `OWNER/CALENDAR` one shared with them.
fn calendar_path(user: &str, calendar: &str) -> anyhow::Result<CalendarPath> {
    if calendar.contains('/') {
        Ok(CalendarPath::parse(calendar)?)
    } else {
        Ok(CalendarPath::parse(&format!("{user}/{calendar}"))?)
    }
}

/// Revokes one address by id, or every address of the user to a calendar.
async fn revoke(vault: &Vault, user: &str, target: &str) -> anyhow::Result<()> {
    let feeds = vault.list_webcals(Actor::Admin, user).await?;
    if let Ok(id) = target.parse::<i64>()
        && feeds.iter().any(|(feed, _)| feed.id == id)
    {
        vault.revoke_webcal(Actor::Admin, user, id).await?;
        println!("subscription address {id} of {user} revoked");
        return Ok(());
    }
    let path = calendar_path(user, target)?;
    let owner = vault.user_named(&path.user).await?;
    let matching: Vec<i64> = feeds
        .iter()
        .filter(|(_, c)| c.user_id == owner.id && c.name == path.calendar)
        .map(|(feed, _)| feed.id)
        .collect();
    anyhow::ensure!(
        !matching.is_empty(),
        "{user} has no subscription address {target}"
    );
    for id in &matching {
        vault.revoke_webcal(Actor::Admin, user, *id).await?;
    }
    println!(
        "{} subscription address(es) of {user} to {path} revoked",
        matching.len()
    );
    Ok(())
}
