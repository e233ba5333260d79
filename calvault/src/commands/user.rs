//! `calvault user add|list|passwd|delete`.

use std::io::Read;

use calvault_core::{Vault, random_password};

use crate::cli::UserCommand;

pub async fn run(vault: &Vault, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            name,
            email,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            // The domain also stores the SyncML auth-md5 credential of the password.
            let (user, calendar) = vault.add_user(&name, email.as_deref(), &password).await?;
            println!(
                "created user {} with calendar {}/{}",
                user.name, user.name, calendar.name
            );
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::List => {
            for user in vault.list_users().await? {
                println!(
                    "{}\t{}\t{}",
                    user.name,
                    user.email.unwrap_or_default(),
                    super::format_time(user.created_at)
                );
            }
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            // The auth-md5 credential of the old password stops working with it.
            vault.set_password(&name, &password).await?;
            println!("password of {name} changed");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Delete { name, yes } => {
            if !yes {
                anyhow::bail!(
                    "deleting {name} removes all of its calendars and their history for good: add --yes"
                );
            }
            vault.delete_user(&name).await?;
            println!("deleted user {name}");
        }
    }
    Ok(())
}

/// The password from standard input (first line), or a random one to print.
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((random_password(), true));
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let password = input.lines().next().unwrap_or_default().to_string();
    Ok((password, false))
}
