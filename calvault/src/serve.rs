//! `calvault serve`: the HTTP listener, the first user of an empty store, and maintenance.

use std::time::Duration;

use anyhow::Context;
use axum::extract::State;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use calvault_core::{Vault, random_password};

use crate::cli::ServeArgs;
use crate::config::Config;

/// The user `serve` creates on its first start with an empty store.
const FIRST_USER: &str = "admin";

pub async fn run(vault: Vault, config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let listen = args.listen.unwrap_or_else(|| config.listen.clone());
    create_first_user(&vault).await?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    // Streamed answers go out in several writes: without TCP_NODELAY the last one waits for
    // the client's delayed ACK (about 40 ms) before it leaves.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    tracing::info!(%address, backend = vault.store().backend(), "calvault is listening");
    println!("calvault listening on http://{address}");
    spawn_retention(vault.clone(), config.retention.interval_hours);
    let app = router(vault.clone())
        .merge(calvault_web::router(vault.clone(), Default::default()))
        .merge(calvault_syncml::router(
            vault.clone(),
            config.syncml.server_config(),
        ))
        .merge(calvault_caldav::router(
            vault,
            config.caldav.server_config(),
        ));
    // The peer address feeds the login rate limit of CalDAV's Basic authentication.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

pub fn router(vault: Vault) -> Router {
    Router::new()
        .route("/health", get(health))
        .with_state(vault)
}

/// Liveness and readiness: answers 200 when the store answers.
async fn health(State(vault): State<Vault>) -> (axum::http::StatusCode, Json<serde_json::Value>) {
    match vault.store().count_users().await {
        Ok(_) => (
            axum::http::StatusCode::OK,
            Json(
                serde_json::json!({ "status": "ok", "store": vault.store().backend(), "version": env!("CARGO_PKG_VERSION") }),
            ),
        ),
        Err(error) => {
            tracing::error!(%error, "health check: the store does not answer");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    serde_json::json!({ "status": "unavailable", "store": vault.store().backend() }),
                ),
            )
        }
    }
}

/// So that the one run command gives a working server: on an empty store, create a user and
/// print its password once.
async fn create_first_user(vault: &Vault) -> anyhow::Result<()> {
    if vault.store().count_users().await? > 0 {
        return Ok(());
    }
    let password = random_password();
    vault.add_user(FIRST_USER, None, &password).await?;
    println!("first start: created user {FIRST_USER} with password {password}");
    println!("(shown once; change it with: calvault user passwd {FIRST_USER})");
    Ok(())
}

fn spawn_retention(vault: Vault, interval_hours: u32) {
    if interval_hours == 0 {
        return;
    }
    tokio::spawn(async move {
        let mut interval =
            tokio::time::interval(Duration::from_secs(u64::from(interval_hours) * 3600));
        loop {
            interval.tick().await;
            match vault.run_retention().await {
                Ok(report) => tracing::info!(?report, "retention ran"),
                Err(error) => tracing::error!(%error, "retention failed"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
