//! Status from the client, answering the server's commands: nothing to answer (RepPro
//! §6.6.17), but failures of items we sent are counted.

use calvault_syncml_proto::Status;

use super::Ctx;

pub(super) fn handle(ctx: &mut Ctx<'_>, status: &Status) {
    if !status.data.is_error() {
        return;
    }
    tracing::info!(cmd = %status.cmd, code = status.data.0, "syncml client reported a failure");
    if matches!(status.cmd.as_str(), "Add" | "Replace" | "Delete")
        && let Some(ds) = ctx.state.datastores.first_mut()
    {
        ds.to_client.failed += 1;
    }
}
