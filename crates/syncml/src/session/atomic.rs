//! Atomic inside a Sync (SyncML RepPro 1.2 §6.6.3): its commands are applied all or not at
//! all. When one fails, the ones before it are rolled back and answered 216 (Atomic roll back
//! OK), the failed one keeps its error, the ones after it are not run and get 215 (Not
//! executed), and the Atomic itself gets 507 (Atomic failed).
//!
//! Writes go to the store as they are made, so a rollback undoes them: every object written
//! inside the Atomic is logged with what it replaced (see `items::write`) and put back, and
//! the session state (LUID maps not flushed yet, deletions waiting for the end of the
//! package, counters) returns to where it was. The undoing is written as the device's own
//! change, so the device is not sent back what it still holds as its own pending change.

use calvault_core::store::StoreError;
use calvault_core::{Condition, CoreError};
use calvault_syncml_proto::{Command, Container, Meta, StatusCode};

use super::{Ctx, sync};
use crate::error::{Result, SyncmlError};
use crate::state::{DatastoreSession, IncomingChunk};

/// An object written inside an Atomic, and its text before (None: it did not exist).
#[derive(Debug, Clone)]
pub(crate) struct Undo {
    pub calendar_id: i64,
    pub name: String,
    pub previous: Option<String>,
}

/// What the session was before the Atomic.
struct Checkpoint {
    datastore: DatastoreSession,
    incoming: Option<IncomingChunk>,
    pending_maps: usize,
    undo: usize,
    outer: bool,
}

/// True when the Atomic was applied.
pub(super) async fn handle(
    ctx: &mut Ctx<'_>,
    index: usize,
    atomic: &Container,
    sync_meta: Option<&Meta>,
) -> Result<bool> {
    let status_at = ctx.reply.commands.len();
    ctx.answer(
        atomic.no_resp,
        atomic.cmd_id,
        "Atomic",
        None,
        None,
        StatusCode::OK,
    );
    let checkpoint = Checkpoint {
        datastore: ctx.state.datastores[index].clone(),
        incoming: ctx.state.incoming.clone(),
        pending_maps: ctx.pending_maps.len(),
        undo: ctx.undo.as_ref().map_or(0, Vec::len),
        outer: ctx.undo.is_none(),
    };
    if checkpoint.outer {
        ctx.undo = Some(Vec::new());
    }
    let mut failed_at = None;
    for (n, command) in atomic.commands.iter().enumerate() {
        if !sync::change(ctx, index, command, sync_meta).await? {
            failed_at = Some(n);
            break;
        }
    }
    let Some(failed_at) = failed_at else {
        if checkpoint.outer {
            ctx.undo = None;
        }
        return Ok(true);
    };
    tracing::info!(device = %ctx.device.key, cmd = atomic.cmd_id, "syncml atomic failed: rolled back");
    roll_back(ctx, index, checkpoint).await?;
    let first_inner = status_at + usize::from(!atomic.no_resp);
    for command in &mut ctx.reply.commands[first_inner..] {
        if let Command::Status(status) = command
            && !status.data.is_error()
        {
            status.data = StatusCode::ATOMIC_ROLL_BACK_OK;
        }
    }
    for command in &atomic.commands[failed_at + 1..] {
        let cmd_ref = command.cmd_id().unwrap_or(0);
        ctx.answer(
            false,
            cmd_ref,
            command.name(),
            None,
            None,
            StatusCode::NOT_EXECUTED,
        );
    }
    if !atomic.no_resp
        && let Some(Command::Status(status)) = ctx.reply.commands.get_mut(status_at)
    {
        status.data = StatusCode::ATOMIC_FAILED;
    }
    Ok(false)
}

/// Puts back every object written since the checkpoint, newest first, and the session state.
async fn roll_back(ctx: &mut Ctx<'_>, index: usize, checkpoint: Checkpoint) -> Result<()> {
    let log = match ctx.undo.as_mut() {
        Some(log) => log.split_off(checkpoint.undo.min(log.len())),
        None => Vec::new(),
    };
    if checkpoint.outer {
        ctx.undo = None;
    }
    let client = ctx.client();
    for entry in log.into_iter().rev() {
        let calendar = ctx.calendar(entry.calendar_id).await?;
        let done = match &entry.previous {
            Some(text) => ctx
                .vault
                .put_object(
                    ctx.actor(),
                    &calendar,
                    &entry.name,
                    text,
                    &Condition::default(),
                    &client,
                )
                .await
                .map(|_| ()),
            None => {
                ctx.vault
                    .delete_object(ctx.actor(), &calendar, &entry.name, None, &client)
                    .await
            }
        };
        match done {
            Ok(()) | Err(CoreError::NotFound(_)) => {}
            Err(CoreError::Store(StoreError::NotFound(_))) => {}
            Err(error) => return Err(SyncmlError::Core(error)),
        }
    }
    ctx.pending_maps.truncate(checkpoint.pending_maps);
    ctx.state.datastores[index] = checkpoint.datastore;
    ctx.state.incoming = checkpoint.incoming;
    Ok(())
}
