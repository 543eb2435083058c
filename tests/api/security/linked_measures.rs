//! Every number a person types goes through the one visibility rule, and every projection of a
//! linked measure is filtered by it; a merge target is visible, open and not merged itself.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::measures::{base, propose, two_goals};
use crate::support::TestApp;
use crate::support::accounts::Client;

async fn number_of(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("select number from measures where id = $1::uuid")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("the measure")
}

async fn status_of(app: &TestApp, id: &str) -> (String, Option<String>) {
    sqlx::query_as("select status::text, merged_into::text from measures where id = $1::uuid")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("the measure")
}

async fn draft(client: &Client, title: &str) -> String {
    let (goal_a, goal_b) = two_goals();
    let mut fields = base(title, &goal_a, &goal_b);
    fields.retain(|(key, _)| *key != "aktion");
    fields.push(("aktion", "entwurf"));
    propose(client, &fields).await
}

async fn step(
    client: &Client,
    id: &str,
    fields: &[(&str, &str)],
) -> crate::support::http::TestResponse {
    client
        .post_form(&format!("/massnahmen/{id}/status"), fields)
        .await
}

#[tokio::test]
async fn someone_elses_draft_can_neither_be_named_as_a_dependency_nor_read_through_one() {
    let app = crate::support::spawn_app().await;
    let (goal_a, goal_b) = two_goals();
    let author = app.signed_in(Role::Staff).await;
    let other = app.signed_in(Role::Staff).await;
    let secret = draft(&author, "Geheimer Entwurf zur Bauakte").await;
    let number = format!("M-{}", number_of(&app, &secret).await);

    // Named by someone else, the draft is as unknown as a number never given out.
    for typed in [number.as_str(), "M-999"] {
        let mut fields = base("Aufbauend auf dem Entwurf", &goal_a, &goal_b);
        fields.push(("depends_on", typed));
        let response = other.post_form("/massnahmen/neu", &fields).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert_eq!(
            response.page().text("#depends_on-fehler"),
            format!("Diese Maßnahmen gibt es nicht: {typed}.")
        );
        assert!(!response.body.contains("Geheimer Entwurf"));
    }

    // The author may build on their own draft; nobody else sees the link or its title.
    let mut fields = base(
        "Eingereicht, mit eigenem Entwurf als Voraussetzung",
        &goal_a,
        &goal_b,
    );
    fields.push(("depends_on", number.as_str()));
    let building = propose(&author, &fields).await;
    let path = format!("/massnahmen/{building}");
    let own = author.page(&path).await;
    assert_eq!(
        own.links(".measure-facts a"),
        [format!("/massnahmen/{secret}")]
    );
    for reader in [
        other.clone(),
        app.signed_in(Role::CentralOfficer).await,
        app.signed_in(Role::DistrictOfficer).await,
    ] {
        let response = reader.get(&path).await;
        assert_eq!(response.status, StatusCode::OK);
        assert!(
            !response.body.contains("Geheimer Entwurf"),
            "{}",
            response.body
        );
        assert!(!response.body.contains(&secret));
        let form = reader.get(&format!("{path}/bearbeiten")).await;
        assert!(!form.body.contains("Geheimer Entwurf"));
        if form.status == StatusCode::OK {
            let page = form.page();
            assert_eq!(
                page.select("#depends_on")[0].value().attr("value"),
                Some("")
            );
        }
    }

    // An officer's save of the form (which showed no such link) keeps the author's link.
    let officer = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    let officer = app.login(&officer).await;
    let form = officer.page(&format!("{path}/bearbeiten")).await;
    let version = form.select("input[name=version]")[0]
        .value()
        .attr("value")
        .expect("a version")
        .to_owned();
    let mut fields = base("Eingereicht, vom Amt überarbeitet", &goal_a, &goal_b);
    fields.retain(|(key, _)| *key != "aktion" && *key != "geprueft");
    fields.push(("version", &version));
    let saved = officer
        .post_form(&format!("{path}/bearbeiten"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let own = author.page(&path).await;
    assert_eq!(
        own.links(".measure-facts a"),
        [format!("/massnahmen/{secret}")]
    );
    let history = officer.page(&path).await.texts(".history-entry").join(" ");
    assert!(!history.contains(&number), "{history}");
}

#[tokio::test]
async fn a_merge_target_must_be_visible_open_and_not_merged_itself() {
    let app = crate::support::spawn_app().await;
    let (goal_a, goal_b) = two_goals();
    let author = app.signed_in(Role::Staff).await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let supporter = app.signed_in(Role::Staff).await;
    let merged = propose(&author, &base("Wird zusammengeführt", &goal_a, &goal_b)).await;
    assert_eq!(
        supporter
            .post_form(&format!("/massnahmen/{merged}/unterstuetzen"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&central, &merged, &[("to", "in-pruefung")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let someone = app.signed_in(Role::Staff).await;
    let secret = draft(&someone, "Fremder Entwurf als Ziel").await;
    let rejected = propose(&author, &base("Abgelehnte Maßnahme", &goal_a, &goal_b)).await;
    step(&central, &rejected, &[("to", "in-pruefung")]).await;
    assert_eq!(
        step(
            &central,
            &rejected,
            &[("to", "abgelehnt"), ("reason", "doppelt")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let gone = propose(&author, &base("Schon zusammengeführt", &goal_a, &goal_b)).await;
    let open = propose(&author, &base("Offenes Ziel", &goal_a, &goal_b)).await;
    step(&central, &gone, &[("to", "in-pruefung")]).await;
    let open_number = format!("M-{}", number_of(&app, &open).await);
    assert_eq!(
        step(
            &central,
            &gone,
            &[("to", "zusammengefuehrt"), ("merge_into", &open_number)]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );

    let cases = [
        (
            secret.as_str(),
            "Eine Maßnahme mit dieser Nummer gibt es nicht.",
        ),
        (rejected.as_str(), "nicht mehr offen"),
        (gone.as_str(), "nicht mehr offen"),
        (merged.as_str(), "nicht in sich selbst"),
    ];
    for (target, message) in cases {
        let number = format!("M-{}", number_of(&app, target).await);
        let response = step(
            &central,
            &merged,
            &[("to", "zusammengefuehrt"), ("merge_into", &number)],
        )
        .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{number}"
        );
        let page = response.page();
        let error = page.text("#ziel-zusammengefuehrt-fehler");
        assert!(error.contains(message), "{number}: {error}");
        assert_eq!(
            page.select("#ziel-zusammengefuehrt")[0]
                .value()
                .attr("value"),
            Some(number.as_str()),
            "the input is kept"
        );
        assert!(!response.body.contains("Fremder Entwurf"));
    }
    assert_eq!(
        status_of(&app, &merged).await,
        ("in_review".to_owned(), None)
    );
    let notes = supporter.page("/benachrichtigungen").await;
    assert_eq!(
        notes.texts(".notification-message"),
        Vec::<String>::new(),
        "no merge was announced"
    );

    // A field of one step is refused with any other step, and nothing is left behind.
    for fields in [
        vec![("to", "angenommen"), ("merge_into", open_number.as_str())],
        vec![
            ("to", "abgelehnt"),
            ("reason", "passt nicht"),
            ("merge_into", open_number.as_str()),
        ],
        vec![("to", "angenommen"), ("reason", "weil")],
    ] {
        let response = step(&central, &merged, &fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        assert!(
            response
                .page()
                .text(".error-summary")
                .contains("gehört nur zum"),
            "{fields:?}"
        );
    }
    assert_eq!(
        status_of(&app, &merged).await,
        ("in_review".to_owned(), None)
    );

    // Into an open measure it works, and the database holds the rule as well.
    let response = step(
        &central,
        &merged,
        &[("to", "zusammengefuehrt"), ("merge_into", &open_number)],
    )
    .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(
        status_of(&app, &merged).await,
        ("merged".to_owned(), Some(open.clone()))
    );
    let broken = sqlx::query("update measures set merged_into = $1::uuid where id = $2::uuid")
        .bind(&open)
        .bind(&rejected)
        .execute(&app.db)
        .await;
    assert!(broken.is_err(), "merged_into only with the status merged");
}

#[tokio::test]
async fn a_deferral_reason_is_not_shown_once_the_review_resumes() {
    let app = crate::support::spawn_app().await;
    let (goal_a, goal_b) = two_goals();
    let author = app.signed_in(Role::Staff).await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let id = propose(&author, &base("Später prüfen", &goal_a, &goal_b)).await;
    step(&central, &id, &[("to", "in-pruefung")]).await;
    step(
        &central,
        &id,
        &[("to", "zurueckgestellt"), ("reason", "Haushalt abwarten")],
    )
    .await;
    assert_eq!(
        step(&central, &id, &[("to", "in-pruefung")]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = author.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(page.count(".status-reason"), 0);
    assert!(
        page.text(".history").contains("Haushalt abwarten"),
        "the history keeps it"
    );
}

#[tokio::test]
async fn a_form_key_finds_only_its_own_authors_measure() {
    let app = crate::support::spawn_app().await;
    let (goal_a, goal_b) = two_goals();
    let first = app.signed_in(Role::Staff).await;
    let second = app.signed_in(Role::Staff).await;
    let key = uuid::Uuid::new_v4().to_string();
    let mut fields = base("Mit festem Formularschlüssel", &goal_a, &goal_b);
    fields.push(("submission_key", &key));
    let mine = propose(&first, &fields).await;
    assert_eq!(
        propose(&first, &fields).await,
        mine,
        "sent twice: one measure"
    );
    let theirs = propose(&second, &fields).await;
    assert_ne!(
        theirs, mine,
        "another author's key is not a way into their measure"
    );
}
