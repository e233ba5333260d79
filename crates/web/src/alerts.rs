//! Alerts: what the safety policies want the user to know (mass deletions held back), with
//! the snapshot that undoes each.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;

use crate::frame::{Frame, Nav, render, see_other};
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::time::stamp;
use crate::{Shared, WebError};

pub struct AlertRow {
    pub id: i64,
    pub when: String,
    pub kind: String,
    pub message: String,
    pub snapshot: Option<i64>,
    /// Held deletions are decided on their own page, with the events listed.
    pub held: bool,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    frame: Frame,
    alerts: Vec<AlertRow>,
}

pub async fn page(State(web): State<Shared>, signed: Signed) -> Result<Response, WebError> {
    let alerts = web
        .vault
        .alerts(signed.actor(), &signed.user.name, false)
        .await?
        .into_iter()
        .map(|a| AlertRow {
            id: a.id,
            held: crate::held::is_held(&a.kind),
            when: stamp(signed.tz, a.created_at),
            kind: a.kind,
            message: a.message,
            snapshot: a.snapshot_id,
        })
        .collect();
    render(&AlertsPage {
        frame: Frame::new(&signed, Nav::Alerts, "/alerts"),
        alerts,
    })
}

pub async fn dismiss(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    web.vault
        .resolve_alert(signed.actor(), id, "dismissed")
        .await?;
    Ok(see_other("/alerts"))
}
