//! Every page of the application, for the checks that must hold on all of them (axe, the Nu
//! validator, 320 px, no script). A feature that adds pages adds them here.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use prima::web::AppState;

use super::http::TestApp;

/// A page to check, the status it answers with, and whether it is seen signed in (as an
/// administrator who is also the central officer, and so sees every page and form) or without
/// an account.
#[derive(Debug, Clone)]
pub struct PageToCheck {
    pub path: String,
    pub status: StatusCode,
    pub signed_in: bool,
}

impl PageToCheck {
    fn ok(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            status: StatusCode::OK,
            signed_in: true,
        }
    }

    fn anonymous(path: impl Into<String>) -> Self {
        Self {
            signed_in: false,
            ..Self::ok(path)
        }
    }
}

/// Test-only routes that let error pages be reached: they pass the production middleware.
pub fn with_failing_routes() -> Router<AppState> {
    prima::web::pages()
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

/// All pages: login and the accessibility statement without an account; start, strategy, every
/// field and goal, the own account, the administration and the error pages signed in.
pub async fn all(app: &TestApp) -> Vec<PageToCheck> {
    let mut pages = vec![
        PageToCheck::anonymous("/anmelden"),
        PageToCheck::anonymous("/anmelden?abgemeldet=1"),
        PageToCheck::anonymous("/barrierefreiheit"),
        PageToCheck::ok("/barrierefreiheit"),
        PageToCheck::ok("/"),
        PageToCheck::ok("/strategie"),
        PageToCheck::ok("/konto"),
        PageToCheck::ok("/verwaltung/konten"),
        PageToCheck::ok("/verwaltung/konten?suche=test"),
        PageToCheck::ok("/verwaltung/konten/neu"),
        PageToCheck::ok("/verwaltung/sicherheitsprotokoll"),
    ];
    let users: Vec<uuid::Uuid> =
        sqlx::query_scalar("select id from users order by created_at limit 1")
            .fetch_all(&app.db)
            .await
            .expect("users");
    pages.extend(
        users
            .iter()
            .map(|id| PageToCheck::ok(format!("/verwaltung/konten/{id}"))),
    );
    // A measure of the first person (the administrator the checks sign in as), with a goal and
    // a Markdown description.
    let measure: uuid::Uuid = sqlx::query_scalar(
        "insert into measures (id, title, summary, description, status, lead_office, author_id)
         select gen_random_uuid(), 'Beispielmaßnahme', 'Kurz gesagt.',
                E'**Fett** und eine Liste:\\n\\n- eins\\n- zwei', 'accepted', 'altona',
                (select id from users order by created_at limit 1)
         returning id",
    )
    .fetch_one(&app.db)
    .await
    .expect("a measure");
    sqlx::query("insert into measure_goals (measure_id, goal_id) select $1, id from goals limit 1")
        .bind(measure)
        .execute(&app.db)
        .await
        .expect("a goal link");
    let comment: uuid::Uuid = sqlx::query_scalar(
        "insert into comments (id, measure_id, author_id, body)
         select gen_random_uuid(), $1, author_id, 'Ein erster Kommentar.' from measures where id = $1
         returning id",
    )
    .bind(measure)
    .fetch_one(&app.db)
    .await
    .expect("a comment");
    pages.push(PageToCheck::ok(format!(
        "/massnahmen/{measure}/kommentare/{comment}/bearbeiten"
    )));
    sqlx::query(
        "insert into notifications (user_id, measure_id, target_id, kind, message)
         select author_id, id, id, 'merged', 'M-1 wurde zusammengeführt.' from measures where id = $1",
    )
    .bind(measure)
    .execute(&app.db)
    .await
    .expect("a notification");
    pages.push(PageToCheck::ok("/benachrichtigungen"));
    pages.extend([
        PageToCheck::ok("/massnahmen"),
        PageToCheck::ok("/massnahmen?suche=Beispiel&schnell=ja"),
        PageToCheck::ok("/massnahmen/neu"),
        PageToCheck::ok("/massnahmen/umsetzung"),
        PageToCheck::ok(format!("/massnahmen/{measure}")),
        PageToCheck::ok(format!("/massnahmen/{measure}/bearbeiten")),
    ]);
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
    for (path, status) in [
        ("/gibt-es-nicht", StatusCode::NOT_FOUND),
        ("/test/panic", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        pages.push(PageToCheck {
            path: path.to_owned(),
            status,
            signed_in: true,
        });
        pages.push(PageToCheck {
            path: path.to_owned(),
            status,
            signed_in: false,
        });
    }
    pages
}
