//! Export of a calendar, as it is now or as a snapshot held it, as one .ics stream.

use std::io::Write;

use calvault_ical::CalendarWriter;
use calvault_store::{Calendar, SnapshotId, StoredObject};

use crate::{Access, Actor, CoreError, Result, Vault};

const PAGE: u32 = 1000;

impl Vault {
    /// Streams the calendar (or the snapshot `snapshot` of it) to `out`, page by page, so a
    /// calendar of any size exports in bounded memory. Returns the number of objects written.
    pub async fn export<W: Write + Send>(
        &self,
        actor: Actor,
        calendar: &Calendar,
        snapshot: Option<SnapshotId>,
        out: W,
    ) -> Result<(u64, W)> {
        self.check_access(actor, calendar, Access::Read).await?;
        let mut writer = CalendarWriter::new(out, Some(&calendar.display_name))?;
        let count = match snapshot {
            None => self.export_current(calendar, &mut writer).await?,
            Some(id) => {
                let (snapshot, of) = self.snapshot(actor, id, Access::Read).await?;
                if of.id != calendar.id {
                    return Err(CoreError::NotFound(format!(
                        "snapshot {id} of calendar {}",
                        calendar.name
                    )));
                }
                self.export_at(calendar, snapshot.position, &mut writer)
                    .await?
            }
        };
        Ok((count, writer.finish()?))
    }

    async fn export_current<W: Write>(
        &self,
        calendar: &Calendar,
        writer: &mut CalendarWriter<W>,
    ) -> Result<u64> {
        let mut count = 0;
        // The next page is read while this one is written out.
        let mut next = self.fetch_page(calendar.id, 0);
        loop {
            let page = next.await.map_err(|error| {
                CoreError::Invalid(format!("an export page stopped: {error}"))
            })??;
            let Some(last) = page.last() else { break };
            next = self.fetch_page(calendar.id, last.meta.id);
            for object in &page {
                writer.push(&object.data)?;
            }
            count += page.len() as u64;
        }
        Ok(count)
    }

    fn fetch_page(
        &self,
        calendar: i64,
        after: i64,
    ) -> tokio::task::JoinHandle<Result<Vec<StoredObject>>> {
        let store = self.store.clone();
        tokio::spawn(async move { Ok(store.objects_page(calendar, after, PAGE).await?) })
    }

    async fn export_at<W: Write>(
        &self,
        calendar: &Calendar,
        position: i64,
        writer: &mut CalendarWriter<W>,
    ) -> Result<u64> {
        let mut after = String::new();
        let mut count = 0;
        loop {
            let page = self
                .store
                .objects_at_page(calendar.id, position, &after, PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.meta.uid.clone();
            for revision in &page {
                writer.push(&revision.data)?;
            }
            count += page.len() as u64;
        }
        Ok(count)
    }
}
