//! One module per subcommand; each prints its result and returns an error for a non-zero exit.

mod alerts;
mod app_password;
mod archive;
mod calendar;
mod dedupe;
mod devices;
mod export;
mod import;
mod snapshot;
mod trash;
mod user;
mod webcal;

use anyhow::Context;
use calvault_core::{Access, Actor, CalendarPath, Vault};
use calvault_store::Calendar;

use crate::cli::Command;
use crate::config::Config;

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let vault = open(&config).await?;
    match command {
        Command::Serve(args) => crate::serve::run(vault, config, args).await,
        Command::User(command) => user::run(&vault, command).await,
        Command::Calendar(command) => calendar::run(&vault, command).await,
        Command::Import(args) => import::run(&vault, args).await,
        Command::Export(args) => export::run(&vault, args).await,
        Command::Snapshot(command) => snapshot::run(&vault, command).await,
        Command::Trash(command) => trash::run(&vault, command).await,
        Command::Dedupe(args) => dedupe::run(&vault, args).await,
        Command::Archive(args) => archive::run(&vault, args).await,
        Command::AppPassword(command) => app_password::run(&vault, command).await,
        Command::Webcal(command) => webcal::run(&vault, command).await,
        Command::Devices(args) => devices::run(&vault, args).await,
        Command::Alerts { user, all, dismiss } => alerts::run(&vault, &user, all, dismiss).await,
        Command::Retention => retention(&vault).await,
        Command::Check => check(&vault).await,
    }
}

/// Opens the configured store (running migrations) and the domain on top of it.
pub async fn open(config: &Config) -> anyhow::Result<Vault> {
    let store = calvault_store::open(config.database_url.as_deref(), &config.data_dir)
        .await
        .with_context(|| match &config.database_url {
            Some(_) => "cannot open the PostgreSQL store".to_string(),
            None => format!("cannot open the store in {}", config.data_dir.display()),
        })?;
    Ok(Vault::new(store, config.policy()))
}

/// The calendar a `USER[/CALENDAR]` argument names.
async fn calendar(vault: &Vault, path: &str, access: Access) -> anyhow::Result<Calendar> {
    let path = CalendarPath::parse(path)?;
    Ok(vault.calendar(Actor::Admin, &path, access).await?)
}

fn format_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| at.to_string())
}

async fn retention(vault: &Vault) -> anyhow::Result<()> {
    let report = vault.run_retention().await?;
    println!(
        "calendars {}, revisions removed {}, tombstones purged {}, automatic snapshots expired {}",
        report.calendars,
        report.revisions_removed,
        report.tombstones_purged,
        report.snapshots_expired
    );
    Ok(())
}

async fn check(vault: &Vault) -> anyhow::Result<()> {
    let problems = vault.check().await?;
    if problems.is_empty() {
        println!("store is consistent ({})", vault.store().backend());
        return Ok(());
    }
    for problem in &problems {
        println!("{problem}");
    }
    anyhow::bail!("{} problem(s) found in the store", problems.len())
}
