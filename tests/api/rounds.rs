//! Prioritisation rounds: opening one, blind assessments by every office, the median and the
//! final value, and a frozen round that never changes, not even through SQL.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::accounts::Client;
use crate::support::{TestApp, spawn_app};

/// A measure in `status` (by its slug in the database), proposed by a new staff member.
async fn measure(app: &TestApp, title: &str, status: &str) -> uuid::Uuid {
    let author = app.create_user(&[Role::Staff], Office::Harburg).await;
    sqlx::query_scalar(
        "insert into measures (id, title, status, lead_office, author_id)
         values (gen_random_uuid(), $1, $2::measure_status, 'harburg', $3) returning id",
    )
    .bind(title)
    .bind(status)
    .bind(author.id.0)
    .fetch_one(&app.db)
    .await
    .expect("a measure")
}

/// Opens a round of the accepted and deferred measures; returns its path.
pub(crate) async fn open_round(central: &Client, name: &str) -> String {
    let response = central
        .post_form(
            "/priorisierung/runden/neu",
            &[("name", name), ("frist", "2099-01-31")],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response
        .header("location")
        .expect("to the round")
        .to_owned()
}

/// Sends an assessment with the same points for every one of the 7 criteria.
async fn assess(
    client: &Client,
    round: &str,
    measure: uuid::Uuid,
    points: &[&str; 7],
) -> StatusCode {
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, value) in points.iter().enumerate() {
        fields.push((format!("w{k}"), (*value).to_owned()));
        fields.push((format!("b{k}"), format!("Grund {k}")));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    client
        .post_form(&format!("{round}/massnahmen/{measure}"), &refs)
        .await
        .status
}

#[tokio::test]
async fn a_round_takes_the_accepted_and_deferred_measures_and_tells_every_district_officer() {
    let app = spawn_app().await;
    let accepted = measure(&app, "Angenommene Maßnahme", "accepted").await;
    measure(&app, "Zurückgestellte Maßnahme", "deferred").await;
    measure(&app, "Eingereichte Maßnahme", "submitted").await;
    let wandsbek = app
        .create_user(&[Role::DistrictOfficer], Office::Wandsbek)
        .await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Priorisierung 2027").await;

    let page = central.page(&round).await;
    let titles = page.texts(".ranking-row th a, .hidden-list a");
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.iter().all(|title| !title.contains("Eingereichte")));
    assert!(page.text(".round-summary").contains("Version 1"));

    let officer = app.login(&wandsbek).await;
    let notes = officer.page("/benachrichtigungen").await;
    assert!(
        notes
            .text(".notification-message")
            .contains("Priorisierung 2027")
    );
    assert_eq!(
        notes.links(".notification-message a"),
        std::slice::from_ref(&round)
    );
    let mine = officer.page(&format!("{round}/bewerten")).await;
    assert_eq!(mine.text(".assessment-progress label"), "0 von 2 bewertet");
    assert!(
        mine.links(".assessment-list--open a")
            .iter()
            .any(|link| link.ends_with(&accepted.to_string()))
    );

    let list = officer.page("/priorisierung/runden").await;
    assert_eq!(list.count(".round-row"), 1);
}

#[tokio::test]
async fn opening_refuses_a_past_deadline_and_a_taken_name_and_keeps_the_input() {
    let app = spawn_app().await;
    measure(&app, "Angenommen", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    open_round(&central, "Runde A").await;
    let refused = central
        .post_form(
            "/priorisierung/runden/neu",
            &[
                ("name", "Runde A"),
                ("frist", "2020-01-01"),
                ("amt", "wandsbek"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.page();
    assert!(page.text("#frist-fehler").contains("Vergangenheit"));
    assert_eq!(
        page.select("#name")[0].value().attr("value"),
        Some("Runde A")
    );
    let again = central
        .post_form(
            "/priorisierung/runden/neu",
            &[("name", "Runde A"), ("frist", "2099-01-01")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.page().text("#name-fehler").contains("gibt es schon"));
    let none = central
        .post_form(
            "/priorisierung/runden/neu",
            &[
                ("name", "Runde B"),
                ("frist", "2099-01-01"),
                ("status", "umgesetzt"),
            ],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.page()
            .text("#status-fehler")
            .contains("keine Maßnahme")
    );
}

#[tokio::test]
async fn values_stay_hidden_until_ones_own_is_submitted_and_staff_never_see_who_gave_which() {
    let app = spawn_app().await;
    let target = measure(&app, "Blind bewertet", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Blindrunde").await;
    let altona = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    let wandsbek = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Wandsbek)
                .await,
        )
        .await;
    let staff = app.signed_in(Role::Staff).await;
    let page_path = format!("{round}/massnahmen/{target}");

    assert_eq!(
        assess(&altona, &round, target, &["9"; 7]).await,
        StatusCode::SEE_OTHER
    );
    let before = wandsbek.page(&page_path).await;
    assert_eq!(before.count(".round-values"), 0, "nothing before one's own");
    assert_eq!(before.count(".individual-values"), 0);
    assert!(!before.text("main").contains("Grund 0"));
    let ranking = wandsbek.page(&round).await;
    assert_eq!(ranking.count(".ranking-row"), 0);
    assert_eq!(ranking.count(".hidden-list li"), 1);

    assert_eq!(
        assess(&wandsbek, &round, target, &["3"; 7]).await,
        StatusCode::SEE_OTHER
    );
    let after = wandsbek.page(&page_path).await;
    let individual = after.texts(".value-row .individual-values");
    assert!(
        individual[0].contains("Altona: 9 – Grund 0"),
        "{individual:?}"
    );
    assert!(individual[0].contains("Wandsbek: 3"));
    assert!(after.texts(".value-row__value")[0].starts_with("6 (Median aus 2)"));
    assert_eq!(wandsbek.page(&round).await.count(".ranking-row"), 1);

    let seen_by_staff = staff.page(&page_path).await;
    assert_eq!(seen_by_staff.count(".individual-values"), 0);
    assert!(!seen_by_staff.text("main").contains("Grund 0"));
    assert!(seen_by_staff.texts(".value-row__value")[0].starts_with("6 (Median aus 2)"));
    assert_eq!(seen_by_staff.count("form.assessment-form"), 0);
    assert_eq!(
        assess(&staff, &round, target, &["5"; 7]).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_median_and_a_final_value_with_its_reason_make_the_score() {
    let app = spawn_app().await;
    let target = measure(&app, "Gemessen", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Rechenrunde").await;
    // Four offices: benefit criteria 4, 6, 8, 9 → median 7; the cost criteria (positions 5, 6)
    // 2, 2, 3, "nicht beurteilbar" → median 2.
    let values = [
        ["4", "4", "4", "4", "4", "2", "2"],
        ["6", "6", "6", "6", "6", "2", "2"],
        ["8", "8", "8", "8", "8", "3", "3"],
        ["9", "9", "9", "9", "9", "nb", "nb"],
    ];
    for (office, points) in [
        Office::Altona,
        Office::Bergedorf,
        Office::Eimsbuettel,
        Office::Harburg,
    ]
    .into_iter()
    .zip(values)
    {
        let officer = app
            .login(&app.create_user(&[Role::DistrictOfficer], office).await)
            .await;
        assert_eq!(
            assess(&officer, &round, target, &points).await,
            StatusCode::SEE_OTHER
        );
    }
    // Score: benefit 80 % × 7 / 10 = 56; cost 20 % × (10 − 2) / 10 = 16 → 72. Staff see it;
    // the central officer, who has not assessed and whose deadline has not passed, does not.
    let staff = app.signed_in(Role::Staff).await;
    assert_eq!(central.page(&round).await.count(".ranking-row"), 0);
    let ranking = staff.page(&round).await;
    assert_eq!(ranking.text(".ranking-row__score"), "72,00");
    assert_eq!(ranking.text(".ranking-row__class"), "A");
    assert!(
        ranking.text(".flagged-list").contains("Gemessen"),
        "4 to 9 is 5 points apart"
    );

    // Blind, the central officer sets no final value (it would override what they cannot see).
    let blind = central
        .post_form(
            &format!("{round}/massnahmen/{target}/endwert"),
            &[
                ("kriterium", "0"),
                ("endwert", "10"),
                ("endwert_begruendung", "Blind gesetzt."),
            ],
        )
        .await;
    assert_eq!(blind.status, StatusCode::CONFLICT);
    assert!(
        blind
            .page()
            .text("#endwerte-fehler")
            .contains("sobald Sie die Werte")
    );
    // After the deadline they see every value and consolidate.
    app.pass_deadline(&round).await;
    assert_eq!(central.page(&round).await.count(".ranking-row"), 1);

    let refused = central
        .post_form(
            &format!("{round}/massnahmen/{target}/endwert"),
            &[
                ("kriterium", "0"),
                ("endwert", "10"),
                ("endwert_begruendung", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .page()
            .text("#endwert-begruendung-0-fehler")
            .contains("Begründung")
    );
    let set = central
        .post_form(
            &format!("{round}/massnahmen/{target}/endwert"),
            &[
                ("kriterium", "0"),
                ("endwert", "10"),
                ("endwert_begruendung", "Klärung am 1.12."),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    // Criterion 1 weighs 25 %: (10 − 7) × 25 / 10 = 7.5 more.
    assert_eq!(
        staff.page(&round).await.text(".ranking-row__score"),
        "79,50"
    );
    let officer = app.signed_in(Role::DistrictOfficer).await;
    let district_final = officer
        .post_form(
            &format!("{round}/massnahmen/{target}/endwert"),
            &[
                ("kriterium", "1"),
                ("endwert", "0"),
                ("endwert_begruendung", "Versuch"),
            ],
        )
        .await;
    assert_eq!(district_final.status, StatusCode::FORBIDDEN);
    let page = staff.page(&format!("{round}/massnahmen/{target}")).await;
    assert!(page.texts(".value-row__value")[0].starts_with("10 (Endwert)"));
    assert!(page.text(".values-table").contains("Klärung am 1.12."));
}

#[tokio::test]
async fn a_frozen_round_never_changes_not_even_through_sql() {
    let app = spawn_app().await;
    let target = measure(&app, "Eingefroren", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Frostrunde").await;
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    assert_eq!(
        assess(&officer, &round, target, &["7"; 7]).await,
        StatusCode::SEE_OTHER
    );
    let district_freeze = officer
        .post_form(
            &format!("{round}/einfrieren"),
            &[("beschlossen_am", "2026-12-01"), ("gremium", "x")],
        )
        .await;
    assert_eq!(district_freeze.status, StatusCode::FORBIDDEN);

    let refused = central
        .post_form(
            &format!("{round}/einfrieren"),
            &[("beschlossen_am", "2026-12-01"), ("gremium", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.page().text("#gremium-fehler").contains("Gremium"));
    let frozen = central
        .post_form(
            &format!("{round}/einfrieren"),
            &[
                ("beschlossen_am", "2026-12-01"),
                ("gremium", "Konferenz der Bezirksamtsleitungen"),
                ("notiz", "einstimmig"),
            ],
        )
        .await;
    assert_eq!(frozen.status, StatusCode::SEE_OTHER, "{}", frozen.body);
    let before = central.page(&round).await;
    // 7 on every criterion: benefit 80 % × 7 + cost 20 % × 3 → 62.
    assert_eq!(before.text(".ranking-row__score"), "62,00");
    assert!(
        before
            .text(".decision")
            .contains("Konferenz der Bezirksamtsleitungen")
    );

    // A later reassessment is refused, and so is a final value.
    assert_eq!(
        assess(&officer, &round, target, &["1"; 7]).await,
        StatusCode::CONFLICT
    );
    let late_final = central
        .post_form(
            &format!("{round}/massnahmen/{target}/endwert"),
            &[
                ("kriterium", "0"),
                ("endwert", "0"),
                ("endwert_begruendung", "zu spät"),
            ],
        )
        .await;
    assert_eq!(late_final.status, StatusCode::CONFLICT);
    // PostgreSQL refuses every change to the round's rows.
    for statement in [
        "update assessments set value = 0",
        "delete from assessments",
        "update round_measures set score20 = 0",
        "delete from round_measures",
        "update prioritisation_rounds set name = 'anders'",
        "delete from prioritisation_rounds",
        "delete from final_values",
        "truncate assessments",
    ] {
        let result = sqlx::query(statement).execute(&app.db).await;
        let refused_by_trigger = match &result {
            Ok(done) => done.rows_affected() == 0 && statement.contains("final_values"),
            Err(error) => error.to_string().contains("frozen"),
        };
        assert!(refused_by_trigger, "{statement}: {result:?}");
    }
    // What changes outside the round does not move it.
    sqlx::query("update measures set support_count = 99 where id = $1")
        .bind(target)
        .execute(&app.db)
        .await
        .expect("supports change");
    let after = central.page(&round).await;
    assert_eq!(after.text(".ranking-table"), before.text(".ranking-table"));
    assert_eq!(after.count("a[href$='/einfrieren']"), 0);
}

#[tokio::test]
async fn a_legal_obligation_puts_a_measure_above_every_scored_one_and_is_in_its_history() {
    let app = spawn_app().await;
    let strong = measure(&app, "Stark bewertet", "accepted").await;
    let required = measure(&app, "Gesetzlich vorgeschrieben", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Pflichtrunde").await;
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    assert_eq!(
        assess(&officer, &round, strong, &["10"; 7]).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        assess(&officer, &round, required, &["1"; 7]).await,
        StatusCode::SEE_OTHER
    );
    let path = format!("{round}/massnahmen/{required}/pflicht");

    let refused = central.post_form(&path, &[("pflicht", "  ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.page().text("#pflicht-fehler").contains("Grundlage"));
    assert_eq!(
        officer
            .post_form(&path, &[("pflicht", "Versuch")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let set = central
        .post_form(&path, &[("pflicht", "OZG-Umsetzungsfrist 31.12.2026")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);

    let ranking = officer.page(&round).await;
    let titles = ranking.texts(".ranking-row th a");
    assert!(
        titles[0].contains("Gesetzlich vorgeschrieben"),
        "{titles:?}"
    );
    assert_eq!(ranking.texts(".ranking-row__tier"), ["Pflicht", "bewertet"]);
    let history = officer.page(&format!("/massnahmen/{required}")).await;
    assert!(history.text("main").contains("Gesetzliche Pflicht"));
    assert!(
        history
            .text("main")
            .contains("OZG-Umsetzungsfrist 31.12.2026")
    );
}

#[tokio::test]
async fn the_robustness_page_gives_the_same_figures_for_the_same_seed_and_a_frozen_round_keeps_them()
 {
    let app = spawn_app().await;
    let clear = measure(&app, "Klar vorn", "accepted").await;
    let disputed = measure(&app, "Umstritten", "accepted").await;
    let behind = measure(&app, "Klar hinten", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Robustheitsrunde").await;
    // "Klar vorn" scores 70 everywhere; "Umstritten" 64 by its medians, but 10, 1 or 6 points
    // depending on the office drawn, so it passes "Klar vorn" in some samples; "Klar hinten"
    // never leaves the last place.
    for (office, disputed_points) in [
        (Office::Altona, "10"),
        (Office::Wandsbek, "1"),
        (Office::Harburg, "6"),
    ] {
        let officer = app
            .login(&app.create_user(&[Role::DistrictOfficer], office).await)
            .await;
        assert_eq!(
            assess(
                &officer,
                &round,
                clear,
                &["7", "7", "7", "7", "7", "3", "3"]
            )
            .await,
            StatusCode::SEE_OTHER
        );
        let d = disputed_points;
        assert_eq!(
            assess(&officer, &round, disputed, &[d, d, d, d, d, "2", "2"]).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            assess(
                &officer,
                &round,
                behind,
                &["1", "1", "1", "1", "1", "9", "9"]
            )
            .await,
            StatusCode::SEE_OTHER
        );
    }
    let staff = app.signed_in(Role::Staff).await;
    let path = format!("{round}/robustheit?stichproben=1000&k=1&seed=5");
    let page = staff.page(&path).await;
    assert_eq!(page.count(".robustness-row"), 3);
    let sentences = page.texts(".robustness-row__sentence");
    assert_eq!(
        sentences[2], "kommt in 0 % der Fälle unter die ersten 1",
        "{sentences:?}"
    );
    assert!(sentences[0].starts_with("bleibt in "), "{sentences:?}");
    assert_eq!(page.texts(".robustness-row__range")[2], "immer 3");
    assert!(
        page.text(".accuracy").contains("±3,1 Prozentpunkte"),
        "{}",
        page.text(".accuracy")
    );
    // The disputed measure moves: now and then it is first, "Klar vorn" then second.
    // Exact, without sampling: how far each weight may move before the first one changes.
    let stability = page.texts(".stability-item");
    assert_eq!(stability.len(), 7, "{stability:?}");
    assert!(stability[0].starts_with("„Nutzen für Bürgerinnen, Bürger und Unternehmen“: "));
    assert!(
        stability[0].ends_with("(beschlossen: 25 %)"),
        "{stability:?}"
    );
    let firsts = page.texts(".robustness-row__first");
    assert_ne!(firsts[1], "0 %", "{firsts:?}");
    assert_ne!(firsts[0], "100 %", "{firsts:?}");
    // A new request with the same seed (the cache is emptied by any change) gives the same.
    sqlx::query("update measures set summary = 'geändert' where id = $1")
        .bind(clear)
        .execute(&app.db)
        .await
        .expect("a change");
    assert_eq!(
        staff.page(&path).await.text(".robustness-table"),
        page.text(".robustness-table")
    );

    let frozen = central
        .post_form(
            &format!("{round}/einfrieren"),
            &[
                ("beschlossen_am", "2026-12-01"),
                ("gremium", "Konferenz der Bezirksamtsleitungen"),
            ],
        )
        .await;
    assert_eq!(frozen.status, StatusCode::SEE_OTHER, "{}", frozen.body);
    let stored: Vec<serde_json::Value> = sqlx::query_scalar(
        "select robustness from round_measures rm join measures m on m.id = rm.measure_id
         where rm.round_id = (select id from prioritisation_rounds where name = 'Robustheitsrunde')
         order by rm.rank",
    )
    .fetch_all(&app.db)
    .await
    .expect("stored figures");
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0]["samples"], 10_000);
    assert_eq!(stored[0]["seed"], 2026);
    assert_eq!(stored[2]["rank_p5"], 3);
    assert_eq!(stored[2]["first_share"], 0.0);
    assert!(
        stored[1]["first_share"]
            .as_f64()
            .is_some_and(|share| share > 0.0)
    );
}

/// Two measures of one round, assessed by one officer: the first strong on the citizens'
/// benefit (25 %), the second on a quick success (5 %): 25·10 + 5·2 vs 25·4 + 5·10 with the rest
/// equal, so that more weight on the quick success swaps them.
struct Pair {
    first: uuid::Uuid,
    second: uuid::Uuid,
    round: String,
    officer: Client,
}

impl Pair {
    async fn assessed(app: &TestApp, name: &str) -> Self {
        let first = measure(app, "Breiter Nutzen", "accepted").await;
        let second = measure(app, "Schneller Erfolg", "accepted").await;
        let central = app.signed_in(Role::CentralOfficer).await;
        let round = open_round(&central, name).await;
        let officer = app
            .login(
                &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                    .await,
            )
            .await;
        let strong = ["10", "5", "5", "5", "2", "5", "5"];
        let quick = ["4", "5", "5", "5", "10", "5", "5"];
        for (measure, points) in [(first, &strong), (second, &quick)] {
            assert_eq!(
                assess(&officer, &round, measure, points).await,
                StatusCode::SEE_OTHER
            );
        }
        Self {
            first,
            second,
            round,
            officer,
        }
    }
}

#[tokio::test]
async fn a_measure_says_which_single_weight_would_swap_it_with_the_one_above() {
    let app = spawn_app().await;
    let Pair {
        first,
        second,
        round,
        officer,
        ..
    } = Pair::assessed(&app, "Kipprunde").await;
    let top = officer.page(&format!("{round}/massnahmen/{first}")).await;
    assert_eq!(top.count(".tipping"), 0, "the first has nobody above it");
    let page = officer.page(&format!("{round}/massnahmen/{second}")).await;
    let text = page.text(".tipping");
    assert!(
        text.starts_with("Mit M-1 (Rang 1) tauscht sie den Platz, wenn"),
        "{text}"
    );
    // Scores 61 and 50 (D = 0.11). Quick success (5 %, d = (2 − 10)/10 = −0.8): they tie at
    // t = (D − w·d)/(D − d) = (0.11 + 0.04)/0.91 = 16.5 %, 11.5 points away; the citizens'
    // benefit (25 %, d = 0.6) would tie at 8.2 %, 16.8 points away. The nearest is named.
    assert_eq!(
        text,
        "Mit M-1 (Rang 1) tauscht sie den Platz, wenn „Schnell sichtbarer Erfolg“ mit mehr als 16,5 % statt 5 % gewichtet wird (die übrigen Gewichte im selben Verhältnis)."
    );
}

#[tokio::test]
async fn two_measures_with_equal_scores_swap_at_any_raise_of_a_weight_where_the_lower_is_better() {
    let app = spawn_app().await;
    let first = measure(&app, "Mehr Unterstützung", "accepted").await;
    let second = measure(&app, "Gleich viele Punkte", "accepted").await;
    sqlx::query("update measures set support_count = 5 where id = $1")
        .bind(first)
        .execute(&app.db)
        .await
        .expect("supports");
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Gleichstandsrunde").await;
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    // Criteria 2 and 3 weigh 20 % each: 8 and 4 against 4 and 8 give the same score; the
    // supports put the first ahead.
    for (target, points) in [
        (first, ["5", "8", "4", "5", "5", "5", "5"]),
        (second, ["5", "4", "8", "5", "5", "5", "5"]),
    ] {
        assert_eq!(
            assess(&officer, &round, target, &points).await,
            StatusCode::SEE_OTHER
        );
    }
    let page = officer.page(&format!("{round}/massnahmen/{second}")).await;
    let text = page.text(".tipping");
    assert!(
        text.starts_with("Mit M-1 (Rang 1) liegt sie gleichauf"),
        "no longer 'no single weight': {text}"
    );
    assert!(
        text.contains(
            "schon bei jeder Erhöhung von „Beitrag zu den Zielen der Digitalstrategie“ über 20 %"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn the_round_as_json_can_be_recomputed_from_its_values_and_weights_and_keeps_the_blind_rule()
{
    let app = spawn_app().await;
    let target = measure(&app, "Nachrechenbar", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Datenrunde").await;
    let altona = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    let wandsbek = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Wandsbek)
                .await,
        )
        .await;
    let values = ["8", "3", "6", "nb", "10", "4", "7"];
    assert_eq!(
        assess(&altona, &round, target, &values).await,
        StatusCode::SEE_OTHER
    );
    let other = ["5", "4", "6", "2", "9", "4", "2"];
    assert_eq!(
        assess(&wandsbek, &round, target, &other).await,
        StatusCode::SEE_OTHER
    );

    let staff = app.signed_in(Role::Staff).await;
    let response = staff.get(&format!("{round}.json")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response
            .header("content-type")
            .is_some_and(|kind| kind.starts_with("application/json"))
    );
    let document: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(
        crate::support::schema::problems("round.schema.json", &document),
        Vec::<String>::new(),
        "the documented schema"
    );
    let criteria = document["catalogue"]["criteria"]
        .as_array()
        .expect("criteria");
    assert_eq!(criteria.len(), 7);
    let weights: Vec<f64> = criteria
        .iter()
        .map(|c| c["weight"].as_f64().expect("a weight"))
        .collect();
    assert_eq!(weights.iter().sum::<f64>(), 100.0);
    let measure = &document["measures"][0];
    assert_eq!(measure["number"], 1);
    assert_eq!(measure["tier"], "scored");
    // Every number traced: Σ w · u / 10 from the values and weights in the document itself.
    let recomputed: f64 = measure["values"]
        .as_array()
        .expect("values")
        .iter()
        .zip(criteria)
        .map(|(value, criterion)| {
            let v = value["value"].as_f64().expect("a value");
            let u = if criterion["group"] == "cost" {
                10.0 - v
            } else {
                v
            };
            criterion["weight"].as_f64().expect("a weight") * u / 10.0
        })
        .sum();
    assert!(
        (recomputed - measure["score"].as_f64().expect("a score")).abs() < 1e-9,
        "{recomputed} vs {}",
        measure["score"]
    );
    // Criterion 4: "nicht beurteilbar" from Altona, so the median of Wandsbek's 2 alone.
    assert_eq!(measure["values"][3]["value"], 2.0);
    assert_eq!(measure["values"][3]["submitted"], 1);
    assert_eq!(measure["values"][0]["value"], 6.5, "the median of 8 and 5");
    assert!(
        measure["values"][0].get("individual").is_none(),
        "staff see no individual values"
    );
    assert!(!response.body.contains("Grund 0"));

    let officer = altona.get(&format!("{round}.json")).await;
    let seen: serde_json::Value = serde_json::from_str(&officer.body).expect("JSON");
    let individual = seen["measures"][0]["values"][3]["individual"]
        .as_array()
        .expect("after one's own");
    assert_eq!(individual.len(), 2);
    assert!(
        individual
            .iter()
            .any(|row| row["office"] == "Bezirksamt Altona" && row["value"].is_null())
    );

    let blind = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Harburg)
                .await,
        )
        .await;
    let unseen: serde_json::Value =
        serde_json::from_str(&blind.get(&format!("{round}.json")).await.body).expect("JSON");
    assert_eq!(unseen["hidden_for_reader"], 1);
    assert_eq!(unseen["measures"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn the_ranking_shows_the_newest_round_as_a_list_a_value_effort_matrix_and_classes() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let empty = staff.page("/priorisierung").await;
    assert!(
        empty
            .text("main")
            .contains("noch keine Priorisierungsrunde")
    );

    let quick = measure(&app, "Schnell und nützlich", "accepted").await;
    let costly = measure(&app, "Teuer und nützlich", "accepted").await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Matrixrunde").await;
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    // Benefit criteria first, then the two cost criteria (Aufwand, Umsetzungsrisiko).
    let cheap = ["8", "8", "8", "8", "8", "2", "2"];
    let dear = ["7", "7", "7", "7", "7", "9", "9"];
    assert_eq!(
        assess(&officer, &round, quick, &cheap).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        assess(&officer, &round, costly, &dear).await,
        StatusCode::SEE_OTHER
    );

    let list = staff.page("/priorisierung").await;
    let titles = list.texts(".ranking-row th a");
    assert_eq!(titles.len(), 2);
    assert!(titles[0].contains("Schnell und nützlich"), "{titles:?}");
    let matrix = staff.page("/priorisierung?ansicht=matrix").await;
    assert_eq!(matrix.count("svg.value-matrix circle"), 2);
    assert_eq!(
        matrix.texts(".matrix-row__quadrant"),
        ["Quick Wins", "Strategische Vorhaben"]
    );
    let classes = staff.page("/priorisierung?ansicht=klassen").await;
    assert!(
        classes.text("#klasse-A").contains("(1)"),
        "{}",
        classes.text("main")
    );
    // Filters narrow the ranking like the catalogue.
    let filtered = staff.page("/priorisierung?suche=Teuer").await;
    assert_eq!(filtered.texts(".ranking-row th a").len(), 1);
    // A blind assessor sees neither until they have assessed.
    let blind = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Wandsbek)
                .await,
        )
        .await;
    let hidden = blind.page("/priorisierung").await;
    assert_eq!(hidden.count(".ranking-row"), 0);
    assert!(hidden.text(".result-count").contains("2 noch verdeckt"));
}

#[tokio::test]
async fn a_measure_ranked_above_what_it_depends_on_is_flagged() {
    let app = spawn_app().await;
    let portal = measure(&app, "Online-Portal", "accepted").await;
    let basis = measure(&app, "Basisdienst Identität", "accepted").await;
    sqlx::query("insert into measure_dependencies (measure_id, requires_id) values ($1, $2)")
        .bind(portal)
        .bind(basis)
        .execute(&app.db)
        .await
        .expect("a dependency");
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Abhängigkeitsrunde").await;
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    assert_eq!(
        assess(&officer, &round, portal, &["9"; 7]).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        assess(&officer, &round, basis, &["2"; 7]).await,
        StatusCode::SEE_OTHER
    );
    let page = officer.page(&round).await;
    let flags = page.texts(".prerequisite-below");
    assert_eq!(flags, ["setzt voraus, steht aber tiefer: M-2 (Rang 2)"]);
}

/// The weights of the default catalogue with `citizens` % on the first criterion and `quick` %
/// on "Schnell sichtbarer Erfolg", as the what-if form sends them.
fn weights(citizens: u8, quick: u8) -> String {
    [citizens, 20, 20, 10, quick, 10, 10]
        .iter()
        .enumerate()
        .map(|(k, weight)| format!("gewicht{}={weight}", k + 1))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn what_if_shows_the_ranking_under_other_weights_and_scenarios_are_compared_with_the_agreed()
{
    let app = spawn_app().await;
    let Pair { round, officer, .. } = Pair::assessed(&app, "Szenariorunde").await;

    // Agreed (25 % / 5 %): 61 and 50. With 5 % / 25 %: 45 and 62, so they swap.
    let agreed = officer.page(&format!("{round}/was-waere-wenn")).await;
    assert_eq!(
        agreed.texts(".what-if-row__rank"),
        ["1", "2"],
        "the agreed weights by default"
    );
    assert_eq!(
        agreed.count(".scenario-save"),
        0,
        "nothing changed, nothing to save"
    );
    let path = format!("{round}/was-waere-wenn?{}&k=1", weights(5, 25));
    let page = officer.page(&path).await;
    let titles: Vec<String> = page
        .texts(".what-if-row .results-table__title")
        .into_iter()
        .collect();
    assert_eq!(titles, ["M-2 Schneller Erfolg", "M-1 Breiter Nutzen"]);
    assert_eq!(
        page.texts(".what-if-row__movement"),
        ["↑11 Platz nach oben", "↓11 Platz nach unten"]
    );
    let scores: Vec<String> = page
        .select(".what-if-row")
        .into_iter()
        .map(|row| crate::support::html::within(row, "td[data-label='Punkte']").join(""))
        .collect();
    assert_eq!(scores, ["62,00", "45,00"]);
    let changes = page.texts(".top-changes__list li");
    assert_eq!(
        changes,
        [
            "M-2 Schneller Erfolg (Rang 1 statt 2)",
            "M-1 Breiter Nutzen (Rang 2 statt 1)"
        ]
    );

    // Weights that do not add up to 100: the message next to the weights, the input kept.
    let wrong = officer
        .page(&format!("{round}/was-waere-wenn?{}", weights(5, 20)))
        .await;
    assert_eq!(
        wrong.text("#gewichte-fehler"),
        "Die Gewichte ergeben zusammen 95 %; sie müssen genau 100 % ergeben."
    );
    assert_eq!(
        wrong.select("#gewicht5")[0].value().attr("value"),
        Some("20"),
        "the input is kept"
    );
    assert_eq!(wrong.count(".what-if-row"), 0);
    let letters = officer
        .page(&format!("{round}/was-waere-wenn?gewicht1=viel"))
        .await;
    assert!(letters.text("#gewicht1-fehler").contains("von 0 bis 100"));

    // Saved as a scenario: opened by its address, compared side by side with the agreed.
    let mut fields: Vec<(String, String)> = weights(5, 25)
        .split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or_default();
            (key.to_owned(), value.to_owned())
        })
        .collect();
    fields.push(("name".to_owned(), "Schnelle Erfolge".to_owned()));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = officer
        .post_form(&format!("{round}/szenarien"), &refs)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let location = saved
        .header("location")
        .expect("to the scenario")
        .to_owned();
    assert!(location.contains("was-waere-wenn?szenario="), "{location}");
    let opened = officer.page(&location).await;
    assert!(opened.text("h1").contains("Szenario „Schnelle Erfolge“"));
    assert_eq!(
        opened.select("#gewicht5")[0].value().attr("value"),
        Some("25")
    );
    assert_eq!(opened.texts(".what-if-row__rank"), ["1", "2"]);
    let again = officer
        .post_form(&format!("{round}/szenarien"), &refs)
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("gibt es in dieser Runde schon"));
    assert!(
        again.body.contains(r#"value="Schnelle Erfolge""#),
        "the name is kept"
    );

    let compared = officer.page(&format!("{round}/szenarien?k=1")).await;
    assert_eq!(
        compared.texts(".scenario-ranks thead th"),
        ["Maßnahme", "Beschlossen", "Schnelle Erfolge"]
    );
    let rows: Vec<Vec<String>> = compared
        .select(".scenario-row")
        .into_iter()
        .map(|row| crate::support::html::within(row, "th, td"))
        .collect();
    assert_eq!(
        rows,
        [
            ["M-1 Breiter Nutzen", "1", "2 (↓1)"],
            ["M-2 Schneller Erfolg", "2", "1 (↑1)"]
        ]
    );

    // Its author deletes it from the what-if page; it is gone from the comparison.
    let listed = officer.page(&format!("{round}/was-waere-wenn")).await;
    let delete = listed
        .select(".scenario-list form")
        .first()
        .and_then(|form| form.value().attr("action").map(str::to_owned))
        .expect("a delete form for one's own scenario");
    let deleted = officer.post_form(&delete, &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        officer
            .page(&format!("{round}/szenarien"))
            .await
            .count(".scenario-ranks"),
        0
    );
    assert_eq!(
        officer.post_form(&delete, &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // An officer who has assessed nothing sees no measure of the round in any of it.
    let blind = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Wandsbek)
                .await,
        )
        .await;
    let hidden = blind.page(&path).await;
    assert_eq!(hidden.count(".what-if-row"), 0);
    assert!(
        hidden
            .text(".what-if-result [role=status]")
            .contains("2 sind für Sie noch verdeckt")
    );
    assert_eq!(
        blind
            .page(&format!("{round}/szenarien"))
            .await
            .count(".scenario-row"),
        0
    );
    // Staff do not assess, and do not play with weights either.
    let staff = app.signed_in(Role::Staff).await;
    assert_eq!(staff.get(&path).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_rounds_compared_name_the_new_the_dropped_and_who_moved_by_how_much() {
    let app = spawn_app().await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Bergedorf)
                .await,
        )
        .await;
    let first = measure(&app, "Erste", "accepted").await;
    let second = measure(&app, "Zweite", "accepted").await;
    let third = measure(&app, "Dritte", "deferred").await;
    let earlier = open_round(&central, "Runde 2025").await;
    for (id, points) in [(first, "10"), (second, "5"), (third, "2")] {
        assert_eq!(
            assess(&officer, &earlier, id, &[points; 7]).await,
            StatusCode::SEE_OTHER
        );
    }
    let frozen = central
        .post_form(
            &format!("{earlier}/einfrieren"),
            &[("beschlossen_am", "2026-12-01"), ("gremium", "Konferenz")],
        )
        .await;
    assert_eq!(frozen.status, StatusCode::SEE_OTHER, "{}", frozen.body);
    // The measure's own page explains its place in the ranking decided last.
    let explained = officer.page(&format!("/massnahmen/{first}")).await;
    assert_eq!(
        explained.text(".decided-standing"),
        "In der Runde Runde 2025 (beschlossen am 01.12.2026 von Konferenz): Rang 1 von 3: 80,00 Punkte, Klasse A."
    );
    let rows: Vec<Vec<String>> = explained
        .select(".contribution-row")
        .into_iter()
        .map(|row| crate::support::html::within(row, "th, td"))
        .collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[0],
        [
            "Nutzen für Bürgerinnen, Bürger und Unternehmen (Nutzen)",
            "25 %",
            "10",
            "25,00"
        ]
    );
    assert_eq!(rows[5], ["Aufwand (Kosten)", "10 %", "10", "0,00"]);
    assert_eq!(
        explained.count(".measure-prioritisation svg[role=img] title"),
        1
    );
    // The third was rejected since; a fourth came in.
    sqlx::query("update measures set status = 'rejected' where id = $1")
        .bind(third)
        .execute(&app.db)
        .await
        .expect("rejected");
    let fourth = measure(&app, "Vierte", "accepted").await;
    let later = open_round(&central, "Runde 2027").await;
    for (id, points) in [(first, "5"), (second, "10"), (fourth, "2")] {
        assert_eq!(
            assess(&officer, &later, id, &[points; 7]).await,
            StatusCode::SEE_OTHER
        );
    }
    let ids = |path: &str| path.rsplit('/').next().unwrap_or_default().to_owned();
    let page = officer
        .page(&format!(
            "/priorisierung/vergleich?von={}&zu={}",
            ids(&earlier),
            ids(&later)
        ))
        .await;
    let group = |id: &str| -> Vec<Vec<String>> {
        page.select(&format!("section[aria-labelledby='{id}'] .compare-row"))
            .into_iter()
            .map(|row| crate::support::html::within(row, "th, td"))
            .collect()
    };
    assert_eq!(
        group("neu"),
        [["M-4 Vierte", "–", "3", "neu", "–", "32,00"]]
    );
    assert_eq!(
        group("aufgestiegen"),
        [[
            "M-2 Zweite",
            "2",
            "1",
            "↑11 Platz nach oben",
            "50,00",
            "80,00"
        ]]
    );
    assert_eq!(
        group("abgestiegen"),
        [[
            "M-1 Erste",
            "1",
            "2",
            "↓11 Platz nach unten",
            "80,00",
            "50,00"
        ]]
    );
    assert_eq!(
        group("nicht-mehr-dabei"),
        [["M-3 Dritte", "3", "–", "entfällt", "32,00", "–"]]
    );
    // By default the newest round against the one before it.
    let default = officer.page("/priorisierung/vergleich").await;
    assert!(
        default
            .text(".compare-summary")
            .starts_with("Von Runde 2025 zu Runde 2027")
    );
    // A district officer who has not assessed the open round sees none of its measures there.
    let blind = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Eimsbuettel)
                .await,
        )
        .await;
    let hidden = blind.page("/priorisierung/vergleich").await;
    assert_eq!(hidden.count(".compare-row"), 1, "only the dropped one");
    assert!(
        hidden
            .text(".compare-summary")
            .contains("3 Maßnahmen sind für Sie")
    );
}

#[tokio::test]
async fn the_ranking_as_json_follows_the_page_s_filters_and_its_documented_schema() {
    let app = spawn_app().await;
    let Pair {
        first,
        second,
        round,
        officer,
    } = Pair::assessed(&app, "JSON-Runde").await;
    let check = |document: &serde_json::Value| {
        assert_eq!(
            crate::support::schema::problems("ranking.schema.json", document),
            Vec::<String>::new(),
            "{document}"
        );
    };
    let read = |client: &Client, path: &'static str| {
        let client = client.clone();
        async move {
            let response = client.get(path).await;
            assert_eq!(response.status, StatusCode::OK, "{path}");
            assert!(
                response
                    .header("content-type")
                    .is_some_and(|kind| kind.starts_with("application/json"))
            );
            serde_json::from_str::<serde_json::Value>(&response.body).expect("JSON")
        }
    };
    let all = read(&officer, "/priorisierung.json").await;
    check(&all);
    assert_eq!(all["round"]["name"], "JSON-Runde");
    assert_eq!(all["round"]["status"], "open");
    assert_eq!(all["class_rule"]["a_from"], 65);
    let measures = all["measures"].as_array().expect("measures");
    assert_eq!(measures.len(), 2);
    assert_eq!(measures[0]["id"], first.to_string());
    assert_eq!(measures[0]["rank"], 1);
    assert_eq!(measures[0]["score"], 61.0);
    assert_eq!(measures[0]["class"], "B");
    assert_eq!(measures[1]["id"], second.to_string());
    assert_eq!(measures[1]["score"], 50.0);
    // 25·10 + 20·5 + 20·5 + 10·5 + 5·2 over the benefit weights (80): 63.75; cost 50.
    assert_eq!(measures[0]["benefit"], 63.75);
    assert_eq!(measures[0]["cost"], 50.0);
    assert_eq!(measures[0]["robustness"], serde_json::Value::Null);
    // The schema is no formality: a tier it does not know is refused.
    let mut broken = all.clone();
    broken["measures"][0]["tier"] = "wichtig".into();
    assert_eq!(
        crate::support::schema::problems("ranking.schema.json", &broken).len(),
        1
    );
    // The page's filters narrow it the same way.
    let narrowed = read(&officer, "/priorisierung.json?suche=Schneller").await;
    check(&narrowed);
    let ids: Vec<&serde_json::Value> = narrowed["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .map(|measure| &measure["id"])
        .collect();
    assert_eq!(ids, [&serde_json::Value::String(second.to_string())]);
    assert_eq!(
        narrowed["measures"][0]["rank"], 2,
        "its place in the whole round"
    );
    // The blind rule: an officer who has assessed nothing gets nothing but the count.
    let blind = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::HamburgMitte)
                .await,
        )
        .await;
    let hidden = read(&blind, "/priorisierung.json").await;
    check(&hidden);
    assert_eq!(hidden["hidden_for_reader"], 2);
    assert_eq!(hidden["measures"], serde_json::json!([]));
    // Frozen, it carries the stored robustness figures.
    let central = app.signed_in(Role::CentralOfficer).await;
    let frozen = central
        .post_form(
            &format!("{round}/einfrieren"),
            &[("beschlossen_am", "2026-12-01"), ("gremium", "Konferenz")],
        )
        .await;
    assert_eq!(frozen.status, StatusCode::SEE_OTHER, "{}", frozen.body);
    let decided = read(&blind, "/priorisierung.json").await;
    check(&decided);
    assert_eq!(decided["round"]["status"], "frozen");
    assert_eq!(decided["measures"][0]["robustness"]["samples"], 10_000);
    assert_eq!(decided["measures"][0]["robustness"]["rank_p5"], 1);
    let document = read(&blind, "/priorisierung.json").await;
    let href = document["round"]["href"]
        .as_str()
        .expect("the round")
        .to_owned();
    let response = blind.get(&href).await;
    let round_document: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(
        crate::support::schema::problems("round.schema.json", &round_document),
        Vec::<String>::new()
    );
    assert_eq!(round_document["measures"][0]["robustness"]["seed"], 2026);
}

#[tokio::test]
async fn the_load_test_round_holds_every_generated_measure_and_the_same_seed_gives_the_same_values()
{
    let fingerprint = |app: TestApp| async move {
        prima::demo::load_generated(&app.db, 40, 7)
            .await
            .expect("generated");
        assert_eq!(
            prima::demo::load_test_round(&app.db, 7)
                .await
                .expect("a round"),
            Some(40)
        );
        assert_eq!(
            prima::demo::load_test_round(&app.db, 7)
                .await
                .expect("once"),
            None,
            "a second call leaves the round alone"
        );
        let (rows, not_assessable, checksum): (i64, i64, i64) = sqlx::query_as(
            "select count(*), count(*) filter (where a.value is null),
                    sum(coalesce(a.value, 11) * m.number * k.position)::bigint
             from assessments a join measures m on m.id = a.measure_id
             join criteria k on k.id = a.criterion_id",
        )
        .fetch_one(&app.db)
        .await
        .expect("counted");
        // 40 measures × 8 officers × 7 criteria; about one in 25 "nicht beurteilbar".
        assert_eq!(rows, 40 * 8 * 7);
        assert!((40..=200).contains(&not_assessable), "{not_assessable}");
        let round: uuid::Uuid = sqlx::query_scalar(
            "select id from prioritisation_rounds where name = 'Lasttest (Startwert 7)'",
        )
        .fetch_one(&app.db)
        .await
        .expect("the round");
        let data = prima::rounds::RoundData::load(&app.db, prima::domain::ids::RoundId(round))
            .await
            .expect("read")
            .expect("there");
        assert_eq!(data.measures.len(), 40);
        assert!(
            data.standings
                .iter()
                .any(|standing| standing.score20.is_some()),
            "the values make a ranking"
        );
        checksum
    };
    let first = fingerprint(spawn_app().await).await;
    let second = fingerprint(spawn_app().await).await;
    assert_eq!(first, second, "the same seed, the same values");
}

#[tokio::test]
async fn a_large_ranking_is_paged_in_every_view_and_keeps_its_filters() {
    let app = spawn_app().await;
    prima::demo::load_generated(&app.db, 60, 11)
        .await
        .expect("generated");
    prima::demo::load_test_round(&app.db, 11)
        .await
        .expect("a round");
    let staff = app.signed_in(Role::Staff).await;
    let first = staff.page("/priorisierung").await;
    assert_eq!(first.count(".ranking-row"), 50);
    assert!(
        first
            .text(".result-count")
            .starts_with("60 Maßnahmen, Seite 1 von 2")
    );
    let next = first.links("a[rel=next]");
    assert_eq!(next, ["/priorisierung?ansicht=liste&seite=2"]);
    let second = staff.page(&next[0]).await;
    let ranks = second.texts(".ranking-row__rank");
    assert_eq!(ranks.len(), 10);
    assert_eq!(ranks.first().map(String::as_str), Some("51"));
    assert_eq!(ranks.last().map(String::as_str), Some("60"));
    // The matrix draws every point and pages its table; the classes count the whole view.
    let matrix = staff
        .page("/priorisierung?ansicht=matrix&schlagwort=generiert")
        .await;
    assert_eq!(matrix.count(".value-matrix__point"), 60);
    assert_eq!(matrix.count(".matrix-row"), 50);
    assert_eq!(
        matrix.links("a[rel=next]"),
        ["/priorisierung?ansicht=matrix&schlagwort=generiert&seite=2"]
    );
    let classes = staff.page("/priorisierung?ansicht=klassen").await;
    let counted: usize = classes
        .texts(".class-group h2")
        .iter()
        .filter_map(|heading| {
            heading
                .rsplit_once('(')
                .and_then(|(_, count)| count.trim_end_matches(')').parse::<usize>().ok())
        })
        .sum();
    let scored: i64 = sqlx::query_scalar(
        "select count(*) from round_measures rm where rm.round_id =
           (select id from prioritisation_rounds where name = 'Lasttest (Startwert 11)')",
    )
    .fetch_one(&app.db)
    .await
    .expect("counted");
    assert!(
        counted > 0 && counted as i64 <= scored,
        "{counted} of {scored}"
    );
    assert_eq!(classes.count(".class-list li"), 50.min(counted));
    // The round's own page pages its ranking too.
    let round: uuid::Uuid = sqlx::query_scalar(
        "select id from prioritisation_rounds where name = 'Lasttest (Startwert 11)'",
    )
    .fetch_one(&app.db)
    .await
    .expect("the round");
    let page = staff.page(&format!("/priorisierung/runden/{round}")).await;
    assert_eq!(page.count(".ranking-row"), 50);
    let next = page.links("a[rel=next]");
    assert_eq!(next, [format!("/priorisierung/runden/{round}?seite=2")]);
    assert_eq!(staff.page(&next[0]).await.count(".ranking-row"), 10);
    // So do the robustness table and an officer's list of open assessments.
    let robust = staff
        .page(&format!(
            "/priorisierung/runden/{round}/robustheit?stichproben=1000&k=5"
        ))
        .await;
    assert_eq!(robust.count(".robustness-row"), 50);
    let next = robust.links("a[rel=next]");
    assert_eq!(
        next,
        [format!(
            "/priorisierung/runden/{round}/robustheit?modell=ungefaehr&stichproben=1000&k=5&seed=2026&seite=2"
        )]
    );
    assert_eq!(staff.page(&next[0]).await.count(".robustness-row"), 10);
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Harburg)
                .await,
        )
        .await;
    let mine = officer
        .page(&format!("/priorisierung/runden/{round}/bewerten"))
        .await;
    assert_eq!(mine.count(".assessment-list--open li"), 50);
    let next = mine.links("a[rel=next]");
    assert_eq!(
        next,
        [format!(
            "/priorisierung/runden/{round}/bewerten?offen=2&bewertet=1"
        )]
    );
    assert_eq!(
        officer
            .page(&next[0])
            .await
            .count(".assessment-list--open li"),
        10
    );
}

#[tokio::test]
async fn after_a_change_the_robustness_page_serves_the_stored_analysis_at_once_and_a_new_one_soon()
{
    let app = spawn_app().await;
    let Pair {
        first,
        round,
        officer,
        ..
    } = Pair::assessed(&app, "Robuste Runde").await;
    let path = format!("{round}/robustheit?k=1&stichproben=1000");
    let before = officer.page(&path).await;
    assert_eq!(
        before.count(".kern-alert[role=status]"),
        0,
        "computed fresh"
    );
    let shares = |page: &crate::support::html::Page| page.texts(".robustness-row__top");
    assert_eq!(shares(&before), ["100 %", "0 %"], "61 against 50 points");
    // The first now falls far behind: the stored analysis is served at once, marked.
    assert_eq!(
        assess(
            &officer,
            &round,
            first,
            &["0", "5", "5", "5", "0", "5", "5"]
        )
        .await,
        StatusCode::SEE_OTHER
    );
    let stale = officer.page(&path).await;
    assert!(
        stale
            .text(".kern-alert[role=status]")
            .contains("PriMa rechnet im Hintergrund neu")
    );
    // … and the new one follows without anyone waiting for it.
    let mut fresh = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let page = officer.page(&path).await;
        if page.count(".kern-alert[role=status]") == 0 {
            fresh = Some(page);
            break;
        }
    }
    let fresh = fresh.expect("the new analysis within 10 s");
    assert_eq!(
        fresh.texts(".robustness-row .results-table__title a"),
        ["M-2 Schneller Erfolg", "M-1 Breiter Nutzen"]
    );
}
