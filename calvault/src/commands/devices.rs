//! `calvault devices USER` and `calvault devices approve|keep|reset|revoke|window USER DEVICE`.

use calvault_core::Vault;
use calvault_syncml::state::DeviceState;
use calvault_syncml::{SyncWindow, devices};

use crate::cli::{DevicesArgs, DevicesCommand};

pub async fn run(vault: &Vault, args: DevicesArgs) -> anyhow::Result<()> {
    match (args.command, args.user) {
        (Some(command), _) => decide(vault, command).await,
        (None, Some(user)) => list(vault, &user).await,
        (None, None) => anyhow::bail!("name a user"),
    }
}

async fn decide(vault: &Vault, command: DevicesCommand) -> anyhow::Result<()> {
    match command {
        DevicesCommand::Approve { user, device } => {
            let device = devices::find(vault, &user, &device).await?;
            let deleted = devices::approve(vault, &device).await?;
            println!("{}: {deleted} held deletions applied", device.name);
        }
        DevicesCommand::Keep { user, device } => {
            let device = devices::find(vault, &user, &device).await?;
            let kept = devices::keep(vault, &device).await?;
            println!(
                "{}: {kept} events kept; they go back at its next sync",
                device.name
            );
        }
        DevicesCommand::Reset { user, device } => {
            let device = devices::find(vault, &user, &device).await?;
            devices::reset(vault, &device).await?;
            println!("{}: its next sync is a slow sync", device.name);
        }
        DevicesCommand::Window {
            user,
            device,
            back,
            ahead,
        } => {
            let device = devices::find(vault, &user, &device).await?;
            let window = back.zip(ahead).map(|(back_days, ahead_days)| SyncWindow {
                back_days,
                ahead_days,
            });
            devices::set_window(vault, &device, window).await?;
            match window {
                Some(w) => println!(
                    "{}: syncs {} days back to {} days ahead",
                    device.name, w.back_days, w.ahead_days
                ),
                None => println!("{}: syncs everything", device.name),
            }
        }
        DevicesCommand::Revoke { user, device } => {
            let device = devices::find(vault, &user, &device).await?;
            devices::revoke(vault, &device).await?;
            println!("{}: revoked", device.name);
        }
    }
    Ok(())
}

async fn list(vault: &Vault, user: &str) -> anyhow::Result<()> {
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
        if device.protocol == "syncml" {
            print_syncml(&DeviceState::from_json(&device.state));
        }
    }
    Ok(())
}

fn print_syncml(state: &DeviceState) {
    if state.revoked {
        println!("\trevoked");
    }
    if let Some(window) = state.window {
        println!(
            "\twindow: {} days back, {} days ahead",
            window.back_days, window.ahead_days
        );
    }
    if state.force_slow {
        println!("\tnext sync: slow (reset)");
    }
    for (datastore, anchors) in &state.anchors {
        let (from, to) = (&anchors.from_client, &anchors.to_client);
        println!(
            "\t{datastore}: {} sync at {}; from the device +{} ~{} -{}, to it +{} ~{} -{}",
            anchors.sync_type.as_deref().unwrap_or("?"),
            super::format_time(anchors.at),
            from.added,
            from.replaced,
            from.deleted,
            to.added,
            to.replaced,
            to.deleted
        );
    }
    for held in &state.held {
        println!(
            "\t{}: {} deletions held (alert {}): calvault devices approve|keep",
            held.datastore,
            held.uids.len(),
            held.alert_id
        );
    }
}
