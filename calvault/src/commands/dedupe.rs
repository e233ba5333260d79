//! `calvault dedupe USER[/CALENDAR] [--dry-run]`.

use calvault_core::{Access, Actor, Vault};

use crate::cli::DedupeArgs;

pub async fn run(vault: &Vault, args: DedupeArgs) -> anyhow::Result<()> {
    let calendar = super::calendar(vault, &args.calendar, Access::Write).await?;
    let report = vault.dedupe(Actor::Admin, &calendar, args.dry_run).await?;
    for group in &report.groups {
        println!(
            "keep\t{}\t{}",
            group.keep.uid,
            group.keep.summary.as_deref().unwrap_or("")
        );
        for entry in &group.remove {
            println!("  remove\t{}", entry.uid);
        }
    }
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    println!(
        "{} groups of duplicates, {verb} {} copies",
        report.groups.len(),
        report.removed()
    );
    if let Some(snapshot) = &report.snapshot {
        println!("undo with: calvault snapshot restore {}", snapshot.id);
    }
    Ok(())
}
