//! The Fortschreibung in the browser's terms: the strategy team edits the draft tree (with a
//! history, conflicts detected, the published iteration read-only), carries the measures over
//! (every measure with an ending goal decided, a form saved whole or not at all) and publishes
//! in one step; the archived iteration reads as it was.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use prima::db::seed::strategy_2020;

use crate::measures::{base, propose, two_goals};
use crate::support::accounts::Client;
use crate::support::{TestApp, spawn_app};

async fn start_draft(app: &TestApp, team: &Client) -> uuid::Uuid {
    let started = team
        .post_form(
            "/strategie/iterationen",
            &[
                ("version_label", "2.0 – 2022"),
                ("title", "Digitalstrategie der Bezirksämter 2.0"),
            ],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    sqlx::query_scalar("select id from strategies where status = 'draft'")
        .fetch_one(&app.db)
        .await
        .expect("the draft")
}

/// The `n`-th goal of `strategy` still in it, in the document's order.
async fn goal_at(app: &TestApp, strategy: uuid::Uuid, n: i64) -> uuid::Uuid {
    sqlx::query_scalar(
        "select g.id from goals g join fields f on f.id = g.field_id
         where f.strategy_id = $1 and g.retired_at is null
         order by f.position, g.position offset $2 limit 1",
    )
    .bind(strategy)
    .bind(n)
    .fetch_optional(&app.db)
    .await
    .expect("read")
    .unwrap_or_else(|| panic!("no goal {n}"))
}

async fn first_goals(app: &TestApp, strategy: uuid::Uuid) -> Vec<(uuid::Uuid, uuid::Uuid)> {
    sqlx::query_as(
        "select f.id, g.id from goals g join fields f on f.id = g.field_id
         where f.strategy_id = $1 and g.retired_at is null
         order by f.position, g.position",
    )
    .bind(strategy)
    .fetch_all(&app.db)
    .await
    .expect("goals")
}

#[tokio::test]
async fn the_strategy_team_edits_the_draft_with_history_and_conflicts_and_nothing_else() {
    let app = spawn_app().await;
    let team = app.signed_in(Role::StrategyTeam).await;
    let colleague = app.signed_in(Role::StrategyTeam).await;
    let staff = app.signed_in(Role::Staff).await;
    let published: uuid::Uuid =
        sqlx::query_scalar("select id from strategies where status = 'published'")
            .fetch_one(&app.db)
            .await
            .expect("the strategy in force");
    let draft = start_draft(&app, &team).await;
    let goals = first_goals(&app, draft).await;
    let (first_field, goal) = goals[0];
    let second_field = goals
        .iter()
        .map(|(field, _)| *field)
        .find(|field| *field != first_field)
        .expect("a second field");

    // Reworded against the version the form showed.
    let form = team
        .page(&format!("/strategie/ziele/{goal}/bearbeiten"))
        .await;
    let fields = form.form_fields(&format!("/strategie/ziele/{goal}/bearbeiten"));
    let version = fields
        .iter()
        .find(|(name, _)| name == "version")
        .map(|(_, value)| value.clone())
        .expect("the version in the form");
    assert_eq!(version, "1");
    let first = "Wir gestalten die Verwaltung gemeinsam digital.";
    let saved = team
        .post_form(
            &format!("/strategie/ziele/{goal}/bearbeiten"),
            &[
                ("version", "1"),
                ("statement", first),
                ("field_id", &first_field.to_string()),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // A colleague who opened the form before that save: 409, their input kept, the change shown.
    let theirs = "Wir gestalten die Verwaltung menschlich.";
    let conflict = colleague
        .post_form(
            &format!("/strategie/ziele/{goal}/bearbeiten"),
            &[
                ("version", "1"),
                ("statement", theirs),
                ("field_id", &first_field.to_string()),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    let page = conflict.page();
    assert_eq!(page.text("#statement"), theirs, "the input is kept");
    assert!(page.text(".conflict").contains(first), "what changed");
    let stored: (String, i32) =
        sqlx::query_as("select statement, version from goals where id = $1")
            .bind(goal)
            .fetch_one(&app.db)
            .await
            .expect("the goal");
    assert_eq!(stored, (first.to_owned(), 2), "nothing overwritten");

    // Moved into another field: to its end, the gap closed behind it.
    let moved = team
        .post_form(
            &format!("/strategie/ziele/{goal}/bearbeiten"),
            &[
                ("version", "2"),
                ("statement", first),
                ("field_id", &second_field.to_string()),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let positions = |field: uuid::Uuid| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i32>(
                "select position from goals where field_id = $1 order by position",
            )
            .bind(field)
            .fetch_all(&db)
            .await
            .expect("positions")
        }
    };
    let left = positions(first_field).await;
    assert_eq!(
        left,
        (1..=i32::try_from(left.len()).expect("few")).collect::<Vec<_>>()
    );
    let target = positions(second_field).await;
    let (field_now, position_now): (uuid::Uuid, i32) =
        sqlx::query_as("select field_id, position from goals where id = $1")
            .bind(goal)
            .fetch_one(&app.db)
            .await
            .expect("the goal");
    assert_eq!(field_now, second_field);
    assert_eq!(Some(&position_now), target.last());

    // Up one place: it swaps with its neighbour.
    let up = team
        .post_form(
            &format!("/strategie/ziele/{goal}/verschieben"),
            &[("direction", "hoch")],
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER);
    let position_after: i32 = sqlx::query_scalar("select position from goals where id = $1")
        .bind(goal)
        .fetch_one(&app.db)
        .await
        .expect("the goal");
    assert_eq!(position_after, position_now - 1);

    // Bad input: German messages next to the fields, input kept.
    let empty = team
        .post_form(
            &format!("/strategie/ziele/{goal}/bearbeiten"),
            &[
                ("version", "3"),
                ("statement", ""),
                ("field_id", &second_field.to_string()),
                ("note", "Bleibt stehen."),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .page()
            .text("#statement-fehler")
            .contains("Zielformulierung")
    );
    assert_eq!(empty.page().text("#note"), "Bleibt stehen.");

    // An action dimension deferred needs its reason.
    let dimension: uuid::Uuid = sqlx::query_scalar(
        "select id from action_dimensions where strategy_id = $1 order by position limit 1",
    )
    .bind(draft)
    .fetch_one(&app.db)
    .await
    .expect("a dimension");
    let path = format!("/strategie/dimensionen/{dimension}/bearbeiten");
    let refused = team
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("name", "Technologie"),
                ("description", "Text"),
                ("deferred", "ja"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .page()
            .text("#deferral_note-fehler")
            .contains("begründen")
    );
    let deferred = team
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("name", "Technologie"),
                ("description", "Text"),
                ("deferred", "ja"),
                ("deferral_note", "Erst in der nächsten Iteration."),
            ],
        )
        .await;
    assert_eq!(deferred.status, StatusCode::SEE_OTHER, "{}", deferred.body);
    // Saving it unchanged writes nothing: no new version, no line in the history.
    let lines = || {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select count(*) from strategy_events")
                .fetch_one(&db)
                .await
                .expect("count")
        }
    };
    let before_lines = lines().await;
    let unchanged = team
        .post_form(
            &path,
            &[
                ("version", "2"),
                ("name", "Technologie"),
                ("description", "Text"),
                ("deferred", "ja"),
                ("deferral_note", "Erst in der nächsten Iteration."),
            ],
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::SEE_OTHER);
    assert_eq!(lines().await, before_lines);

    // A new cross-cutting theme with a goal; a second one of the same name is refused.
    let theme = [
        ("name", "Offene Verwaltung"),
        ("kind", "cross_cutting_theme"),
        ("section", ""),
        (
            "description",
            "Wir arbeiten **offen**. <script>alert(1)</script>",
        ),
    ];
    let added = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/felder/neu"),
            &theme,
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let twice = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/felder/neu"),
            &theme,
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.page().text("#name-fehler").contains("schon"));
    let theme_id: uuid::Uuid = sqlx::query_scalar(
        "select id from fields where strategy_id = $1 and name = 'Offene Verwaltung'",
    )
    .bind(draft)
    .fetch_one(&app.db)
    .await
    .expect("the theme");
    let new_goal = team
        .post_form(
            &format!("/strategie/felder/{theme_id}/ziele/neu"),
            &[
                ("statement", "Wir berichten offen über unsere Maßnahmen."),
                ("field_id", &theme_id.to_string()),
            ],
        )
        .await;
    assert_eq!(new_goal.status, StatusCode::SEE_OTHER, "{}", new_goal.body);
    let theme_page = team.page(&format!("/strategie/felder/{theme_id}")).await;
    assert_eq!(theme_page.count(".markdown strong"), 1, "Markdown rendered");
    assert_eq!(theme_page.count("main script"), 0, "raw HTML is text");

    // Retired, against its version; a stale version changes nothing.
    let (_, retiring) = first_goals(&app, draft).await[1];
    let stale = team
        .post_form(
            &format!("/strategie/ziele/{retiring}/entfallen"),
            &[("version", "7"), ("retire", "ja")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let retired = team
        .post_form(
            &format!("/strategie/ziele/{retiring}/entfallen"),
            &[("version", "1"), ("retire", "ja")],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    let tree = team.page(&format!("/strategie/iterationen/{draft}")).await;
    assert!(tree.text(&format!("#ziel-{retiring}")).contains("Entfällt"));

    // The history: every change with who and what before and after.
    let history = team
        .page(&format!("/strategie/iterationen/{draft}/verlauf"))
        .await;
    assert!(
        history.count(".history-entry") >= 7,
        "{}",
        history.text("main")
    );
    assert!(history.text("main").contains(first));
    assert!(history.text("main").contains("Zurückgestellt"));

    // The iteration in force is read-only; the draft is the strategy team's alone.
    let (_, published_goal) = first_goals(&app, published).await[0];
    let before: String = sqlx::query_scalar("select statement from goals where id = $1")
        .bind(published_goal)
        .fetch_one(&app.db)
        .await
        .expect("a goal in force");
    let read_only = team
        .post_form(
            &format!("/strategie/ziele/{published_goal}/bearbeiten"),
            &[
                ("version", "1"),
                ("statement", "Geändert"),
                ("field_id", &first_field.to_string()),
            ],
        )
        .await;
    assert_eq!(read_only.status, StatusCode::CONFLICT);
    assert!(read_only.page().text("main").contains("Fortschreibung"));
    let form = team
        .get(&format!("/strategie/ziele/{published_goal}/bearbeiten"))
        .await;
    assert_eq!(form.status, StatusCode::CONFLICT);
    assert_eq!(form.page().count("form.strategy-form"), 0);
    let after: String = sqlx::query_scalar("select statement from goals where id = $1")
        .bind(published_goal)
        .fetch_one(&app.db)
        .await
        .expect("a goal in force");
    assert_eq!(before, after);
    assert_eq!(
        staff
            .get(&format!("/strategie/iterationen/{draft}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff
            .post_form(
                &format!("/strategie/ziele/{goal}/verschieben"),
                &[("direction", "hoch")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        staff.get(&format!("/strategie/ziele/{goal}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn measures_are_carried_over_and_publishing_archives_the_old_iteration() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let team = app.signed_in(Role::StrategyTeam).await;
    let central_user = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    let central = app.login(&central_user).await;
    let (goal_a, goal_b) = two_goals();
    let document = strategy_2020().expect("the shipped content");
    let goal_c = document.fields[0].goals[0].id.to_string();
    let goal_d = document.fields[1].goals[0].id.to_string();
    let ending = propose(
        &author,
        &base("Maßnahme mit entfallendem Ziel", &goal_a, &goal_b),
    )
    .await;
    let merging = propose(
        &author,
        &base("Maßnahme zum Zusammenführen", &goal_a, &goal_b),
    )
    .await;
    let carried = propose(&author, &base("Maßnahme, die weitergeht", &goal_c, &goal_d)).await;
    let target = propose(&author, &base("Ziel der Zusammenführung", &goal_c, &goal_d)).await;
    let target_number: i64 = sqlx::query_scalar("select number from measures where id = $1::uuid")
        .bind(&target)
        .fetch_one(&app.db)
        .await
        .expect("a number");
    let old: uuid::Uuid =
        sqlx::query_scalar("select id from strategies where status = 'published'")
            .fetch_one(&app.db)
            .await
            .expect("the strategy in force");

    let draft = start_draft(&app, &team).await;
    let successor_of_a: uuid::Uuid =
        sqlx::query_scalar("select id from goals where origin_id = $1::uuid")
            .bind(&goal_a)
            .fetch_one(&app.db)
            .await
            .expect("the copy of goal A");
    let retired = team
        .post_form(
            &format!("/strategie/ziele/{successor_of_a}/entfallen"),
            &[("version", "1"), ("retire", "ja")],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);

    // The measures whose goal ends come first and block publishing.
    let carry_over = format!("/strategie/iterationen/{draft}/uebernahme");
    let page = team.page(&carry_over).await;
    let legends = page.texts("legend");
    assert_eq!(legends.len(), 2, "only they in full: {legends:?}");
    assert!(
        legends
            .iter()
            .any(|legend| legend.contains("entfallendem Ziel"))
    );
    let brief = page.texts(".carryover-brief li");
    assert_eq!(brief.len(), 2, "the others one line each: {brief:?}");
    assert!(
        brief
            .iter()
            .any(|line| line.contains("weitergeht")
                && line.contains("2 Ziele in der neuen Iteration"))
    );
    let opened = team.page(&format!("{carry_over}?anders={carried}")).await;
    assert_eq!(opened.count("legend"), 3, "one opened to decide otherwise");
    let blocked = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/veroeffentlichen"),
            &[],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert!(blocked.body.contains("2 Maßnahmen"), "{}", blocked.body);

    // All or nothing: one bad decision saves none.
    let bad = team
        .post_form(
            &carry_over,
            &[
                (format!("entscheidung-{ending}").as_str(), "retire"),
                (format!("entscheidung-{merging}").as_str(), "merge"),
                (format!("mit-{merging}").as_str(), "M-999999"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.page()
            .text(&format!("#mit-{merging}-fehler"))
            .contains("Nummer")
    );
    let saved: i64 = sqlx::query_scalar("select count(*) from carryover_decisions")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(saved, 0);
    let relink_to = goal_at(&app, draft, 5).await;
    let good = team
        .post_form(
            &carry_over,
            &[
                (format!("entscheidung-{ending}").as_str(), "relink"),
                (format!("ziele-{ending}").as_str(), &relink_to.to_string()),
                (format!("entscheidung-{merging}").as_str(), "merge"),
                (
                    format!("mit-{merging}").as_str(),
                    &format!("M-{target_number}"),
                ),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);

    // An open round of the iteration in force blocks publishing until it is frozen.
    let catalogue = prima::db::criteria::current(&app.db)
        .await
        .expect("read")
        .expect("the catalogue");
    let round = prima::db::rounds::open(
        &app.db,
        &prima::db::rounds::NewRound {
            name: &prima::domain::prioritisation::rounds::RoundName::parse("Runde 2021")
                .expect("a name"),
            deadline: chrono::NaiveDate::from_ymd_opt(2099, 1, 31).expect("a date"),
            catalogue_id: catalogue.id,
            measures: &[prima::domain::ids::MeasureId(
                carried.parse().expect("an id"),
            )],
            by: central_user.id,
            notice: "Bitte bewerten.",
        },
    )
    .await
    .expect("a round");
    let blocked = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/veroeffentlichen"),
            &[],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert!(blocked.body.contains("Runde 2021"), "{}", blocked.body);
    let frozen = central
        .post_form(
            &format!("/priorisierung/runden/{round}/einfrieren"),
            &[
                ("beschlossen_am", "2026-12-01"),
                ("gremium", "Konferenz der Bezirksamtsleitungen"),
            ],
        )
        .await;
    assert_eq!(frozen.status, StatusCode::SEE_OTHER, "{}", frozen.body);

    let published = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/veroeffentlichen"),
            &[],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let statuses: Vec<(uuid::Uuid, String)> =
        sqlx::query_as("select id, status::text from strategies order by created_at")
            .fetch_all(&app.db)
            .await
            .expect("statuses");
    assert_eq!(
        statuses,
        vec![
            (old, "archived".to_owned()),
            (draft, "published".to_owned())
        ]
    );
    let links = |measure: &str| {
        let db = app.db.clone();
        let measure = measure.to_owned();
        async move {
            sqlx::query_scalar::<_, uuid::Uuid>(
                "select goal_id from measure_goals where measure_id = $1::uuid order by goal_id",
            )
            .bind(measure)
            .fetch_all(&db)
            .await
            .expect("links")
        }
    };
    assert_eq!(links(&ending).await, vec![relink_to], "relinked by hand");
    let mut successors: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select id from goals where origin_id in ($1::uuid, $2::uuid) order by id",
    )
    .bind(&goal_c)
    .bind(&goal_d)
    .fetch_all(&app.db)
    .await
    .expect("successors");
    successors.sort();
    assert_eq!(links(&carried).await, successors, "kept by lineage");
    let (status, merged_into): (String, Option<uuid::Uuid>) =
        sqlx::query_as("select status::text, merged_into from measures where id = $1::uuid")
            .bind(&merging)
            .fetch_one(&app.db)
            .await
            .expect("the merged one");
    assert_eq!(status, "merged");
    assert_eq!(merged_into.map(|id| id.to_string()), Some(target.clone()));
    let archived: i64 = sqlx::query_scalar(
        "select count(*) from archived_measure_goals a join goals g on g.id = a.goal_id
         join fields f on f.id = g.field_id where f.strategy_id = $1",
    )
    .bind(old)
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(
        archived, 8,
        "four measures with two goals each, as they were"
    );
    let stale: i64 = sqlx::query_scalar(
        "select count(*) from measure_goals mg join goals g on g.id = mg.goal_id
         join fields f on f.id = g.field_id where f.strategy_id = $1",
    )
    .bind(old)
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(stale, 0);

    // The new iteration is in force, without its retired goal; the old one reads as it was.
    let strategy = author.page("/strategie").await;
    assert!(strategy.text("main").contains("2.0 – 2022"));
    assert_eq!(
        strategy
            .links("a")
            .iter()
            .filter(|href| href.contains(&successor_of_a.to_string()))
            .count(),
        0,
        "the retired goal is gone"
    );
    let archived_goal = author.page(&format!("/strategie/ziele/{goal_a}")).await;
    assert!(
        archived_goal
            .text(".iteration-banner")
            .contains("1.0 – 2020"),
        "{}",
        archived_goal.text("main")
    );
    let listed = archived_goal.texts(".measure-list a");
    assert_eq!(listed.len(), 2, "{listed:?}");
    let old_tree = author.page(&format!("/strategie/iterationen/{old}")).await;
    assert!(old_tree.text(".archived-banner").contains("abgelöst"));
    assert!(old_tree.text("main").contains("Runde 2021"));
    let iterations = author.page("/strategie/iterationen").await;
    assert_eq!(iterations.count(".iteration-row"), 2);
    assert!(iterations.text("main").contains("archiviert"));

    // Published: the carry-over is done, a second publication refused.
    let again = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/veroeffentlichen"),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn retiring_a_measure_in_the_carry_over_discontinues_it_with_the_reason() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let team = app.signed_in(Role::StrategyTeam).await;
    let (goal_a, goal_b) = two_goals();
    let measure = propose(&author, &base("Wird eingestellt", &goal_a, &goal_b)).await;
    let draft = start_draft(&app, &team).await;
    let carry_over = format!("/strategie/iterationen/{draft}/uebernahme");
    let decision = format!("entscheidung-{measure}");
    let decided = || {
        let db = app.db.clone();
        async move {
            prima::db::carryover::overview(&db, prima::domain::ids::StrategyId(draft))
                .await
                .expect("read")
                .expect("a draft")
                .candidates[0]
                .decision
                .clone()
        }
    };

    // Relinked by hand to a goal that is retired afterwards: the decision no longer counts.
    let chosen = goal_at(&app, draft, 3).await;
    let relinked = team
        .post_form(
            &carry_over,
            &[
                (decision.as_str(), "relink"),
                (format!("ziele-{measure}").as_str(), &chosen.to_string()),
            ],
        )
        .await;
    assert_eq!(relinked.status, StatusCode::SEE_OTHER, "{}", relinked.body);
    assert!(decided().await.is_some());
    let retired = team
        .post_form(
            &format!("/strategie/ziele/{chosen}/entfallen"),
            &[("version", "1"), ("retire", "ja")],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    assert_eq!(decided().await, None);

    // "Noch nicht entschieden" takes a decision back.
    let saved = team
        .post_form(&carry_over, &[(decision.as_str(), "retire")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(decided().await.is_some());
    let undone = team
        .post_form(&carry_over, &[(decision.as_str(), "")])
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER);
    assert_eq!(decided().await, None);
    let saved = team
        .post_form(&carry_over, &[(decision.as_str(), "retire")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let published = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/veroeffentlichen"),
            &[],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let (status, reason): (String, Option<String>) =
        sqlx::query_as("select status::text, status_reason from measures where id = $1::uuid")
            .bind(&measure)
            .fetch_one(&app.db)
            .await
            .expect("the measure");
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("discontinued", Some("Fortschreibung"))
    );
    let page = author.page(&format!("/massnahmen/{measure}")).await;
    assert!(page.text("main").contains("Fortschreibung"));
    assert!(links_empty(&app, &measure).await);
}

async fn links_empty(app: &TestApp, measure: &str) -> bool {
    let count: i64 =
        sqlx::query_scalar("select count(*) from measure_goals where measure_id = $1::uuid")
            .bind(measure)
            .fetch_one(&app.db)
            .await
            .expect("count");
    count == 0
}

#[tokio::test]
async fn a_draft_is_discarded_whole_after_a_confirmation_that_notices_later_changes() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let member = app
        .create_user(
            &[Role::StrategyTeam],
            prima::domain::office::Office::Central,
        )
        .await;
    let team = app.login(&member).await;
    let colleague = app.signed_in(Role::StrategyTeam).await;
    let (goal_a, goal_b) = two_goals();
    let measure = propose(&author, &base("Bleibt, wie sie ist", &goal_a, &goal_b)).await;
    let in_force = || {
        let db = app.db.clone();
        async move {
            sqlx::query_as::<_, (i64, i64, i64)>(
                "select (select count(*) from goals g join fields f on f.id = g.field_id
                         join strategies s on s.id = f.strategy_id and s.status = 'published'),
                        (select count(*) from measure_goals),
                        (select count(*) from criteria)",
            )
            .fetch_one(&db)
            .await
            .expect("counts")
        }
    };
    let before = in_force().await;
    let draft = start_draft(&app, &team).await;
    let discard = format!("/strategie/iterationen/{draft}/verwerfen");

    // Work in the draft: a reworded goal and a carry-over decision.
    let goal = goal_at(&app, draft, 0).await;
    let (field,): (uuid::Uuid,) = sqlx::query_as("select field_id from goals where id = $1")
        .bind(goal)
        .fetch_one(&app.db)
        .await
        .expect("the field");
    let reworded = team
        .post_form(
            &format!("/strategie/ziele/{goal}/bearbeiten"),
            &[
                ("version", "1"),
                (
                    "statement",
                    "Wir gestalten die Verwaltung gemeinsam digital.",
                ),
                ("field_id", &field.to_string()),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(reworded.status, StatusCode::SEE_OTHER, "{}", reworded.body);
    let decided = team
        .post_form(
            &format!("/strategie/iterationen/{draft}/uebernahme"),
            &[(format!("entscheidung-{measure}").as_str(), "retire")],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);

    // The tree leads to the confirmation, which says what goes with the draft.
    let tree = team.page(&format!("/strategie/iterationen/{draft}")).await;
    assert!(
        tree.links(".draft-tools a")
            .iter()
            .any(|link| link == &discard)
    );
    let confirmation = team.page(&discard).await;
    let losses = confirmation.text(".discard-losses");
    assert!(losses.contains("1 Eintrag im Verlauf"), "{losses}");
    assert!(losses.contains("1 Entscheidung zur Übernahme"), "{losses}");
    let mark = confirmation
        .form_fields(&discard)
        .into_iter()
        .find(|(name, _)| name == "stand")
        .map(|(_, value)| value)
        .expect("the state the confirmation shows");

    // A colleague changes the draft meanwhile: not discarded, the page says so and counts anew.
    let retired = colleague
        .post_form(
            &format!("/strategie/ziele/{goal}/entfallen"),
            &[("version", "2"), ("retire", "ja")],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER, "{}", retired.body);
    let stale = team.post_form(&discard, &[("stand", &mark)]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let page = stale.page();
    assert!(
        page.text(".discard-changed")
            .contains("inzwischen geändert")
    );
    assert!(
        page.text(".discard-losses")
            .contains("2 Einträge im Verlauf")
    );
    let drafts: i64 = sqlx::query_scalar("select count(*) from strategies where id = $1")
        .bind(draft)
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(drafts, 1, "nothing discarded");

    // Only the strategy team; a published iteration stays.
    assert_eq!(author.get(&discard).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        author.post_form(&discard, &[("stand", &mark)]).await.status,
        StatusCode::FORBIDDEN
    );
    let published: uuid::Uuid =
        sqlx::query_scalar("select id from strategies where status = 'published'")
            .fetch_one(&app.db)
            .await
            .expect("the strategy in force");
    let refused = team
        .post_form(
            &format!("/strategie/iterationen/{published}/verwerfen"),
            &[("stand", &mark)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(
        team.get(&format!(
            "/strategie/iterationen/{}/verwerfen",
            uuid::Uuid::new_v4()
        ))
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Confirmed on the page as it is now: the draft goes whole, the rest stays as it was.
    let mark = page
        .form_fields(&discard)
        .into_iter()
        .find(|(name, _)| name == "stand")
        .map(|(_, value)| value)
        .expect("the new state");
    let discarded = team.post_form(&discard, &[("stand", &mark)]).await;
    assert_eq!(
        discarded.status,
        StatusCode::SEE_OTHER,
        "{}",
        discarded.body
    );
    assert_eq!(
        discarded.header("location"),
        Some("/strategie/iterationen?verworfen=1")
    );
    let left: (i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from strategies where id = $1),
                (select count(*) from strategy_events where strategy_id = $1),
                (select count(*) from carryover_decisions where strategy_id = $1),
                (select count(*) from criteria_catalogues where strategy_id = $1)",
    )
    .bind(draft)
    .fetch_one(&app.db)
    .await
    .expect("counts");
    assert_eq!(left, (0, 0, 0, 0));
    assert_eq!(in_force().await, before, "the strategy in force unchanged");
    let status: String =
        sqlx::query_scalar("select status::text from measures where id = $1::uuid")
            .bind(&measure)
            .fetch_one(&app.db)
            .await
            .expect("the measure");
    assert_eq!(
        status, "submitted",
        "its carry-over decision went with the draft"
    );

    // The list says who gave it up; a new Fortschreibung can begin, even with the same label.
    let list = team.page("/strategie/iterationen?verworfen=1").await;
    assert!(
        list.text(".kern-alert--success")
            .contains("Entwurf verworfen")
    );
    let record = list.text(".discarded-drafts");
    assert!(record.contains("2.0 – 2022"), "{record}");
    assert!(record.contains(&member.name), "{record}");
    assert!(
        record.contains("2 Änderungen und 1 Übernahme-Entscheidung"),
        "{record}"
    );
    assert!(
        !author
            .page("/strategie/iterationen")
            .await
            .text("main")
            .contains("Verworfene"),
        "drafts are the strategy team's"
    );
    start_draft(&app, &team).await;
}

#[tokio::test]
async fn a_fortschreibung_is_published_on_the_day_it_is_in_hamburg_whatever_the_databases_clock() {
    let app = spawn_app().await;
    let member = app.create_user(&[Role::StrategyTeam], Office::Altona).await;
    let team = app.login(&member).await;
    let draft = start_draft(&app, &team).await;
    // A database whose sessions run in a zone whose date differs from Hamburg's right now
    // (one of these two always does): its current_date is not Hamburg's today.
    let hamburg = prima::domain::time::today();
    // Neither zone has daylight saving time: UTC+14 and UTC−11.
    let zone = [
        ("Pacific/Kiritimati", 14 * 3600),
        ("Pacific/Pago_Pago", -11 * 3600),
    ]
    .into_iter()
    .find(|(_, offset)| {
        let offset = chrono::FixedOffset::east_opt(*offset).expect("an offset");
        chrono::Utc::now().with_timezone(&offset).date_naive() != hamburg
    })
    .map(|(zone, _)| zone)
    .expect("one zone is a day away from Hamburg");
    let far = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                sqlx::query("select set_config('TimeZone', $1, false)")
                    .bind(zone)
                    .execute(&mut *connection)
                    .await?;
                Ok(())
            })
        })
        .connect_with(crate::support::cluster::cluster().options(&app.database_name))
        .await
        .expect("a connection in the far zone");
    let their_date: chrono::NaiveDate = sqlx::query_scalar("select current_date")
        .fetch_one(&far)
        .await
        .expect("the database's date");
    assert_ne!(their_date, hamburg, "the test means something");
    prima::db::carryover::publish(&far, draft.into(), member.id)
        .await
        .expect("published");
    let published_on: chrono::NaiveDate =
        sqlx::query_scalar("select published_on from strategies where id = $1")
            .bind(draft)
            .fetch_one(&app.db)
            .await
            .expect("the date");
    assert_eq!(published_on, hamburg);
}
