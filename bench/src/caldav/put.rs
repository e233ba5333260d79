//! Storing the calendar: PUT one by one, PUT from several clients at once, and (for a server too
//! slow to take every event within the time budget) writing the rest into its folder on disk.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::client::DavClient;
use super::resources::Resource;

pub struct Stored {
    pub count: usize,
    pub elapsed: Duration,
}

impl Stored {
    pub fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// RFC 4791 §5.3.2: a new resource, created only if absent.
pub async fn put_one(client: &DavClient, url: &str, item: &Resource) -> anyhow::Result<()> {
    let target = format!("{url}{}", item.name);
    let headers = [
        ("content-type", "text/calendar; charset=utf-8"),
        ("if-none-match", "*"),
    ];
    let body = Bytes::from(item.text.clone());
    client
        .expect("PUT", &target, &headers, body, &[201, 204])
        .await?;
    Ok(())
}

pub async fn sequential(
    client: &DavClient,
    url: &str,
    items: &[Resource],
    budget: Option<Duration>,
) -> anyhow::Result<Stored> {
    let start = Instant::now();
    let mut count = 0;
    for item in items {
        if budget.is_some_and(|budget| start.elapsed() >= budget) {
            break;
        }
        put_one(client, url, item).await?;
        count += 1;
    }
    Ok(Stored {
        count,
        elapsed: start.elapsed(),
    })
}

pub async fn concurrent(
    client: &DavClient,
    url: &str,
    items: &[Resource],
    workers: usize,
    budget: Option<Duration>,
) -> anyhow::Result<Stored> {
    let items: Arc<Vec<(String, String)>> = Arc::new(
        items
            .iter()
            .map(|item| (item.name.clone(), item.text.clone()))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (client, url) = (client.clone(), url.to_string());
        let (items, next, done) = (items.clone(), next.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                if budget.is_some_and(|budget| start.elapsed() >= budget) {
                    return anyhow::Ok(());
                }
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, text)) = items.get(index) else {
                    return Ok(());
                };
                let item = Resource {
                    name: name.clone(),
                    text: text.clone(),
                };
                put_one(&client, &url, &item).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(Stored {
        count: done.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
    })
}

/// Radicale's multifilesystem layout: one file per item, named by its href, in the collection's
/// folder (which holds `.Radicale.props`). Not a measured phase.
pub fn fill_on_disk(dir: &Path, items: &[Resource]) -> anyhow::Result<()> {
    anyhow::ensure!(
        dir.join(".Radicale.props").exists(),
        "{} is not a Radicale collection folder",
        dir.display()
    );
    for item in items {
        std::fs::write(dir.join(&item.name), &item.text)?;
    }
    Ok(())
}
