//! The month view's server time: signs in to a running `calvault serve` the way a browser does
//! (the sign-in form's CSRF token and cookie, then the session cookie) and requests the month
//! view repeatedly (months never shown before, one month again and again, one month after each
//! change), reading the server's own time from each answer's `Server-Timing` header.
//! `scripts/bench-web` drives it.

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use base64::Engine;
use bytes::Bytes;
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

#[derive(Args)]
pub struct WebMonthArgs {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    #[arg(long)]
    user: String,
    /// The password, read from this environment variable (not the command line).
    #[arg(long, default_value = "CALVAULT_BENCH_PASSWORD")]
    password_env: String,
    /// Any day of the month to show, YYYY-MM-DD.
    #[arg(long)]
    date: String,
    /// Measured requests (after two unmeasured ones that warm caches).
    #[arg(long, default_value_t = 20)]
    requests: usize,
    /// Events in the calendar, for the result line.
    #[arg(long)]
    events: usize,
}

type Http = Client<HttpConnector, Full<Bytes>>;

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

async fn send(
    http: &Http,
    method: Method,
    url: &str,
    cookie: &str,
    form: Option<String>,
) -> anyhow::Result<Answer> {
    let mut request = Request::builder().method(method).uri(url);
    if !cookie.is_empty() {
        request = request.header(COOKIE, cookie);
    }
    let body = match form {
        Some(form) => {
            request = request.header("content-type", "application/x-www-form-urlencoded");
            Bytes::from(form)
        }
        None => Bytes::new(),
    };
    let exchange = async {
        let response = http.request(request.body(Full::new(body))?).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::Ok(Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    };
    tokio::time::timeout(Duration::from_secs(120), exchange)
        .await
        .with_context(|| format!("{url}: no answer within 120 s"))?
}

/// `name=value` of each Set-Cookie of an answer.
fn cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_string)
        .collect()
}

/// The value of the hidden input `name` of a form.
fn form_value(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    page[start..].split('"').next().map(str::to_string)
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The `app;dur=MS` metric of a Server-Timing header, in milliseconds.
fn server_time(headers: &HeaderMap) -> Option<f64> {
    let value = headers.get("server-timing")?.to_str().ok()?;
    value.split(',').find_map(|metric| {
        let mut parts = metric.trim().split(';');
        (parts.next()? == "app")
            .then(|| parts.find_map(|p| p.trim().strip_prefix("dur=")?.parse().ok()))?
    })
}

async fn sign_in(http: &Http, args: &WebMonthArgs, password: &str) -> anyhow::Result<String> {
    let page = send(http, Method::GET, &format!("{}/", args.url), "", None).await?;
    ensure!(page.status == 200, "sign-in page: status {}", page.status);
    let csrf = form_value(&page.body, "csrf").context("no CSRF token on the sign-in page")?;
    let form = format!(
        "csrf={}&name={}&password={}",
        encode(&csrf),
        encode(&args.user),
        encode(password)
    );
    let answer = send(
        http,
        Method::POST,
        &format!("{}/", args.url),
        &cookies(&page.headers).join("; "),
        Some(form),
    )
    .await?;
    if answer.status != 303 || answer.headers.get(LOCATION).is_none() {
        bail!("sign-in failed: status {}", answer.status);
    }
    cookies(&answer.headers)
        .into_iter()
        .find(|c| c.starts_with("cv_session="))
        .context("no session cookie after signing in")
}

pub fn main(args: WebMonthArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: WebMonthArgs) -> anyhow::Result<()> {
    let password = std::env::var(&args.password_env)
        .with_context(|| format!("the password in ${}", args.password_env))?;
    let http: Http = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let session = sign_in(&http, &args, &password).await?;
    let month = Month {
        http: &http,
        url: args.url.clone(),
        date: args.date.clone(),
        session: &session,
    };
    // Months never shown before, alternately before and after the given one and further each
    // time: nothing read before can be reused.
    let unseen = month.measure(args.requests, None, true).await?;
    unseen.print(&args, "a month not shown before");
    // The same month again and again: what a user going back and forth between views gets.
    let again = month.measure(args.requests, None, false).await?;
    again.print(&args, "month view");
    // The month after each change to the calendar (one event written over CalDAV): nothing
    // read before can be reused, as for the first view after a phone's sync.
    let change = Change {
        args: &args,
        password: &password,
    };
    let changed = month.measure(args.requests, Some(&change), false).await?;
    changed.print(&args, "month view after a change");
    Ok(())
}

struct Month<'a> {
    http: &'a Http,
    url: String,
    /// YYYY-MM-DD.
    date: String,
    session: &'a str,
}

struct Measured {
    server: Vec<f64>,
    client: Vec<f64>,
    shown: usize,
}

impl Month<'_> {
    /// The month view's address: the month `offset` months after the date's.
    fn address(&self, offset: i64) -> anyhow::Result<String> {
        let year: i64 = self.date.get(..4).context("the date's year")?.parse()?;
        let month: i64 = self.date.get(5..7).context("the date's month")?.parse()?;
        let months = year * 12 + month - 1 + offset;
        Ok(format!(
            "{}/agenda?view=month&date={:04}-{:02}-01",
            self.url,
            months / 12,
            months % 12 + 1
        ))
    }

    /// `requests` measured views after two unmeasured ones, each after a change if given, each
    /// of another month when `unseen`: 1 month before the date's, 1 after, 2 before, 2 after...
    async fn measure(
        &self,
        requests: usize,
        change: Option<&Change<'_>>,
        unseen: bool,
    ) -> anyhow::Result<Measured> {
        let mut measured = Measured {
            server: Vec::with_capacity(requests),
            client: Vec::with_capacity(requests),
            shown: 0,
        };
        for index in 0..requests + 2 {
            if let Some(change) = change {
                change.make(self.http, index).await?;
            }
            let offset = match (unseen, index as i64) {
                (false, _) => 0,
                (true, even) if even % 2 == 0 => -(even / 2 + 1),
                (true, odd) => odd / 2 + 1,
            };
            let url = self.address(offset)?;
            let start = Instant::now();
            let answer = send(self.http, Method::GET, &url, self.session, None).await?;
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            ensure!(answer.status == 200, "month view: status {}", answer.status);
            // A month of a 100,000-event calendar is never empty: an empty page means a broken
            // query, not a fast one.
            measured.shown = answer.body.matches("<li style=\"--cal:").count();
            ensure!(measured.shown > 0, "the month view shows no event");
            let time = server_time(&answer.headers).context("no Server-Timing app;dur= header")?;
            if index >= 2 {
                measured.server.push(time);
                measured.client.push(elapsed);
            }
        }
        Ok(measured)
    }
}

impl Measured {
    fn print(mut self, args: &WebMonthArgs, what: &str) {
        let (median, p99) = median_p99(&mut self.server);
        let (client_median, _) = median_p99(&mut self.client);
        println!(
            "| {what} ({} events, {}; {} titles shown) | server time median {median:.1} ms | p99 {p99:.1} ms | {} requests (round trip median {client_median:.1} ms) |",
            args.events, args.date, self.shown, args.requests
        );
    }
}

/// One event of the shown month written over CalDAV, which moves the calendar's position.
struct Change<'a> {
    args: &'a WebMonthArgs,
    password: &'a str,
}

impl Change<'_> {
    async fn make(&self, http: &Http, index: usize) -> anyhow::Result<()> {
        let day = self.args.date.replace('-', "");
        let uid = format!("bench-change-{index}");
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//bench//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:{day}T090000Z\r\nDTEND:{day}T100000Z\r\nSUMMARY:Change {index}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let url = format!(
            "{}/dav/calendars/{}/calendar/{uid}.ics",
            self.args.url, self.args.user
        );
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.args.user, self.password));
        let request = Request::builder()
            .method(Method::PUT)
            .uri(&url)
            .header("authorization", format!("Basic {token}"))
            .header("content-type", "text/calendar; charset=utf-8")
            .body(Full::new(Bytes::from(ics)))?;
        let response = http.request(request).await?;
        let status = response.status().as_u16();
        response.into_body().collect().await?;
        ensure!(status == 201 || status == 204, "PUT {url}: status {status}");
        Ok(())
    }
}

/// The median and the 99th percentile (nearest rank) of the samples.
fn median_p99(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    if samples.is_empty() {
        return (0.0, 0.0);
    }
    let rank =
        |p: f64| samples[((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
    (rank(0.5), rank(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_app_metric() {
        let mut headers = HeaderMap::new();
        headers.insert("server-timing", "db;dur=1, app;dur=12.50".parse().unwrap());
        assert_eq!(server_time(&headers), Some(12.5));
        assert_eq!(
            form_value("<input name=\"csrf\" value=\"ab\">", "csrf").as_deref(),
            Some("ab")
        );
        let mut samples = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(median_p99(&mut samples), (3.0, 5.0));
    }

    #[test]
    fn moves_by_months() {
        let http: Http = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        let month = Month {
            http: &http,
            url: "http://h".to_string(),
            date: "2024-03-15".to_string(),
            session: "",
        };
        let address = |back| month.address(back).unwrap();
        assert_eq!(address(0), "http://h/agenda?view=month&date=2024-03-01");
        assert_eq!(address(-3), "http://h/agenda?view=month&date=2023-12-01");
        assert_eq!(address(-15), "http://h/agenda?view=month&date=2022-12-01");
        assert_eq!(address(10), "http://h/agenda?view=month&date=2025-01-01");
    }
}
