//! The dashboard counts what is stored: measures by status per field, the coverage of goals per
//! office (gaps marked), progress by month, quick wins, and the gaps in both directions.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::html::within;
use crate::support::{TestApp, pdf, spawn_app};

/// A measure in `status`, linked to `goal` if given; its id.
async fn measure(app: &TestApp, title: &str, status: &str, goal: Option<uuid::Uuid>) -> uuid::Uuid {
    let author = app.create_user(&[Role::Staff], Office::Altona).await;
    let id: uuid::Uuid = sqlx::query_scalar(
        "insert into measures (id, title, status, lead_office, author_id, quick_win)
         values (gen_random_uuid(), $1, $2::measure_status, 'altona', $3, $4) returning id",
    )
    .bind(title)
    .bind(status)
    .bind(author.id.0)
    .bind(title.contains("schnell"))
    .fetch_one(&app.db)
    .await
    .expect("a measure");
    if let Some(goal) = goal {
        sqlx::query("insert into measure_goals (measure_id, goal_id) values ($1, $2)")
            .bind(id)
            .bind(goal)
            .execute(&app.db)
            .await
            .expect("a link");
    }
    id
}

/// Gives measure `id` a cost, a start and a summary.
async fn with_facts(app: &TestApp, id: uuid::Uuid) {
    sqlx::query(
        "update measures set cost_euros = 125000, planned_start = date '2027-03-01',
                             summary = 'Termine online buchen.' where id = $1;",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .expect("facts");
}

#[tokio::test]
async fn the_dashboard_counts_what_is_stored_and_shows_the_gaps() {
    let app = spawn_app().await;
    let (goal, field): (uuid::Uuid, String) = sqlx::query_as(
        "select g.id, f.name from goals g join fields f on f.id = g.field_id limit 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a goal");
    let goals: i64 = sqlx::query_scalar("select count(*) from goals")
        .fetch_one(&app.db)
        .await
        .expect("goals");
    let done = measure(&app, "Bürgerbüro schnell online", "in_progress", Some(goal)).await;
    measure(&app, "Zweite Maßnahme", "accepted", Some(goal)).await;
    measure(&app, "Entwurf zählt nicht", "draft", Some(goal)).await;
    measure(&app, "Ohne Ziel", "submitted", None).await;
    sqlx::query(
        "insert into measure_implementations (measure_id, office, state, as_of)
         values ($1, 'harburg', 'done', current_date), ($1, 'altona', 'planned', current_date)",
    )
    .bind(done)
    .execute(&app.db)
    .await
    .expect("implementation rows");
    let staff = app.signed_in(Role::Staff).await;

    let response = staff.get("/berichte").await;
    assert_eq!(response.status, StatusCode::OK);
    let page = response.page();
    // Measures by status per field: the field's row counts the two linked measures, no draft.
    let rows = page.select("#status-tabelle ~ tbody tr, table:has(#status-tabelle) tbody tr");
    let row = rows
        .iter()
        .find(|row| within(**row, "th").concat().starts_with(&field))
        .expect("the field's row");
    let cells = within(*row, "td");
    assert_eq!(cells.last().map(String::as_str), Some("2"), "{cells:?}");
    assert_eq!(cells[1], "1", "one accepted");
    assert_eq!(cells[2], "1", "one in progress");
    assert_eq!(
        page.count("svg[role=img] > title"),
        3,
        "three charts, each titled"
    );
    // Coverage: Harburg has it done, Altona planned; every other goal is a gap.
    let coverage = page.select("table:has(#abdeckung-tabelle) tbody tr");
    assert_eq!(coverage.len() as i64, goals);
    let href = format!("/strategie/ziele/{goal}");
    let linked = coverage
        .iter()
        .find(|row| {
            row.select(&scraper::Selector::parse("a").expect("a selector"))
                .any(|link| link.value().attr("href") == Some(href.as_str()))
        })
        .expect("the goal's row");
    let first = within(*linked, "td");
    assert_eq!(first[0], "2");
    assert!(first.contains(&"umgesetzt (1)".to_owned()), "{first:?}");
    assert!(first.contains(&"geplant (1)".to_owned()), "{first:?}");
    assert_eq!(
        page.count("#ohne-massnahmen-titel + ul li") as i64,
        goals - 1,
        "every other goal has no measure"
    );
    let without = page.texts("#ohne-ziel-titel + ul li a");
    assert_eq!(without.len(), 1, "{without:?}");
    assert!(without[0].ends_with("Ohne Ziel"));
    assert!(page.texts("#schnell-titel + ul li a")[0].ends_with("Bürgerbüro schnell online"));
    // Progress: this month counts one done and one planned row.
    let months = page.select("table:has(#verlauf-tabelle) tbody tr");
    assert_eq!(months.len(), 12);
    assert_eq!(within(months[11], "td"), ["1", "0", "1"]);
    assert_eq!(
        page.text("#rang-titel + p"),
        "Noch ist keine Runde beschlossen."
    );
}

#[tokio::test]
async fn the_strategy_report_lists_each_goal_with_its_measures_and_where_they_stand() {
    let app = spawn_app().await;
    let (goal, position): (uuid::Uuid, i32) =
        sqlx::query_as("select id, position from goals limit 1")
            .fetch_one(&app.db)
            .await
            .expect("a goal");
    let linked = measure(&app, "Bürgerbüro im Netz", "in_progress", Some(goal)).await;
    measure(&app, "Entwurf bleibt draußen", "draft", Some(goal)).await;
    sqlx::query(
        "insert into measure_implementations (measure_id, office, state, as_of, note)
         values ($1, 'harburg', 'done', date '2026-05-04', 'Läuft seit Mai.'),
                ($1, 'altona', 'done', current_date, ''),
                ($1, 'wandsbek', 'planned', current_date, '')",
    )
    .bind(linked)
    .execute(&app.db)
    .await
    .expect("implementation rows");
    let staff = app.signed_in(Role::Staff).await;

    let page = staff.page("/berichte/strategie").await;
    assert!(
        page.text(".report-title .kern-preline")
            .starts_with("Bericht zur Digitalstrategie · Stand ")
    );
    assert_eq!(page.count("h2#vision"), 1);
    let goal_block = page
        .select(".report-goal")
        .into_iter()
        .find(|block| {
            within(*block, "a")
                .iter()
                .any(|link| link.ends_with("Bürgerbüro im Netz"))
        })
        .expect("the goal with the measure");
    assert!(within(goal_block, "h4")[0].starts_with(&format!("Ziel {position}: ")));
    let cells = within(goal_block, "td");
    assert_eq!(cells[0], "In Umsetzung");
    assert_eq!(cells[1], "umgesetzt: Altona, Harburg; geplant: Wandsbek");
    assert!(
        !page
            .texts("a")
            .iter()
            .any(|text| text.contains("Entwurf bleibt"))
    );
    assert_eq!(
        page.count("#kennzahlen ~ * svg[role=img], section:has(#kennzahlen) svg[role=img]"),
        3
    );

    let office = staff.page("/berichte/bezirksaemter/harburg").await;
    assert_eq!(office.text("h1"), "Bezirksamt Harburg");
    let done = office.select("section:has(#teil-umgesetzt) tbody tr");
    assert_eq!(done.len(), 1);
    let row = within(done[0], "th, td");
    assert!(row[0].ends_with("Bürgerbüro im Netz"));
    assert_eq!(row[3], "04.05.2026");
    assert_eq!(row[4], "Läuft seit Mai.");
    assert_eq!(office.text("#teil-geplant + p"), "Keine Maßnahme.");
    let missing = staff.get("/berichte/bezirksaemter/zentral").await;
    assert_eq!(
        missing.status,
        StatusCode::NOT_FOUND,
        "not a district office"
    );
}

#[tokio::test]
async fn a_measures_profile_gathers_its_facts_goals_and_offices_on_one_page() {
    let app = spawn_app().await;
    let goal: uuid::Uuid = sqlx::query_scalar("select id from goals limit 1")
        .fetch_one(&app.db)
        .await
        .expect("a goal");
    let id = measure(&app, "Bürgerbüro im Netz", "in_progress", Some(goal)).await;
    with_facts(&app, id).await;
    sqlx::query(
        "insert into measure_implementations (measure_id, office, state, as_of)
         values ($1, 'harburg', 'done', date '2026-05-04')",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .expect("a row");
    let staff = app.signed_in(Role::Staff).await;
    let measure_page = staff.page(&format!("/massnahmen/{id}")).await;
    assert!(
        measure_page
            .links("a")
            .contains(&format!("/massnahmen/{id}/steckbrief"))
    );

    let page = staff.page(&format!("/massnahmen/{id}/steckbrief")).await;
    assert!(page.text("h1").ends_with("Bürgerbüro im Netz"));
    let facts: Vec<String> = page.texts(".profile-facts div");
    assert!(facts.contains(&"Kosten125.000 €".to_owned()), "{facts:?}");
    assert!(
        facts.contains(&"Zeitraumab 01.03.2027".to_owned()),
        "{facts:?}"
    );
    assert_eq!(page.count("#ziele + ul li"), 1);
    let rows = page.select(".profile-table tbody tr");
    assert_eq!(rows.len(), 7, "every district office");
    let states: Vec<String> = rows.iter().map(|row| within(*row, "td").concat()).collect();
    assert!(
        states.contains(&"umgesetzt seit 04.05.2026".to_owned()),
        "{states:?}"
    );
    assert_eq!(states.iter().filter(|state| *state == "offen").count(), 6);
}

#[tokio::test]
async fn the_reports_come_as_pdf_ua_with_the_stored_values() {
    let app = spawn_app().await;
    let goal: uuid::Uuid = sqlx::query_scalar("select id from goals limit 1")
        .fetch_one(&app.db)
        .await
        .expect("a goal");
    let id = measure(&app, "Bürgerbüro im Netz", "in_progress", Some(goal)).await;
    measure(&app, "Entwurf bleibt draußen", "draft", Some(goal)).await;
    // Text is data, never typst markup.
    let markup = measure(
        &app,
        "#set page(width: 1cm) *kein* Markup",
        "accepted",
        Some(goal),
    )
    .await;
    with_facts(&app, id).await;
    sqlx::query(
        "insert into measure_implementations (measure_id, office, state, as_of, note)
         values ($1, 'harburg', 'done', date '2026-05-04', 'Läuft seit Mai.'),
                ($2, 'harburg', 'planned', null, '')",
    )
    .bind(id)
    .bind(markup)
    .execute(&app.db)
    .await
    .expect("rows");
    let number: i64 = sqlx::query_scalar("select number from measures where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("its number");
    let staff = app.signed_in(Role::Staff).await;

    let office = staff.get("/berichte/bezirksaemter/harburg/pdf").await;
    assert_eq!(office.status, StatusCode::OK);
    assert_eq!(office.header("content-type"), Some("application/pdf"));
    assert!(
        office
            .header("content-disposition")
            .is_some_and(|value| value.starts_with("attachment; filename=\"bericht-harburg-"))
    );
    let found = pdf::assert_accessible(&office.bytes, "Bericht Bezirksamt Harburg");
    assert!(found.tags.iter().any(|tag| tag == "TH"), "table headers");
    let text = pdf::text(&office.bytes);
    let title = format!("M-{number} Bürgerbüro im Netz");
    assert!(!text.contains("Entwurf bleibt"));
    for expected in [
        title.as_str(),
        "In Umsetzung",
        "04.05.2026",
        "Läuft seit Mai.",
        "Federführend ist es bei 0 Maßnahmen",
        "#set page(width: 1cm) *kein* Markup",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text:?}");
    }

    let profile = staff.get(&format!("/massnahmen/{id}/steckbrief/pdf")).await;
    assert_eq!(profile.status, StatusCode::OK);
    pdf::assert_accessible(
        &profile.bytes,
        &format!("Steckbrief M-{number} Bürgerbüro im Netz"),
    );
    let text = pdf::text(&profile.bytes);
    for expected in [
        "Termine online buchen.",
        "125.000 €",
        "ab 01.03.2027",
        "Harburg umgesetzt seit 04.05.2026",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text:?}");
    }
}
