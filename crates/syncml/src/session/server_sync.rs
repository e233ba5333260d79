//! The server's modifications (OMA DS Protocol 1.2 §5.5, package 4): what changed in the
//! journal since the device's last sync (and did not come from the device itself), or every
//! object for a slow or refresh sync; sent in as many messages as the client's MaxMsgSize
//! needs, an object larger than a message going in chunks (§6.4, MoreData).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use calvault_core::store::{RevisionKind, RevisionMeta, StoredObject};
use calvault_syncml_proto::{Change, Command, Delete, Sync};

use super::{Ctx, deletions, items};
use crate::error::Result;
use crate::package::{chunk_end, item, type_meta};
use crate::state::{OutChange, OutQueue, OutgoingChunk, SlowScan, Stage, SyncType};
use crate::window;

const PAGE: u32 = 1000;
/// Objects read in one query ahead of the queue: one round trip to the store per object cost
/// more than encoding it.
const READ_AHEAD: usize = 64;
/// The fewest read in one query when the message is nearly full: objects the device's window
/// or datastore leaves out are read too.
const READ_AT_LEAST: usize = 8;
/// A chunk smaller than this is not worth a message of its own overhead.
const MIN_CHUNK: usize = 512;

/// Works out what datastore `index` will send, once the device's package is in.
pub(super) async fn prepare(ctx: &mut Ctx<'_>, index: usize) -> Result<()> {
    let (calendar_id, sync_type, last_position, collection) = {
        let ds = &ctx.state.datastores[index];
        (
            ds.calendar_id,
            ds.sync_type,
            ds.last_position,
            ds.collection,
        )
    };
    let window = ctx.state.datastores[index].window;
    let store = ctx.vault.store();
    let position = store.position(calendar_id).await?;
    let mut queue = OutQueue::default();
    let mut scan = None;
    match sync_type {
        SyncType::TwoWay | SyncType::OneWayFromServer => {
            queue = changes_since(ctx, index, last_position, position)
                .await?
                .into_iter()
                .collect();
            let mut queued: BTreeSet<String> = queue.iter().map(|c| uid_of(&c).clone()).collect();
            let resend = ctx.state.datastores[index].resend.clone();
            for change in deletions::resend_changes(&resend) {
                if queued.insert(uid_of(&change).clone()) {
                    queue.push(change);
                }
            }
        }
        SyncType::Slow | SyncType::RefreshFromServer => {
            let touched = if sync_type == SyncType::Slow {
                claimed_uids(ctx, index).await?
            } else {
                HashSet::new()
            };
            // Counted now, read as the messages go (`refill`).
            let mut skip = Vec::new();
            let mut left = 0u32;
            for object in store.list_objects(calendar_id).await? {
                if !collection.holds(&object.facts.component)
                    || !window::holds(window, &object.facts)
                {
                    continue;
                }
                if touched.contains(&object.uid) {
                    skip.push(object.id);
                } else {
                    left += 1;
                }
            }
            skip.sort_unstable();
            if left > 0 {
                scan = Some(SlowScan {
                    after: 0,
                    upto: position,
                    skip,
                    left,
                });
            }
        }
        SyncType::OneWayFromClient | SyncType::RefreshFromClient => {}
    }
    let ds = &mut ctx.state.datastores[index];
    // A one-way sync from the client sends nothing: the server's changes stay due.
    ds.position = if sync_type == SyncType::OneWayFromClient {
        last_position
    } else {
        position
    };
    ds.queue = queue;
    ds.scan = scan;
    ds.queue_ready = true;
    Ok(())
}

/// The UIDs the device sent or matched in this session: its LUID maps (a slow or refresh sync
/// starts them over) and the few items it sent without a LUID.
pub(super) async fn claimed_uids(ctx: &Ctx<'_>, index: usize) -> Result<HashSet<String>> {
    let ds = &ctx.state.datastores[index];
    let mut uids: HashSet<String> = ctx
        .vault
        .syncml_store()
        .syncml_maps(ctx.device.id, &ds.server_uri)
        .await?
        .into_iter()
        .map(|m| m.uid)
        .collect();
    uids.extend(ds.touched.iter().cloned());
    Ok(uids)
}

fn uid_of(change: &OutChange) -> &String {
    match change {
        OutChange::Add { uid } | OutChange::Replace { uid, .. } | OutChange::Delete { uid, .. } => {
            uid
        }
    }
}

/// The newest revision of every UID changed in (since, upto], except those whose newest
/// revision is the device's own (it has them already).
async fn changes_since(
    ctx: &mut Ctx<'_>,
    index: usize,
    since: i64,
    upto: i64,
) -> Result<Vec<OutChange>> {
    let (calendar_id, server_uri, collection) = {
        let ds = &ctx.state.datastores[index];
        (ds.calendar_id, ds.server_uri.clone(), ds.collection)
    };
    let window = ctx.state.datastores[index].window;
    let store = ctx.vault.store();
    let mut newest: BTreeMap<String, RevisionMeta> = BTreeMap::new();
    let mut after = since;
    'pages: loop {
        let page = store.changes_since(calendar_id, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for revision in page {
            if revision.seq > upto {
                break 'pages;
            }
            newest.insert(revision.uid.clone(), revision);
        }
    }
    let mut changes = Vec::new();
    let maps = ctx.vault.syncml_store();
    for (uid, revision) in newest {
        if revision.device_id == Some(ctx.device.id) {
            continue;
        }
        let luid = maps
            .syncml_luid_of_uid(ctx.device.id, &server_uri, &uid)
            .await?;
        match (revision.kind, luid) {
            (RevisionKind::Delete, Some(luid)) => changes.push(OutChange::Delete { uid, luid }),
            (RevisionKind::Delete, None) => {}
            (RevisionKind::Put, luid) => {
                let Some(object) = store.object_by_uid(calendar_id, &uid).await? else {
                    continue;
                };
                let facts = &object.meta.facts;
                if !collection.holds(&facts.component) || !window::holds(window, facts) {
                    continue;
                }
                changes.push(match luid {
                    Some(luid) => OutChange::Replace { uid, luid },
                    None => OutChange::Add { uid },
                });
            }
        }
    }
    Ok(changes)
}

/// Adds the server's Sync commands to the reply while they fit. True when more is to come
/// (the reply then carries no Final, and the client asks for the rest).
pub(super) async fn emit(ctx: &mut Ctx<'_>) -> Result<bool> {
    if ctx.state.stage != Stage::ServerSync {
        return Ok(false);
    }
    let mut used = ctx.reply.size();
    for index in 0..ctx.state.datastores.len() {
        let ds = &ctx.state.datastores[index];
        let unfinished = ctx
            .state
            .outgoing
            .as_ref()
            .is_some_and(|c| c.datastore == ds.server_uri);
        if !ds.queue_ready || (ds.number_of_changes_sent && !ds.sending() && !unfinished) {
            continue;
        }
        let pending = emit_datastore(ctx, index, &mut used).await?;
        if pending {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn emit_datastore(ctx: &mut Ctx<'_>, index: usize, used: &mut usize) -> Result<bool> {
    let cmd_id = ctx.reply.cmd_id();
    let ds = &mut ctx.state.datastores[index];
    let mut sync = Sync {
        cmd_id,
        target: Some(calvault_syncml_proto::Location::new(ds.client_uri.clone())),
        source: Some(calvault_syncml_proto::Location::new(ds.target_ref.clone())),
        ..Sync::default()
    };
    // Every message of the package says how many changes remain, the one in chunks included
    // (as the Synthesis engine does; DS 1.2 §5.5 asks for it at least in the first).
    let in_chunks = ctx
        .state
        .outgoing
        .as_ref()
        .is_some_and(|c| c.datastore == ds.server_uri);
    sync.number_of_changes = Some(ds.to_send() as u32 + u32::from(in_chunks));
    ds.number_of_changes_sent = true;
    *used += ctx.reply.command_size(&Command::Sync(sync.clone()));

    if let Some(chunk) = ctx.state.outgoing.take() {
        let more = next_chunk(ctx, chunk, &mut sync, used);
        ctx.reply.push(Command::Sync(sync));
        return Ok(more || ctx.state.datastores[index].sending());
    }
    let commands_from = *used;
    loop {
        if ctx.state.datastores[index].queue.is_empty() {
            let want = likely_to_fit(ctx.reply.room(*used), *used - commands_from, &sync);
            refill(ctx, index, want).await?;
        }
        let Some(change) = ctx.state.datastores[index].queue.front().cloned() else {
            break;
        };
        let Some(command) = build(ctx, index, &change).await? else {
            ctx.state.datastores[index].queue.pop_front();
            continue;
        };
        let size = ctx.reply.command_size(&command);
        let fits = ctx.reply.room(*used).is_none_or(|room| size <= room);
        if fits {
            *used += size;
            sync.commands.push(command);
            ctx.state.datastores[index].queue.pop_front();
            count_sent(ctx, index, &change);
            ctx.state.datastores[index].in_flight.push(change);
            continue;
        }
        if !sync.commands.is_empty() {
            break;
        }
        // Alone it does not fit: split it (§6.4).
        ctx.state.datastores[index].queue.pop_front();
        count_sent(ctx, index, &change);
        let chunk = start_chunk(ctx, index, change, command);
        let more = next_chunk(ctx, chunk, &mut sync, used);
        ctx.reply.push(Command::Sync(sync));
        return Ok(more || ctx.state.datastores[index].sending());
    }
    ctx.reply.push(Command::Sync(sync));
    Ok(ctx.state.datastores[index].sending())
}

/// How many more objects the message is likely to take, from the room left and the size of
/// the commands it holds (READ_AHEAD before the first): what is read and does not fit is read
/// again in the next message.
fn likely_to_fit(room: Option<usize>, commands_size: usize, sync: &Sync) -> usize {
    match room {
        Some(room) if !sync.commands.is_empty() => {
            let average = (commands_size / sync.commands.len()).max(1);
            (room / average + 1).min(READ_AHEAD)
        }
        _ => READ_AHEAD,
    }
}

/// Queues the scan's next objects that are to be sent, keeping them read for `build`; ends
/// the scan when the calendar has no more. Reads `want` objects a query (within READ_AT_LEAST
/// and READ_AHEAD).
async fn refill(ctx: &mut Ctx<'_>, index: usize, want: usize) -> Result<()> {
    let want = want.clamp(READ_AT_LEAST, READ_AHEAD);
    let ds = &ctx.state.datastores[index];
    let (calendar_id, collection, window) = (ds.calendar_id, ds.collection, ds.window);
    let store = ctx.vault.store();
    while ctx.state.datastores[index].queue.is_empty() {
        let Some(scan) = ctx.state.datastores[index].scan.as_mut() else {
            return Ok(());
        };
        let page = store
            .objects_page(calendar_id, scan.after, want as u32)
            .await?;
        let short = page.len() < want;
        let Some(last) = page.last() else {
            ctx.state.datastores[index].scan = None;
            return Ok(());
        };
        scan.after = last.meta.id;
        let mut queued = Vec::new();
        for object in page {
            let facts = &object.meta.facts;
            if !collection.holds(&facts.component) || !window::holds(window, facts) {
                continue;
            }
            if scan.skip.binary_search(&object.meta.id).is_ok() {
                continue;
            }
            // Written after the sync's position: the next sync sends it as a change.
            if object.meta.seq > scan.upto {
                continue;
            }
            // Unchanged since the count, so counted: when none is left, the scan is over
            // (and the message that sends the last one carries Final).
            scan.left = scan.left.saturating_sub(1);
            queued.push(object);
        }
        if short || scan.left == 0 {
            ctx.state.datastores[index].scan = None;
        }
        for object in queued {
            let uid = object.meta.uid.clone();
            ctx.state.datastores[index]
                .queue
                .push(OutChange::Add { uid: uid.clone() });
            ctx.prefetched.insert(uid, object);
        }
    }
    Ok(())
}

fn count_sent(ctx: &mut Ctx<'_>, index: usize, change: &OutChange) {
    let counts = &mut ctx.state.datastores[index].to_client;
    match change {
        OutChange::Add { .. } => counts.added += 1,
        OutChange::Replace { .. } => counts.replaced += 1,
        OutChange::Delete { .. } => counts.deleted += 1,
    }
}

/// The GUID the server gives an object on the wire: its UID when short enough for the
/// device's MaxGUIDSize (we assume 64, the smallest common one), else a digest.
fn guid_for(uid: &str) -> String {
    if uid.len() <= 64 && !uid.chars().any(char::is_control) {
        uid.to_string()
    } else {
        hex::encode(items::md5_of(uid))
    }
}

/// The command for one change; None when the object is gone or cannot be written.
async fn build(ctx: &mut Ctx<'_>, index: usize, change: &OutChange) -> Result<Option<Command>> {
    let (calendar_id, format, server_uri) = {
        let ds = &ctx.state.datastores[index];
        (ds.calendar_id, ds.format, ds.server_uri.clone())
    };
    let meta = Some(type_meta(format.mime()));
    if let OutChange::Delete { luid, .. } = change {
        ctx.vault
            .syncml_store()
            .delete_syncml_maps(ctx.device.id, &server_uri, std::slice::from_ref(luid))
            .await?;
        return Ok(Some(Command::Delete(Delete {
            cmd_id: ctx.reply.cmd_id(),
            meta,
            items: vec![item(Some(luid), None, None)],
            ..Delete::default()
        })));
    }
    let uid = uid_of(change);
    let Some(object) = object_to_send(ctx, index, calendar_id, uid).await? else {
        return Ok(None);
    };
    let data = match format.encode(&object.data) {
        Ok(data) => data,
        Err(error) => {
            tracing::warn!(%error, uid, "syncml: object not sent, it does not convert");
            ctx.state.datastores[index].to_client.failed += 1;
            return Ok(None);
        }
    };
    let guid = guid_for(uid);
    if &guid != uid {
        // The Map gives the GUID back: a digest must lead to its UID again.
        ctx.state.datastores[index]
            .sent_adds
            .insert(guid.clone(), uid.clone());
    }
    let cmd_id = ctx.reply.cmd_id();
    Ok(Some(match change {
        OutChange::Replace { luid, .. } => Command::Replace(Change {
            cmd_id,
            meta,
            items: vec![item(Some(luid), Some(&guid), Some(data))],
            ..Change::default()
        }),
        _ => Command::Add(Change {
            cmd_id,
            meta,
            items: vec![item(None, Some(&guid), Some(data))],
            ..Change::default()
        }),
    }))
}

/// The object a queued change sends: read with the next ones in the queue when not read yet.
async fn object_to_send(
    ctx: &mut Ctx<'_>,
    index: usize,
    calendar_id: i64,
    uid: &String,
) -> Result<Option<StoredObject>> {
    if let Some(object) = ctx.prefetched.remove(uid) {
        return Ok(Some(object));
    }
    let mut uids: Vec<String> = vec![uid.clone()];
    uids.extend(
        ctx.state.datastores[index]
            .queue
            .iter()
            .filter(|c| !matches!(c, OutChange::Delete { .. }))
            .map(|c| uid_of(&c).clone())
            .filter(|u| u != uid && !ctx.prefetched.contains_key(u))
            .take(READ_AHEAD - 1),
    );
    let objects = ctx
        .vault
        .store()
        .objects_by_uids(calendar_id, &uids)
        .await?;
    let mut wanted = None;
    for object in objects {
        if &object.meta.uid == uid {
            wanted = Some(object);
        } else {
            ctx.prefetched.insert(object.meta.uid.clone(), object);
        }
    }
    Ok(wanted)
}

fn start_chunk(ctx: &Ctx<'_>, index: usize, change: OutChange, command: Command) -> OutgoingChunk {
    let (guid, data) = match &command {
        Command::Add(c) | Command::Replace(c) => {
            let item = c.items.first();
            let guid = item
                .and_then(|i| i.source.as_ref())
                .map(|s| s.loc_uri.clone())
                .unwrap_or_default();
            let data = match item.and_then(|i| i.data.as_ref()) {
                Some(calvault_syncml_proto::Data::Text(text)) => text.clone(),
                _ => String::new(),
            };
            (guid, data)
        }
        _ => (String::new(), String::new()),
    };
    OutgoingChunk {
        datastore: ctx.state.datastores[index].server_uri.clone(),
        change,
        guid,
        data,
        sent: 0,
    }
}

/// Puts the next chunk of a large object into `sync`; true when more chunks remain.
fn next_chunk(
    ctx: &mut Ctx<'_>,
    mut chunk: OutgoingChunk,
    sync: &mut Sync,
    used: &mut usize,
) -> bool {
    let Some(index) = ctx
        .state
        .datastores
        .iter()
        .position(|d| d.server_uri == chunk.datastore)
    else {
        return false;
    };
    let format = ctx.state.datastores[index].format;
    let first = chunk.sent == 0;
    let mut meta = type_meta(format.mime());
    if first {
        // §6.4: the first chunk announces the whole object's size.
        meta.size = Some(chunk.data.len() as u64);
    }
    let luid = match &chunk.change {
        OutChange::Replace { luid, .. } => Some(luid.clone()),
        _ => None,
    };
    let mut piece = item(luid.as_deref(), Some(&chunk.guid), Some(String::new()));
    piece.more_data = true;
    let empty = Change {
        cmd_id: ctx.reply.cmd_id(),
        meta: Some(meta),
        items: vec![piece],
        ..Change::default()
    };
    let overhead = ctx.reply.command_size(&Command::Add(empty.clone()));
    let room = ctx
        .reply
        .room(*used + overhead)
        .unwrap_or(chunk.data.len())
        .max(MIN_CHUNK);
    let end = chunk_end(&chunk.data, chunk.sent, room);
    let last = end >= chunk.data.len();
    let mut change = empty;
    if let Some(item) = change.items.first_mut() {
        item.data = Some(calvault_syncml_proto::Data::Text(
            chunk.data[chunk.sent..end].to_string(),
        ));
        item.more_data = !last;
    }
    let command = match chunk.change {
        OutChange::Replace { .. } => Command::Replace(change),
        _ => Command::Add(change),
    };
    *used += ctx.reply.command_size(&command);
    sync.commands.push(command);
    chunk.sent = end;
    if last {
        ctx.state.datastores[index].in_flight.push(chunk.change);
        false
    } else {
        ctx.state.outgoing = Some(chunk);
        true
    }
}
