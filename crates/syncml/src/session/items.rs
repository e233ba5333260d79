//! One item from the device: joined from its chunks (OMA DS Protocol 1.2 §6.4), read as
//! iCalendar (converted from vCalendar 1.0 when it is one), and stored through the Vault
//! without ever doubling an event: an item the device already gave us (same LUID) updates
//! it; else one with its UID; else its twin by fingerprint; only then a new object.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use calvault_core::store::{Calendar, StoredObject, SyncmlMapping};
use calvault_core::{BatchPut, Client, Condition};
use calvault_ical::CalendarObject;
use calvault_syncml_proto::{Command, Item, StatusCode};

use super::Ctx;
use super::conflict::{self, Winner};
use crate::error::{Result, SyncmlError};
use crate::format::decode_item;
use crate::state::{IncomingChunk, SyncType};

/// Receives an Add or Replace item (or a chunk of one) and answers its Status code.
pub(super) async fn receive(
    ctx: &mut Ctx<'_>,
    index: usize,
    cmd: &str,
    luid: &str,
    item: &Item,
    mime: Option<&str>,
    size: Option<u64>,
) -> Result<StatusCode> {
    let bytes = item
        .data
        .as_ref()
        .and_then(|d| d.as_bytes())
        .unwrap_or_default();
    let server_uri = ctx.state.datastores[index].server_uri.clone();
    let data = match ctx.state.incoming.take() {
        Some(chunk) if chunk.luid != luid || chunk.datastore != server_uri => {
            // §6.4: a new item before the last chunk of the previous one.
            return Err(SyncmlError::ChunkInterrupted(chunk.luid));
        }
        Some(chunk) => {
            let mut data = B64.decode(&chunk.data_b64).unwrap_or_default();
            data.extend_from_slice(bytes);
            if item.more_data {
                ctx.state.incoming = Some(IncomingChunk {
                    data_b64: B64.encode(&data),
                    ..chunk
                });
                return Ok(StatusCode::CHUNKED_ITEM_ACCEPTED);
            }
            check_size(data.len(), chunk.announced)?;
            data
        }
        None if item.more_data => {
            if let Some(announced) = size
                && announced > ctx.config.max_obj_size
            {
                return Err(SyncmlError::TooLarge(ctx.config.max_obj_size));
            }
            ctx.state.incoming = Some(IncomingChunk {
                datastore: server_uri,
                cmd: cmd.to_string(),
                luid: luid.to_string(),
                mime: mime.map(str::to_string),
                announced: size,
                data_b64: B64.encode(bytes),
            });
            return Ok(StatusCode::CHUNKED_ITEM_ACCEPTED);
        }
        None => {
            if item.data.is_none() {
                return Err(SyncmlError::NoData);
            }
            bytes.to_vec()
        }
    };
    let text = String::from_utf8(data).map_err(|_| SyncmlError::NotText)?;
    let ics = decode_item(&text, mime)?;
    let object = CalendarObject::parse(&ics)?;
    let created = store_item(ctx, index, luid, object).await?;
    let ds = &mut ctx.state.datastores[index];
    if created {
        ds.from_client.added += 1;
    } else {
        ds.from_client.replaced += 1;
    }
    Ok(if cmd == "Add" {
        StatusCode::ITEM_ADDED
    } else {
        StatusCode::OK
    })
}

fn check_size(received: usize, announced: Option<u64>) -> Result<()> {
    match announced {
        Some(announced) if announced != received as u64 => Err(SyncmlError::SizeMismatch {
            received: received as u64,
            announced,
        }),
        _ => Ok(()),
    }
}

/// Stores the object and maps the LUID to it; true when a new object was created.
async fn store_item(
    ctx: &mut Ctx<'_>,
    index: usize,
    luid: &str,
    mut object: CalendarObject,
) -> Result<bool> {
    let (server_uri, calendar_id) = {
        let ds = &ctx.state.datastores[index];
        (ds.server_uri.clone(), ds.calendar_id)
    };
    let calendar = ctx.calendar(calendar_id).await?;
    let store = ctx.vault.store();
    let maps = ctx.vault.syncml_store();

    // 1. The device's own item again (an Add re-sent after a lost reply, or a Replace): the
    //    LUID says which object, whatever UID the device kept.
    let mapped = ctx.uid_of_luid(&server_uri, luid).await?;
    let wanted = mapped.as_deref().unwrap_or(object.uid());
    if ctx.writes_pending(calendar.id, |put| put.object.uid() == wanted) {
        // An earlier item of this message wrote it: the store must show that write.
        ctx.flush_writes().await?;
    }
    if let Some(uid) = &mapped
        && object.uid() != uid
    {
        object.set_uid(uid);
    }
    let existing = object_by_uid(ctx, calendar.id, object.uid()).await?;
    // 2. A twin by content (a second device, or a device that drops UIDs), unless another
    //    item of this device already stands for it.
    let existing = match existing {
        Some(existing) => Some(existing),
        None if mapped.is_none() => {
            let fingerprint = object.fingerprint().0;
            let mut twin = None;
            for candidate in store
                .objects_by_fingerprint(calendar.id, &[fingerprint])
                .await?
            {
                let claimed = ctx.state.datastores[index]
                    .touched
                    .contains(&candidate.meta.uid)
                    || ctx.pending_maps_uid(&server_uri, &candidate.meta.uid)
                    || maps
                        .syncml_luid_of_uid(ctx.device.id, &server_uri, &candidate.meta.uid)
                        .await?
                        .is_some();
                if !claimed {
                    twin = Some(candidate);
                    break;
                }
            }
            if let Some(twin) = twin {
                // The server's copy stays as it is: map the device's item to it.
                remember(ctx, index, luid, &twin.meta.uid).await?;
                return Ok(false);
            }
            None
        }
        None => None,
    };

    let uid = object.uid().to_string();
    if let Some(existing) = &existing
        && existing.data != object.to_ics()
    {
        match conflict::resolve(ctx, index, existing, &object).await? {
            Some(Winner::Both) => {
                // The device's version becomes an object of its own; the server's, no longer
                // mapped to the device's item, goes to the device as a new one.
                let suffix: [u8; 6] = rand::Rng::random(&mut rand::rng());
                let new_uid = format!("{uid}-{}", hex::encode(suffix));
                object.set_uid(&new_uid);
                let name = free_name(ctx, calendar.id, &new_uid).await?;
                let client = ctx.client();
                write(ctx, &calendar, &name, &object.to_ics(), &client).await?;
                remember(ctx, index, luid, &new_uid).await?;
                return Ok(true);
            }
            Some(Winner::Server) => {
                // The device's version goes into the history, then the server's comes back on
                // top, written by no device: the device gets it as a change.
                let name = existing.meta.name.clone();
                let client = ctx.client();
                write(ctx, &calendar, &name, &object.to_ics(), &client).await?;
                let restore = Client::new("syncml-conflict");
                write(ctx, &calendar, &name, &existing.data, &restore).await?;
                remember(ctx, index, luid, &uid).await?;
                return Ok(false);
            }
            Some(Winner::Device) | None => {}
        }
    }
    let (name, replaces) = match &existing {
        Some(existing)
            if existing.meta.facts.fingerprint == object.fingerprint().0
                && existing.data == object.to_ics() =>
        {
            remember(ctx, index, luid, &uid).await?;
            return Ok(false);
        }
        Some(existing) => (existing.meta.name.clone(), Some(existing.meta.seq)),
        None => (free_name(ctx, calendar.id, &uid).await?, None),
    };
    if ctx.undo.is_some() {
        // Inside an Atomic every write is logged and made at once (see `atomic`).
        let client = ctx.client();
        write(ctx, &calendar, &name, &object.to_ics(), &client).await?;
    } else {
        ctx.pending_writes.push(PendingWrite {
            index,
            calendar,
            luid: luid.to_string(),
            status_at: None,
            answered: false,
            put: BatchPut {
                name,
                object,
                replaces,
            },
        });
    }
    remember(ctx, index, luid, &uid).await?;
    Ok(replaces.is_none())
}

/// An item's write waiting for the others of its message: they are committed together (one
/// durable commit, see `Vault::put_objects`) before the reply that answers them leaves.
pub(crate) struct PendingWrite {
    index: usize,
    calendar: Calendar,
    luid: String,
    /// Where the item's Status is in the reply (None: NoResp), to correct it if the write fails.
    status_at: Option<usize>,
    /// Whether its Status was given (`status_at` is known).
    answered: bool,
    put: BatchPut,
}

impl Ctx<'_> {
    fn writes_pending(&self, calendar: i64, wanted: impl Fn(&BatchPut) -> bool) -> bool {
        self.pending_writes
            .iter()
            .any(|w| w.calendar.id == calendar && wanted(&w.put))
    }

    /// Notes where the Status of the item just received is (see `PendingWrite::status_at`).
    pub(super) fn answered_item(&mut self, no_resp: bool) {
        let at = self.reply.commands.len().checked_sub(1);
        if let Some(write) = self.pending_writes.last_mut()
            && !write.answered
        {
            write.answered = true;
            write.status_at = if no_resp { None } else { at };
        }
    }

    /// Writes the items waiting, one commit per calendar; an item the store refuses gets its
    /// own error in its Status and loses its map, as if it had failed when it arrived.
    pub(super) async fn flush_writes(&mut self) -> Result<()> {
        let mut pending = std::mem::take(&mut self.pending_writes);
        while let Some(first) = pending.first() {
            let calendar = first.calendar.clone();
            let (these, rest): (Vec<PendingWrite>, Vec<PendingWrite>) = pending
                .into_iter()
                .partition(|w| w.calendar.id == calendar.id);
            pending = rest;
            let (writes, puts): (Vec<_>, Vec<BatchPut>) = these
                .into_iter()
                .map(|w| {
                    let put = w.put;
                    let kept = (w.index, w.luid, w.status_at, put.object.uid().to_string());
                    (kept, put)
                })
                .unzip();
            let client = self.client();
            let outcomes = self
                .vault
                .put_objects(self.actor(), &calendar, &puts, &client)
                .await;
            let refused: Vec<(usize, String, StatusCode)> = match outcomes {
                Ok(outcomes) => outcomes
                    .into_iter()
                    .enumerate()
                    .filter_map(|(n, outcome)| {
                        let error = SyncmlError::from(outcome.err()?);
                        Some((n, error.to_string(), error.status_code()))
                    })
                    .collect(),
                // The whole batch failed (a read-only calendar, a store error): every item
                // gets that error, as each would have alone.
                Err(error) => {
                    let error = SyncmlError::from(error);
                    let (text, code) = (error.to_string(), error.status_code());
                    (0..puts.len()).map(|n| (n, text.clone(), code)).collect()
                }
            };
            let mut writes: Vec<Option<_>> = writes.into_iter().map(Some).collect();
            for (n, text, code) in refused {
                if let Some(write) = writes.get_mut(n).and_then(Option::take) {
                    let created = puts[n].replaces.is_none();
                    self.write_failed(write, created, (text, code));
                }
            }
        }
        Ok(())
    }

    /// Undoes what receiving a refused item recorded: its count, its map, its Status.
    fn write_failed(
        &mut self,
        (index, luid, status_at, uid): (usize, String, Option<usize>, String),
        created: bool,
        (error, code): (String, StatusCode),
    ) {
        tracing::info!(%error, luid, "syncml item refused");
        let ds = &mut self.state.datastores[index];
        let counts = &mut ds.from_client;
        if created {
            counts.added = counts.added.saturating_sub(1);
        } else {
            counts.replaced = counts.replaced.saturating_sub(1);
        }
        counts.failed += 1;
        if luid.is_empty() {
            ds.touched.remove(&uid);
        } else {
            let datastore = ds.server_uri.clone();
            let map = self
                .pending_maps
                .iter()
                .rposition(|(d, m)| *d == datastore && m.luid == luid && m.uid == uid);
            if let Some(map) = map {
                self.pending_maps.remove(map);
            }
        }
        if let Some(Command::Status(status)) =
            status_at.and_then(|at| self.reply.commands.get_mut(at))
        {
            status.data = code;
        }
    }
}

/// The object holding `uid`, read on the calling thread (`objects_by_uids`: the store answers
/// such reads without handing them to a connection's thread and back).
async fn object_by_uid(ctx: &Ctx<'_>, calendar: i64, uid: &str) -> Result<Option<StoredObject>> {
    let uids = [uid.to_string()];
    let found = ctx.vault.store().objects_by_uids(calendar, &uids).await?;
    Ok(found.into_iter().find(|o| o.meta.uid == uid))
}

/// Writes an object; inside an Atomic, what it replaces is logged first (see `atomic`).
async fn write(
    ctx: &mut Ctx<'_>,
    calendar: &Calendar,
    name: &str,
    text: &str,
    client: &Client,
) -> Result<()> {
    if ctx.undo.is_some() {
        let previous = ctx.vault.store().object_by_name(calendar.id, name).await?;
        if let Some(log) = ctx.undo.as_mut() {
            log.push(super::atomic::Undo {
                calendar_id: calendar.id,
                name: name.to_string(),
                previous: previous.map(|o| o.data),
            });
        }
    }
    ctx.vault
        .put_object(
            ctx.actor(),
            calendar,
            name,
            text,
            &Condition::default(),
            client,
        )
        .await?;
    Ok(())
}

/// Maps the LUID to the UID (written with the message: see `Ctx::flush_maps`), so that an
/// interrupted session's items are known when the device sends them again.
async fn remember(ctx: &mut Ctx<'_>, index: usize, luid: &str, uid: &str) -> Result<()> {
    let server_uri = ctx.state.datastores[index].server_uri.clone();
    if luid.is_empty() {
        // Only what the maps cannot tell (see `DatastoreSession::touched`).
        ctx.state.datastores[index].touched.insert(uid.to_string());
    } else {
        ctx.remember_map(
            &server_uri,
            SyncmlMapping {
                luid: luid.to_string(),
                uid: uid.to_string(),
            },
        );
    }
    Ok(())
}

/// A resource name for a new object: from its UID when that is safe in a URL and free.
async fn free_name(ctx: &mut Ctx<'_>, calendar: i64, uid: &str) -> Result<String> {
    let safe = uid.len() <= 120
        && !uid.starts_with('.')
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    let name = if safe {
        format!("{uid}.ics")
    } else {
        format!("{}.ics", hex::encode(md5_of(uid)))
    };
    if ctx.writes_pending(calendar, |put| put.name == name) {
        ctx.flush_writes().await?;
    }
    if ctx
        .vault
        .store()
        .object_by_name(calendar, &name)
        .await?
        .is_none()
    {
        return Ok(name);
    }
    let random: [u8; 12] = rand::Rng::random(&mut rand::rng());
    Ok(format!("{}.ics", hex::encode(random)))
}

pub(crate) fn md5_of(text: &str) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(text.as_bytes()).into()
}

/// A Delete from the device: remembered, and applied (or held) when its package is complete.
pub(super) async fn delete(ctx: &mut Ctx<'_>, index: usize, luid: &str) -> Result<StatusCode> {
    let server_uri = ctx.state.datastores[index].server_uri.clone();
    let Some(uid) = ctx.uid_of_luid(&server_uri, luid).await? else {
        // RepPro §10: 211, the item was not there to delete.
        return Ok(StatusCode::ITEM_NOT_DELETED);
    };
    let ds = &mut ctx.state.datastores[index];
    if matches!(
        ds.sync_type,
        SyncType::RefreshFromServer | SyncType::OneWayFromServer
    ) {
        return Ok(StatusCode::COMMAND_NOT_ALLOWED);
    }
    if !ds.pending_deletes.iter().any(|(l, _)| l == luid) {
        ds.pending_deletes.push((luid.to_string(), uid));
    }
    Ok(StatusCode::OK)
}
