//! Devices: every sync partner with its last sync, and app passwords (create, revoke).

use askama::Template;
use axum::extract::{Form, State};
use axum::response::Response;
use serde::Deserialize;

use crate::frame::{Frame, Nav, render, see_other};
use crate::session::Signed;
use crate::time::stamp;
use crate::{Shared, WebError};

pub struct DeviceRow {
    pub name: String,
    pub protocol: String,
    pub seen: String,
    pub synced: Option<String>,
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
}

async fn render_page(
    web: &Shared,
    signed: &Signed,
    created: Option<(String, String)>,
) -> Result<Response, WebError> {
    let tz = signed.tz;
    let user = &signed.user.name;
    let devices = web
        .vault
        .list_devices(user)
        .await?
        .into_iter()
        .map(|d| DeviceRow {
            name: d.name,
            protocol: d.protocol,
            seen: stamp(tz, d.seen_at),
            synced: d.last_sync.map(|at| stamp(tz, at)),
        })
        .collect();
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
        frame: Frame::new(signed, Nav::Devices, "/devices"),
        devices,
        passwords,
        created,
    })
}

pub async fn page(State(web): State<Shared>, signed: Signed) -> Result<Response, WebError> {
    render_page(&web, &signed, None).await
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
    let (password, secret) = web
        .vault
        .add_app_password(&signed.user.name, form.name.trim())
        .await?;
    render_page(&web, &signed, Some((password.name, secret))).await
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
