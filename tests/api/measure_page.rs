//! A measure's page sums it up at the top: status, offices, progress, goals, who proposed it
//! and when, and the reader's own support and follow controls.

use prima::domain::roles::Role;

use crate::measures::{base, propose, two_goals};

#[tokio::test]
async fn the_summary_at_the_top_says_what_a_reader_wants_first() {
    let app = crate::support::spawn_app().await;
    let author = app
        .create_user(&[Role::Staff], prima::domain::office::Office::Altona)
        .await;
    let author_client = app.login(&author).await;
    let (goal_a, goal_b) = two_goals();
    let mut fields = base("Mit Überblick", &goal_a, &goal_b);
    fields.push(("participating_offices", "wandsbek"));
    let id = propose(&author_client, &fields).await;
    let reader = app.signed_in(Role::Staff).await;
    let page = reader.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(
        page.texts(".measure-summary__item dt"),
        [
            "Status",
            "Federführung",
            "Beteiligt",
            "Ziele",
            "Vorgeschlagen"
        ],
        "no progress before acceptance"
    );
    let facts = page.texts(".measure-summary__item dd");
    assert_eq!(
        facts[..4],
        ["Eingereicht", "Bezirksamt Altona", "Wandsbek", "2 Ziele"]
    );
    assert!(
        facts[4].starts_with(&format!("von {} am ", author.name)),
        "{}",
        facts[4]
    );
    assert_eq!(page.links(".measure-summary__item a"), ["#ziele"]);
    assert_eq!(page.count(".measure-summary .support-button"), 1);
    assert_eq!(page.count("#ziele"), 1, "the link has its target");
}

#[tokio::test]
async fn maturity_follows_model_2_0_and_levels_recorded_under_1_1_stay_readable_as_such() {
    let app = crate::support::spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();

    // A new measure is offered the levels 0–7 of model 2.0, each with its meaning.
    let form = author.page("/massnahmen/neu").await;
    assert_eq!(
        form.count("#maturity_now option"),
        9,
        "nicht angegeben and 0–7"
    );
    assert_eq!(
        form.texts("#maturity_now option")
            .last()
            .map(String::as_str),
        Some("7 – Ende-zu-Ende digital")
    );
    assert_eq!(form.count(".maturity-levels__item"), 8);
    let mut fields = base("Wohngeld online", &goal_a, &goal_b);
    fields.extend([
        ("ozg_id", "10210"),
        ("maturity_model", "2.0"),
        ("maturity_now", "3"),
        ("maturity_target", "6"),
    ]);
    let id = propose(&author, &fields).await;
    let page = author.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(
        page.text(".maturity-now"),
        "heute: Stufe 3 – Online-Antragsdienst, Stufe 3 von 3 (Modell 2.0)"
    );
    assert!(
        page.text(".maturity-target")
            .starts_with("Ziel: Stufe 6 – ")
    );

    // A measure whose levels were recorded under 1.1 (before July 2025) reads them as 1.1's.
    sqlx::query(
        "update measures set maturity_model = '1.1', maturity_now = 2, maturity_target = 4
         where id = $1::uuid",
    )
    .bind(&id)
    .execute(&app.db)
    .await
    .expect("levels of model 1.1");
    let page = author.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(
        page.text(".maturity-now"),
        "heute: Stufe 2 – Formular-Assistent (Modell 1.1)"
    );
    assert_eq!(page.count(".maturity-levels__item"), 5);
    let edit = format!("/massnahmen/{id}/bearbeiten");
    let form = author.page(&edit).await;
    assert_eq!(
        form.count("#maturity_now option"),
        6,
        "nicht angegeben and 0–4"
    );
    assert_eq!(form.count(".maturity-legacy"), 1);
    let mut sent = form.form_fields(&edit);
    assert!(sent.contains(&("maturity_model".to_owned(), "1.1".to_owned())));
    // Kept in 1.1, 5 is out of range.
    for (name, value) in &mut sent {
        if name == "maturity_target" {
            *value = "5".to_owned();
        }
    }
    let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let refused = author.post_form(&edit, &pairs).await;
    assert_eq!(refused.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .page()
            .text("#maturity_target-fehler")
            .contains("zwischen 0 und 4")
    );
    // Emptied, the levels have no model; the next edit offers 2.0 again.
    let emptied: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(name, value)| match *name {
            "maturity_now" | "maturity_target" => (*name, ""),
            _ => (*name, *value),
        })
        .collect();
    let saved = author.post_form(&edit, &emptied).await;
    assert_eq!(
        saved.status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        saved.body
    );
    let form = author.page(&edit).await;
    assert_eq!(form.count("#maturity_now option"), 9);
    assert_eq!(form.count(".maturity-legacy"), 0);
    // The history names the levels with their model.
    let history = author
        .page(&format!("/massnahmen/{id}"))
        .await
        .texts(".history-entry");
    assert!(
        history
            .iter()
            .any(|entry| entry.contains("Stufe 2 – Formular-Assistent (Modell 1.1)")),
        "{history:?}"
    );
}
