//! Alerts: what the safety policies want the owner to know and decide.

use calvault_store::Alert;

use crate::{Actor, CoreError, Result, Vault, now};

impl Vault {
    /// A user's alerts, newest first; resolved ones too with `include_resolved`.
    pub async fn alerts(
        &self,
        actor: Actor,
        user: &str,
        include_resolved: bool,
    ) -> Result<Vec<Alert>> {
        let user = self.user_named(user).await?;
        if let Actor::User(id) = actor
            && id != user.id
        {
            return Err(CoreError::NotFound(format!("user {}", user.name)));
        }
        Ok(self.store.list_alerts(user.id, include_resolved).await?)
    }

    /// Marks an alert as dealt with (`restored`, `kept`, `dismissed`).
    pub async fn resolve_alert(&self, actor: Actor, id: i64, resolution: &str) -> Result<Alert> {
        let alert = self
            .store
            .alert(id)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("alert {id}")))?;
        if let Actor::User(user) = actor
            && user != alert.user_id
        {
            return Err(CoreError::NotFound(format!("alert {id}")));
        }
        self.store.resolve_alert(id, now(), resolution).await?;
        Ok(alert)
    }
}
