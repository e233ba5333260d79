//! `calvault export USER/CALENDAR [--snapshot ID] [-o FILE]`.

use std::io::{BufWriter, Write};

use anyhow::Context;
use calvault_core::{Access, Actor, Vault};

use crate::cli::ExportArgs;

pub async fn run(vault: &Vault, args: ExportArgs) -> anyhow::Result<()> {
    let calendar = super::calendar(vault, &args.source, Access::Read).await?;
    let out: Box<dyn Write + Send> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let (count, out) = vault
        .export(Actor::Admin, &calendar, args.snapshot, BufWriter::new(out))
        .await?;
    out.into_inner().map_err(|e| e.into_error())?.flush()?;
    if let Some(path) = &args.output {
        eprintln!("exported {count} objects to {}", path.display());
    }
    Ok(())
}
