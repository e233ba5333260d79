//! `calvault alerts USER [--all] [--dismiss ID]`.

use calvault_core::{Actor, Vault};

pub async fn run(vault: &Vault, user: &str, all: bool, dismiss: Option<i64>) -> anyhow::Result<()> {
    if let Some(id) = dismiss {
        vault.resolve_alert(Actor::Admin, id, "dismissed").await?;
        println!("alert {id} dismissed");
        return Ok(());
    }
    let alerts = vault.alerts(Actor::Admin, user, all).await?;
    if alerts.is_empty() {
        println!("no alerts for {user}");
    }
    for alert in alerts {
        let state = match (&alert.resolution, alert.resolved_at) {
            (Some(resolution), Some(at)) => format!("{resolution} {}", super::format_time(at)),
            _ => "open".to_string(),
        };
        println!(
            "{}\t{}\t{}\t{state}\t{}",
            alert.id,
            super::format_time(alert.created_at),
            alert.kind,
            alert.message
        );
    }
    Ok(())
}
