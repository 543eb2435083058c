//! Every page of the application, for the checks that must hold on all of them (axe, the Nu
//! validator, 320 px, no script). A feature that adds pages adds them here.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use prima::web::AppState;

use super::http::TestApp;

/// A page to check, and the status it answers with.
#[derive(Debug, Clone)]
pub struct PageToCheck {
    pub path: String,
    pub status: StatusCode,
}

impl PageToCheck {
    fn ok(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            status: StatusCode::OK,
        }
    }
}

/// Test-only routes that let error pages be reached: they pass the production middleware.
pub fn with_failing_routes() -> Router<AppState> {
    prima::web::routes()
        .route(
            "/test/panic",
            get(|| async {
                panic!("deliberate test panic with internal detail: secret-table-name");
                #[expect(unreachable_code, reason = "the handler needs a response type")]
                ""
            }),
        )
        .route(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                "too late"
            }),
        )
}

/// All pages: start, strategy, every field and goal, and the error pages.
pub async fn all(app: &TestApp) -> Vec<PageToCheck> {
    let mut pages = vec![PageToCheck::ok("/"), PageToCheck::ok("/strategie")];
    let fields: Vec<uuid::Uuid> = sqlx::query_scalar("select id from fields order by position")
        .fetch_all(&app.db)
        .await
        .expect("fields");
    pages.extend(
        fields
            .iter()
            .map(|id| PageToCheck::ok(format!("/strategie/felder/{id}"))),
    );
    let goals: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select g.id from goals g join fields f on f.id = g.field_id order by f.position, g.position",
    )
    .fetch_all(&app.db)
    .await
    .expect("goals");
    pages.extend(
        goals
            .iter()
            .map(|id| PageToCheck::ok(format!("/strategie/ziele/{id}"))),
    );
    pages.push(PageToCheck {
        path: "/gibt-es-nicht".to_owned(),
        status: StatusCode::NOT_FOUND,
    });
    pages.push(PageToCheck {
        path: "/test/panic".to_owned(),
        status: StatusCode::INTERNAL_SERVER_ERROR,
    });
    pages
}
