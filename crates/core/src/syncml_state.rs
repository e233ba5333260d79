//! What the SyncML server needs from the domain: its protocol state (sessions, LUID maps,
//! auth-md5 credentials, the device's anchors and nonce), the automatic snapshot before a slow
//! or refresh sync, and the mass deletions it holds for the owner to decide.

use calvault_store::{Alert, Calendar, Device, DeviceId, NewAlert, Snapshot, SyncmlStore};

use crate::{Result, Vault, now};

/// The alert kind for deletions a SyncML session asked for and the server holds.
pub const SYNCML_HELD_DELETIONS: &str = "syncml-held-deletions";

impl Vault {
    /// The SyncML protocol state. It holds no calendar data: sessions, maps and credentials
    /// only, so no domain rule guards it.
    pub fn syncml_store(&self) -> &dyn SyncmlStore {
        self.store.as_ref()
    }

    /// Writes a device's protocol state (anchors, nonce, DevInf); with `synced`, also records
    /// that it completed a sync now.
    pub async fn save_device_state(
        &self,
        device: DeviceId,
        state: &serde_json::Value,
        synced: bool,
    ) -> Result<()> {
        let last_sync = synced.then(now);
        Ok(self
            .store
            .update_device_state(device, state, last_sync)
            .await?)
    }

    /// The automatic snapshot before a slow sync or a refresh from a device.
    pub async fn snapshot_before_sync(
        &self,
        calendar: &Calendar,
        device: &Device,
        sync_type: &str,
    ) -> Result<Snapshot> {
        self.snapshot_automatic(calendar, &format!("{sync_type} of {}", device.name))
            .await
    }

    /// Records that `device` asked to delete `uids` of `calendar` and that the deletions are
    /// held, after a snapshot of the calendar as it is. The objects stay; the owner decides.
    pub async fn hold_syncml_deletions(
        &self,
        calendar: &Calendar,
        device: &Device,
        uids: &[String],
    ) -> Result<Alert> {
        let snapshot = self
            .snapshot_automatic(calendar, &format!("held deletions of {}", device.name))
            .await?;
        tracing::warn!(
            calendar = calendar.id,
            device = device.id,
            count = uids.len(),
            "syncml mass deletion held"
        );
        let owner = self
            .store
            .user(calendar.user_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let alert = NewAlert {
            user_id: calendar.user_id,
            calendar_id: Some(calendar.id),
            device_id: Some(device.id),
            kind: SYNCML_HELD_DELETIONS.to_string(),
            message: format!(
                "device {} wants to delete {} events from calendar {}: held; apply or keep \
                 with: calvault devices approve|keep {owner} {}",
                device.name,
                uids.len(),
                calendar.name,
                device.key
            ),
            snapshot_id: Some(snapshot.id),
            count: uids.len() as i64,
            data: serde_json::json!({ "uids": uids, "device": device.key }),
            created_at: now(),
        };
        Ok(self.store.create_alert(alert).await?)
    }

    /// An alert by id, for a protocol that follows up on its own alerts.
    pub async fn alert_by_id(&self, id: i64) -> Result<Option<Alert>> {
        Ok(self.store.alert(id).await?)
    }
}
