//! PROPFIND Depth 1 of the calendar collection (RFC 4918 §9.1).

use bytes::Bytes;

use super::client::DavClient;
use super::resources::names_in;

const BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/></D:prop></D:propfind>"#;

/// Lists the collection and fails unless every one of the `expected` resources is in it.
pub async fn depth_one(client: &DavClient, url: &str, expected: usize) -> anyhow::Result<()> {
    let headers = [
        ("depth", "1"),
        ("content-type", "application/xml; charset=utf-8"),
    ];
    let body = client
        .expect(
            "PROPFIND",
            url,
            &headers,
            Bytes::from_static(BODY.as_bytes()),
            &[207],
        )
        .await?;
    let found = names_in(&body).len();
    anyhow::ensure!(
        found == expected,
        "PROPFIND listed {found} of {expected} resources"
    );
    Ok(())
}
