//! Alert: a sync request for one datastore (OMA DS Protocol 1.2 §5.2.2, Alert codes 200–205),
//! Next Message (222), Suspend (224) and Resume (225).
//!
//! The server checks the client's Last anchor against the Next it saved at the end of the
//! device's last complete sync (§4.1, §5.2.1): when they differ, nothing was saved, or the
//! datastore names another calendar than the one they were made against, a sync type that
//! relies on them becomes a slow sync, answered 508 with an Alert 201. A Resume
//! continues the interrupted sync of the datastore (see `resume`); without one to continue it
//! is answered the same way.

use calvault_core::store::Calendar;
use calvault_syncml_proto::{
    Alert, AlertCode, Anchor, Command, Data, Item, Location, Meta, StatusCode, VerDtd,
};

use super::{Ctx, resume};
use crate::datastore::DatastoreUri;
use crate::error::Result;
use crate::format::ItemFormat;
use crate::state::{DatastoreSession, DeviceState, SyncType};

pub(super) async fn handle(ctx: &mut Ctx<'_>, alert: &Alert) -> Result<()> {
    let code = alert.data.unwrap_or(AlertCode(0));
    match code {
        AlertCode::NEXT_MESSAGE => ctx.answer(
            alert.no_resp,
            alert.cmd_id,
            "Alert",
            None,
            None,
            StatusCode::OK,
        ),
        AlertCode::SUSPEND => {
            // The session ends with this message; what is left is kept for a Resume.
            ctx.suspend_requested = true;
            ctx.answer(
                alert.no_resp,
                alert.cmd_id,
                "Alert",
                None,
                None,
                StatusCode::OK,
            );
        }
        AlertCode::RESUME => {
            for item in &alert.items {
                resume_datastore(ctx, alert, item).await?;
            }
        }
        code => match SyncType::from_code(code.0) {
            Some(requested) => {
                for item in &alert.items {
                    start_datastore(ctx, alert, item, requested, false).await?;
                }
            }
            None => ctx.answer(
                alert.no_resp,
                alert.cmd_id,
                "Alert",
                None,
                None,
                StatusCode::OPTIONAL_FEATURE_NOT_SUPPORTED,
            ),
        },
    }
    Ok(())
}

/// The Target and Source of an Alert item, and its anchors.
fn item_uris(item: &Item) -> (&str, &str, Option<Anchor>) {
    let target = item
        .target
        .as_ref()
        .map(|t| t.loc_uri.as_str())
        .unwrap_or("");
    let source = item
        .source
        .as_ref()
        .map(|s| s.loc_uri.as_str())
        .unwrap_or("");
    let anchor = item.meta.as_ref().and_then(|m| m.anchor.clone());
    (target, source, anchor)
}

/// The datastore an Alert names and its calendar; None (answered) when there is none.
async fn alerted_calendar(
    ctx: &mut Ctx<'_>,
    alert: &Alert,
    target: &str,
    source: &str,
) -> Result<Option<(DatastoreUri, Calendar)>> {
    let Some(uri) = DatastoreUri::parse(target) else {
        ctx.answer(
            alert.no_resp,
            alert.cmd_id,
            "Alert",
            Some(target),
            Some(source),
            StatusCode::NOT_FOUND,
        );
        return Ok(None);
    };
    match uri.calendar(ctx.vault, ctx.state.user_id).await {
        Ok(calendar) => Ok(Some((uri, calendar))),
        Err(error) => {
            let code = error.status_code();
            ctx.answer(
                alert.no_resp,
                alert.cmd_id,
                "Alert",
                Some(target),
                Some(source),
                code,
            );
            Ok(None)
        }
    }
}

/// Alert 225: continues the datastore's interrupted sync where it stopped, or, when there is
/// none to continue (or another sync completed since), answers 508 and syncs slowly.
async fn resume_datastore(ctx: &mut Ctx<'_>, alert: &Alert, item: &Item) -> Result<()> {
    let (target, source, anchor) = item_uris(item);
    // Suspend and resume are DS 1.2 (§7); an older client gets its slow sync.
    let interrupted = match DatastoreUri::parse(target) {
        Some(uri) if ctx.reply.ver() == VerDtd::V1_2 => resume::interrupted(ctx, &uri.name).await?,
        _ => None,
    };
    let Some(mut previous) = interrupted else {
        return start_datastore(ctx, alert, item, SyncType::Slow, true).await;
    };
    let Some((uri, calendar)) = alerted_calendar(ctx, alert, target, source).await? else {
        return Ok(());
    };
    let saved = ctx
        .device_state
        .anchors
        .get(&uri.name)
        .map(|a| a.client_anchor.clone());
    let client_last = anchor
        .as_ref()
        .and_then(|a| a.last.clone())
        .filter(|l| !l.is_empty());
    let resumable = previous.calendar_id == calendar.id
        && previous.client_last == saved
        && client_last.is_none_or(|l| Some(&l) == saved.as_ref());
    if !resumable {
        tracing::info!(device = %ctx.device.key, datastore = %uri.name, "syncml resume refused: another sync completed since");
        return start_datastore(ctx, alert, item, SyncType::Slow, true).await;
    }
    if let Some(next) = anchor.map(|a| a.next).filter(|n| !n.is_empty()) {
        previous.client_next = next;
    }
    previous.client_uri = source.to_string();
    previous.target_ref = target.to_string();
    previous.resumed = true;
    // Every message of the package says how many changes remain, the resumed one too.
    previous.number_of_changes_sent = false;
    tracing::info!(
        device = %ctx.device.key,
        datastore = %uri.name,
        sync_type = previous.sync_type.name(),
        to_send = previous.to_send(),
        "syncml session resumed"
    );
    let (sync_type, client_next) = (previous.sync_type, previous.client_next.clone());
    let (server_last, server_next) = (previous.server_last.clone(), previous.server_next.clone());
    ctx.state.datastores.retain(|d| d.server_uri != uri.name);
    ctx.state.datastores.push(previous);
    answer_alert(
        ctx,
        alert,
        (target, source),
        StatusCode::OK,
        sync_type,
        client_next,
        (server_last, server_next),
    );
    Ok(())
}

async fn start_datastore(
    ctx: &mut Ctx<'_>,
    alert: &Alert,
    item: &Item,
    requested: SyncType,
    resume: bool,
) -> Result<()> {
    let (target, source, anchor) = item_uris(item);
    let Some((uri, calendar)) = alerted_calendar(ctx, alert, target, source).await? else {
        return Ok(());
    };
    // A new sync of the datastore: a suspended one is not continued any more.
    if ctx.device_state.suspended.remove(&uri.name).is_some() {
        ctx.device_state_dirty = true;
    }
    let saved = ctx.device_state.anchors.get(&uri.name).cloned();
    let client_last = anchor.as_ref().and_then(|a| a.last.clone());
    let anchors_match = anchors_match(
        &ctx.device_state,
        &uri.name,
        &calendar,
        client_last.as_deref(),
    );
    let (sync_type, code) = if resume
        || (requested.needs_anchors() && (!anchors_match || ctx.device_state.force_slow))
    {
        (SyncType::Slow, StatusCode::REFRESH_REQUIRED)
    } else {
        (requested, StatusCode::OK)
    };
    if matches!(
        sync_type,
        SyncType::Slow | SyncType::RefreshFromClient | SyncType::RefreshFromServer
    ) {
        // The device's item ids start over: it sends (or gets) everything again.
        ctx.vault
            .syncml_store()
            .clear_syncml_maps(ctx.device.id, &uri.name)
            .await?;
    }
    if matches!(sync_type, SyncType::Slow | SyncType::RefreshFromClient) {
        ctx.vault
            .snapshot_before_sync(&calendar, &ctx.device, sync_type.name())
            .await?;
    }
    let resend = super::deletions::settle_held(ctx, &uri.name, sync_type).await?;
    let format = ctx
        .device_state
        .devinf
        .as_ref()
        .and_then(|d| d.rx_pref.get(source))
        .and_then(|t| ItemFormat::from_mime(t))
        .unwrap_or_default();
    let client_next = anchor.map(|a| a.next).unwrap_or_default();
    let mut server_next = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let server_last = saved.map(|s| s.server_anchor);
    if server_last.as_deref() == Some(server_next.as_str()) {
        server_next.push_str("-1");
    }
    tracing::info!(device = %ctx.device.key, datastore = %uri.name, requested = requested.name(), sync_type = sync_type.name(), "syncml alert");
    let session = DatastoreSession {
        server_uri: uri.name.clone(),
        client_uri: source.to_string(),
        target_ref: target.to_string(),
        calendar_id: calendar.id,
        collection: uri.collection,
        sync_type,
        format,
        window: ctx.device_state.window.or(ctx.config.window),
        client_next: client_next.clone(),
        client_last: ctx
            .device_state
            .anchors
            .get(&uri.name)
            .map(|a| a.client_anchor.clone()),
        server_last: server_last.clone(),
        server_next: server_next.clone(),
        last_position: ctx
            .device_state
            .anchors
            .get(&uri.name)
            .map(|a| a.position)
            .unwrap_or(0),
        position: 0,
        touched: Default::default(),
        pending_deletes: Vec::new(),
        resend,
        queue: Default::default(),
        scan: None,
        in_flight: Vec::new(),
        resumed: false,
        queue_ready: false,
        number_of_changes_sent: false,
        sent_adds: Default::default(),
        from_client: Default::default(),
        to_client: Default::default(),
    };
    ctx.state.datastores.retain(|d| d.server_uri != uri.name);
    ctx.state.datastores.push(session);
    answer_alert(
        ctx,
        alert,
        (target, source),
        code,
        sync_type,
        client_next,
        (server_last, server_next),
    );
    Ok(())
}

/// Whether the device's Last anchor is the Next saved at the end of its last complete sync of
/// the datastore (§4.1), and those anchors still say something about `calendar`: they were
/// made against it (anchors from before that was recorded are taken as they are) and its
/// journal still reaches their position.
fn anchors_match(
    device_state: &DeviceState,
    datastore: &str,
    calendar: &Calendar,
    client_last: Option<&str>,
) -> bool {
    let Some(saved) = device_state.anchors.get(datastore) else {
        return false;
    };
    Some(saved.client_anchor.as_str()) == client_last
        && saved.position >= calendar.oldest_position
        && saved.calendar_id.is_none_or(|id| id == calendar.id)
}

/// The Status of a sync Alert and the server's Alert in return, with its anchors.
fn answer_alert(
    ctx: &mut Ctx<'_>,
    alert: &Alert,
    (target, source): (&str, &str),
    code: StatusCode,
    sync_type: SyncType,
    client_next: String,
    (server_last, server_next): (Option<String>, String),
) {
    if !alert.no_resp {
        let msg_ref = ctx.msg_ref;
        let status = ctx.reply.status(
            msg_ref,
            alert.cmd_id,
            "Alert",
            Some(target),
            Some(source),
            code,
        );
        // RepPro §6.6.20: the Status of a sync Alert echoes the client's Next anchor.
        status.items.push(Item {
            data: Some(Data::Anchor(Anchor {
                last: None,
                next: client_next,
            })),
            ..Item::default()
        });
    }
    let cmd_id = ctx.reply.cmd_id();
    ctx.reply.push(Command::Alert(Alert {
        cmd_id,
        data: Some(AlertCode(sync_type.code())),
        items: vec![Item {
            target: Some(Location::new(source)),
            source: Some(Location::new(target)),
            meta: Some(Meta {
                anchor: Some(Anchor {
                    last: server_last,
                    next: server_next,
                }),
                max_obj_size: Some(ctx.config.max_obj_size),
                ..Meta::default()
            }),
            ..Item::default()
        }],
        ..Alert::default()
    }));
}
