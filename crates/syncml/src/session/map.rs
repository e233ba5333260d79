//! Map: the device's item ids (LUIDs) for the objects the server added (OMA DS Protocol 1.2
//! §5.6, package 5). Each MapItem's Target is our GUID, its Source the device's LUID.

use calvault_core::store::SyncmlMapping;
use calvault_syncml_proto::{Map, StatusCode};

use super::Ctx;
use crate::datastore::DatastoreUri;
use crate::error::Result;

pub(super) async fn handle(ctx: &mut Ctx<'_>, map: &Map) -> Result<()> {
    let target = map.target.loc_uri.as_str();
    let source = map.source.loc_uri.as_str();
    let Some(uri) = DatastoreUri::parse(target) else {
        ctx.answer(
            false,
            map.cmd_id,
            "Map",
            Some(target),
            Some(source),
            StatusCode::NOT_FOUND,
        );
        return Ok(());
    };
    let empty = Default::default();
    let sent = ctx
        .state
        .datastores
        .iter()
        .find(|d| d.server_uri == uri.name)
        .map_or(&empty, |d| &d.sent_adds);
    // A GUID not in `sent` is the UID itself (see server_sync::guid_for).
    let mappings: Vec<SyncmlMapping> = map
        .map_items
        .iter()
        .filter(|m| !m.source.loc_uri.is_empty())
        .map(|m| SyncmlMapping {
            luid: m.source.loc_uri.clone(),
            uid: sent
                .get(&m.target.loc_uri)
                .cloned()
                .unwrap_or_else(|| m.target.loc_uri.clone()),
        })
        .collect();
    ctx.vault
        .syncml_store()
        .put_syncml_maps(ctx.device.id, &uri.name, &mappings)
        .await?;
    ctx.answer(
        false,
        map.cmd_id,
        "Map",
        Some(target),
        Some(source),
        StatusCode::OK,
    );
    Ok(())
}
