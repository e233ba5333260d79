//! `calvault devices USER` and `calvault devices approve|keep|reset|revoke|window USER DEVICE`.

use calvault_core::store::Device;
use calvault_core::{Actor, Vault};
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
        DevicesCommand::Approve {
            user,
            device,
            alert,
        } => {
            let device = devices::find(vault, &user, &device).await?;
            let deleted = match alert {
                Some(alert) => devices::approve_batch(vault, Actor::Admin, &device, alert).await?,
                None => Some(devices::approve(vault, Actor::Admin, &device).await?),
            };
            match deleted {
                Some(deleted) => println!("{}: {deleted} held deletions applied", device.name),
                None => println!("{}: {}", device.name, not_undecided(alert)),
            }
        }
        DevicesCommand::Keep {
            user,
            device,
            alert,
        } => {
            let device = devices::find(vault, &user, &device).await?;
            let kept = match alert {
                Some(alert) => devices::keep_batch(vault, Actor::Admin, &device, alert).await?,
                None => Some(devices::keep(vault, Actor::Admin, &device).await?),
            };
            match kept {
                Some(kept) => println!(
                    "{}: {kept} events kept; they go back at its next sync",
                    device.name
                ),
                None => println!("{}: {}", device.name, not_undecided(alert)),
            }
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

/// Why a decision on one batch did nothing: it is not (or no longer) waiting.
fn not_undecided(alert: Option<i64>) -> String {
    format!(
        "alert {} is no undecided held batch of this device: nothing done",
        alert.unwrap_or_default()
    )
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
        if device.protocol == calvault_syncml::auth::PROTOCOL {
            print_syncml(&DeviceState::from_json(&device.state));
            print_resumable(&devices::resumable(vault, &device).await?);
            print_held(vault, user, &device).await?;
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
}

/// The syncs a Resume (Alert 225) would continue.
fn print_resumable(resumable: &[devices::Resumable]) {
    for sync in resumable {
        let how = if sync.suspended {
            "suspended"
        } else {
            "unfinished"
        };
        let until = sync.until.map_or_else(
            || "until its next sync of it".to_string(),
            |until| format!("until {}", super::format_time(until)),
        );
        println!(
            "\t{how} {} sync of {} at {}, resumable {until}; {} changes still to send",
            sync.sync_type.name(),
            sync.datastore,
            super::format_time(sync.at),
            sync.to_send
        );
    }
}

/// The held batches waiting for the owner, each with the command that decides it.
async fn print_held(vault: &Vault, user: &str, device: &Device) -> anyhow::Result<()> {
    for batch in devices::undecided(vault, device).await? {
        println!(
            "\t{}: {} deletions held (alert {}): calvault devices approve|keep {} {} --alert {}",
            batch.held.datastore,
            batch.held.uids.len(),
            batch.alert.id,
            user,
            device.key,
            batch.alert.id
        );
    }
    Ok(())
}
