//! What the owner decides about a SyncML device (held deletions batch by batch, reset, sync
//! window, revoke) and what the listings show of it (held batches, syncs it can resume): the
//! one implementation behind `calvault devices` and the web's held-deletions and devices pages.

use std::collections::BTreeSet;

use calvault_core::store::{Alert, Device, DeviceId, StoreError, SyncmlSession};
use calvault_core::{Actor, Client, CoreError, Vault};

use crate::auth::PROTOCOL;
use crate::error::{Result, SyncmlError};
use crate::state::{DatastoreSession, DeviceState, HeldDeletions, SessionState, Stage, SyncType};
use crate::window::SyncWindow;

/// Resolutions written on a held-deletions alert.
pub const APPLIED: &str = "applied";
pub const KEPT: &str = "kept";

/// A user's SyncML device by its id (as listed) or its device id (SyncML DevID / LocURI).
pub async fn find(vault: &Vault, user: &str, device: &str) -> Result<Device> {
    let devices = vault.list_devices(user).await?;
    devices
        .into_iter()
        .filter(|d| d.protocol == PROTOCOL)
        .find(|d| d.id.to_string() == device || d.key == device || d.name == device)
        .ok_or_else(|| SyncmlError::UnknownItem(format!("SyncML device {device} of {user}")))
}

/// A held batch its owner has not decided yet, with its alert.
#[derive(Debug, Clone)]
pub struct Undecided {
    pub held: HeldDeletions,
    pub alert: Alert,
}

/// The batches held for the device that wait for its owner, as the device's state says now.
/// The alert decides: a batch whose alert is resolved (applied, kept, dismissed) is done, even
/// while the device state lists it until the device's next sync settles it.
pub async fn undecided(vault: &Vault, device: &Device) -> Result<Vec<Undecided>> {
    let Some(device) = vault.device(device.id).await? else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for held in DeviceState::from_json(&device.state).held {
        let Some(alert) = vault.alert_by_id(held.alert_id).await? else {
            continue;
        };
        if alert.resolved_at.is_none() {
            found.push(Undecided { held, alert });
        }
    }
    Ok(found)
}

/// The undecided batch of the device with this alert, if there is one.
async fn undecided_batch(vault: &Vault, device: &Device, alert: i64) -> Result<Option<Undecided>> {
    Ok(undecided(vault, device)
        .await?
        .into_iter()
        .find(|u| u.alert.id == alert))
}

/// Applies every undecided batch held for the device; returns how many objects were deleted.
/// Batches decided already (kept but not yet sent back, applied) are left alone, so running
/// it twice deletes nothing the second time.
pub async fn approve(vault: &Vault, actor: Actor, device: &Device) -> Result<usize> {
    let mut deleted = 0;
    for batch in undecided(vault, device).await? {
        deleted += approve_batch(vault, actor, device, batch.alert.id)
            .await?
            .unwrap_or(0);
    }
    Ok(deleted)
}

/// Keeps the events of every undecided batch held for the device; returns how many.
pub async fn keep(vault: &Vault, actor: Actor, device: &Device) -> Result<usize> {
    let mut kept = 0;
    for batch in undecided(vault, device).await? {
        kept += keep_batch(vault, actor, device, batch.alert.id)
            .await?
            .unwrap_or(0);
    }
    Ok(kept)
}

/// Applies one held batch now: its events go to the trash (still undoable), as the owner's
/// decision. Returns how many were deleted, or None when the device holds no undecided batch
/// with this alert (decided already, or not one of its batches).
///
/// The alert is resolved first: from then on the decision stands whatever happens next. A sync
/// of the device that comes before the batch is dropped from its state, or that writes back an
/// older copy of the state with the batch still in it, finds the alert applied and finishes
/// the batch itself (`session::deletions::settle_held`, which leaves alone any event written
/// after the approval) instead of holding it again.
pub async fn approve_batch(
    vault: &Vault,
    actor: Actor,
    device: &Device,
    alert: i64,
) -> Result<Option<usize>> {
    let Some(batch) = undecided_batch(vault, device, alert).await? else {
        return Ok(None);
    };
    vault.resolve_alert(actor, alert, APPLIED).await?;
    let deleted = delete_held(vault, actor, device, &batch.held).await?;
    forget(vault, device.id, alert).await?;
    Ok(Some(deleted))
}

/// Keeps the events of one held batch: they stay, and the device gets them back at its next
/// sync, which also drops the batch from its state. Returns how many events, or None as for
/// [`approve_batch`].
pub async fn keep_batch(
    vault: &Vault,
    actor: Actor,
    device: &Device,
    alert: i64,
) -> Result<Option<usize>> {
    let Some(batch) = undecided_batch(vault, device, alert).await? else {
        return Ok(None);
    };
    vault.resolve_alert(actor, alert, KEPT).await?;
    Ok(Some(batch.held.uids.len()))
}

/// Deletes the batch's events that are still there; returns how many.
async fn delete_held(
    vault: &Vault,
    actor: Actor,
    device: &Device,
    held: &HeldDeletions,
) -> Result<usize> {
    let Some(calendar) = vault.store().calendar(held.calendar_id).await? else {
        return Ok(0);
    };
    // No device id: this is the owner deleting, not the device's burst, so the guard that
    // counts a device's deletions has nothing to add.
    let client = Client {
        source: "syncml-approved".to_string(),
        device_id: None,
        device_name: Some(device.name.clone()),
    };
    let mut deleted = 0;
    for uid in &held.uids {
        let Some(object) = vault.store().object_by_uid(calendar.id, uid).await? else {
            continue;
        };
        match vault
            .delete_object(actor, &calendar, &object.meta.name, None, &client)
            .await
        {
            Ok(()) => deleted += 1,
            Err(CoreError::NotFound(_) | CoreError::Store(StoreError::NotFound(_))) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(deleted)
}

/// Drops a decided batch from the device's state so its next sync does not settle it again.
async fn forget(vault: &Vault, device: DeviceId, alert: i64) -> Result<()> {
    update_state(vault, device, |state| {
        let before = state.held.len();
        state.held.retain(|h| h.alert_id != alert);
        state.held.len() != before
    })
    .await
}

/// Makes the device's next sync of every datastore a slow sync.
pub async fn reset(vault: &Vault, device: &Device) -> Result<()> {
    update_state(vault, device.id, |state| {
        state.force_slow = true;
        state.anchors.clear();
        true
    })
    .await
}

/// Sets (or with None removes) the device's own sync window.
pub async fn set_window(vault: &Vault, device: &Device, window: Option<SyncWindow>) -> Result<()> {
    update_state(vault, device.id, |state| {
        state.window = window;
        true
    })
    .await
}

/// Cuts the device off: it is refused from now on (403), whatever its credentials.
pub async fn revoke(vault: &Vault, device: &Device) -> Result<()> {
    update_state(vault, device.id, |state| {
        state.revoked = true;
        state.anchors.clear();
        state.nonce = None;
        state.md5_credential = None;
        true
    })
    .await
}

/// Changes the device's SyncML state; `change` says whether it changed anything. The state is
/// read again right before the write rather than taken from the caller's copy: a sync of the
/// device may have saved new anchors or a new held batch since (deleting a large batch takes
/// a while), which writing back an older copy would lose.
async fn update_state(
    vault: &Vault,
    device: DeviceId,
    change: impl FnOnce(&mut DeviceState) -> bool,
) -> Result<()> {
    let Some(device) = vault.device(device).await? else {
        return Ok(());
    };
    let mut state = DeviceState::from_json(&device.state);
    if !change(&mut state) {
        return Ok(());
    }
    vault
        .save_device_state(device.id, &state.to_json(), false)
        .await?;
    Ok(())
}

/// A sync of a datastore that the device can continue with a Resume (Alert 225; OMA DS
/// Protocol 1.2 §7), for the device listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumable {
    pub datastore: String,
    pub sync_type: SyncType,
    /// Suspended by the device (Alert 224); else cut off (or still running).
    pub suspended: bool,
    /// When it stopped: its last message (Unix time).
    pub at: i64,
    /// Until when it can be resumed (Unix time); None: until the device's next sync of the
    /// datastore.
    pub until: Option<i64>,
    /// Server changes it has still to send.
    pub to_send: usize,
}

/// The device's syncs that a Resume would continue: the suspended ones kept with the device,
/// and for each other datastore the newest kept session that synced it, if that one did not
/// finish and no sync completed since (the rules of `session::resume`).
pub async fn resumable(vault: &Vault, device: &Device) -> Result<Vec<Resumable>> {
    let Some(device) = vault.device(device.id).await? else {
        return Ok(Vec::new());
    };
    let state = DeviceState::from_json(&device.state);
    let now = calvault_core::now();
    let sessions: Vec<SyncmlSession> = vault
        .syncml_store()
        .syncml_sessions_of_device(device.id)
        .await?
        .into_iter()
        .filter(|s| s.expires_at > now)
        .collect();
    let mut found = Vec::new();
    for (datastore, ds) in &state.suspended {
        let at = sessions
            .iter()
            .find(|s| session_datastore(s, datastore).is_some())
            .map_or(device.seen_at, |s| s.updated_at);
        found.push(Resumable {
            datastore: datastore.clone(),
            sync_type: ds.sync_type,
            suspended: true,
            at,
            until: None,
            to_send: ds.to_send() + ds.in_flight.len(),
        });
    }
    let mut datastores = BTreeSet::new();
    for session in &sessions {
        if let Ok(synced) = serde_json::from_str::<SessionState>(&session.state) {
            datastores.extend(synced.datastores.into_iter().map(|d| d.server_uri));
        }
    }
    for datastore in datastores {
        if state.suspended.contains_key(&datastore) {
            continue;
        }
        let Some((session, ds)) = unfinished_sync(&sessions, &datastore, None) else {
            continue;
        };
        let saved = state.anchors.get(&datastore).map(|a| &a.client_anchor);
        if ds.client_last.as_ref() != saved {
            continue;
        }
        found.push(Resumable {
            datastore,
            sync_type: ds.sync_type,
            suspended: false,
            at: session.updated_at,
            until: Some(session.expires_at),
            to_send: ds.to_send() + ds.in_flight.len(),
        });
    }
    Ok(found)
}

/// The datastore's part of a kept session, with the session's stage.
fn session_datastore(
    session: &SyncmlSession,
    datastore: &str,
) -> Option<(Stage, DatastoreSession)> {
    let state = serde_json::from_str::<SessionState>(&session.state).ok()?;
    let ds = state
        .datastores
        .into_iter()
        .find(|d| d.server_uri == datastore)?;
    Some((state.stage, ds))
}

/// The sync of `datastore` in the newest of `sessions` (newest first, as the store lists a
/// device's) that synced it, when that one did not finish; `skip` is a session to pass over
/// (the one asking). A finished or suspended newest sync leaves nothing to continue here.
pub(crate) fn unfinished_sync<'s>(
    sessions: &'s [SyncmlSession],
    datastore: &str,
    skip: Option<&str>,
) -> Option<(&'s SyncmlSession, DatastoreSession)> {
    for session in sessions {
        if Some(session.id.as_str()) == skip {
            continue;
        }
        let Some((stage, ds)) = session_datastore(session, datastore) else {
            continue;
        };
        return (stage != Stage::Done).then_some((session, ds));
    }
    None
}
