//! sync-collection (RFC 6578): the initial sync of the whole calendar, then the sync of 10 changes.

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Instant;

use bytes::Bytes;

use super::client::DavClient;
use super::resources::{Resource, names_in};
use super::result;

fn request(token: &str) -> Bytes {
    Bytes::from(format!(
        r#"<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
    ))
}

/// The answer's DAV:sync-token (the element with text, whatever its prefix).
fn token_in(answer: &str) -> Option<String> {
    answer
        .match_indices("sync-token>")
        .filter_map(|(at, tag)| {
            let text = &answer[at + tag.len()..];
            let value = &text[..text.find('<')?];
            (!value.trim().is_empty()).then(|| value.trim().to_string())
        })
        .last()
}

async fn sync(client: &DavClient, url: &str, token: &str) -> anyhow::Result<(Bytes, f64)> {
    // RFC 6578 §3.2: the report is defined for Depth 0 only.
    let headers = [
        ("depth", "0"),
        ("content-type", "application/xml; charset=utf-8"),
    ];
    let start = Instant::now();
    let answer = client
        .expect("REPORT", url, &headers, request(token), &[207])
        .await?;
    Ok((answer, start.elapsed().as_secs_f64() * 1e3))
}

/// One initial sync, checked: every resource listed, and the token it ends with.
async fn initial(client: &DavClient, url: &str, n: usize) -> anyhow::Result<String> {
    let (answer, _) = sync(client, url, "").await?;
    let found = names_in(&answer).len();
    anyhow::ensure!(
        found == n,
        "initial sync-collection gave {found} of {n} resources"
    );
    let text = String::from_utf8_lossy(&answer);
    token_in(&text).ok_or_else(|| anyhow::anyhow!("no sync-token in the answer"))
}

pub async fn run(
    client: &DavClient,
    url: &str,
    server: &str,
    items: &[Resource],
) -> anyhow::Result<()> {
    let n = items.len();
    let token = RefCell::new(String::new());
    let ms = super::repeat(client, || async {
        let last = initial(client, url, n).await?;
        *token.borrow_mut() = last;
        Ok(())
    })
    .await?;
    let token = token.into_inner();
    result("sync_initial", server, n, ms, "ms", "empty token, getetag");

    for item in &items[..10.min(n)] {
        let changed = item.text.replacen("SUMMARY:", "SUMMARY:changed ", 1);
        let target = format!("{url}{}", item.name);
        let headers = [("content-type", "text/calendar; charset=utf-8")];
        client
            .expect("PUT", &target, &headers, Bytes::from(changed), &[201, 204])
            .await?;
    }
    let (answer, ms) = sync(client, url, &token).await?;
    let names = names_in(&answer);
    let expected: HashSet<usize> = (0..10.min(n)).collect();
    anyhow::ensure!(
        names == expected,
        "sync after 10 changes gave {} resources",
        names.len()
    );
    result(
        "sync_10_changes",
        server,
        n,
        ms,
        "ms",
        "token of the initial sync",
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_is_the_element_with_text() {
        let answer = "<d:multistatus><d:response/><d:sync-token>http://x/sync/42</d:sync-token></d:multistatus>";
        assert_eq!(super::token_in(answer).as_deref(), Some("http://x/sync/42"));
    }
}
