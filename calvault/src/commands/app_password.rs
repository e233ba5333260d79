//! `calvault app-password add|list|revoke`.

use calvault_core::Vault;

use crate::cli::AppPasswordCommand;

pub async fn run(vault: &Vault, command: AppPasswordCommand) -> anyhow::Result<()> {
    match command {
        AppPasswordCommand::Add { user, name } => {
            let (_, secret) = vault.add_app_password(&user, &name).await?;
            println!("app password {name} of {user}: {secret}");
            println!("(shown once; type it into the device as the password for {user})");
        }
        AppPasswordCommand::List { user } => {
            for password in vault.list_app_passwords(&user).await? {
                let used = password
                    .last_used_at
                    .map(super::format_time)
                    .unwrap_or_else(|| "never used".to_string());
                println!(
                    "{}\tcreated {}\tlast used {used}",
                    password.name,
                    super::format_time(password.created_at)
                );
            }
        }
        AppPasswordCommand::Revoke { user, name } => {
            vault.revoke_app_password(&user, &name).await?;
            println!("app password {name} of {user} revoked");
        }
    }
    Ok(())
}
