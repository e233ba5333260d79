//! What the owner decides about a SyncML device (issue: held deletions, reset, revoke): the
//! operations behind `calvault devices approve|keep|reset|revoke USER DEVICE`.

use calvault_core::store::Device;
use calvault_core::{Actor, CoreError, Vault};

use crate::auth::PROTOCOL;
use crate::error::{Result, SyncmlError};
use crate::state::DeviceState;
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

/// Applies the deletions held for the device now; returns how many objects were deleted.
pub async fn approve(vault: &Vault, device: &Device) -> Result<usize> {
    let mut state = DeviceState::from_json(&device.state);
    let mut deleted = 0;
    for held in std::mem::take(&mut state.held) {
        let Some(calendar) = vault.store().calendar(held.calendar_id).await? else {
            continue;
        };
        for uid in &held.uids {
            let Some(object) = vault.store().object_by_uid(calendar.id, uid).await? else {
                continue;
            };
            // The owner's decision, not the device's burst: the guard has nothing to add.
            let client = calvault_core::Client {
                source: "syncml-approved".to_string(),
                device_id: None,
                device_name: Some(device.name.clone()),
            };
            match vault
                .delete_object(Actor::Admin, &calendar, &object.meta.name, None, &client)
                .await
            {
                Ok(()) => deleted += 1,
                Err(CoreError::NotFound(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        resolve(vault, held.alert_id, APPLIED).await?;
    }
    vault
        .save_device_state(device.id, &state.to_json(), false)
        .await?;
    Ok(deleted)
}

/// Keeps the held events: they stay, and the device gets them back at its next sync.
/// Returns how many.
pub async fn keep(vault: &Vault, device: &Device) -> Result<usize> {
    let state = DeviceState::from_json(&device.state);
    let mut kept = 0;
    for held in &state.held {
        resolve(vault, held.alert_id, KEPT).await?;
        kept += held.uids.len();
    }
    Ok(kept)
}

/// Makes the device's next sync of every datastore a slow sync.
pub async fn reset(vault: &Vault, device: &Device) -> Result<()> {
    let mut state = DeviceState::from_json(&device.state);
    state.force_slow = true;
    state.anchors.clear();
    vault
        .save_device_state(device.id, &state.to_json(), false)
        .await?;
    Ok(())
}

/// Sets (or with None removes) the device's own sync window.
pub async fn set_window(vault: &Vault, device: &Device, window: Option<SyncWindow>) -> Result<()> {
    let mut state = DeviceState::from_json(&device.state);
    state.window = window;
    vault
        .save_device_state(device.id, &state.to_json(), false)
        .await?;
    Ok(())
}

/// Cuts the device off: it is refused from now on (403), whatever its credentials.
pub async fn revoke(vault: &Vault, device: &Device) -> Result<()> {
    let mut state = DeviceState::from_json(&device.state);
    state.revoked = true;
    state.anchors.clear();
    state.nonce = None;
    state.md5_credential = None;
    vault
        .save_device_state(device.id, &state.to_json(), false)
        .await?;
    Ok(())
}

async fn resolve(vault: &Vault, alert: i64, resolution: &str) -> Result<()> {
    match vault.alert_by_id(alert).await? {
        Some(a) if a.resolved_at.is_none() => {
            vault.resolve_alert(Actor::Admin, alert, resolution).await?;
        }
        _ => {}
    }
    Ok(())
}
