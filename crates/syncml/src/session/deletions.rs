//! Deletions from a device, applied when its package is complete — or held. A session that
//! deletes more than the configured threshold (more than `mass_deletion_count` objects and
//! more than `mass_deletion_percent` of the calendar), or a refresh from a device that would empty the
//! calendar, is answered 200 for every Delete but changes nothing: a snapshot is taken, an
//! alert asks the owner, and the held items go back to the device if the owner keeps them.

use calvault_core::CoreError;
use calvault_core::store::StoreError;

use super::Ctx;
use crate::error::{Result, SyncmlError};
use crate::state::{HeldDeletions, OutChange, SyncType};
use crate::window;

/// Applies (or holds) the deletions of datastore `index` once the device's package is in.
pub(super) async fn apply(ctx: &mut Ctx<'_>, index: usize) -> Result<()> {
    let mut deletions: Vec<(Option<String>, String)> = ctx.state.datastores[index]
        .pending_deletes
        .drain(..)
        .map(|(luid, uid)| (Some(luid), uid))
        .collect();
    let (calendar_id, sync_type, server_uri, collection) = {
        let ds = &ctx.state.datastores[index];
        (
            ds.calendar_id,
            ds.sync_type,
            ds.server_uri.clone(),
            ds.collection,
        )
    };
    let window = ctx.state.datastores[index].window;
    let calendar = ctx.calendar(calendar_id).await?;
    let store = ctx.vault.store();
    if sync_type == SyncType::RefreshFromClient {
        // OMA DS Protocol 1.2 §4.5: the device's data replaces the server's; what it did
        // not send goes.
        let touched = super::server_sync::claimed_uids(ctx, index).await?;
        for object in store.list_objects(calendar.id).await? {
            if collection.holds(&object.facts.component)
                && window::holds(window, &object.facts)
                && !touched.contains(&object.uid)
            {
                deletions.push((None, object.uid));
            }
        }
    }
    if window.is_some() {
        // An object that left the device because it left the window stays on the server.
        let mut inside = Vec::with_capacity(deletions.len());
        for (luid, uid) in deletions {
            let outside = match store.object_by_uid(calendar.id, &uid).await? {
                Some(object) => !window::holds(window, &object.meta.facts),
                None => false,
            };
            match (outside, luid) {
                (true, Some(luid)) => {
                    ctx.vault
                        .syncml_store()
                        .delete_syncml_maps(ctx.device.id, &server_uri, &[luid])
                        .await?;
                }
                (true, None) => {}
                (false, luid) => inside.push((luid, uid)),
            }
        }
        deletions = inside;
    }
    if deletions.is_empty() {
        return Ok(());
    }
    let live = store.count_objects(calendar.id).await?;
    let count = deletions.len() as u64;
    let mass = count > ctx.config.mass_deletion_count
        && count * 100 > live * ctx.config.mass_deletion_percent;
    let empties = sync_type == SyncType::RefreshFromClient && count >= live;
    let luids: Vec<String> = deletions.iter().filter_map(|(l, _)| l.clone()).collect();
    let uids: Vec<String> = deletions.into_iter().map(|(_, uid)| uid).collect();
    if mass || empties {
        let alert = ctx
            .vault
            .hold_syncml_deletions(&calendar, &ctx.device, &uids)
            .await?;
        ctx.device_state.held.push(HeldDeletions {
            alert_id: alert.id,
            datastore: server_uri.clone(),
            calendar_id: calendar.id,
            uids,
        });
        ctx.device_state_dirty = true;
    } else {
        for uid in &uids {
            delete_object(ctx, calendar_id, uid).await?;
        }
        ctx.state.datastores[index].from_client.deleted += count;
    }
    // Either way the device no longer has these items.
    ctx.vault
        .syncml_store()
        .delete_syncml_maps(ctx.device.id, &server_uri, &luids)
        .await?;
    Ok(())
}

/// Deletes the object with this UID, if it is still there.
async fn delete_object(ctx: &mut Ctx<'_>, calendar_id: i64, uid: &str) -> Result<()> {
    delete_object_written_by(ctx, calendar_id, uid, i64::MAX).await
}

/// Deletes the object with this UID if it is still there and was last written at or before
/// `at` (a Unix time).
async fn delete_object_written_by(
    ctx: &mut Ctx<'_>,
    calendar_id: i64,
    uid: &str,
    at: i64,
) -> Result<()> {
    let calendar = ctx.calendar(calendar_id).await?;
    let Some(object) = ctx.vault.store().object_by_uid(calendar.id, uid).await? else {
        return Ok(());
    };
    if object.meta.updated_at > at {
        return Ok(());
    }
    match ctx
        .vault
        .delete_object(
            ctx.actor(),
            &calendar,
            &object.meta.name,
            None,
            &ctx.client(),
        )
        .await
    {
        Ok(()) | Err(CoreError::NotFound(_)) => Ok(()),
        Err(CoreError::Store(StoreError::NotFound(_))) => Ok(()),
        Err(error) => Err(SyncmlError::Core(error)),
    }
}

/// Settles the held deletions of a datastore whose owner has decided: kept ones come back to
/// the device (their UIDs are returned, to be sent as Add), approved ones are applied now.
/// Undecided ones stay held.
pub(super) async fn settle_held(
    ctx: &mut Ctx<'_>,
    datastore: &str,
    sync_type: SyncType,
) -> Result<Vec<String>> {
    let mut resend = Vec::new();
    let mut remaining = Vec::new();
    let held = std::mem::take(&mut ctx.device_state.held);
    for entry in held {
        if entry.datastore != datastore {
            remaining.push(entry);
            continue;
        }
        let alert = ctx.vault.alert_by_id(entry.alert_id).await?;
        let resolution = alert.as_ref().and_then(|a| a.resolution.clone());
        match resolution.as_deref() {
            None if alert.is_some() => remaining.push(entry),
            Some(crate::devices::APPLIED) => {
                // Approved (see `devices::approve_batch`), which deleted them already unless it
                // was cut short: what is left from before the approval goes; an event made
                // again since with the same UID is not the one the owner approved deleting.
                let approved_at = alert.and_then(|a| a.resolved_at).unwrap_or(i64::MAX);
                for uid in &entry.uids {
                    delete_object_written_by(ctx, entry.calendar_id, uid, approved_at).await?;
                }
                ctx.device_state_dirty = true;
            }
            // Kept, dismissed, or the alert is gone: the objects stay, and the device gets
            // them back.
            _ => {
                if sync_type.server_sends() {
                    resend.extend(entry.uids);
                }
                ctx.device_state_dirty = true;
            }
        }
    }
    ctx.device_state.held = remaining;
    Ok(resend)
}

/// The held-and-kept objects to send back, as Adds.
pub(super) fn resend_changes(uids: &[String]) -> Vec<OutChange> {
    uids.iter()
        .map(|uid| OutChange::Add { uid: uid.clone() })
        .collect()
}
