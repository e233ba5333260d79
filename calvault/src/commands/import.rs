//! `calvault import USER[/CALENDAR] FILE.ics [--dry-run]`.

use std::io::Read;

use anyhow::Context;
use calvault_core::{Access, Actor, ImportOutcome, Vault};

use crate::cli::ImportArgs;

pub async fn run(vault: &Vault, args: ImportArgs) -> anyhow::Result<()> {
    let calendar = super::calendar(vault, &args.target, Access::Write).await?;
    let text = read_input(&args.file)?;
    let report = vault
        .import(Actor::Admin, &calendar, &text, args.dry_run)
        .await?;
    for item in &report.items {
        if let Some(error) = &item.error {
            eprintln!("failed: {error}");
        } else if args.verbose {
            println!(
                "{:?}\t{}\t{}",
                item.outcome,
                item.uid,
                item.summary.as_deref().unwrap_or("")
            );
        }
    }
    if let Some(snapshot) = &report.snapshot {
        println!(
            "snapshot {} taken before the import (undo with: calvault snapshot restore {})",
            snapshot.id, snapshot.id
        );
    }
    println!("{}", report.summary_line());
    if report.count(ImportOutcome::Failed) > 0
        && report
            .items
            .iter()
            .all(|i| i.outcome == ImportOutcome::Failed)
    {
        anyhow::bail!("nothing could be imported");
    }
    Ok(())
}

/// Reads the file as text; bytes that are not UTF-8 are taken as Latin-1, which is what
/// older producers meant when they wrote 8-bit text without a charset.
fn read_input(path: &std::path::Path) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => error.into_bytes().iter().map(|&b| b as char).collect(),
    })
}
