//! The mass-deletion guard: when one device deletes much of a calendar in a short time, the
//! state from before its burst is kept as a snapshot and the owner is alerted.

use calvault_store::{Alert, Calendar, NewAlert, NewSnapshot};

use crate::{Client, Result, Vault, now};

/// The alert kind the guard raises.
pub const MASS_DELETION: &str = "mass-deletion";

impl Vault {
    /// Called before `client` deletes `deleting` objects of `calendar`. When this pushes the
    /// device's recent deletions past the policy's threshold (more than `guard_count` objects
    /// and more than `guard_percent` of the calendar within `guard_window_secs`), a snapshot of
    /// the calendar as it was just before the burst's first deletion is taken and an alert
    /// records the command that restores it; later deletions of the same burst update it.
    pub(crate) async fn guard_deletions(
        &self,
        calendar: &Calendar,
        client: &Client,
        deleting: u64,
    ) -> Result<()> {
        let Some(device) = client.device_id else {
            return Ok(());
        };
        let since = now() - self.policy.guard_window_secs;
        let (recent, first_seq) = self
            .store
            .recent_deletions(calendar.id, device, since)
            .await?;
        let after = recent + deleting;
        if after <= self.policy.guard_count {
            return Ok(());
        }
        let live = self.store.count_objects(calendar.id).await?;
        let size_before_burst = live + recent;
        if after * 100 <= size_before_burst * self.policy.guard_percent {
            return Ok(());
        }
        let device_name = client
            .device_name
            .clone()
            .unwrap_or_else(|| format!("device {device}"));
        match self.open_guard_alert(calendar, device, since).await? {
            Some(alert) => {
                let message = guard_message(&device_name, after, calendar, alert.snapshot_id);
                self.store
                    .update_alert(alert.id, &message, after as i64, &alert.data)
                    .await?;
            }
            None => {
                let position = match first_seq {
                    Some(seq) => seq - 1,
                    None => self.store.position(calendar.id).await?,
                };
                let snapshot = self
                    .store
                    .create_snapshot(NewSnapshot {
                        calendar_id: calendar.id,
                        position,
                        label: format!("automatic: before mass deletion by {device_name}"),
                        reason: "mass deletion".to_string(),
                        automatic: true,
                        created_at: now(),
                    })
                    .await?;
                tracing::warn!(
                    calendar = calendar.id,
                    device,
                    deleted = after,
                    snapshot = snapshot.id,
                    "mass deletion guard"
                );
                self.store
                    .create_alert(NewAlert {
                        user_id: calendar.user_id,
                        calendar_id: Some(calendar.id),
                        device_id: Some(device),
                        kind: MASS_DELETION.to_string(),
                        message: guard_message(&device_name, after, calendar, Some(snapshot.id)),
                        snapshot_id: Some(snapshot.id),
                        count: after as i64,
                        data: serde_json::json!({ "calendar": calendar.name, "device": device_name }),
                        created_at: now(),
                    })
                    .await?;
            }
        }
        Ok(())
    }

    async fn open_guard_alert(
        &self,
        calendar: &Calendar,
        device: i64,
        since: i64,
    ) -> Result<Option<Alert>> {
        let alerts = self.store.list_alerts(calendar.user_id, false).await?;
        Ok(alerts.into_iter().find(|a| {
            a.kind == MASS_DELETION
                && a.calendar_id == Some(calendar.id)
                && a.device_id == Some(device)
                && a.created_at >= since
        }))
    }
}

fn guard_message(device: &str, count: u64, calendar: &Calendar, snapshot: Option<i64>) -> String {
    let restore = snapshot
        .map(|id| format!("; restore with: calvault snapshot restore {id}"))
        .unwrap_or_default();
    format!(
        "{device} deleted {count} objects from calendar {} within minutes{restore}",
        calendar.name
    )
}
