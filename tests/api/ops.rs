use axum::http::StatusCode;

use crate::support::spawn_app;

#[tokio::test]
async fn health_says_the_process_is_up() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "ok");
}

#[tokio::test]
async fn readiness_follows_the_database() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "ready");

    app.db.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.body, "database unreachable");
}

#[tokio::test]
async fn responses_are_compressed_for_clients_that_ask() {
    let app = spawn_app().await;
    let response = app
        .get_with("/anmelden", &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    assert_eq!(app.get("/anmelden").await.header("content-encoding"), None);
}
