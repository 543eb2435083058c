//! What responses carry: `no-store` on everything rendered for a session, client addresses and
//! request ids only from a trusted proxy, caching only of static files that exist; and who reads
//! internal notes.

use axum::http::{Method, StatusCode};
use prima::domain::office::Office;
use prima::domain::roles::Role;
use prima::web::Settings;

use crate::measures::{base, propose, two_goals};
use crate::support::http::spawn_app_with_settings;

#[tokio::test]
async fn every_response_for_a_session_is_kept_out_of_caches_whatever_its_status() {
    let app = crate::support::spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let big = "x".repeat(300 * 1024);
    let token = staff.csrf_token().await;
    let responses = [
        ("403 permission", staff.get("/verwaltung/konten").await),
        (
            "403 csrf",
            staff
                .post_raw("/abmelden", &[("csrf_token", "falsch")], true)
                .await,
        ),
        (
            "404",
            staff
                .get("/massnahmen/00000000-0000-0000-0000-000000000000")
                .await,
        ),
        ("405", staff.post_form("/strategie", &[]).await),
        (
            "413",
            staff
                .post_raw(
                    "/konto/passwort",
                    &[("csrf_token", &token), ("x", &big)],
                    true,
                )
                .await,
        ),
        ("400", staff.get("/massnahmen?suche=%00").await),
        ("200", staff.get("/strategie").await),
    ];
    let name = staff_name(&app).await;
    for (what, response) in responses {
        assert!(
            response.body.contains(&name),
            "{what}: rendered for the person"
        );
        assert_eq!(
            response.header("cache-control"),
            Some("no-store"),
            "{what}: {}",
            response.status
        );
    }
}

async fn staff_name(app: &crate::support::TestApp) -> String {
    sqlx::query_scalar("select display_name from users limit 1")
        .fetch_one(&app.db)
        .await
        .expect("the account")
}

#[tokio::test]
async fn only_the_address_the_trusted_proxy_appended_counts() {
    let settings = Settings {
        trust_proxy: true,
        ..Settings::default()
    };
    let app = spawn_app_with_settings(prima::web::pages(), settings).await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let anonymous = app.anonymous();
    let token = anonymous.csrf_token().await;
    let body = serde_urlencoded::to_string([
        ("email", user.email.as_str()),
        ("password", "falsch, aber lang genug"),
        ("csrf_token", token.as_str()),
    ])
    .expect("a form");
    let cookie = format!("prima-csrf={token}");
    let origin = app.url("");
    let response = app
        .send(
            Method::POST,
            "/anmelden",
            &[
                ("cookie", &cookie),
                ("origin", origin.trim_end_matches('/')),
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-forwarded-for", "203.0.113.9, 192.0.2.5"),
            ],
            body.into(),
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.body
    );
    let logged: String = sqlx::query_scalar(
        "select client_address from security_events where kind = 'login_failed'",
    )
    .fetch_one(&app.db)
    .await
    .expect("the failure is logged");
    assert_eq!(
        logged, "192.0.2.5",
        "not the address the client wrote itself"
    );
}

#[tokio::test]
async fn only_static_files_that_exist_are_cached() {
    let app = crate::support::spawn_app().await;
    let found = app.get("/static/css/prima.css").await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(
        found.header("cache-control"),
        Some("public, max-age=604800")
    );
    let missing = app.get("/static/css/gibt-es-nicht.css").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn internal_notes_are_read_by_every_officer_and_by_nobody_else() {
    let app = crate::support::spawn_app().await;
    let (goal_a, goal_b) = two_goals();
    let author = app.signed_in(Role::Staff).await;
    let id = propose(&author, &base("Altonas Maßnahme", &goal_a, &goal_b)).await;
    let altona = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    let altona = app.login(&altona).await;
    let note = altona
        .post_form(
            &format!("/massnahmen/{id}/kommentare"),
            &[("body", "Interner Hinweis zum Budget."), ("intern", "ja")],
        )
        .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    let path = format!("/massnahmen/{id}");
    let wandsbek = app
        .create_user(&[Role::DistrictOfficer], Office::Wandsbek)
        .await;
    for (who, reader, sees) in [
        (
            "officer of another office",
            app.login(&wandsbek).await,
            true,
        ),
        (
            "central officer",
            app.signed_in(Role::CentralOfficer).await,
            true,
        ),
        ("author", author.clone(), false),
        (
            "strategy team",
            app.signed_in(Role::StrategyTeam).await,
            false,
        ),
        (
            "administration",
            app.signed_in(Role::Administrator).await,
            false,
        ),
    ] {
        let page = reader.page(&path).await;
        assert_eq!(page.count(".comment--internal") == 1, sees, "{who}");
        assert_eq!(
            page.text("main").contains("Interner Hinweis"),
            sees,
            "{who}"
        );
    }
}
