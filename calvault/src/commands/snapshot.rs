//! `calvault snapshot list|create|diff|restore`.

use calvault_core::{Access, Actor, SnapshotDiff, Vault};

use crate::cli::SnapshotCommand;

pub async fn run(vault: &Vault, command: SnapshotCommand) -> anyhow::Result<()> {
    match command {
        SnapshotCommand::List { calendar } => {
            let calendar = super::calendar(vault, &calendar, Access::Read).await?;
            for snapshot in vault.list_snapshots(Actor::Admin, &calendar).await? {
                let size = vault.snapshot_size(&snapshot).await?;
                println!(
                    "{}\t{}\t{}\t{}\t{} objects\tposition {}",
                    snapshot.id,
                    super::format_time(snapshot.created_at),
                    if snapshot.automatic {
                        "automatic"
                    } else {
                        "manual"
                    },
                    snapshot.label,
                    size,
                    snapshot.position
                );
            }
        }
        SnapshotCommand::Create { calendar, label } => {
            let calendar = super::calendar(vault, &calendar, Access::Write).await?;
            let snapshot = vault
                .create_snapshot(Actor::Admin, &calendar, &label)
                .await?;
            println!(
                "snapshot {} created at position {}",
                snapshot.id, snapshot.position
            );
        }
        SnapshotCommand::Diff { id } => {
            let diff = vault.diff_snapshot(Actor::Admin, id).await?;
            print_diff(&diff);
        }
        SnapshotCommand::Restore { id, dry_run } => {
            let report = vault.restore_snapshot(Actor::Admin, id, dry_run).await?;
            print_diff(&report.diff);
            match (&report.undo, dry_run) {
                (_, true) => println!("dry run: nothing changed"),
                (Some(undo), false) => println!(
                    "restored snapshot {id}; undo with: calvault snapshot restore {}",
                    undo.id
                ),
                (None, false) => {
                    println!("nothing to restore: the calendar already matches snapshot {id}")
                }
            }
        }
    }
    Ok(())
}

fn print_diff(diff: &SnapshotDiff) {
    for (label, entries) in [
        ("bring back", &diff.bring_back),
        ("remove", &diff.remove),
        ("change", &diff.change),
    ] {
        for entry in entries {
            println!(
                "{label}\t{}\t{}",
                entry.uid,
                entry.summary.as_deref().unwrap_or("")
            );
        }
    }
    println!(
        "{} to bring back, {} to remove, {} to change",
        diff.bring_back.len(),
        diff.remove.len(),
        diff.change.len()
    );
}
