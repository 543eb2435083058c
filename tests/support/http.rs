//! The application on a real port, and a small HTTP client for it.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use prima::domain::password::CommonPasswords;
use prima::web::{AppState, Settings, assets::Assets};
use sqlx::PgPool;

use super::cluster::fresh_database;
use super::html::Page;

/// A running application with a database of its own.
#[derive(Debug, Clone)]
pub struct TestApp {
    pub address: SocketAddr,
    pub strategy: std::sync::Arc<prima::db::strategy_cache::StrategyCache>,
    pub db: PgPool,
    pub database_name: String,
    /// The state the server runs with (to start more job workers, as other instances would).
    pub state: AppState,
    /// The instance's job worker, as `prima serve` runs one.
    pub worker: std::sync::Arc<tokio::sync::Mutex<Option<prima::web::jobs::worker::Worker>>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// The application as production builds it, on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(prima::web::pages()).await
}

/// The application with extra routes that get the production middleware (e.g. one that panics).
pub async fn spawn_app_with(pages: Router<AppState>) -> TestApp {
    spawn_app_with_timeout(pages, Duration::from_secs(10)).await
}

/// As [`spawn_app_with`], with another request timeout.
pub async fn spawn_app_with_timeout(pages: Router<AppState>, timeout: Duration) -> TestApp {
    let settings = Settings {
        request_timeout: timeout,
        ..Settings::default()
    };
    spawn_app_with_settings(pages, settings).await
}

/// The production pages with other settings (cookies, HSTS, timeouts).
pub async fn spawn_app_with_settings(pages: Router<AppState>, settings: Settings) -> TestApp {
    let (database_name, db) = fresh_database().await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assets = Assets::locate(&root.join("static"), &root.join("node_modules"))
        .expect("static files and node_modules are there (run `npm ci`)");
    let common = CommonPasswords::load(&root.join("node_modules")).expect("the password lists");
    let state = AppState::build(db.clone(), assets, common, settings);
    let strategy = state.strategy.clone();
    let worker = prima::web::jobs::worker::Worker::start(state.clone());
    let app = prima::web::with_middleware(pages, state.clone())
        .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("an address");
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
        let _ = stream.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the server runs") });
    TestApp {
        address,
        strategy,
        db,
        database_name,
        state,
        worker: std::sync::Arc::new(tokio::sync::Mutex::new(Some(worker))),
        client: Client::builder(TokioExecutor::new()).build_http(),
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (lossy) and as sent, for files.
    pub body: String,
    pub bytes: Bytes,
}

impl TestResponse {
    pub fn page(&self) -> Page {
        Page::parse(&self.body)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

impl TestApp {
    /// Stops the instance's job worker, as if it were down: jobs stay queued.
    pub async fn stop_worker(&self) {
        if let Some(worker) = self.worker.lock().await.take() {
            worker.stop().await;
        }
    }

    /// Lets the deadline of the round at `round` (its path or id) pass: yesterday.
    pub async fn pass_deadline(&self, round: &str) {
        sqlx::query(
            "update prioritisation_rounds set deadline = current_date - 1 where id = $1::uuid",
        )
        .bind(round.rsplit('/').next().expect("the round's id"))
        .execute(&self.db)
        .await
        .expect("the deadline passed");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path, Bytes::new()).await
    }

    /// GET with extra request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.send(Method::GET, path, headers, Bytes::new()).await
    }

    pub async fn request(&self, method: Method, path: &str, body: Bytes) -> TestResponse {
        self.send(method, path, &[], body).await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(body)).expect("a valid request");
        let response = self
            .client
            .request(request)
            .await
            .expect("the server answers");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("a whole body").to_bytes();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    /// GET a page that must answer 200, parsed.
    pub async fn page(&self, path: &str) -> Page {
        let response = self.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "GET {path}");
        response.page()
    }
}
