//! calvault's web pages: server-rendered HTML for phones and desktops, signed in with a
//! session cookie, every change going through `calvault_core::Vault` like CalDAV's.

mod agenda;
mod alerts;
mod archive;
mod assets;
mod backups;
mod calendars;
mod devices;
mod duplicates;
mod error;
mod event_form;
mod frame;
mod held;
mod history;
mod home;
mod i18n;
mod ics;
mod import;
mod language;
mod server_timing;
mod session;
mod signin;
mod task_form;
mod time;
mod trash;
mod vtimezone;
mod webcal;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use calvault_core::Vault;

pub use error::WebError;

/// Settings of the web pages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebConfig {
    /// Whether session cookies carry `Secure`: `Some` forces the choice; `None` decides per
    /// request (an `X-Forwarded-Proto: https` from a proxy in front means yes), so that a
    /// server reached over plain loopback HTTP still keeps its sessions.
    pub secure_cookies: Option<bool>,
}

/// What every handler shares.
pub(crate) struct Web {
    pub vault: Vault,
    pub config: WebConfig,
    pub sessions: session::Sessions,
    /// Occurrences of recently shown agenda windows.
    pub agenda: agenda::Cache,
}

pub(crate) type Shared = Arc<Web>;

/// The web routes. They leave `/dav/`, `/.well-known/` and `/health` to the other routers.
pub fn router(vault: Vault, config: WebConfig) -> Router {
    let web = Arc::new(Web {
        vault,
        config,
        sessions: session::Sessions::default(),
        agenda: agenda::Cache::default(),
    });
    Router::new()
        .route("/", get(signin::page).post(signin::sign_in))
        .route("/signout", post(signin::sign_out))
        .route("/language", get(language::switch))
        .route("/static/app.css", get(assets::css))
        .route("/static/app.js", get(assets::js))
        .route("/agenda", get(agenda::page))
        .route("/events/new", get(event_form::new_form))
        .route("/events", post(event_form::create))
        .route(
            "/events/{calendar}/{name}",
            get(event_form::edit_form).post(event_form::update),
        )
        .route("/events/{calendar}/{name}/delete", post(event_form::delete))
        .route(
            "/tasks/{calendar}/{name}",
            get(task_form::edit_form).post(task_form::update),
        )
        .route("/tasks/{calendar}/{name}/done", post(task_form::set_done))
        .route("/trash", get(trash::page))
        .route("/trash/restore", post(trash::restore))
        .route("/backups", get(backups::page))
        .route("/backups/{calendar}/snapshot", post(backups::back_up_now))
        .route(
            "/snapshots/{id}/restore",
            get(backups::preview).post(backups::restore),
        )
        .route("/snapshots/{id}/download", get(backups::download))
        .route(
            "/import",
            get(import::page)
                .post(import::import)
                .layer(DefaultBodyLimit::max(import::MAX_FILE)),
        )
        .route("/calendars", get(calendars::page).post(calendars::create))
        .route("/calendars/{calendar}", post(calendars::update))
        .route("/calendars/{calendar}/delete", post(calendars::delete))
        .route("/calendars/{calendar}/share", post(calendars::share))
        .route("/calendars/{calendar}/unshare", post(calendars::unshare))
        .route(
            "/calendars/syncml-default",
            post(calendars::set_syncml_default),
        )
        .route(
            "/calendars/{calendar}/subscribe",
            post(calendars::subscribe),
        )
        .route("/subscriptions/{id}/revoke", post(calendars::unsubscribe))
        .route("/webcal/{file}", get(webcal::feed))
        .route(
            "/devices",
            get(devices::page).post(devices::create_app_password),
        )
        .route("/devices/revoke", post(devices::revoke_app_password))
        .route("/devices/{id}/reset", post(devices::reset))
        .route("/duplicates", get(duplicates::page))
        .route("/duplicates/{calendar}/merge", post(duplicates::merge))
        .route("/archive", get(archive::page))
        .route("/archive/{calendar}", post(archive::run))
        .route("/history/{calendar}/{uid}", get(history::page))
        .route("/history/{calendar}/{uid}/{seq}", get(history::revision))
        .route(
            "/history/{calendar}/{uid}/{seq}/restore",
            post(history::restore),
        )
        .route("/alerts", get(alerts::page))
        .route("/alerts/{id}/dismiss", post(alerts::dismiss))
        .route("/held", get(held::page))
        .route("/held/{alert}/apply", post(held::apply))
        .route("/held/{alert}/keep", post(held::keep))
        .layer(axum::middleware::map_response(frame::security_headers))
        .layer(axum::middleware::from_fn(server_timing::measure))
        .with_state(web)
}
