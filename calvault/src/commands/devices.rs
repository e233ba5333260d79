//! `calvault devices USER`.

use calvault_core::Vault;

pub async fn run(vault: &Vault, user: &str) -> anyhow::Result<()> {
    let devices = vault.list_devices(user).await?;
    if devices.is_empty() {
        println!("no device has connected as {user} yet");
    }
    for device in devices {
        let last_sync = device
            .last_sync
            .map(super::format_time)
            .unwrap_or_else(|| "never".to_string());
        println!(
            "{}\t{}\t{}\tlast seen {}\tlast sync {last_sync}",
            device.id,
            device.protocol,
            device.name,
            super::format_time(device.seen_at)
        );
    }
    Ok(())
}
