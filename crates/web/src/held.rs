//! Held deletions: what a SyncML device asked to delete in one go, held back by the
//! mass-deletion guard until its owner applies the deletions or keeps the events.
//!
//! Each held batch is decided on its own (by its alert), not per device: a device may hold
//! batches of several calendars, and keeping one must not apply another.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use calvault_core::store::{Alert, Device};
use calvault_syncml::SyncmlError;
use calvault_syncml::devices;
use calvault_syncml::state::HeldDeletions;
use serde::Deserialize;

use crate::frame::{Frame, Nav, render, see_other};
use crate::i18n::fill;
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::time::stamp;
use crate::{Shared, WebError};

/// One event a held batch would delete.
pub struct HeldEvent {
    pub title: String,
    pub start: Option<String>,
    /// False when the event went meanwhile (deleted elsewhere): nothing left to delete.
    pub present: bool,
}

pub struct HeldRow {
    pub alert: i64,
    pub summary: String,
    pub when: String,
    pub events: Vec<HeldEvent>,
    /// Events of the batch past the LISTED first, counted only.
    pub more: usize,
}

/// How many events of one batch the page looks up and lists: a device that empties a
/// calendar of thousands must not make the page that much slower.
const LISTED: usize = 500;

#[derive(Template)]
#[template(path = "held.html")]
struct HeldPage {
    frame: Frame,
    rows: Vec<HeldRow>,
}

/// A batch still waiting for its owner, with what it belongs to.
pub struct Undecided {
    pub device: Device,
    pub held: HeldDeletions,
    pub alert: Alert,
}

/// Every undecided batch of the signed-in user's SyncML devices, oldest first (which batches
/// are undecided is the SyncML server's rule: `devices::undecided`).
pub async fn undecided(web: &Shared, signed: &Signed) -> Result<Vec<Undecided>, WebError> {
    let mut found = Vec::new();
    for device in web.vault.list_devices(&signed.user.name).await? {
        if device.protocol != calvault_syncml::auth::PROTOCOL {
            continue;
        }
        let batches = devices::undecided(&web.vault, &device)
            .await
            .map_err(syncml_error)?;
        for batch in batches {
            if batch.alert.user_id != signed.user.id {
                continue;
            }
            found.push(Undecided {
                device: device.clone(),
                held: batch.held,
                alert: batch.alert,
            });
        }
    }
    found.sort_by_key(|u| (u.alert.created_at, u.alert.id));
    Ok(found)
}

/// The web's answer to an error of the SyncML server's device operations.
pub(crate) fn syncml_error(error: SyncmlError) -> WebError {
    match error {
        SyncmlError::Core(error) => error.into(),
        SyncmlError::Store(error) => error.into(),
        other => WebError::BadRequest(other.to_string()),
    }
}

/// The one undecided batch with this alert; anyone else's answers 404.
async fn one(web: &Shared, signed: &Signed, alert: i64) -> Result<Undecided, WebError> {
    undecided(web, signed)
        .await?
        .into_iter()
        .find(|u| u.alert.id == alert)
        .ok_or(WebError::NotFound)
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    applied: Option<usize>,
    #[serde(default)]
    kept: Option<usize>,
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let t = signed.lang.text();
    let mut rows = Vec::new();
    for batch in undecided(&web, &signed).await? {
        rows.push(row(&web, &signed, batch).await?);
    }
    let notice = match (done.applied, done.kept) {
        (Some(n), _) => Some(fill(t.held_applied, &[&n.to_string()])),
        (None, Some(n)) => Some(fill(t.held_kept, &[&n.to_string()])),
        (None, None) => None,
    };
    render(&HeldPage {
        frame: Frame::new(&signed, Nav::Alerts, "/held").with_notice(notice),
        rows,
    })
}

async fn row(web: &Shared, signed: &Signed, batch: Undecided) -> Result<HeldRow, WebError> {
    let t = signed.lang.text();
    let store = web.vault.store();
    let calendar = store.calendar(batch.held.calendar_id).await?;
    let label = calendar
        .as_ref()
        .map(|c| c.display_name.clone())
        .unwrap_or_default();
    let mut events = Vec::with_capacity(batch.held.uids.len().min(LISTED));
    for uid in batch.held.uids.iter().take(LISTED) {
        let object = match &calendar {
            Some(c) => store.object_by_uid(c.id, uid).await?,
            None => None,
        };
        events.push(match object {
            Some(object) => HeldEvent {
                title: object.meta.facts.summary.unwrap_or_default(),
                start: object.meta.facts.first_start.map(|at| stamp(signed.tz, at)),
                present: true,
            },
            None => HeldEvent {
                title: uid.clone(),
                start: None,
                present: false,
            },
        });
    }
    // Earliest first, as an agenda reads; the ones already gone last.
    events.sort_by(|a, b| (!a.present, &a.start).cmp(&(!b.present, &b.start)));
    Ok(HeldRow {
        alert: batch.alert.id,
        summary: fill(
            t.held_summary,
            &[
                &batch.device.name,
                &batch.held.uids.len().to_string(),
                &label,
            ],
        ),
        when: stamp(signed.tz, batch.alert.created_at),
        events,
        more: batch.held.uids.len().saturating_sub(LISTED),
    })
}

/// Deletes the batch's events now (to the trash, so still undoable), as the owner's own
/// decision, and drops the batch from the device's state so its next sync does not apply
/// it a second time to an event made again with the same UID (`devices::approve_batch`).
pub async fn apply(
    State(web): State<Shared>,
    signed: Signed,
    Path(alert): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let batch = one(&web, &signed, alert).await?;
    let deleted = devices::approve_batch(&web.vault, signed.actor(), &batch.device, alert)
        .await
        .map_err(syncml_error)?
        .ok_or(WebError::NotFound)?;
    Ok(see_other(&format!("/held?applied={deleted}")))
}

/// Keeps the batch's events: the alert says so, and the device's next sync sends them back
/// to it (the SyncML server settles kept batches when the device next alerts).
pub async fn keep(
    State(web): State<Shared>,
    signed: Signed,
    Path(alert): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let batch = one(&web, &signed, alert).await?;
    let kept = devices::keep_batch(&web.vault, signed.actor(), &batch.device, alert)
        .await
        .map_err(syncml_error)?
        .ok_or(WebError::NotFound)?;
    Ok(see_other(&format!("/held?kept={kept}")))
}

/// How many batches wait for the user on each device, for the devices page.
pub async fn counts_by_device(
    web: &Shared,
    signed: &Signed,
) -> Result<std::collections::BTreeMap<i64, usize>, WebError> {
    let mut counts = std::collections::BTreeMap::new();
    for batch in undecided(web, signed).await? {
        *counts.entry(batch.device.id).or_insert(0) += 1;
    }
    Ok(counts)
}

/// Whether an alert is a held batch, for the alerts page's link here.
pub fn is_held(kind: &str) -> bool {
    kind == calvault_core::syncml_state::SYNCML_HELD_DELETIONS
}
