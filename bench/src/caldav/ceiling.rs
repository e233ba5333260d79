//! The load generator's own ceiling: how many requests per second it drives against a responder
//! that does no work, so the server figures are known not to be the client's limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::client::DavClient;
use super::result;

const CLIENTS: usize = 16;

pub async fn run(health_url: Option<String>, seconds: Duration) -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(respond(stream));
        }
    });
    let client = DavClient::new("bench", "bench", Duration::from_secs(10));
    let body = Bytes::from(vec![b'x'; 1024]);
    let rate = drive(&client, &url, "GET", Bytes::new(), seconds).await?;
    result(
        "ceiling_get",
        "load generator",
        0,
        rate,
        "req/s",
        "trivial in-process responder, 16 clients",
    );
    let rate = drive(&client, &url, "PUT", body, seconds).await?;
    result(
        "ceiling_put",
        "load generator",
        0,
        rate,
        "req/s",
        "1 KiB PUT body, trivial responder, 16 clients",
    );
    if let Some(health) = health_url {
        let rate = drive(&client, &health, "GET", Bytes::new(), seconds).await?;
        result(
            "ceiling_health",
            "calvault",
            0,
            rate,
            "req/s",
            "GET /health, 16 clients",
        );
    }
    Ok(())
}

async fn drive(
    client: &DavClient,
    url: &str,
    method: &str,
    body: Bytes,
    seconds: Duration,
) -> anyhow::Result<f64> {
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, method, body, done) = (
            client.clone(),
            url.to_string(),
            method.to_string(),
            body.clone(),
            done.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while start.elapsed() < seconds {
                client
                    .expect(&method, &url, &[], body.clone(), &[200])
                    .await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// A keep-alive HTTP/1.1 responder that answers every request with `200 ok`.
async fn respond(mut stream: TcpStream) -> anyhow::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let Some(head_end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..read]);
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .map_or(Ok(0), |value| value.trim().parse())?;
        while buffer.len() < head_end + 4 + length {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..read]);
        }
        buffer.drain(..head_end + 4 + length);
        stream
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok",
            )
            .await?;
    }
}
