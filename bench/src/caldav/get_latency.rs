//! GET of single resources from 16 clients at once: latency percentiles and throughput.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::client::DavClient;
use super::result;

const CLIENTS: usize = 16;
const REQUESTS: usize = 4000;
const BUDGET: Duration = Duration::from_secs(20);

pub async fn run(client: &DavClient, url: &str, server: &str, n: usize) -> anyhow::Result<()> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let (client, url) = (client.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(worker as u64);
            let mut times = Vec::new();
            while times.len() < REQUESTS / CLIENTS && start.elapsed() < BUDGET {
                let target = format!("{url}ev-{:07}.ics", rng.random_range(0..n));
                let one = Instant::now();
                let body = client
                    .expect("GET", &target, &[], Bytes::new(), &[200])
                    .await?;
                times.push(one.elapsed());
                anyhow::ensure!(
                    body.starts_with(b"BEGIN:VCALENDAR"),
                    "GET {target}: not a calendar"
                );
            }
            Ok(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    let how = format!(
        "{} GETs, {CLIENTS} clients, {:.0} req/s",
        times.len(),
        times.len() as f64 / elapsed
    );
    result("get_p50", server, n, at(0.50), "ms", &how);
    result("get_p99", server, n, at(0.99), "ms", &how);
    Ok(())
}
