//! The web layer: one module per area, each with its `routes()` (entries of the route table),
//! its handlers and its page structs; [`app`] builds the router from the table and adds the
//! middleware every response passes through.

pub mod account;
pub mod admin;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod carryover;
pub mod credentials;
pub mod csrf;
pub mod errors;
pub mod export;
pub mod extract;
pub mod format;
pub mod forms;
pub mod hashing;
pub mod home;
pub mod imports;
pub mod input;
pub mod iterations;
pub mod jobs;
pub mod layout;
pub mod links;
pub mod measures;
pub mod notifications;
pub mod once;
pub mod ops;
pub mod prioritisation;
pub mod public;
pub mod reports;
pub mod routes;
pub mod security;
pub mod security_log;
pub mod session;
pub mod statement;
pub mod strategy;
pub mod strategy_edit;
pub mod visitor;

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
use crate::domain::password::CommonPasswords;
use routes::{Route, RouteSpec};

/// Settings the web layer reads on every request.
#[derive(Debug, Clone)]
pub struct Settings {
    pub request_timeout: Duration,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub secure_cookies: bool,
    pub hsts: bool,
    pub trust_proxy: bool,
    /// XLSX and ODS exports of more rows are written as jobs (see `web::export`).
    pub workbook_rows_in_request: usize,
    /// How long reading a form's body may take; an upload's may take six times as long
    /// (`csrf::verify`).
    pub body_read_time: Duration,
    /// How long finished jobs' files and uploaded import tables are kept (`PRIMA_KEEP_FILES_DAYS`).
    pub keep_files: Duration,
}

impl Settings {
    pub fn from_config(config: &Config) -> Self {
        let secure_cookies = config.secure_cookies();
        Self {
            request_timeout: config.request_timeout,
            session_idle: Duration::from_secs(u64::from(config.session_idle_minutes) * 60),
            session_absolute: Duration::from_secs(u64::from(config.session_absolute_hours) * 3600),
            secure_cookies,
            hsts: config.hsts.unwrap_or(secure_cookies),
            trust_proxy: config.trust_proxy,
            workbook_rows_in_request: export::WORKBOOK_ROWS_IN_REQUEST,
            body_read_time: csrf::BODY_READ_TIME,
            keep_files: Duration::from_secs(u64::from(config.keep_files_days) * 86_400),
        }
    }

    /// [`Self::keep_files`] in whole days, for the pages that say so.
    pub fn keep_files_days(&self) -> u64 {
        (self.keep_files.as_secs() / 86_400).max(1)
    }

    pub fn session_idle_seconds(&self) -> i64 {
        i64::try_from(self.session_idle.as_secs()).unwrap_or(i64::MAX)
    }

    pub fn session_absolute_seconds(&self) -> i64 {
        i64::try_from(self.session_absolute.as_secs()).unwrap_or(i64::MAX)
    }
}

impl Default for Settings {
    /// The production defaults, with plain-http cookies as on loopback.
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            hsts: false,
            trust_proxy: false,
            workbook_rows_in_request: export::WORKBOOK_ROWS_IN_REQUEST,
            body_read_time: csrf::BODY_READ_TIME,
            keep_files: Duration::from_secs(7 * 86_400),
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: PgPool,
    pub strategy: Arc<StrategyCache>,
    pub assets: Arc<assets::Assets>,
    pub common_passwords: Arc<CommonPasswords>,
    /// Password hashing: one at a time on a blocking thread, a bounded share per client.
    pub hashing: Arc<hashing::HashingQueue>,
    pub settings: Arc<Settings>,
    pub caches: Arc<cache::Caches>,
    /// The public page and open data (`web::public`).
    pub public: Arc<public::Public>,
    /// Places for reading uploaded lists (`imports::READING_AT_ONCE`).
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Room for request bodies in flight, in KiB (`csrf::BODIES_IN_FLIGHT_KIB`).
    pub bodies: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state for the settings in `config`.
    pub fn new(db: PgPool, config: &Config) -> anyhow::Result<Self> {
        let assets = assets::Assets::locate(&config.static_dir, &config.node_modules_dir)?;
        let common = CommonPasswords::load(&config.node_modules_dir)?;
        Ok(Self::build(
            db,
            assets,
            common,
            Settings::from_config(config),
        ))
    }

    /// The state from its parts; starts the listener that keeps the strategy cache current, so
    /// it must run inside a Tokio runtime.
    pub fn build(
        db: PgPool,
        assets: assets::Assets,
        common_passwords: CommonPasswords,
        settings: Settings,
    ) -> Self {
        Self {
            strategy: StrategyCache::listening_on(&db),
            public: Arc::new(public::Public::listening_on(&db)),
            db,
            assets: Arc::new(assets),
            common_passwords: Arc::new(common_passwords),
            hashing: Arc::default(),
            settings: Arc::new(settings),
            caches: Arc::default(),
            uploads: Arc::new(tokio::sync::Semaphore::new(imports::READING_AT_ONCE)),
            bodies: Arc::new(tokio::sync::Semaphore::new(csrf::BODIES_IN_FLIGHT_KIB)),
        }
    }
}

/// Every page route of every area, with its permission.
pub fn all_routes() -> Vec<Route> {
    [
        home::routes(),
        strategy::routes(),
        iterations::routes(),
        strategy_edit::routes(),
        carryover::routes(),
        measures::routes(),
        export::routes(),
        prioritisation::routes(),
        public::routes(),
        reports::routes(),
        jobs::routes(),
        imports::routes(),
        notifications::routes(),
        auth::routes(),
        account::routes(),
        admin::routes(),
        security_log::routes(),
        statement::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The route table as the permission test and `docs/permissions.md` see it, probes included.
pub fn route_table() -> Vec<RouteSpec> {
    all_routes()
        .iter()
        .chain(ops::routes().iter())
        .map(Route::spec)
        .collect()
}

/// The pages of all areas, each behind its permission check, without the other middleware.
pub fn pages() -> Router<AppState> {
    routes::router(all_routes())
}

/// The whole application as the server runs it.
pub fn app(state: AppState) -> Router {
    with_middleware(pages(), state)
}

/// Wraps `pages` in sessions, CSRF checks, error pages and the middleware every response passes
/// through. Tests use it to add routes (such as one that panics) that get exactly the production
/// treatment.
pub fn with_middleware(pages: Router<AppState>, state: AppState) -> Router {
    // Outermost first: the session is known to the error pages (their header shows who is
    // signed in), the CSRF check answers before any handler runs, then control characters in
    // query strings and forms are refused (the form is already read), and the timeout sits inside
    // the error pages so that a slow page gets the German 408 page. Probes and static files
    // need none of it.
    let pages = pages
        .fallback(errors::not_found)
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.settings.request_timeout,
        ))
        .layer(axum::middleware::from_fn(input::refuse_control_characters))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::verify,
        ))
        .layer(axum::middleware::from_fn(errors::render_error_pages))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::load,
        ));
    Router::new()
        .merge(pages)
        .merge(routes::router(ops::routes()))
        .nest_service("/static", assets::service(&state.assets))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .with_state(state.clone())
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    security::sanitize_request_id,
                ))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO))
                        // A 5xx is logged once, with its cause, by the error handling; the
                        // response line above carries its status.
                        .on_failure(()),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
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
