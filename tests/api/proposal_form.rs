//! The proposal and edit form as a person reads it: one group per design field or theme, its
//! name on its own line, its goals behind a summary that counts the chosen ones.

use prima::domain::roles::Role;

use crate::measures::{base, propose, two_goals};

#[tokio::test]
async fn the_goal_groups_count_the_chosen_goals_and_open_those_with_any() {
    let app = crate::support::spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let fresh = author.page("/massnahmen/neu").await;
    assert_eq!(
        fresh.count(".goal-group"),
        9,
        "one group per field and theme"
    );
    assert_eq!(fresh.count(".goal-group > legend"), 9);
    assert_eq!(fresh.count(".goal-group details[open]"), 0);
    assert!(
        fresh
            .texts(".goal-group summary")
            .iter()
            .all(|summary| summary.starts_with("Keines von "))
    );

    let (goal_a, goal_b) = two_goals();
    let id = propose(
        &author,
        &base("Zwei Ziele in zwei Feldern", &goal_a, &goal_b),
    )
    .await;
    let form = author.page(&format!("/massnahmen/{id}/bearbeiten")).await;
    assert_eq!(form.count(".goal-group details[open]"), 2);
    assert_eq!(
        form.texts(".goal-group details[open] summary"),
        ["1 von 5 Zielen gewählt", "1 von 4 Zielen gewählt"]
    );
    assert_eq!(
        form.select(&format!("#ziel-{goal_a}"))[0]
            .value()
            .attr("checked"),
        Some("")
    );
}
