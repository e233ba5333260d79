//! The benchmark helper: generates realistic calendars and measures what the command line
//! cannot show by itself (the cost of "changes since a position"). `scripts/bench` drives it.

mod caldav;
mod generate;
mod web_month;

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use calvault_core::{Access, Actor, CalendarPath, Client, Condition, Policy, Vault};
use calvault_store::{PostgresStore, SqliteStore, Store};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(about = "calvault benchmark helper")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a generated calendar of N events to standard output.
    Generate {
        #[arg(long)]
        events: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Load a CalDAV server and time its answers (see scripts/bench-caldav).
    #[command(subcommand)]
    Caldav(caldav::Command),
    /// Time the web month view of a running server (see scripts/bench-web).
    WebMonth(web_month::WebMonthArgs),
    /// Import N events, change 10, and time "changes since" the position before the 10.
    ChangesSince {
        #[arg(long, value_enum)]
        backend: Backend,
        #[arg(long)]
        events: usize,
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate { events, seed } => {
            print!("{}", generate::calendar(events, seed));
            Ok(())
        }
        Command::Caldav(command) => caldav::main(command),
        Command::WebMonth(args) => web_month::main(args),
        Command::ChangesSince {
            backend,
            events,
            iterations,
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(changes_since(backend, events, iterations))
        }
    }
}

async fn changes_since(backend: Backend, events: usize, iterations: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = std::env::var("CALVAULT_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string());
    let schema = format!("bench_changes_{}", std::process::id());
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(SqliteStore::open(dir.path()).await?),
        Backend::Postgres => Arc::new(PostgresStore::connect_in_schema(&url, &schema).await?),
    };
    let vault = Vault::new(store.clone(), Policy::default());
    vault.add_user("bench", None, "bench password").await?;
    let calendar = vault
        .calendar(Actor::Admin, &CalendarPath::parse("bench")?, Access::Write)
        .await?;
    let text = generate::calendar(events, 1);
    vault.import(Actor::Admin, &calendar, &text, false).await?;
    let before = store.position(calendar.id).await?;
    let objects = store.objects_page(calendar.id, 0, 10).await?;
    for object in &objects {
        let changed = object.data.replacen("SUMMARY:", "SUMMARY:changed ", 1);
        vault
            .put_object(
                Actor::Admin,
                &calendar,
                &object.meta.name,
                &changed,
                &Condition::default(),
                &Client::new("bench"),
            )
            .await?;
    }
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let changes = store.changes_since(calendar.id, before, 1000).await?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        anyhow::ensure!(
            changes.len() == objects.len(),
            "expected {} changes, got {}",
            objects.len(),
            changes.len()
        );
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let p99 = times[times.len() * 99 / 100];
    let objects_stored = store.count_objects(calendar.id).await?;
    println!(
        "changes_since\t{}\t{events}\t{objects_stored}\t{median:.1}\t{p99:.1}",
        backend_name(backend)
    );
    if let Backend::Postgres = backend {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url)
            .await
            .context("drop bench schema")?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
        )))
        .execute(&mut conn)
        .await?;
    }
    Ok(())
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}
