//! Suspend (Alert 224) and resume (Alert 225) of a sync (OMA DS Protocol 1.2 §7, Suspend and
//! Resume). What a sync has done is already in the store as it happens (the device's items
//! and their LUID maps are written with every message), so continuing it needs only the
//! datastore's session state: its sync type, its anchors, the deletions not applied yet, and
//! the server changes not acknowledged yet, those of the last reply included (the client may
//! never have seen it).
//!
//! A suspended sync is kept with the device until its next sync of that datastore; one cut
//! off (the client killed, the network gone) is found in the device's last unfinished
//! session, for as long as sessions are kept. Either is resumable only while the anchors the
//! device saved are still the ones that sync started from.

use super::Ctx;
use crate::error::Result;
use crate::state::{DatastoreSession, OutgoingChunk, SessionState, Stage};

/// The client suspends: the session ends with this message, and each datastore's sync is
/// kept for a Resume.
pub(super) fn suspend(ctx: &mut Ctx<'_>) {
    let outgoing = ctx.state.outgoing.take();
    // RepPro §6.4: a large object cut by the suspend is sent again whole.
    ctx.state.incoming = None;
    if ctx.state.stage != Stage::Done {
        for ds in &ctx.state.datastores {
            let kept = unacknowledged(ds.clone(), outgoing.as_ref());
            tracing::info!(device = %ctx.device.key, datastore = %ds.server_uri, to_send = kept.to_send(), "syncml sync suspended");
            ctx.device_state
                .suspended
                .insert(ds.server_uri.clone(), kept);
        }
        ctx.device_state_dirty = true;
    }
    ctx.state.stage = Stage::Done;
}

/// The interrupted sync of a datastore of this device, ready to go on: suspended, or cut off
/// in the device's newest session that synced the datastore without finishing.
pub(super) async fn interrupted(
    ctx: &mut Ctx<'_>,
    datastore: &str,
) -> Result<Option<DatastoreSession>> {
    if let Some(ds) = ctx.device_state.suspended.remove(datastore) {
        ctx.device_state_dirty = true;
        return Ok(Some(ds));
    }
    let sessions = ctx
        .vault
        .syncml_store()
        .syncml_sessions_of_device(ctx.device.id)
        .await?;
    // The newest sync of the datastore decides: finished (or suspended, and then kept with
    // the device), there is nothing to continue.
    let found = crate::devices::unfinished_sync(&sessions, datastore, Some(&ctx.session_id));
    Ok(found.map(|(session, ds)| {
        let outgoing = serde_json::from_str::<SessionState>(&session.state)
            .ok()
            .and_then(|state| state.outgoing);
        unacknowledged(ds, outgoing.as_ref())
    }))
}

/// The datastore's sync with the changes the client never acknowledged back in its queue,
/// first: those of the last reply, and a large object cut in the middle.
fn unacknowledged(mut ds: DatastoreSession, outgoing: Option<&OutgoingChunk>) -> DatastoreSession {
    let mut back = std::mem::take(&mut ds.in_flight);
    if let Some(chunk) = outgoing.filter(|c| c.datastore == ds.server_uri) {
        back.push(chunk.change.clone());
    }
    ds.queue.requeue(back);
    ds
}
