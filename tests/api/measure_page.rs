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
