//! `calvault-bench caldav`: a CalDAV load generator. It drives one server (calvault or Radicale)
//! through the phases of the performance benchmark and prints one tab-separated `RESULT` line per
//! figure for `scripts/bench-caldav` to put in a table. Every measured request is checked (status,
//! and the hrefs an answer must hold); a failure stops the run instead of producing a figure.

mod calendar_query;
mod ceiling;
mod client;
mod get_latency;
mod multiget;
mod propfind;
mod put;
mod resources;
mod sync_collection;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use client::DavClient;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Measure the load generator's own ceiling against a trivial in-process HTTP responder
    /// (and, if given, a server's health endpoint).
    Ceiling {
        #[arg(long)]
        health_url: Option<String>,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// Run every phase against one server's calendar collection.
    Run(RunArgs),
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// The name printed in the results: calvault or radicale.
    #[arg(long)]
    server: String,
    /// The calendar collection URL, ending in `/`.
    #[arg(long)]
    url: String,
    #[arg(long)]
    user: String,
    #[arg(long)]
    password: String,
    /// The server process whose peak memory (VmHWM) is reported.
    #[arg(long)]
    pid: u32,
    #[arg(long)]
    events: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Cap each PUT phase at this many seconds; the events left are written by `--fill-dir`.
    #[arg(long)]
    put_budget: Option<u64>,
    /// The collection's folder on disk (Radicale's layout: one .ics per item), for the events
    /// the capped PUT phases did not store.
    #[arg(long)]
    fill_dir: Option<PathBuf>,
    /// The longest any one request may take.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
}

pub fn main(command: Command) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match command {
        Command::Ceiling {
            health_url,
            seconds,
        } => runtime.block_on(ceiling::run(health_url, Duration::from_secs(seconds))),
        Command::Run(args) => runtime.block_on(run(args)),
    }
}

/// One figure: `RESULT phase server events value unit how`.
pub fn result(phase: &str, server: &str, events: usize, value: f64, unit: &str, how: &str) {
    println!("RESULT\t{phase}\t{server}\t{events}\t{value:.2}\t{unit}\t{how}");
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.url.ends_with('/'), "--url must end in /");
    let started = Instant::now();
    let client = DavClient::new(
        &args.user,
        &args.password,
        Duration::from_secs(args.timeout),
    );
    let calendar = crate::generate::calendar(args.events, args.seed);
    let items = resources::split(&calendar);
    anyhow::ensure!(
        items.len() == args.events,
        "generator gave {} series",
        items.len()
    );
    let n = args.events;
    let (server, url) = (args.server.as_str(), args.url.as_str());

    let budget = args.put_budget.map(Duration::from_secs);
    let half = n / 2;
    let stored = put::sequential(&client, url, &items[..half], budget).await?;
    let how = put_how(stored.count, half, budget);
    result("put_seq", server, n, stored.rate(), "events/s", &how);
    let concurrent = put::concurrent(&client, url, &items[stored.count..], 8, budget).await?;
    let how = put_how(concurrent.count, n - stored.count, budget);
    result("put_c8", server, n, concurrent.rate(), "events/s", &how);
    let done = stored.count + concurrent.count;
    if done < n {
        let Some(dir) = &args.fill_dir else {
            anyhow::bail!("the PUT budget stored {done} of {n} events and there is no --fill-dir");
        };
        put::fill_on_disk(dir, &items[done..])?;
        eprintln!(
            "{server}: {} events written on disk into {}",
            n - done,
            dir.display()
        );
    }

    // One unmeasured listing first, so both servers answer from a warm state (Radicale builds
    // its item cache on first read of items written on disk).
    propfind::depth_one(&client, url, n).await?;
    let ms = repeat(&client, || propfind::depth_one(&client, url, n)).await?;
    result(
        "propfind",
        server,
        n,
        ms,
        "ms",
        "Depth 1, getetag+getcontenttype, every href checked",
    );
    let ms = repeat(&client, || multiget::everything(&client, url, &items)).await?;
    let how = format!(
        "batches of {}, every href and its calendar-data checked",
        multiget::BATCH
    );
    result("multiget", server, n, ms, "ms", &how);
    for expand in [false, true] {
        let (ms, found) = calendar_query::one_month(&client, url, expand).await?;
        let phase = if expand {
            "query_month_expand"
        } else {
            "query_month"
        };
        result(phase, server, n, ms, "ms", &format!("{found} resources"));
    }
    sync_collection::run(&client, url, server, &items).await?;
    get_latency::run(&client, url, server, n).await?;

    let peak = peak_memory_kib(args.pid)?;
    result(
        "peak_memory",
        server,
        n,
        peak as f64 / 1024.0,
        "MiB",
        "VmHWM of the server process",
    );
    eprintln!(
        "{server} {n}: all phases in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn put_how(count: usize, planned: usize, budget: Option<Duration>) -> String {
    match budget {
        Some(budget) if count < planned => {
            format!(
                "PUT {count} of {planned} (capped at {} s)",
                budget.as_secs()
            )
        }
        _ => format!("PUT {count}"),
    }
}

fn peak_memory_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .ok_or_else(|| anyhow::anyhow!("no VmHWM for process {pid}"))?;
    let kib = line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("malformed VmHWM line: {line}"))?;
    Ok(kib.parse()?)
}

/// Runs a checked phase up to three times (fewer if it is slow) and gives the median in ms of
/// the time its requests took, from sending to the last byte of the answer; the checks of the
/// answers run outside that time.
pub async fn repeat<F, Fut>(client: &DavClient, mut once: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 3 && (times.is_empty() || start.elapsed() < Duration::from_secs(5)) {
        let before = client.exchange_time();
        once().await?;
        times.push(client.exchange_time() - before);
    }
    times.sort();
    Ok(times[times.len() / 2].as_secs_f64() * 1e3)
}

/// The path part of a URL (`http://host:port/path/` → `/path/`), as hrefs carry it.
pub fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |at| &after_scheme[at..])
}
