//! Sync from the client: its modifications for one datastore (OMA DS Protocol 1.2 §5.3,
//! package 3). Every Add, Replace and Delete gets its own Status; an item that fails fails
//! alone.

use calvault_syncml_proto::{Change, Command, Delete, Meta, StatusCode, Sync};

use super::{Ctx, items};
use crate::datastore::DatastoreUri;
use crate::error::Result;
use crate::format::ItemFormat;

pub(super) async fn handle(ctx: &mut Ctx<'_>, sync: &Sync) -> Result<()> {
    let target = sync
        .target
        .as_ref()
        .map(|t| t.loc_uri.as_str())
        .unwrap_or("");
    let source = sync
        .source
        .as_ref()
        .map(|s| s.loc_uri.as_str())
        .unwrap_or("");
    let index = DatastoreUri::parse(target).and_then(|uri| {
        ctx.state
            .datastores
            .iter()
            .position(|d| d.server_uri == uri.name)
    });
    let Some(index) = index else {
        // A Sync without its Alert (RepPro §6.6.16): nothing to sync it with.
        ctx.answer(
            sync.no_resp,
            sync.cmd_id,
            "Sync",
            Some(target),
            Some(source),
            StatusCode::NOT_FOUND,
        );
        for command in &sync.commands {
            let cmd_ref = command.cmd_id().unwrap_or(0);
            ctx.answer(
                false,
                cmd_ref,
                command.name(),
                None,
                None,
                StatusCode::NOT_FOUND,
            );
        }
        return Ok(());
    };
    ctx.answer(
        sync.no_resp,
        sync.cmd_id,
        "Sync",
        Some(target),
        Some(source),
        StatusCode::OK,
    );
    for command in &sync.commands {
        match command {
            Command::Add(change) => {
                change_items(ctx, index, "Add", change, sync.meta.as_ref()).await?
            }
            Command::Replace(change) => {
                change_items(ctx, index, "Replace", change, sync.meta.as_ref()).await?
            }
            Command::Delete(delete) => delete_items(ctx, index, delete).await?,
            other => {
                let cmd_ref = other.cmd_id().unwrap_or(0);
                ctx.answer(
                    false,
                    cmd_ref,
                    other.name(),
                    None,
                    None,
                    StatusCode::OPTIONAL_FEATURE_NOT_SUPPORTED,
                );
            }
        }
    }
    Ok(())
}

async fn change_items(
    ctx: &mut Ctx<'_>,
    index: usize,
    cmd: &str,
    change: &Change,
    sync_meta: Option<&Meta>,
) -> Result<()> {
    for item in &change.items {
        let mime = item
            .meta
            .as_ref()
            .and_then(|m| m.type_.as_deref())
            .or_else(|| change.meta.as_ref().and_then(|m| m.type_.as_deref()))
            .or_else(|| sync_meta.and_then(|m| m.type_.as_deref()));
        if mime.and_then(ItemFormat::from_mime) == Some(ItemFormat::VCalendar) {
            // The device speaks vCalendar 1.0: answer in kind.
            ctx.state.datastores[index].format = ItemFormat::VCalendar;
        }
        let size = item
            .meta
            .as_ref()
            .and_then(|m| m.size)
            .or_else(|| change.meta.as_ref().and_then(|m| m.size));
        let luid = item
            .source
            .as_ref()
            .or(item.target.as_ref())
            .map(|l| l.loc_uri.clone())
            .unwrap_or_default();
        let code = match items::receive(ctx, index, cmd, &luid, item, mime, size).await {
            Ok(code) => code,
            Err(error) => {
                tracing::info!(%error, luid, cmd, "syncml item refused");
                ctx.state.datastores[index].from_client.failed += 1;
                error.status_code()
            }
        };
        ctx.answer(change.no_resp, change.cmd_id, cmd, None, Some(&luid), code);
    }
    Ok(())
}

async fn delete_items(ctx: &mut Ctx<'_>, index: usize, delete: &Delete) -> Result<()> {
    for item in &delete.items {
        let luid = item
            .source
            .as_ref()
            .or(item.target.as_ref())
            .map(|l| l.loc_uri.clone())
            .unwrap_or_default();
        let code = match items::delete(ctx, index, &luid).await {
            Ok(code) => code,
            Err(error) => error.status_code(),
        };
        ctx.answer(
            delete.no_resp,
            delete.cmd_id,
            "Delete",
            None,
            Some(&luid),
            code,
        );
    }
    Ok(())
}
