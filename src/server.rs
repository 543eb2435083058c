//! Process lifecycle: open the database (embedded or external), bring it up to date, serve until
//! SIGINT/SIGTERM, finish the requests in flight, then stop the embedded cluster cleanly.

use std::time::Instant;

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::Database;
use crate::web::{self, AppState};

/// Runs the web application until a shutdown signal arrives.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let database = Database::open(&config).await?;
    let outcome = serve_with(&config, &database, started).await;
    database.close().await;
    outcome
}

async fn serve_with(config: &Config, database: &Database, started: Instant) -> anyhow::Result<()> {
    database.prepare().await?;
    let state = AppState::new(database.pool().clone(), config)?;
    if config.is_development() {
        crate::accounts::create_demo_accounts(database.pool()).await?;
        if config.demo {
            let loaded = crate::demo::load_examples(database.pool()).await?;
            if loaded > 0 {
                tracing::info!(
                    loaded,
                    "loaded the example measures (PRIMA_DEMO=false to skip)"
                );
            }
        }
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("could not listen on {}", config.listen))?;
    let address = listener.local_addr().context("listener has no address")?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "PriMa is ready at http://{address}"
    );
    // Without TCP_NODELAY a response written in two parts (headers, then a file) waits for the
    // client's delayed ACK: 40 ms per static file.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let worker = web::jobs::worker::Worker::start(state.clone());
    let app = web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the web server failed");
    worker.stop().await;
    served?;
    tracing::info!("shutting down: requests in flight are done");
    Ok(())
}

/// Applies migrations and loads the strategy content, for deployments that do it as a step.
pub async fn migrate_only(config: Config) -> anyhow::Result<()> {
    let database = Database::open(&config).await?;
    let outcome = database.prepare().await;
    database.close().await;
    outcome
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, whichever comes first.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("received SIGINT"),
        () = terminate => tracing::info!("received SIGTERM"),
    }
}
