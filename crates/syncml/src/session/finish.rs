//! The end of a session: the anchors and journal position each datastore reached are saved
//! with the device (OMA DS Protocol 1.2 §4.1: the next sync's Last must equal this Next).

use super::Ctx;
use crate::error::Result;
use crate::state::{DatastoreAnchors, Stage};

pub(super) async fn complete(ctx: &mut Ctx<'_>) -> Result<()> {
    let at = calvault_core::now();
    for ds in &ctx.state.datastores {
        ctx.device_state.suspended.remove(&ds.server_uri);
        ctx.device_state.anchors.insert(
            ds.server_uri.clone(),
            DatastoreAnchors {
                client_anchor: ds.client_next.clone(),
                server_anchor: ds.server_next.clone(),
                position: ds.position,
                sync_type: Some(ds.sync_type.name().to_string()),
                at,
                from_client: ds.from_client.clone(),
                to_client: ds.to_client.clone(),
                calendar_id: Some(ds.calendar_id),
            },
        );
        tracing::info!(
            device = %ctx.device.key,
            datastore = %ds.server_uri,
            sync_type = ds.sync_type.name(),
            added = ds.from_client.added,
            replaced = ds.from_client.replaced,
            deleted = ds.from_client.deleted,
            sent = ds.to_client.added + ds.to_client.replaced + ds.to_client.deleted,
            "syncml sync complete"
        );
    }
    ctx.device_state.force_slow = false;
    ctx.vault
        .save_device_state(ctx.device.id, &ctx.device_state.to_json(), true)
        .await?;
    ctx.device_state_dirty = false;
    ctx.state.stage = Stage::Done;
    Ok(())
}
