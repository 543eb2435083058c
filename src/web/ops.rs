//! Probes for the platform: `/healthz` says the process is up, `/readyz` that it can reach its
//! database. Plain text, no error pages: machines read these.

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use super::routes::Route;
use crate::db;
use crate::domain::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/healthz", Permission::Public, health),
        Route::get("/readyz", Permission::Public, ready),
    ]
}

async fn health() -> &'static str {
    "ok"
}

async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match db::ping(&state.db).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
