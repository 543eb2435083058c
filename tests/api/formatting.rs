//! Numbers, amounts and dates on the pages as German readers write them (one place:
//! `web::format`), also in a measure's history; statuses as badges.

use axum::http::StatusCode;
use prima::domain::roles::Role;

use crate::measures::{base, propose, two_goals};

#[tokio::test]
async fn amounts_efforts_and_dates_are_written_the_german_way() {
    let app = crate::support::spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let mut fields = base("Mit Zahlen", &goal_a, &goal_b);
    fields.extend([
        ("cost_euros", "110000"),
        ("effort_person_days", "1200"),
        ("planned_start", "2027-01-31"),
    ]);
    let id = propose(&author, &fields).await;
    let path = format!("/massnahmen/{id}");
    let response = author.get(&path).await;
    assert!(
        response.body.contains("110.000\u{a0}€"),
        "a no-break space keeps the sign with its amount"
    );
    let facts = response.page().text(".measure-facts");
    for shown in ["110.000 €", "1.200 Personentage", "31.01.2027"] {
        assert!(facts.contains(shown), "{shown:?} in {facts:?}");
    }

    let form = author.page(&format!("{path}/bearbeiten")).await;
    let version = form.select("input[name=version]")[0]
        .value()
        .attr("value")
        .expect("a version")
        .to_owned();
    let mut fields = base("Mit Zahlen", &goal_a, &goal_b);
    fields.retain(|(key, _)| *key != "aktion" && *key != "geprueft");
    fields.extend([
        ("cost_euros", "95000"),
        ("effort_person_days", "1200"),
        ("planned_start", "01.02.2027"),
        ("version", version.as_str()),
    ]);
    let saved = author
        .post_form(&format!("{path}/bearbeiten"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let changes = author.page(&path).await.texts(".history-change");
    assert!(
        changes.contains(&"Kosten (Euro): „110.000“ → „95.000“".to_owned()),
        "{changes:?}"
    );
    assert!(
        changes.contains(&"Geplanter Beginn: „31.01.2027“ → „01.02.2027“".to_owned()),
        "{changes:?}"
    );
}

#[tokio::test]
async fn a_status_is_a_badge_with_its_colour_and_always_its_text() {
    let app = crate::support::spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&author, &base("Mit Status", &goal_a, &goal_b)).await;
    let page = author.page(&format!("/massnahmen/{id}")).await;
    let badge = &page.select(".measure-status")[0];
    assert_eq!(crate::support::html::text_of(*badge), "Eingereicht");
    let classes: Vec<&str> = badge.value().classes().collect();
    assert!(
        classes.contains(&"kern-badge") && classes.contains(&"kern-badge--info"),
        "{classes:?}"
    );
    let catalogue = author.page("/massnahmen").await;
    assert_eq!(
        catalogue.texts(".catalogue-item .status-badge"),
        ["Eingereicht"]
    );
    let goal = author.page(&format!("/strategie/ziele/{goal_a}")).await;
    assert_eq!(goal.texts(".status-badge"), ["Eingereicht"]);
}
