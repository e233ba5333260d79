//! calendar-query over one month (RFC 4791 §7.8), with and without `expand` (§9.6.5).

use bytes::Bytes;

use super::client::DavClient;
use super::resources::names_in;

const START: &str = "20230301T000000Z";
const END: &str = "20230401T000000Z";

/// Returns the median time in ms and how many resources the month holds.
pub async fn one_month(
    client: &DavClient,
    url: &str,
    expand: bool,
) -> anyhow::Result<(f64, usize)> {
    let data = if expand {
        format!(r#"<C:calendar-data><C:expand start="{START}" end="{END}"/></C:calendar-data>"#)
    } else {
        "<C:calendar-data/>".to_string()
    };
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>{data}</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="{START}" end="{END}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#
    );
    let found = std::cell::Cell::new(0);
    let ms = super::repeat(client, || {
        let body = Bytes::from(body.clone());
        let found = &found;
        async move {
            let headers = [
                ("depth", "1"),
                ("content-type", "application/xml; charset=utf-8"),
            ];
            let answer = client.expect("REPORT", url, &headers, body, &[207]).await?;
            let hrefs = names_in(&answer).len();
            found.set(hrefs);
            let calendars = answer
                .windows(15)
                .filter(|w| w == b"BEGIN:VCALENDAR")
                .count();
            anyhow::ensure!(hrefs > 0, "calendar-query found nothing in the month");
            anyhow::ensure!(
                calendars == hrefs,
                "{calendars} calendar-data for {hrefs} hrefs"
            );
            Ok(())
        }
    })
    .await?;
    Ok((ms, found.get()))
}
