//! Sequence inside a Sync (SyncML RepPro 1.2 §6.6.14): its commands run in the order given,
//! each answered with its own Status; the Sequence itself is answered 200.

use calvault_syncml_proto::{Container, Meta, StatusCode};

use super::{Ctx, sync};
use crate::error::Result;

/// True when every command of the Sequence succeeded.
pub(super) async fn handle(
    ctx: &mut Ctx<'_>,
    index: usize,
    sequence: &Container,
    sync_meta: Option<&Meta>,
) -> Result<bool> {
    ctx.answer(
        sequence.no_resp,
        sequence.cmd_id,
        "Sequence",
        None,
        None,
        StatusCode::OK,
    );
    let mut applied = true;
    for command in &sequence.commands {
        applied &= sync::change(ctx, index, command, sync_meta).await?;
    }
    Ok(applied)
}
