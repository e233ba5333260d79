//! Sync from the client: its modifications for one datastore (OMA DS Protocol 1.2 §5.3,
//! package 3). Every Add, Replace and Delete gets its own Status; an item that fails fails
//! alone, unless it is inside an Atomic (see `atomic`); a Sequence runs its commands in order
//! (see `sequence`).

use std::future::Future;
use std::pin::Pin;

use calvault_syncml_proto::{Change, Command, Delete, Meta, StatusCode, Sync};

use super::{Ctx, atomic, items, sequence};
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
        change(ctx, index, command, sync.meta.as_ref()).await?;
    }
    Ok(())
}

/// What `change` returns: whether every item of the command succeeded.
pub(super) type Applied<'f> = Pin<Box<dyn Future<Output = Result<bool>> + Send + 'f>>;

/// One command inside Sync, Atomic or Sequence, answered with its Statuses. Boxed: an Atomic
/// or a Sequence holds commands of its own.
pub(super) fn change<'f>(
    ctx: &'f mut Ctx<'_>,
    index: usize,
    command: &'f Command,
    sync_meta: Option<&'f Meta>,
) -> Applied<'f> {
    Box::pin(async move {
        match command {
            Command::Add(change) => change_items(ctx, index, "Add", change, sync_meta).await,
            Command::Replace(change) => {
                change_items(ctx, index, "Replace", change, sync_meta).await
            }
            Command::Delete(delete) => delete_items(ctx, index, delete).await,
            Command::Sequence(container) => {
                sequence::handle(ctx, index, container, sync_meta).await
            }
            Command::Atomic(container) => {
                // The Atomic's writes are made at once, to be undone if it fails; what came
                // before it is written first.
                ctx.flush_writes().await?;
                atomic::handle(ctx, index, container, sync_meta).await
            }
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
                Ok(false)
            }
        }
    })
}

async fn change_items(
    ctx: &mut Ctx<'_>,
    index: usize,
    cmd: &str,
    change: &Change,
    sync_meta: Option<&Meta>,
) -> Result<bool> {
    let mut applied = true;
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
        applied &= !code.is_error();
        ctx.answer(change.no_resp, change.cmd_id, cmd, None, Some(&luid), code);
        ctx.answered_item(change.no_resp);
    }
    Ok(applied)
}

async fn delete_items(ctx: &mut Ctx<'_>, index: usize, delete: &Delete) -> Result<bool> {
    let mut applied = true;
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
        applied &= !code.is_error();
        ctx.answer(
            delete.no_resp,
            delete.cmd_id,
            "Delete",
            None,
            Some(&luid),
            code,
        );
    }
    Ok(applied)
}
