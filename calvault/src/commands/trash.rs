//! `calvault trash list|restore`.

use calvault_core::{Access, Actor, Vault};

use crate::cli::TrashCommand;

pub async fn run(vault: &Vault, command: TrashCommand) -> anyhow::Result<()> {
    match command {
        TrashCommand::List { calendar } => {
            let calendar = super::calendar(vault, &calendar, Access::Read).await?;
            for tombstone in vault.trash(Actor::Admin, &calendar).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    tombstone.uid,
                    super::format_time(tombstone.deleted_at),
                    tombstone.source,
                    tombstone.summary.as_deref().unwrap_or("")
                );
            }
        }
        TrashCommand::Restore {
            calendar,
            uids,
            all,
        } => {
            anyhow::ensure!(
                all || !uids.is_empty(),
                "name the UIDs to restore, or --all"
            );
            let calendar = super::calendar(vault, &calendar, Access::Write).await?;
            let restored = vault
                .restore_from_trash(Actor::Admin, &calendar, &uids)
                .await?;
            println!("restored {} object(s)", restored.len());
        }
    }
    Ok(())
}
