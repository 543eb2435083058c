use axum::http::StatusCode;
use prima::domain::roles::Role;

use crate::support::pages::with_failing_routes;
use crate::support::{spawn_app, spawn_app_with};

#[tokio::test]
async fn an_unknown_id_gives_the_german_404_page() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    for path in [
        format!("/strategie/felder/{}", uuid::Uuid::new_v4()),
        format!("/strategie/ziele/{}", uuid::Uuid::new_v4()),
        "/gibt-es-nicht".to_owned(),
    ] {
        let response = user.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        let page = response.page();
        assert_eq!(page.text("h1"), "Seite nicht gefunden", "{path}");
        assert_eq!(page.count("html[lang=de]"), 1);
        assert_eq!(
            page.count(".error-reference"),
            0,
            "a 404 needs no reference"
        );
    }
}

#[tokio::test]
async fn a_malformed_id_is_a_404_not_a_500() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    for path in [
        "/strategie/felder/keine-uuid",
        "/strategie/ziele/123",
        "/strategie/ziele/%E2%9C%93",
        "/strategie/felder/00000000-0000-0000-0000-00000000000g",
    ] {
        let response = user.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.page().text("h1"), "Seite nicht gefunden");
    }
}

#[tokio::test]
async fn a_panic_becomes_the_500_page_with_a_reference_that_is_in_the_log() {
    let logs = crate::support::logs::capture();
    let app = spawn_app_with(with_failing_routes()).await;

    let response = app.get("/test/panic").await;

    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let page = response.page();
    assert_eq!(page.text("h1"), "Ein Fehler ist aufgetreten");
    let reference = page.text(".error-reference code");
    assert_eq!(Some(reference.as_str()), response.header("x-request-id"));
    assert!(
        !response.body.contains("secret-table-name"),
        "no internal detail on the page"
    );
    let log = logs.text();
    assert!(
        log.contains(&reference),
        "the reference is in the log: {log}"
    );
    assert!(log.contains("secret-table-name"), "the cause is in the log");
    assert_eq!(
        error_lines(&log, &reference),
        1,
        "logged once, with its cause: {log}"
    );
}

/// The lines logged at ERROR for the request with this id.
fn error_lines(log: &str, request_id: &str) -> usize {
    log.lines()
        .filter(|line| line.contains("ERROR") && line.contains(request_id))
        .count()
}

#[tokio::test]
async fn a_database_failure_becomes_the_500_page_without_internal_text() {
    let logs = crate::support::logs::capture();
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    app.db.close().await;

    let response = user.get("/strategie").await;

    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let page = response.page();
    assert_eq!(page.text("h1"), "Ein Fehler ist aufgetreten");
    assert_eq!(page.count(".error-reference code"), 1);
    assert!(
        !response.body.to_lowercase().contains("pool"),
        "{}",
        response.body
    );
    assert!(!response.body.to_lowercase().contains("sqlx"));
    let reference = page.text(".error-reference code");
    assert_eq!(error_lines(&logs.text(), &reference), 1, "logged once");
}

#[tokio::test]
async fn a_post_to_a_page_is_refused_with_405_and_a_german_page() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let response = user.post_form("/strategie", &[]).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        response
            .header("allow")
            .is_some_and(|allow| allow.contains("GET"))
    );
    assert_eq!(response.page().text("h1"), "Aktion nicht möglich");
}

#[tokio::test]
async fn a_page_that_takes_too_long_gets_the_german_408_page() {
    let app = crate::support::http::spawn_app_with_timeout(
        with_failing_routes(),
        std::time::Duration::from_millis(300),
    )
    .await;
    let response = app.get("/test/slow").await;
    assert_eq!(response.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(response.page().text("h1"), "Zeitüberschreitung");
    assert!(!response.body.contains("too late"));
}

#[tokio::test]
async fn security_headers_are_on_pages_errors_and_static_files() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/gibt-es-nicht",
        "/static/css/prima.css",
        "/static/kern/kern.min.css",
        "/healthz",
    ] {
        let response = app.get(path).await;
        let csp = response
            .header("content-security-policy")
            .unwrap_or_default();
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            response.header("referrer-policy"),
            Some("same-origin"),
            "{path}"
        );
        assert!(response.header("permissions-policy").is_some(), "{path}");
        assert!(response.header("x-request-id").is_some(), "{path}");
    }
}

#[tokio::test]
async fn static_files_are_cacheable_and_pages_link_them_with_a_fingerprint() {
    let app = spawn_app().await;
    let css = app.get("/static/css/prima.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.header("cache-control")
            .is_some_and(|value| value.contains("max-age="))
    );
    assert!(
        css.header("content-type")
            .is_some_and(|value| value.starts_with("text/css"))
    );
    let font = app
        .get("/static/kern/fonts/fira-sans/FiraSans-Regular.woff2")
        .await;
    assert_eq!(font.status, StatusCode::OK);

    let page = app.anonymous().page("/anmelden").await;
    let stylesheets = page.links("link[rel=stylesheet]");
    assert_eq!(stylesheets.len(), 3);
    for href in stylesheets {
        assert!(href.contains("?v="), "{href}");
        let path = href.split('?').next().unwrap_or_default();
        assert_eq!(app.get(path).await.status, StatusCode::OK, "{path}");
    }
    assert_eq!(
        app.get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_request_id_from_outside_is_kept_only_from_a_trusted_proxy_and_as_a_plain_token() {
    let behind_proxy = crate::support::http::spawn_app_with_settings(
        prima::web::pages(),
        prima::web::Settings {
            trust_proxy: true,
            ..prima::web::Settings::default()
        },
    )
    .await;
    let direct = spawn_app().await;
    let id_for = |app: &crate::support::TestApp, sent: &'static str| {
        let app = app.clone();
        async move {
            let response = app.get_with("/healthz", &[("x-request-id", sent)]).await;
            response.header("x-request-id").map(str::to_owned)
        }
    };
    assert_eq!(
        id_for(&behind_proxy, "proxy-4711.a_b").await.as_deref(),
        Some("proxy-4711.a_b")
    );
    for (app, sent) in [
        (&behind_proxy, "<script>alert(1)</script>"),
        (&direct, "proxy-4711.a_b"),
    ] {
        let replaced = id_for(app, sent).await.expect("an id");
        assert!(
            uuid::Uuid::parse_str(&replaced).is_ok(),
            "{sent}: {replaced}"
        );
    }
}
