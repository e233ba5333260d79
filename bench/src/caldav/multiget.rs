//! calendar-multiget of every resource (RFC 4791 §7.9), in batches as clients send it.

use bytes::Bytes;

use super::client::DavClient;
use super::path_of;
use super::resources::{Resource, names_in};

pub const BATCH: usize = 1000;

pub async fn everything(client: &DavClient, url: &str, items: &[Resource]) -> anyhow::Result<()> {
    for (batch_index, batch) in items.chunks(BATCH).enumerate() {
        let mut body = String::from(
            r#"<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>"#,
        );
        for item in batch {
            body.push_str(&format!("<D:href>{}{}</D:href>", path_of(url), item.name));
        }
        body.push_str("</C:calendar-multiget>");
        let headers = [
            ("depth", "1"),
            ("content-type", "application/xml; charset=utf-8"),
        ];
        let answer = client
            .expect("REPORT", url, &headers, Bytes::from(body), &[207])
            .await?;
        let names = names_in(&answer);
        let first = batch_index * BATCH;
        let all_there = (first..first + batch.len()).all(|index| names.contains(&index));
        anyhow::ensure!(
            all_there && names.len() == batch.len(),
            "multiget batch {batch_index}: {} hrefs for {} asked",
            names.len(),
            batch.len()
        );
        let calendars = answer
            .windows(15)
            .filter(|w| w == b"BEGIN:VCALENDAR")
            .count();
        anyhow::ensure!(
            calendars == batch.len(),
            "multiget batch {batch_index}: {calendars} calendar-data for {} hrefs",
            batch.len()
        );
    }
    Ok(())
}
