//! Devices: every sync partner, with when it was last seen and last synced.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use calvault_store::{Device, DeviceId, NewDevice, UserId};

use crate::{Result, Vault, now};

/// A device's `seen_at` is written at most this often, so busy clients do not write on every
/// request.
const SEEN_EVERY: Duration = Duration::from_secs(60);

/// A device by user, protocol and key.
type DeviceKey = (UserId, String, String);

#[derive(Default)]
pub(crate) struct DeviceCache {
    seen: Mutex<HashMap<DeviceKey, (Device, Instant)>>,
}

impl Vault {
    /// The device `key` of `user` over `protocol`, created on first sight. `name` is what the
    /// owner sees in listings (an app password's name, a User-Agent, a SyncML device id).
    pub async fn touch_device(
        &self,
        user: UserId,
        protocol: &str,
        key: &str,
        name: &str,
    ) -> Result<Device> {
        let cache_key = (user, protocol.to_string(), key.to_string());
        if let Ok(seen) = self.devices.seen.lock()
            && let Some((device, at)) = seen.get(&cache_key)
            && at.elapsed() < SEEN_EVERY
        {
            return Ok(device.clone());
        }
        let device = NewDevice {
            user_id: user,
            protocol: protocol.to_string(),
            key: key.to_string(),
            name: name.to_string(),
            seen_at: now(),
        };
        let device = self.store.upsert_device(device).await?;
        if let Ok(mut seen) = self.devices.seen.lock() {
            if seen.len() > 10_000 {
                seen.clear();
            }
            seen.insert(cache_key, (device.clone(), Instant::now()));
        }
        Ok(device)
    }

    /// Records that a device completed a sync now.
    pub async fn record_sync(&self, device: &Device) -> Result<()> {
        Ok(self
            .store
            .update_device_state(device.id, &device.state, Some(now()))
            .await?)
    }

    pub async fn list_devices(&self, user: &str) -> Result<Vec<Device>> {
        let user = self.user_named(user).await?;
        Ok(self.store.list_devices(user.id).await?)
    }

    pub async fn device(&self, id: DeviceId) -> Result<Option<Device>> {
        Ok(self.store.device(id).await?)
    }
}
