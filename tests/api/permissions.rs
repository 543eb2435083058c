//! The permission matrix: every route of the router, for every role and for nobody, answers as
//! the permission model says; and the documentation lists exactly these routes.

use axum::http::{Method, StatusCode};
use prima::domain::office::Office;
use prima::domain::roles::Role;
use prima::web::routes::RouteSpec;

use crate::support::accounts::Client;
use crate::support::{TestApp, spawn_app};

/// A concrete path for a route pattern, with ids that exist.
async fn concrete(
    app: &TestApp,
    client: Option<&Client>,
    route: &RouteSpec,
    target_user: uuid::Uuid,
) -> String {
    let id: Option<String> = if route.path.starts_with("/strategie/felder/") {
        sqlx::query_scalar("select id::text from fields limit 1")
            .fetch_optional(&app.db)
            .await
            .expect("a field")
    } else if route.path.starts_with("/strategie/ziele/") {
        sqlx::query_scalar("select id::text from goals limit 1")
            .fetch_optional(&app.db)
            .await
            .expect("a goal")
    } else if route.path.starts_with("/strategie/saeulen/") {
        sqlx::query_scalar("select id::text from pillars limit 1")
            .fetch_optional(&app.db)
            .await
            .expect("a pillar")
    } else if route.path.starts_with("/strategie/dimensionen/") {
        sqlx::query_scalar("select id::text from action_dimensions limit 1")
            .fetch_optional(&app.db)
            .await
            .expect("a dimension")
    } else if route.path.starts_with("/massnahmen/{id}") {
        sqlx::query_scalar("select id::text from measures where title = 'Matrix-Maßnahme'")
            .fetch_optional(&app.db)
            .await
            .expect("the matrix measure")
    } else if route.path.starts_with("/priorisierung/runden/{id}") {
        sqlx::query_scalar("select id::text from prioritisation_rounds limit 1")
            .fetch_optional(&app.db)
            .await
            .expect("the matrix round")
    } else if route.path.starts_with("/auftraege/{id}")
        || route.path.starts_with("/massnahmen/import/{id}")
    {
        // Nobody's job: the route's permission decides, the object rule is in object_rules.rs.
        Some(uuid::Uuid::new_v4().to_string())
    } else if route.path.starts_with("/strategie/iterationen/{id}") {
        // The iteration in force: every signed-in person reads its comparison.
        sqlx::query_scalar("select id::text from strategies where status = 'published'")
            .fetch_optional(&app.db)
            .await
            .expect("the strategy in force")
    } else if route.path.starts_with("/oeffentlich/massnahmen/") {
        // A number nothing is released under: the route is public, the page says not found.
        Some("1".to_owned())
    } else if route.path.starts_with("/verwaltung/konten/{id}") {
        Some(target_user.to_string())
    } else if route.path.starts_with("/konto/sitzungen/") {
        // The client's own newest session, or any id for nobody.
        let session: Option<uuid::Uuid> = match client {
            Some(client) => {
                let token = client.cookie("prima-session").unwrap_or_default();
                sqlx::query_scalar("select id from sessions where token_hash = sha256($1::bytea)")
                    .bind(token.as_bytes())
                    .fetch_optional(&app.db)
                    .await
                    .expect("a session")
            }
            None => None,
        };
        Some(session.unwrap_or_else(uuid::Uuid::new_v4).to_string())
    } else {
        None
    };
    let measure: Option<String> =
        sqlx::query_scalar("select id::text from measures where title = 'Matrix-Maßnahme'")
            .fetch_optional(&app.db)
            .await
            .expect("the matrix measure");
    let comment: Option<String> = sqlx::query_scalar("select id::text from comments limit 1")
        .fetch_optional(&app.db)
        .await
        .expect("a comment");
    let scenario: Option<String> =
        sqlx::query_scalar("select id::text from weight_scenarios limit 1")
            .fetch_optional(&app.db)
            .await
            .expect("a scenario");
    match id {
        Some(id) => route
            .path
            .replace("{id}", &id)
            .replace(
                "{scenario}",
                &scenario.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            )
            .replace("{comment}", &comment.unwrap_or_default())
            .replace("{measure}", &measure.unwrap_or_default()),
        None if route.path.contains("{version}") => route.path.replace("{version}", "1"),
        None if route.path.contains("{office}") => route.path.replace("{office}", "harburg"),
        None => {
            assert!(!route.path.contains('{'), "no sample id for {}", route.path);
            route.path.to_owned()
        }
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_permission_model_says() {
    let app = spawn_app().await;
    let target = app.create_user(&[Role::Staff], Office::Eimsbuettel).await;
    sqlx::query(
        "insert into measures (id, title, status, lead_office, author_id)
         values (gen_random_uuid(), 'Matrix-Maßnahme', 'in_review', 'altona', $1)",
    )
    .bind(target.id.0)
    .execute(&app.db)
    .await
    .expect("a measure in review");
    sqlx::query(
        "insert into comments (id, measure_id, author_id, body)
         select gen_random_uuid(), id, author_id, 'Ein Kommentar' from measures where title = 'Matrix-Maßnahme'",
    )
    .execute(&app.db)
    .await
    .expect("a comment");
    sqlx::query(
        "with round as (
             insert into prioritisation_rounds (id, strategy_id, catalogue_id, name, deadline)
             select gen_random_uuid(), strategy_id, id, 'Matrix-Runde', date '2099-01-01'
             from criteria_catalogues order by version desc limit 1
             returning id)
         insert into round_measures (round_id, measure_id)
         select round.id, m.id from round, measures m where m.title = 'Matrix-Maßnahme'",
    )
    .execute(&app.db)
    .await
    .expect("a round");
    let routes = prima::web::route_table();
    assert!(
        routes.len() >= 20,
        "the table has all routes: {}",
        routes.len()
    );
    let mut failures = Vec::new();
    let mut roles: Vec<Option<Role>> = vec![None];
    roles.extend(Role::ALL.map(Some));
    for role in roles {
        for route in &routes {
            // A fresh client per route: some routes end sessions or sign out.
            let client = match role {
                Some(role) => app.signed_in(role).await,
                None => app.anonymous(),
            };
            let path = concrete(&app, role.map(|_| &client), route, target.id.0).await;
            let response = if route.method == Method::GET {
                client.get(&path).await
            } else {
                client.post_form(&path, &[]).await
            };
            let actor = role.map(|role| prima::domain::permissions::Actor {
                user_id: prima::domain::ids::UserId::new(),
                office: Office::Altona,
                roles: vec![role],
            });
            let allowed = route.permission.allows(actor.as_ref());
            let to_login = response
                .header("location")
                .is_some_and(|location| location.starts_with("/anmelden?weiter="));
            let refused = matches!(
                response.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ) || to_login;
            let expected_refusal = match (role, &route.method) {
                (None, &Method::GET) => to_login,
                (None, _) => response.status == StatusCode::UNAUTHORIZED,
                (Some(_), _) => response.status == StatusCode::FORBIDDEN,
            };
            // Routes that also check the object may refuse an allowed person for this object.
            let object_refusal =
                route.object_check.is_some() && response.status == StatusCode::FORBIDDEN;
            let ok = if allowed {
                !refused || object_refusal
            } else {
                expected_refusal
            };
            if !ok {
                failures.push(format!(
                    "{:?} {} {path}: {} (allowed: {allowed})",
                    role, route.method, response.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_documentation_lists_exactly_the_routes_of_the_router() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/permissions.md"),
    )
    .expect("docs/permissions.md");
    let documented: Vec<(String, String, String)> = text
        .lines()
        .skip_while(|line| *line != "## Routes")
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<String> = line
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect();
            (cells[1].clone(), cells[2].clone(), cells[3].clone())
        })
        .collect();
    let mut actual: Vec<(String, String, String)> = prima::web::route_table()
        .into_iter()
        .map(|route| {
            (
                route.method.to_string(),
                route.path.to_owned(),
                route.permission.label().to_owned(),
            )
        })
        .collect();
    let mut documented_sorted = documented.clone();
    documented_sorted.sort();
    actual.sort();
    assert_eq!(
        documented_sorted, actual,
        "docs/permissions.md and the router disagree"
    );
}

#[tokio::test]
async fn nobody_ends_another_person_s_session_by_changing_the_id() {
    let app = spawn_app().await;
    let victim_user = app.create_user(&[Role::Staff], Office::Wandsbek).await;
    let victim = app.login(&victim_user).await;
    let attacker = app.signed_in(Role::DistrictOfficer).await;
    let victim_session: uuid::Uuid =
        sqlx::query_scalar("select id from sessions where user_id = $1")
            .bind(victim_user.id.0)
            .fetch_one(&app.db)
            .await
            .expect("the victim's session");

    let response = attacker
        .post_form(&format!("/konto/sitzungen/{victim_session}/beenden"), &[])
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        victim.get("/").await.status,
        StatusCode::OK,
        "the victim is still signed in"
    );
}
