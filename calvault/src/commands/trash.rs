//! `calvault trash list|restore`.

use calvault_core::{Access, Actor, Vault};

use crate::cli::TrashCommand;

pub async fn run(vault: &Vault, command: TrashCommand) -> anyhow::Result<()> {
    match command {
        TrashCommand::List { calendar } => {
            let path = calendar;
            let calendar = super::calendar(vault, &path, Access::Read).await?;
            let trash = vault.trash(Actor::Admin, &calendar).await?;
            if trash.is_empty() {
                eprintln!("the trash of {path} is empty");
            }
            for tombstone in trash {
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
