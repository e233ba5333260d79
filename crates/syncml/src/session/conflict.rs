//! Conflicts: the device changed an item that someone else changed on the server since the
//! device's last sync (OMA DS Protocol 1.2 §4.3 leaves the rule to the server). The policy
//! decides; whatever it decides, both versions stay in the object's history.

use calvault_core::store::StoredObject;
use calvault_ical::CalendarObject;

use super::Ctx;
use crate::ConflictPolicy;
use crate::error::Result;
use crate::state::SyncType;

/// Which version goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Winner {
    Device,
    Server,
    Both,
}

/// None when there is no conflict: the server's object did not change since the device's last
/// sync, or only the device changed it.
pub(super) async fn resolve(
    ctx: &Ctx<'_>,
    index: usize,
    existing: &StoredObject,
    incoming: &CalendarObject,
) -> Result<Option<Winner>> {
    let ds = &ctx.state.datastores[index];
    if !matches!(ds.sync_type, SyncType::TwoWay | SyncType::OneWayFromClient)
        || existing.meta.seq <= ds.last_position
    {
        return Ok(None);
    }
    let history = ctx
        .vault
        .store()
        .history(existing.meta.calendar_id, &existing.meta.uid)
        .await?;
    let changed_by_other = history
        .iter()
        .take_while(|r| r.seq > ds.last_position)
        .any(|r| r.device_id != Some(ctx.device.id));
    if !changed_by_other {
        return Ok(None);
    }
    let winner = match ctx.config.conflict_policy {
        ConflictPolicy::DeviceWins => Winner::Device,
        ConflictPolicy::ServerWins => Winner::Server,
        ConflictPolicy::KeepBoth => Winner::Both,
        ConflictPolicy::NewestWins => match modified_at(&incoming.to_ics()) {
            Some(device_time) if device_time < existing.meta.updated_at => Winner::Server,
            // No time on the device's version: it was made now, so it is the newest.
            _ => Winner::Device,
        },
    };
    tracing::info!(uid = %existing.meta.uid, device = %ctx.device.key, ?winner, "syncml conflict");
    Ok(Some(winner))
}

/// LAST-MODIFIED (else DTSTAMP) of an object, in unix seconds (RFC 5545 §3.8.7).
fn modified_at(ics: &str) -> Option<i64> {
    let find = |name: &str| {
        ics.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_once(':').map(|(_, v)| v.trim().to_string()))
    };
    let value = find("LAST-MODIFIED").or_else(|| find("DTSTAMP"))?;
    chrono::NaiveDateTime::parse_from_str(&value, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modification_times_are_read_from_last_modified_else_dtstamp() {
        let ics = "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nLAST-MODIFIED:20260102T000000Z\r\n";
        assert_eq!(modified_at(ics), Some(1_767_312_000));
        assert_eq!(
            modified_at("DTSTAMP:20260101T000000Z\r\n"),
            Some(1_767_225_600)
        );
        assert_eq!(modified_at("SUMMARY:x\r\n"), None);
    }
}
