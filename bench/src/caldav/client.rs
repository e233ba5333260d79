//! A plain-HTTP/1.1 client with keep-alive and Basic auth, and the checks every measured request
//! goes through: a wrong status is an error, never a figure.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

#[derive(Clone)]
pub struct DavClient {
    http: Client<HttpConnector, Full<Bytes>>,
    authorization: String,
    timeout: Duration,
    /// Nanoseconds spent in exchanges, from sending a request to the last byte of its answer:
    /// what a phase measures, so that checking an answer never counts as the server's time.
    exchanged: Arc<AtomicU64>,
}

pub struct Response {
    pub status: StatusCode,
    pub body: Bytes,
}

impl DavClient {
    pub fn new(user: &str, password: &str, timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let http = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(64)
            .build(connector);
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self {
            http,
            authorization: format!("Basic {token}"),
            timeout,
            exchanged: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The time spent in exchanges so far (see `exchanged`).
    pub fn exchange_time(&self) -> Duration {
        Duration::from_nanos(self.exchanged.load(Ordering::Relaxed))
    }

    /// Sends one request; `Err` on a transport failure or a timeout.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> anyhow::Result<Response> {
        let method = Method::from_bytes(method.as_bytes())?;
        let mut request = Request::builder()
            .method(method.clone())
            .uri(url)
            .header("authorization", &self.authorization);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(body))?;
        let exchange = async {
            let started = Instant::now();
            let response = self.http.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.exchanged.fetch_add(nanos, Ordering::Relaxed);
            anyhow::Ok(Response { status, body })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .with_context(|| format!("{method} {url}: no answer within {:?}", self.timeout))?
    }

    /// Sends one request and fails unless the status is one of `expected`.
    pub async fn expect(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Bytes,
        expected: &[u16],
    ) -> anyhow::Result<Bytes> {
        let response = self.send(method, url, headers, body).await?;
        if !expected.contains(&response.status.as_u16()) {
            let text = String::from_utf8_lossy(&response.body);
            bail!(
                "{method} {url}: status {} (expected {expected:?}): {}",
                response.status,
                text.chars().take(400).collect::<String>()
            );
        }
        Ok(response.body)
    }
}
