//! `calvault archive USER[/CALENDAR] --before DATE [--dry-run]`.

use calvault_core::{ARCHIVE_CALENDAR, Access, Actor, Vault};

use crate::cli::ArchiveArgs;

pub async fn run(vault: &Vault, args: ArchiveArgs) -> anyhow::Result<()> {
    let calendar = super::calendar(vault, &args.calendar, Access::Write).await?;
    let before = args
        .before
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_default();
    let report = vault
        .archive(Actor::Admin, &calendar, before, args.dry_run)
        .await?;
    let verb = if args.dry_run { "would move" } else { "moved" };
    println!(
        "{verb} {} events that ended before {} to {ARCHIVE_CALENDAR}",
        report.moved.len(),
        args.before
    );
    if !report.snapshots.is_empty() {
        let undo: Vec<String> = report
            .snapshots
            .iter()
            .map(|s| format!("calvault snapshot restore {}", s.id))
            .collect();
        println!("undo with: {}", undo.join(" && "));
    }
    Ok(())
}
