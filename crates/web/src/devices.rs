//! Devices: every sync partner with its last sync, and app passwords (create, revoke).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use serde::Deserialize;

use calvault_core::CoreError;
use calvault_core::store::Device;

use crate::frame::{Frame, Nav, render, see_other};
use crate::i18n::{Lang, fill};
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::time::stamp;
use crate::{Shared, WebError};

pub struct DeviceRow {
    pub id: i64,
    pub name: String,
    pub protocol: String,
    pub seen: String,
    pub synced: Option<String>,
    /// SyncML devices keep anchors the server can drop to force a slow sync; CalDAV clients
    /// hold their own sync tokens, so there is nothing here to reset for them.
    pub resettable: bool,
    /// Batches of deletions held for the user's decision.
    pub held: usize,
    /// The SyncML syncs the device can resume (OMA DS Protocol 1.2 §7), one line each.
    pub resumable: Vec<String>,
}

pub struct PasswordRow {
    pub name: String,
    pub created: String,
    pub used: Option<String>,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    frame: Frame,
    devices: Vec<DeviceRow>,
    passwords: Vec<PasswordRow>,
    created: Option<(String, String)>,
    /// Why a new app password was refused, with the name as typed.
    refused: Option<(String, String)>,
}

async fn render_page(
    web: &Shared,
    signed: &Signed,
    created: Option<(String, String)>,
    notice: Option<String>,
    refused: Option<(String, String)>,
) -> Result<Response, WebError> {
    let tz = signed.tz;
    let user = &signed.user.name;
    let held = crate::held::counts_by_device(web, signed).await?;
    let mut devices = Vec::new();
    for d in web.vault.list_devices(user).await? {
        let syncml = d.protocol == calvault_syncml::auth::PROTOCOL;
        let resumable = if syncml {
            resumable_lines(web, signed, &d).await?
        } else {
            Vec::new()
        };
        devices.push(DeviceRow {
            id: d.id,
            held: held.get(&d.id).copied().unwrap_or(0),
            resettable: syncml,
            resumable,
            name: d.name,
            protocol: d.protocol,
            seen: stamp(tz, d.seen_at),
            synced: d.last_sync.map(|at| stamp(tz, at)),
        });
    }
    let passwords = web
        .vault
        .list_app_passwords(user)
        .await?
        .into_iter()
        .map(|p| PasswordRow {
            name: p.name,
            created: stamp(tz, p.created_at),
            used: p.last_used_at.map(|at| stamp(tz, at)),
        })
        .collect();
    render(&DevicesPage {
        frame: Frame::new(signed, Nav::Devices, "/devices").with_notice(notice),
        devices,
        passwords,
        created,
        refused,
    })
}

/// One line per sync of the device that a Resume would continue: which datastore, when it
/// stopped, until when it can go on.
async fn resumable_lines(
    web: &Shared,
    signed: &Signed,
    device: &Device,
) -> Result<Vec<String>, WebError> {
    let found = calvault_syncml::devices::resumable(&web.vault, device)
        .await
        .map_err(crate::held::syncml_error)?;
    Ok(found
        .iter()
        .map(|sync| {
            let at = stamp(signed.tz, sync.at);
            match sync.until {
                None => fill(suspended_text(signed.lang), &[&sync.datastore, &at]),
                Some(until) => fill(
                    unfinished_text(signed.lang),
                    &[&sync.datastore, &at, &stamp(signed.tz, until)],
                ),
            }
        })
        .collect())
}

/// A sync the device suspended (Alert 224): kept until its next sync of the datastore.
fn suspended_text(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "suspended sync of {} at {}, resumable at its next sync",
        Lang::Fr => "synchronisation de {} suspendue le {}, reprise possible à la prochaine",
    }
}

/// A sync cut off (or still running): resumable while its session is kept.
fn unfinished_text(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "unfinished sync of {} at {}, resumable until {}",
        Lang::Fr => "synchronisation de {} interrompue le {}, reprise possible jusqu'au {}",
    }
}

pub async fn page(State(web): State<Shared>, signed: Signed) -> Result<Response, WebError> {
    render_page(&web, &signed, None, None, None).await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// The secret is shown in this one answer and never again (only its hash is kept).
pub async fn create_app_password(
    State(web): State<Shared>,
    signed: Signed,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let name = form.name.trim();
    match web.vault.add_app_password(&signed.user.name, name).await {
        Ok((password, secret)) => {
            render_page(&web, &signed, Some((password.name, secret)), None, None).await
        }
        // A name that is not allowed or already taken: the form again, with the name typed.
        Err(error @ (CoreError::Invalid(_) | CoreError::AlreadyExists(_))) => {
            let message = WebError::from(error).to_string();
            let refused = Some((name.to_string(), message));
            let mut response = render_page(&web, &signed, None, None, refused).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn revoke_app_password(
    State(web): State<Shared>,
    signed: Signed,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    web.vault
        .revoke_app_password(&signed.user.name, form.name.trim())
        .await?;
    Ok(see_other("/devices"))
}

/// Forces the device's next sync to be slow (everything compared, nothing deleted): what a
/// user does when a phone and the server disagree. Only the user's own devices are found.
pub async fn reset(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let device = web
        .vault
        .list_devices(&signed.user.name)
        .await?
        .into_iter()
        .find(|d| d.id == id && d.protocol == calvault_syncml::auth::PROTOCOL)
        .ok_or(WebError::NotFound)?;
    calvault_syncml::devices::reset(&web.vault, &device)
        .await
        .map_err(|error| WebError::BadRequest(error.to_string()))?;
    let t = signed.lang.text();
    let notice = fill(t.device_reset_done, &[&device.name]);
    render_page(&web, &signed, None, Some(notice), None).await
}
