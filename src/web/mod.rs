//! The web layer: one module per area, each with its `router()`, its handlers and its page
//! structs; [`app`] merges them and adds the middleware every response passes through.

pub mod assets;
pub mod errors;
pub mod extract;
pub mod home;
pub mod layout;
pub mod ops;
pub mod security;
pub mod strategy;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::Request;
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Config;
use crate::db::strategy_cache::StrategyCache;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: PgPool,
    pub strategy: Arc<StrategyCache>,
    pub assets: Arc<assets::Assets>,
    pub request_timeout: Duration,
}

impl AppState {
    /// The state for the settings in `config`.
    pub fn new(db: PgPool, config: &Config) -> anyhow::Result<Self> {
        let assets = assets::Assets::locate(&config.static_dir, &config.node_modules_dir)?;
        Ok(Self::build(db, assets, config.request_timeout))
    }

    /// The state from its parts; starts the listener that keeps the strategy cache current, so
    /// it must run inside a Tokio runtime.
    pub fn build(db: PgPool, assets: assets::Assets, request_timeout: Duration) -> Self {
        Self {
            strategy: StrategyCache::listening_on(&db),
            db,
            assets: Arc::new(assets),
            request_timeout,
        }
    }
}

/// The pages of all areas, without middleware.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(strategy::router())
}

/// The whole application as the server runs it.
pub fn app(state: AppState) -> Router {
    with_middleware(routes(), state)
}

/// Wraps `pages` in the error pages and the middleware every response passes through. Tests use
/// it to add routes (such as one that panics) that get exactly the production treatment.
pub fn with_middleware(pages: Router<AppState>, state: AppState) -> Router {
    // The timeout sits inside the error pages so that a slow page gets the German 408 page.
    // Probes and static files need none: the probe's pool wait is bounded, files are local.
    let pages = pages
        .fallback(errors::not_found)
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.request_timeout,
        ))
        .layer(axum::middleware::from_fn(errors::render_error_pages));
    Router::new()
        .merge(pages)
        .merge(ops::router())
        .nest_service("/static", assets::service(&state.assets))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(security::sanitize_request_id))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(axum::middleware::from_fn(security::headers))
                .layer(CompressionLayer::new()),
        )
}

/// The span of one request. The path only: query strings may carry search terms or tokens.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
    )
}
