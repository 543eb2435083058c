//! The object rules, route by route: every route that checks the object itself (whose measure,
//! which office, whose comment) refuses the wrong person and serves the right one. The
//! permission matrix in `permissions.rs` only knows the route's permission and has to accept an
//! object refusal; this file shows each refusal happens for the person it is meant for, and only
//! for them.

use axum::http::{Method, StatusCode};
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::measures::{base, propose, two_goals};
use crate::support::accounts::Client;
use crate::support::spawn_app;

/// One request against one object: who must be refused (and how), who must get through.
struct Case<'a> {
    method: Method,
    /// The route's path in the route table.
    route: &'static str,
    path: String,
    fields: Vec<(String, String)>,
    wrong: (&'static str, &'a Client),
    refusal: StatusCode,
    right: (&'static str, &'a Client),
    success: StatusCode,
}

impl Case<'_> {
    async fn send(&self, client: &Client) -> StatusCode {
        if self.method == Method::GET {
            client.get(&self.path).await.status
        } else {
            let fields: Vec<(&str, &str)> = self
                .fields
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            client.post_form(&self.path, &fields).await.status
        }
    }
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn every_object_rule_refuses_the_wrong_person_and_serves_the_right_one() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let colleague = app.signed_in(Role::Staff).await;
    let altona_user = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    let altona = app.login(&altona_user).await;
    let wandsbek_user = app
        .create_user(&[Role::DistrictOfficer], Office::Wandsbek)
        .await;
    let wandsbek = app.login(&wandsbek_user).await;
    let (goal_a, goal_b) = two_goals();

    // A submitted measure of the author's (lead office Altona), a draft of theirs, and an
    // accepted one for the implementation routes.
    let submitted = propose(&author, &base("Eingereichte Maßnahme", &goal_a, &goal_b)).await;
    let mut draft_fields = base("Entwurf der Autorin", &goal_a, &goal_b);
    draft_fields.retain(|(name, _)| *name != "aktion");
    draft_fields.push(("aktion", "entwurf"));
    let draft = propose(&author, &draft_fields).await;
    let accepted = propose(&author, &base("Angenommene Maßnahme", &goal_a, &goal_b)).await;
    for step in ["in-pruefung", "angenommen"] {
        let response = altona
            .post_form(&format!("/massnahmen/{accepted}/status"), &[("to", step)])
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{step}");
    }
    let commented = colleague
        .post_form(
            &format!("/massnahmen/{submitted}/kommentare"),
            &[("body", "Ein Kommentar der Kollegin.")],
        )
        .await;
    assert_eq!(commented.status, StatusCode::SEE_OTHER);
    let comment: uuid::Uuid =
        sqlx::query_scalar("select id from comments where measure_id = $1::uuid")
            .bind(&submitted)
            .fetch_one(&app.db)
            .await
            .expect("the comment");

    // The forms as the right person's pages offer them.
    let edit_form = author
        .page(&format!("/massnahmen/{submitted}/bearbeiten"))
        .await
        .form_fields(&format!("/massnahmen/{submitted}/bearbeiten"));
    let accepted_page = altona.page(&format!("/massnahmen/{accepted}")).await;
    let progress_form = accepted_page.form_fields(&format!("/massnahmen/{accepted}/fortschritt"));
    let wandsbek_row: Vec<(String, String)> = wandsbek
        .page(&format!("/massnahmen/{accepted}"))
        .await
        .form_fields(&format!("/massnahmen/{accepted}/umsetzung"));
    assert!(
        wandsbek_row.contains(&("office".to_owned(), "wandsbek".to_owned())),
        "{wandsbek_row:?}"
    );

    // A what-if scenario Altona's officer saved for an open round.
    let central_user = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    let catalogue = prima::db::criteria::current(&app.db)
        .await
        .expect("read")
        .expect("the default catalogue");
    let round = prima::db::rounds::open(
        &app.db,
        &prima::db::rounds::NewRound {
            name: &prima::domain::prioritisation::rounds::RoundName::parse("Objektrunde")
                .expect("a name"),
            deadline: chrono::NaiveDate::from_ymd_opt(2099, 1, 31).expect("a date"),
            catalogue_id: catalogue.id,
            measures: &[prima::domain::ids::MeasureId(
                accepted.parse().expect("an id"),
            )],
            by: central_user.id,
            notice: "Bitte bewerten.",
        },
    )
    .await
    .expect("a round");
    let scenario = prima::db::scenarios::save(
        &app.db,
        round,
        "Altonas Sicht",
        &[15, 30, 20, 10, 5, 10, 10],
        altona_user.id,
    )
    .await
    .map_err(|error| format!("{error:?}"))
    .expect("a scenario");

    // A finished job of Altona's officer.
    let job: uuid::Uuid = sqlx::query_scalar(
        "insert into jobs (id, kind, owner_id, status, step, steps, attempts, result, result_name,
                           result_type, finished_at)
         values (gen_random_uuid(), 'strategy_report', $1, 'done', 3, 3, 1, '%PDF-',
                 'strategiebericht.pdf', 'application/pdf', now())
         returning id",
    )
    .bind(altona_user.id.0)
    .fetch_one(&app.db)
    .await
    .expect("a job");

    // A list Altona's officer uploaded, its columns mapped.
    let table = prima::import::Table {
        kind: prima::import::Kind::Csv,
        headings: vec!["Titel".to_owned()],
        rows: vec![prima::import::Row {
            number: 2,
            cells: vec!["Eine Maßnahme aus der Liste".to_owned()],
        }],
        windows_1252: false,
    };
    let import = prima::db::imports::create(&app.db, "liste.csv", altona_user.id, &table)
        .await
        .expect("an import");
    let titled: prima::import::mapping::Mapping = [("titel".to_owned(), 0)].into_iter().collect();
    prima::db::imports::set_mapping(&app.db, import, &titled, None)
        .await
        .expect("its mapping");

    // A Fortschreibung in progress: a draft only the strategy team sees.
    let draft_iteration = prima::db::iterations::start(
        &app.db,
        "2.0 – 2022",
        "Digitalstrategie der Bezirksämter",
        central_user.id,
    )
    .await
    .expect("a draft iteration");

    let (draft_field, draft_goal): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "select f.id, g.id from goals g join fields f on f.id = g.field_id
         where f.strategy_id = $1 limit 1",
    )
    .bind(draft_iteration.0)
    .fetch_one(&app.db)
    .await
    .expect("a field and goal of the draft");

    // The strategy team: one member proposed the accepted measure for release.
    let proposer = app.signed_in(Role::StrategyTeam).await;
    let reviewer = app.signed_in(Role::StrategyTeam).await;
    let proposed = proposer
        .post_form(
            &format!("/massnahmen/{accepted}/veroeffentlichung/vorschlagen"),
            &[("version", "0")],
        )
        .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);

    let get = |route, path: String, wrong, refusal, right| Case {
        method: Method::GET,
        route,
        path,
        fields: Vec::new(),
        wrong,
        refusal,
        right,
        success: StatusCode::OK,
    };
    let post = |route, path: String, fields, wrong, refusal, right| Case {
        method: Method::POST,
        route,
        path,
        fields,
        wrong,
        refusal,
        right,
        success: StatusCode::SEE_OTHER,
    };
    let comment_edit = format!("/massnahmen/{submitted}/kommentare/{comment}/bearbeiten");
    // In order: each case leaves the objects as the next one expects them.
    let cases = [
        get(
            "/strategie/iterationen/{id}",
            format!("/strategie/iterationen/{}", draft_iteration.0),
            ("staff, for a draft", &author),
            StatusCode::NOT_FOUND,
            ("the strategy team", &proposer),
        ),
        get(
            "/strategie/iterationen/{id}/verlauf",
            format!("/strategie/iterationen/{}/verlauf", draft_iteration.0),
            ("staff, for a draft", &author),
            StatusCode::NOT_FOUND,
            ("the strategy team", &proposer),
        ),
        get(
            "/strategie/felder/{id}",
            format!("/strategie/felder/{draft_field}"),
            ("staff, for a field of a draft", &author),
            StatusCode::NOT_FOUND,
            ("the strategy team", &proposer),
        ),
        get(
            "/strategie/ziele/{id}",
            format!("/strategie/ziele/{draft_goal}"),
            ("staff, for a goal of a draft", &author),
            StatusCode::NOT_FOUND,
            ("the strategy team", &proposer),
        ),
        get(
            "/strategie/iterationen/{id}/vergleich",
            format!("/strategie/iterationen/{}/vergleich", draft_iteration.0),
            ("staff, for a draft", &author),
            StatusCode::NOT_FOUND,
            ("the strategy team", &proposer),
        ),
        get(
            "/strategie/iterationen/{id}/vergleich.json",
            format!(
                "/strategie/iterationen/{}/vergleich.json",
                draft_iteration.0
            ),
            ("staff, for a draft", &author),
            StatusCode::NOT_FOUND,
            ("the strategy team", &proposer),
        ),
        post(
            "/massnahmen/{id}/veroeffentlichung/freigeben",
            format!("/massnahmen/{accepted}/veroeffentlichung/freigeben"),
            pairs(&[("version", "1")]),
            ("the member who proposed it", &proposer),
            StatusCode::UNPROCESSABLE_ENTITY,
            ("another member of the strategy team", &reviewer),
        ),
        get(
            "/massnahmen/import/{id}",
            format!("/massnahmen/import/{import}"),
            ("the officer of another office", &wandsbek),
            StatusCode::NOT_FOUND,
            ("whoever uploaded it", &altona),
        ),
        post(
            "/massnahmen/import/{id}",
            format!("/massnahmen/import/{import}"),
            vec![("titel".to_owned(), "0".to_owned())],
            ("the officer of another office", &wandsbek),
            StatusCode::NOT_FOUND,
            ("whoever uploaded it", &altona),
        ),
        get(
            "/massnahmen/import/{id}/vorschau",
            format!("/massnahmen/import/{import}/vorschau"),
            ("the officer of another office", &wandsbek),
            StatusCode::NOT_FOUND,
            ("whoever uploaded it", &altona),
        ),
        post(
            "/massnahmen/import/{id}/vorschau",
            format!("/massnahmen/import/{import}/vorschau"),
            Vec::new(),
            ("the officer of another office", &wandsbek),
            StatusCode::NOT_FOUND,
            ("whoever uploaded it", &altona),
        ),
        get(
            "/auftraege/{id}",
            format!("/auftraege/{job}"),
            ("someone else", &author),
            StatusCode::NOT_FOUND,
            ("whoever started it", &altona),
        ),
        get(
            "/auftraege/{id}/stand",
            format!("/auftraege/{job}/stand"),
            ("someone else", &author),
            StatusCode::NOT_FOUND,
            ("whoever started it", &altona),
        ),
        get(
            "/auftraege/{id}/datei",
            format!("/auftraege/{job}/datei"),
            ("someone else", &author),
            StatusCode::NOT_FOUND,
            ("whoever started it", &altona),
        ),
        get(
            "/massnahmen/{id}",
            format!("/massnahmen/{draft}"),
            ("a colleague", &colleague),
            StatusCode::NOT_FOUND,
            ("the author", &author),
        ),
        get(
            "/massnahmen/{id}/steckbrief",
            format!("/massnahmen/{draft}/steckbrief"),
            ("a colleague", &colleague),
            StatusCode::NOT_FOUND,
            ("the author", &author),
        ),
        get(
            "/massnahmen/{id}/steckbrief/pdf",
            format!("/massnahmen/{draft}/steckbrief/pdf"),
            ("a colleague", &colleague),
            StatusCode::NOT_FOUND,
            ("the author", &author),
        ),
        get(
            "/massnahmen/{id}/bearbeiten",
            format!("/massnahmen/{submitted}/bearbeiten"),
            ("a colleague", &colleague),
            StatusCode::FORBIDDEN,
            ("the author", &author),
        ),
        post(
            "/massnahmen/{id}/bearbeiten",
            format!("/massnahmen/{submitted}/bearbeiten"),
            edit_form,
            ("the officer of another office", &wandsbek),
            StatusCode::FORBIDDEN,
            ("the author", &author),
        ),
        post(
            "/massnahmen/{id}/unterstuetzen",
            format!("/massnahmen/{submitted}/unterstuetzen"),
            Vec::new(),
            ("the author", &author),
            StatusCode::FORBIDDEN,
            ("a colleague", &colleague),
        ),
        post(
            "/massnahmen/{id}/unterstuetzung-zurueckziehen",
            format!("/massnahmen/{submitted}/unterstuetzung-zurueckziehen"),
            Vec::new(),
            ("the author", &author),
            StatusCode::FORBIDDEN,
            ("a colleague", &colleague),
        ),
        post(
            "/massnahmen/{id}/folgen",
            format!("/massnahmen/{draft}/folgen"),
            Vec::new(),
            ("a colleague, for a draft", &colleague),
            StatusCode::NOT_FOUND,
            ("the author", &author),
        ),
        post(
            "/massnahmen/{id}/nicht-mehr-folgen",
            format!("/massnahmen/{draft}/nicht-mehr-folgen"),
            Vec::new(),
            ("a colleague, for a draft", &colleague),
            StatusCode::NOT_FOUND,
            ("the author", &author),
        ),
        post(
            "/massnahmen/{id}/kommentare",
            format!("/massnahmen/{submitted}/kommentare"),
            pairs(&[("body", "Nur für Beauftragte."), ("intern", "ja")]),
            ("staff writing an internal note", &colleague),
            StatusCode::FORBIDDEN,
            ("an officer", &altona),
        ),
        get(
            "/massnahmen/{id}/kommentare/{comment}/bearbeiten",
            comment_edit.clone(),
            ("the measure's author", &author),
            StatusCode::FORBIDDEN,
            ("the comment's author", &colleague),
        ),
        post(
            "/massnahmen/{id}/kommentare/{comment}/bearbeiten",
            comment_edit,
            pairs(&[("body", "Ein berichtigter Kommentar.")]),
            ("the measure's author", &author),
            StatusCode::FORBIDDEN,
            ("the comment's author", &colleague),
        ),
        post(
            "/massnahmen/{id}/kommentare/{comment}/loeschen",
            format!("/massnahmen/{submitted}/kommentare/{comment}/loeschen"),
            Vec::new(),
            ("the measure's author", &author),
            StatusCode::FORBIDDEN,
            ("the officer for the measure", &altona),
        ),
        post(
            "/massnahmen/{id}/umsetzung",
            format!("/massnahmen/{accepted}/umsetzung"),
            wandsbek_row,
            ("the officer of another office", &altona),
            StatusCode::FORBIDDEN,
            ("Wandsbek's officer", &wandsbek),
        ),
        post(
            "/massnahmen/{id}/fortschritt",
            format!("/massnahmen/{accepted}/fortschritt"),
            progress_form,
            ("an officer not of the lead office", &wandsbek),
            StatusCode::FORBIDDEN,
            ("the lead office's officer", &altona),
        ),
        post(
            "/massnahmen/{id}/status",
            format!("/massnahmen/{submitted}/status"),
            pairs(&[("to", "in-pruefung")]),
            ("an officer not of the lead office", &wandsbek),
            StatusCode::FORBIDDEN,
            ("the lead office's officer", &altona),
        ),
        post(
            "/priorisierung/runden/{id}/szenarien/{scenario}/loeschen",
            format!("/priorisierung/runden/{round}/szenarien/{scenario}/loeschen"),
            Vec::new(),
            ("another office's officer", &wandsbek),
            StatusCode::FORBIDDEN,
            ("the officer who saved it", &altona),
        ),
    ];

    // Every route with an object rule has its case.
    let checked: Vec<(Method, &str)> = cases
        .iter()
        .map(|case| (case.method.clone(), case.route))
        .collect();
    let missing: Vec<String> = prima::web::route_table()
        .into_iter()
        .filter(|route| route.object_check.is_some())
        .filter(|route| !checked.contains(&(route.method.clone(), route.path)))
        .map(|route| format!("{} {}", route.method, route.path))
        .collect();
    assert!(
        missing.is_empty(),
        "object rules without a case: {missing:?}"
    );

    let mut failures = Vec::new();
    for case in &cases {
        let refused = case.send(case.wrong.1).await;
        if refused != case.refusal {
            failures.push(format!(
                "{} {} for {}: {refused}, expected {}",
                case.method, case.route, case.wrong.0, case.refusal
            ));
        }
        let served = case.send(case.right.1).await;
        if served != case.success {
            failures.push(format!(
                "{} {} for {}: {served}, expected {}",
                case.method, case.route, case.right.0, case.success
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "object rules:\n{}",
        failures.join("\n")
    );
}
