use axum::http::StatusCode;
use prima::db::seed::strategy_2020;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::accounts::Client;
use crate::support::html::within;
use crate::support::{TestApp, spawn_app};

/// Two goals of the 2020 strategy: one of "Datenmanagement", one of "Nutzerorientierung".
pub(crate) fn two_goals() -> (String, String) {
    let document = strategy_2020().expect("the shipped content");
    (
        document.fields[8].goals[1].id.to_string(),
        document.fields[3].goals[0].id.to_string(),
    )
}

/// Proposes a measure through the form and returns its id (from the redirect). The similar
/// measures count as checked; `similar_measures_are_shown_before_submitting` covers the check.
pub(crate) async fn propose(client: &Client, fields: &[(&str, &str)]) -> String {
    let mut fields = fields.to_vec();
    fields.push(("geprueft", "ja"));
    let response = client.post_form("/massnahmen/neu", &fields).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response
        .header("location")
        .and_then(|location| location.strip_prefix("/massnahmen/"))
        .expect("the new measure's page")
        .to_owned()
}

pub(crate) fn base<'a>(
    title: &'a str,
    goal_a: &'a str,
    goal_b: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("summary", "Bürgerinnen und Bürger stellen Anträge online."),
        ("goals", goal_a),
        ("goals", goal_b),
        ("lead_office", "altona"),
        ("source", "vorschlag"),
        ("aktion", "einreichen"),
        ("geprueft", "ja"),
    ]
}

async fn officer(app: &TestApp, office: Office) -> Client {
    let user = app.create_user(&[Role::DistrictOfficer], office).await;
    app.login(&user).await
}

#[tokio::test]
async fn a_proposal_with_two_goals_appears_in_the_catalogue_and_on_both_goal_pages() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(
        &staff,
        &base("Online-Antrag für Sondernutzungen", &goal_a, &goal_b),
    )
    .await;

    let page = staff.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(
        page.text(".measure-title"),
        "Online-Antrag für Sondernutzungen"
    );
    assert_eq!(page.text(".measure-status"), "Eingereicht");
    assert_eq!(page.count(".measure-goals li"), 2);
    assert_eq!(page.count(".history-entry"), 1);

    let catalogue = staff.page("/massnahmen").await;
    assert_eq!(catalogue.count(".catalogue-item"), 1);
    for goal in [&goal_a, &goal_b] {
        let goal_page = staff.page(&format!("/strategie/ziele/{goal}")).await;
        assert!(
            goal_page
                .text(".measure")
                .contains("Online-Antrag für Sondernutzungen")
        );
    }
}

#[tokio::test]
async fn a_refused_form_keeps_the_input_and_names_each_problem_next_to_its_field() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let response = staff
        .post_form(
            "/massnahmen/neu",
            &[
                ("title", ""),
                ("summary", "Meine Kurzbeschreibung"),
                ("lead_office", "altona"),
                ("source", "vorschlag"),
                ("ozg_id", "10061"),
                ("leika_key", "12345"),
                ("cost_euros", "12,50"),
                ("aktion", "einreichen"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.page();
    assert_eq!(
        page.links(".error-summary a"),
        ["#title", "#cost_euros", "#leika_key"]
    );
    assert_eq!(
        page.text("#title-fehler"),
        "Bitte geben Sie einen Titel ein."
    );
    assert_eq!(
        page.text("#leika_key-fehler"),
        "Der LeiKa-Schlüssel hat genau 14 Ziffern."
    );
    assert_eq!(page.text("#summary"), "Meine Kurzbeschreibung");
    assert_eq!(
        page.select("#leika_key")[0].value().attr("value"),
        Some("12345")
    );

    let without_goal = staff
        .post_form(
            "/massnahmen/neu",
            &[
                ("title", "Ohne Ziel"),
                ("lead_office", "altona"),
                ("source", "vorschlag"),
                ("aktion", "einreichen"),
            ],
        )
        .await;
    assert_eq!(without_goal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        without_goal
            .page()
            .text("#goals-fehler")
            .contains("mindestens einem Ziel")
    );
}

#[tokio::test]
async fn a_draft_is_seen_by_its_author_only() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let other = app.signed_in(Role::CentralOfficer).await;
    let id = propose(
        &author,
        &[
            ("title", "Noch geheim"),
            ("lead_office", "altona"),
            ("source", "vorschlag"),
            ("aktion", "entwurf"),
        ],
    )
    .await;
    assert_eq!(
        author
            .page(&format!("/massnahmen/{id}"))
            .await
            .text(".measure-status"),
        "Entwurf"
    );
    assert_eq!(
        other.get(&format!("/massnahmen/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.page("/massnahmen").await.count(".catalogue-item"), 0);
}

#[tokio::test]
async fn the_officer_of_the_lead_office_reviews_and_others_cannot() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&staff, &base("Digitale Flipcharts", &goal_a, &goal_b)).await;
    let altona = officer(&app, Office::Altona).await;
    let wandsbek = officer(&app, Office::Wandsbek).await;
    let status = format!("/massnahmen/{id}/status");

    assert_eq!(
        wandsbek
            .post_form(&status, &[("to", "in-pruefung")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        staff
            .post_form(&status, &[("to", "in-pruefung")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        altona
            .post_form(&status, &[("to", "in-pruefung")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        altona
            .post_form(&status, &[("to", "angenommen")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        altona
            .post_form(&status, &[("to", "eingereicht")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not from here"
    );
    let page = staff.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(page.text(".measure-status"), "Angenommen");
    assert_eq!(page.count(".history-entry"), 3);
}

#[tokio::test]
async fn a_rejection_needs_a_reason_that_everyone_sees() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&staff, &base("Chatbot für Auskünfte", &goal_a, &goal_b)).await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let status = format!("/massnahmen/{id}/status");
    assert_eq!(
        central
            .post_form(&status, &[("to", "in-pruefung")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let without = central
        .post_form(&status, &[("to", "abgelehnt"), ("reason", "  ")])
        .await;
    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        without
            .page()
            .text("#grund-abgelehnt-fehler")
            .contains("Begründung")
    );
    let with = central
        .post_form(
            &status,
            &[
                ("to", "abgelehnt"),
                ("reason", "Wird zentral von der Fachbehörde umgesetzt."),
            ],
        )
        .await;
    assert_eq!(with.status, StatusCode::SEE_OTHER);
    let reader = app.signed_in(Role::Staff).await;
    let page = reader.page(&format!("/massnahmen/{id}")).await;
    assert!(
        page.text(".status-reason")
            .contains("Wird zentral von der Fachbehörde umgesetzt.")
    );
}

#[tokio::test]
async fn german_search_finds_inflected_forms_and_pages_through_results() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    propose(
        &staff,
        &[
            ("title", "Antrag auf Bewohnerparkausweis online"),
            ("goals", &goal_a),
            ("lead_office", "wandsbek"),
            ("source", "vorschlag"),
            ("aktion", "einreichen"),
        ],
    )
    .await;
    for number in 0..55 {
        let title = format!("Digitale Akte Nummer {number}");
        propose(
            &staff,
            &[
                ("title", &title),
                ("goals", &goal_b),
                ("lead_office", "harburg"),
                ("source", "workshop"),
                ("aktion", "einreichen"),
            ],
        )
        .await;
    }
    let found = staff.page("/massnahmen?suche=Anträge").await;
    assert_eq!(
        found.texts(".catalogue-item .catalogue-title"),
        ["Antrag auf Bewohnerparkausweis online"]
    );

    let first = staff.page("/massnahmen?suche=Akten").await;
    assert_eq!(first.count(".catalogue-item"), 50);
    assert!(
        first
            .text(".result-count")
            .starts_with("55 Maßnahmen, Seite 1 von 2")
    );
    let next = first.links(".pagination a[rel=next]");
    assert_eq!(next, ["/massnahmen?suche=Akten&seite=2"]);
    assert_eq!(staff.page(&next[0]).await.count(".catalogue-item"), 5);
    let mut titles: Vec<String> = (0..55)
        .map(|number| format!("Digitale Akte Nummer {number}"))
        .collect();
    titles.sort();
    let second_by_title = staff
        .page("/massnahmen?suche=Akten&sortierung=titel&seite=2")
        .await
        .texts(".catalogue-item .catalogue-title");
    assert_eq!(second_by_title, titles[50..]);
    let newest = staff
        .page("/massnahmen?suche=Akten&sortierung=neueste")
        .await;
    assert!(
        newest.texts(".catalogue-item .catalogue-title")[0].ends_with("Digitale Akte Nummer 54")
    );
    let past_the_end = staff.page("/massnahmen?suche=Akten&seite=3").await;
    assert_eq!(past_the_end.count(".catalogue-item"), 0);
    assert!(
        past_the_end
            .text(".result-count")
            .starts_with("55 Maßnahmen"),
        "a page past the last still tells the total: {}",
        past_the_end.text(".result-count")
    );
    // Best match first: a hit in the title weighs more than one in the summary.
    propose(
        &staff,
        &[
            ("title", "Registratur modernisieren"),
            ("summary", "Jede Akte wird elektronisch geführt."),
            ("goals", &goal_b),
            ("lead_office", "harburg"),
            ("source", "workshop"),
            ("aktion", "einreichen"),
        ],
    )
    .await;
    for sort in ["", "&sortierung=relevanz"] {
        let ranked = staff
            .page(&format!("/massnahmen?suche=Akten{sort}&seite=2"))
            .await;
        assert_eq!(ranked.count(".catalogue-item"), 6);
        assert!(
            ranked.texts(".catalogue-item .catalogue-title")[5]
                .ends_with("Registratur modernisieren")
        );
    }

    let by_office = staff.page("/massnahmen?amt=wandsbek").await;
    assert_eq!(by_office.count(".catalogue-item"), 1);
    let by_title = staff.page("/massnahmen?sortierung=titel").await;
    assert_eq!(
        by_title
            .texts(".catalogue-item .catalogue-title")
            .first()
            .map(String::as_str),
        Some("Antrag auf Bewohnerparkausweis online")
    );
}

#[tokio::test]
async fn filters_narrow_the_catalogue() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    propose(
        &staff,
        &[
            ("title", "Schnell umsetzbar"),
            ("goals", &goal_a),
            ("lead_office", "altona"),
            ("participating_offices", "bergedorf"),
            ("source", "vorschlag"),
            ("quick_win", "ja"),
            ("tags", "Termine, Bürgerservice"),
            ("aktion", "einreichen"),
        ],
    )
    .await;
    propose(
        &staff,
        &[
            ("title", "Mit OZG-Bezug"),
            ("goals", &goal_b),
            ("lead_office", "harburg"),
            ("source", "vorschlag"),
            ("ozg_id", "10061"),
            ("aktion", "einreichen"),
        ],
    )
    .await;
    let field_of_b: String =
        sqlx::query_scalar("select field_id::text from goals where id = $1::uuid")
            .bind(&goal_b)
            .fetch_one(&app.db)
            .await
            .expect("a field");
    for (query, expected) in [
        ("schnell=ja", "Schnell umsetzbar"),
        ("ozg=ja", "Mit OZG-Bezug"),
        ("amt=bergedorf", "Schnell umsetzbar"),
        ("schlagwort=termine", "Schnell umsetzbar"),
        (&format!("feld={field_of_b}"), "Mit OZG-Bezug"),
        (&format!("ziel={goal_a}"), "Schnell umsetzbar"),
        ("status=eingereicht&amt=harburg", "Mit OZG-Bezug"),
    ] {
        let page = staff.page(&format!("/massnahmen?{query}")).await;
        assert_eq!(
            page.texts(".catalogue-item .catalogue-title"),
            [expected],
            "{query}"
        );
    }

    // The table says where each hit belongs.
    let document = strategy_2020().expect("the shipped content");
    let all = staff.page("/massnahmen?sortierung=titel").await;
    assert_eq!(
        all.texts(".catalogue-item .results-table__fields"),
        [
            document.fields[3].name.as_str(),
            document.fields[8].name.as_str()
        ]
    );
    assert_eq!(
        all.texts(".catalogue-item .results-table__number"),
        ["M-2", "M-1"]
    );
}

#[tokio::test]
async fn the_filters_in_use_are_listed_and_each_can_be_removed() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, _) = two_goals();
    propose(
        &staff,
        &[
            ("title", "Termine online vergeben"),
            ("goals", &goal_a),
            ("lead_office", "harburg"),
            ("source", "vorschlag"),
            ("aktion", "einreichen"),
        ],
    )
    .await;

    let plain = staff.page("/massnahmen?suche=Termin").await;
    assert_eq!(
        plain.count("details.filter-panel[open]"),
        0,
        "no filter in use"
    );
    assert_eq!(
        plain.texts(".active-filter"),
        ["Suche: „Termin“ – entfernen×"]
    );
    assert_eq!(plain.count(".active-filters__reset"), 0);

    let view = "/massnahmen?suche=Termin&status=eingereicht&amt=harburg&schnell=&sortierung=titel";
    let page = staff.page(view).await;
    assert_eq!(page.count("details.filter-panel[open]"), 1);
    assert_eq!(page.text(".filter-panel__summary"), "Filter (2 aktiv)");
    assert_eq!(
        page.texts(".active-filter"),
        [
            "Suche: „Termin“ – entfernen×",
            "Status: Eingereicht – entfernen×",
            "Bezirksamt Harburg – entfernen×",
        ]
    );
    assert_eq!(
        page.links(".active-filter"),
        [
            "/massnahmen?status=eingereicht&amt=harburg&sortierung=titel",
            "/massnahmen?suche=Termin&amt=harburg&sortierung=titel",
            "/massnahmen?suche=Termin&status=eingereicht&sortierung=titel",
        ]
    );
    // Resetting keeps what was searched for and the order.
    assert_eq!(
        page.links(".active-filters__reset"),
        ["/massnahmen?suche=Termin&sortierung=titel"]
    );
    for removed in page.links(".active-filter") {
        assert_eq!(
            staff.page(&removed).await.count(".catalogue-item"),
            1,
            "{removed}"
        );
    }

    // Sorting from the headers keeps the filters; the column in use says so.
    assert_eq!(
        page.texts("th[aria-sort='ascending']"),
        ["Maßnahme, sortieren: alphabetisch ▲"]
    );
    assert_eq!(page.count("th[aria-sort]"), 1);
    assert_eq!(
        page.links("th.sort-header a"),
        [
            "/massnahmen?suche=Termin&status=eingereicht&amt=harburg&sortierung=neueste",
            "/massnahmen?suche=Termin&status=eingereicht&amt=harburg&sortierung=titel",
            "/massnahmen?suche=Termin&status=eingereicht&amt=harburg&sortierung=unterstuetzung",
            "/massnahmen?suche=Termin&status=eingereicht&amt=harburg&sortierung=rang",
        ]
    );
    assert_eq!(
        page.links(".results-table__caption a"),
        ["/massnahmen?suche=Termin&status=eingereicht&amt=harburg&sortierung=relevanz"]
    );
    // Without a search text the newest come first, and the number column says so.
    let newest = staff.page("/massnahmen").await;
    assert_eq!(newest.count("th[aria-sort='descending']"), 1);
    assert!(newest.text("th[aria-sort]").starts_with("Nr."));
    assert_eq!(newest.count(".results-table__caption a"), 0);
}

#[tokio::test]
async fn a_second_save_over_a_newer_one_is_refused_with_409_and_keeps_the_input() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(
        &staff,
        &base("Workflow statt Umlaufmappe", &goal_a, &goal_b),
    )
    .await;
    let first = app.signed_in(Role::CentralOfficer).await;
    let second = app.signed_in(Role::CentralOfficer).await;
    let edit = format!("/massnahmen/{id}/bearbeiten");
    let version = |client: Client| {
        let edit = edit.clone();
        async move {
            client.page(&edit).await.select("input[name=version]")[0]
                .value()
                .attr("value")
                .map(str::to_owned)
                .expect("a version")
        }
    };
    let first_version = version(first.clone()).await;
    let second_version = version(second.clone()).await;

    let mut fields = base(
        "Elektronischer Workflow statt Umlaufmappe",
        &goal_a,
        &goal_b,
    );
    fields.push(("version", &first_version));
    assert_eq!(
        first.post_form(&edit, &fields).await.status,
        StatusCode::SEE_OTHER
    );

    let mut late = base("Workflow ohne Papier", &goal_a, &goal_b);
    late.push(("version", &second_version));
    let refused = second.post_form(&edit, &late).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let page = refused.page();
    assert!(
        page.text(".conflict-changes")
            .contains("Elektronischer Workflow statt Umlaufmappe")
    );
    assert_eq!(
        page.select("#title")[0].value().attr("value"),
        Some("Workflow ohne Papier")
    );
    let stored: String = sqlx::query_scalar("select title from measures where id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .expect("the title");
    assert_eq!(
        stored, "Elektronischer Workflow statt Umlaufmappe",
        "nothing was overwritten"
    );

    // Sent again from the 409 page (now with the current version), it applies deliberately.
    let current_version = page.select("input[name=version]")[0]
        .value()
        .attr("value")
        .expect("a version")
        .to_owned();
    let mut again = base("Workflow ohne Papier", &goal_a, &goal_b);
    again.push(("version", &current_version));
    assert_eq!(
        second.post_form(&edit, &again).await.status,
        StatusCode::SEE_OTHER
    );
    let history = staff.page(&format!("/massnahmen/{id}")).await;
    assert!(
        history
            .texts(".history-change")
            .iter()
            .any(|change| change.contains("Workflow ohne Papier"))
    );
}

/// The form as a browser would send it after the reader changed `changes`.
fn edited(
    page: &crate::support::html::Page,
    action: &str,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut fields = page.form_fields(action);
    for (name, value) in changes {
        let slot = fields
            .iter_mut()
            .find(|(field, _)| field == name)
            .unwrap_or_else(|| panic!("the form has {name}"));
        slot.1 = (*value).to_owned();
    }
    fields
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// Sends the form of `page` after changing `changes`, as a browser would.
async fn save_edited(
    client: &Client,
    page: &crate::support::html::Page,
    action: &str,
    changes: &[(&str, &str)],
) -> crate::support::http::TestResponse {
    client
        .post_form(action, &as_refs(&edited(page, action, changes)))
        .await
}

#[tokio::test]
async fn after_a_conflict_the_other_persons_changes_are_taken_over_and_only_collisions_marked() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let mut fields = base("Workflow statt Umlaufmappe", &goal_a, &goal_b);
    fields.push(("cost_euros", "3000"));
    fields.push(("responsible_unit", "Fachamt 1"));
    let id = propose(&staff, &fields).await;
    let first = app.signed_in(Role::CentralOfficer).await;
    let second = app.signed_in(Role::CentralOfficer).await;
    let edit = format!("/massnahmen/{id}/bearbeiten");
    // Both open the form at the same version.
    let (first_form, second_form) = (first.page(&edit).await, second.page(&edit).await);

    // A saves a new title and cost.
    let saved = save_edited(
        &first,
        &first_form,
        &edit,
        &[("title", "Elektronischer Workflow"), ("cost_euros", "4500")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);

    // B changed only the summary: saved at once, A's title and cost kept.
    let merged = save_edited(
        &second,
        &second_form,
        &edit,
        &[("summary", "Akten laufen digital durch die Abteilungen.")],
    )
    .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let stored: (String, String, Option<i64>) =
        sqlx::query_as("select title, summary, cost_euros from measures where id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .expect("the measure");
    assert_eq!(
        stored,
        (
            "Elektronischer Workflow".to_owned(),
            "Akten laufen digital durch die Abteilungen.".to_owned(),
            Some(4500)
        ),
        "nothing of A's was reverted"
    );

    // Both change the responsible unit, differently: only that field is marked.
    let (first_form, second_form) = (first.page(&edit).await, second.page(&edit).await);
    let saved = save_edited(
        &first,
        &first_form,
        &edit,
        &[("responsible_unit", "Fachamt 2"), ("tags", "Akten")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let refused = save_edited(
        &second,
        &second_form,
        &edit,
        &[
            ("responsible_unit", "Fachamt 3"),
            ("contact_person", "Frau Kaya"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let page = refused.page();
    let value = |css: &str| {
        page.select(css)[0]
            .value()
            .attr("value")
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(value("#responsible_unit"), "Fachamt 3", "B's input is kept");
    assert!(
        page.text("#responsible_unit-fehler")
            .contains("„Fachamt 2“"),
        "{}",
        page.text("main")
    );
    assert_eq!(value("#tags"), "akten", "A's other change is taken over");
    assert_eq!(value("#contact_person"), "Frau Kaya");
    assert_eq!(page.count(".kern-error"), 1, "only the collision is marked");
    let unit: String =
        sqlx::query_scalar("select responsible_unit from measures where id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .expect("the unit");
    assert_eq!(unit, "Fachamt 2", "nothing was overwritten");

    // Saved again as the page now holds it: B's unit and contact, A's tags.
    let again = second
        .post_form(&edit, &as_refs(&page.form_fields(&edit)))
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let stored: (String, String, String) = sqlx::query_as(
        "select m.responsible_unit, m.contact_person, array_to_string(array(select t.tag from measure_tags t where t.measure_id = m.id), ',')
         from measures m where m.id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .expect("the measure");
    assert_eq!(
        stored,
        (
            "Fachamt 3".to_owned(),
            "Frau Kaya".to_owned(),
            "akten".to_owned()
        )
    );
}

#[tokio::test]
async fn refused_and_repeated_proposals_use_up_no_measure_number() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let number = |id: String| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select number from measures where id = $1::uuid")
                .bind(id)
                .fetch_one(&db)
                .await
                .expect("a number")
        }
    };
    let first = number(propose(&staff, &base("Erste", &goal_a, &goal_b)).await).await;
    // Refused three times (a prerequisite that does not exist): the insert is rolled back.
    let mut refused = base("Abgelehnt", &goal_a, &goal_b);
    refused.push(("depends_on", "M-99999"));
    for _ in 0..3 {
        let response = staff.post_form("/massnahmen/neu", &refused).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The same form sent three times: one measure.
    let key = uuid::Uuid::new_v4().to_string();
    let mut twice = base("Dreimal gesendet", &goal_a, &goal_b);
    twice.push(("submission_key", &key));
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(propose(&staff, &twice).await);
    }
    assert!(ids.iter().all(|id| *id == ids[0]));
    let second = number(ids[0].clone()).await;
    let third = number(propose(&staff, &base("Dritte", &goal_a, &goal_b)).await).await;
    assert_eq!(
        (second, third),
        (first + 1, first + 2),
        "no number was used up"
    );
}

#[tokio::test]
async fn a_form_sent_twice_creates_one_measure() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let key = uuid::Uuid::new_v4().to_string();
    let mut fields = base("Doppelklick", &goal_a, &goal_b);
    fields.push(("submission_key", &key));
    let first = propose(&staff, &fields).await;
    let second = propose(&staff, &fields).await;
    assert_eq!(first, second);
    let count: i64 = sqlx::query_scalar("select count(*) from measures")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn staff_cannot_set_fields_reserved_for_officers() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let mut fields = base("Selbst angenommen", &goal_a, &goal_b);
    fields.extend([
        ("status", "accepted"),
        ("status_reason", "weil ich will"),
        ("version", "99"),
        ("author_id", "00000000-0000-0000-0000-000000000000"),
    ]);
    let id = propose(&staff, &fields).await;
    let row: (String, Option<String>, i32) = sqlx::query_as(
        "select status::text, status_reason, version from measures where id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .expect("the measure");
    assert_eq!(row, ("submitted".to_owned(), None, 1));
}

#[tokio::test]
async fn markdown_in_a_description_cannot_carry_script_or_javascript_links() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let mut fields = base("Sicher dargestellt", &goal_a, &goal_b);
    fields.push(("description", "**Wichtig** <script>alert(1)</script> [klick](javascript:alert(2)) [Portal](https://www.hamburg.de)"));
    let id = propose(&staff, &fields).await;
    let response = staff.get(&format!("/massnahmen/{id}")).await;
    let page = response.page();
    assert_eq!(page.count("main script"), 0);
    assert!(!response.body.to_lowercase().contains("javascript:"));
    assert_eq!(page.texts(".markdown strong"), ["Wichtig"]);
    assert_eq!(page.links(".markdown a"), ["https://www.hamburg.de"]);
    assert!(
        page.text(".markdown").contains("<script>alert(1)</script>"),
        "shown as text"
    );
}

#[tokio::test]
async fn an_unknown_dependency_is_refused_next_to_its_field() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let first = propose(&staff, &base("Basis", &goal_a, &goal_b)).await;
    let mut fields = base("Aufbauend", &goal_a, &goal_b);
    fields.push(("depends_on", "M-1, M-99"));
    let response = staff.post_form("/massnahmen/neu", &fields).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.page().text("#depends_on-fehler"),
        "Diese Maßnahmen gibt es nicht: M-99."
    );
    let mut fields = base("Aufbauend", &goal_a, &goal_b);
    fields.push(("depends_on", "M-1"));
    let id = propose(&staff, &fields).await;
    let page = staff.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(
        page.links(".measure-facts a"),
        [format!("/massnahmen/{first}")]
    );
    let _ = within;
}

#[tokio::test]
async fn a_person_supports_a_measure_once_and_can_withdraw_but_not_for_their_own() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&author, &base("Denk- und Arbeitsräume", &goal_a, &goal_b)).await;
    let colleague = app.signed_in(Role::Staff).await;
    let support = format!("/massnahmen/{id}/unterstuetzen");

    assert_eq!(
        author.post_form(&support, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        colleague.post_form(&support, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        colleague.post_form(&support, &[]).await.status,
        StatusCode::SEE_OTHER,
        "twice counts once"
    );
    let page = colleague.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(page.text(".measure-summary .support-count"), "1");
    assert!(
        page.text(".measure-summary .support-button")
            .contains("zurückziehen")
    );
    assert_eq!(
        colleague
            .page("/massnahmen?sortierung=unterstuetzung")
            .await
            .text(".catalogue-item .support-count"),
        "1"
    );

    let withdraw = format!("/massnahmen/{id}/unterstuetzung-zurueckziehen");
    assert_eq!(
        colleague.post_form(&withdraw, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        colleague
            .page(&format!("/massnahmen/{id}"))
            .await
            .text(".measure-summary .support-count"),
        "0"
    );
}

#[tokio::test]
async fn a_field_page_counts_the_measures_of_each_goal() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    propose(&staff, &base("Eins", &goal_a, &goal_b)).await;
    propose(
        &staff,
        &[
            ("title", "Zwei"),
            ("goals", &goal_a),
            ("lead_office", "altona"),
            ("source", "vorschlag"),
            ("aktion", "einreichen"),
        ],
    )
    .await;
    let field: String = sqlx::query_scalar("select field_id::text from goals where id = $1::uuid")
        .bind(&goal_a)
        .fetch_one(&app.db)
        .await
        .expect("a field");
    let page = staff.page(&format!("/strategie/felder/{field}")).await;
    let counts = page.texts(".measure-count");
    assert_eq!(
        counts,
        [
            "noch keine Maßnahme",
            "2 Maßnahmen",
            "noch keine Maßnahme",
            "noch keine Maßnahme"
        ]
    );
}

#[tokio::test]
async fn the_example_measures_load_once_and_generated_ones_are_deterministic() {
    let app = spawn_app().await;
    assert_eq!(
        prima::demo::load_examples(&app.db)
            .await
            .expect("examples load"),
        60
    );
    assert_eq!(
        prima::demo::load_examples(&app.db)
            .await
            .expect("examples again"),
        0
    );
    let staff = app.signed_in(Role::Staff).await;
    let catalogue = staff.page("/massnahmen?schlagwort=beispiel").await;
    assert!(catalogue.text(".result-count").starts_with("60 Maßnahmen"));

    // The examples have a story, written through the pages' own functions and rules.
    let implemented: String = sqlx::query_scalar(
        "select id::text from measures where status = 'implemented' order by number limit 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("an implemented example");
    let page = staff.page(&format!("/massnahmen/{implemented}")).await;
    assert!(
        page.text(".measure-facts").contains("(Beispiel)"),
        "an example colleague proposed it: {}",
        page.text(".measure-facts")
    );
    let steps = page.texts(".history-entry");
    assert!(
        steps.len() >= 6,
        "created, four steps, rows, progress: {steps:?}"
    );
    assert!(
        steps
            .iter()
            .any(|step| step.contains("In Umsetzung → Umgesetzt"))
    );
    assert_eq!(page.text(".progress-percent"), "100 %");
    let matrix = staff
        .page("/massnahmen/umsetzung?schlagwort=beispiel")
        .await;
    let done: i64 = matrix
        .texts(".matrix-total td[data-state=umgesetzt]")
        .iter()
        .map(|count| count.parse::<i64>().expect("a count"))
        .sum();
    assert!(
        done >= 11,
        "every implemented example's lead office at least: {done}"
    );
    let (supported, internal, comments): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from measures where support_count > 0),
                (select count(*) from comments where internal),
                (select count(*) from comments where not internal)",
    )
    .fetch_one(&app.db)
    .await
    .expect("counts");
    assert!(
        supported >= 30 && internal >= 5 && comments >= 10,
        "{supported} {internal} {comments}"
    );
    let reasons: i64 = sqlx::query_scalar(
        "select count(*) from measures where status in ('rejected', 'deferred') and status_reason is not null",
    )
    .fetch_one(&app.db)
    .await
    .expect("a count");
    assert_eq!(reasons, 6, "every rejection and deferral says why");
    let found = staff.page("/massnahmen?suche=Datawarehouse").await;
    assert!(
        found
            .texts(".catalogue-item .catalogue-title")
            .iter()
            .any(|title| title.ends_with("Bezirksübergreifendes Datawarehouse"))
    );

    let tree = prima::db::strategy::current_tree(&app.db)
        .await
        .expect("a tree")
        .expect("loaded");
    let first: Vec<String> = prima::demo::generated(&tree, 50, 7)
        .into_iter()
        .map(|m| m.data.title)
        .collect();
    let second: Vec<String> = prima::demo::generated(&tree, 50, 7)
        .into_iter()
        .map(|m| m.data.title)
        .collect();
    let other: Vec<String> = prima::demo::generated(&tree, 50, 8)
        .into_iter()
        .map(|m| m.data.title)
        .collect();
    assert_eq!(first, second);
    assert_ne!(first, other);
    assert_eq!(
        prima::demo::load_generated(&app.db, 2_500, 7)
            .await
            .expect("generated load"),
        2_500
    );
    let count: i64 = sqlx::query_scalar("select count(*) from measures")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(count, 2_560);
}

#[tokio::test]
async fn similar_measures_are_shown_before_submitting() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let first = propose(
        &staff,
        &base("Online-Antrag für Sondernutzungen", &goal_a, &goal_b),
    )
    .await;
    let other = app.signed_in(Role::Staff).await;
    let fields = [
        ("title", "Online-Antrag für die Sondernutzung"),
        ("goals", goal_a.as_str()),
        ("lead_office", "wandsbek"),
        ("source", "vorschlag"),
    ];
    let mut check = fields.to_vec();
    check.push(("aktion", "pruefen"));
    let response = other.post_form("/massnahmen/neu", &check).await;
    assert_eq!(response.status, StatusCode::OK);
    let page = response.page();
    assert_eq!(page.links(".similar a"), [format!("/massnahmen/{first}")]);
    assert_eq!(
        page.select("#title")[0].value().attr("value"),
        Some("Online-Antrag für die Sondernutzung")
    );

    let mut submit = fields.to_vec();
    submit.push(("aktion", "einreichen"));
    let first_try = other.post_form("/massnahmen/neu", &submit).await;
    assert_eq!(first_try.status, StatusCode::OK, "the hint comes first");
    assert_eq!(first_try.page().count(".similar"), 1);
    let count: i64 = sqlx::query_scalar("select count(*) from measures")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(count, 1, "nothing created yet");
    submit.push(("geprueft", "ja"));
    assert_eq!(
        other.post_form("/massnahmen/neu", &submit).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_number_of_queries_of_a_page_does_not_grow_with_its_content() {
    let app = spawn_app().await;
    prima::demo::load_examples(&app.db)
        .await
        .expect("examples load");
    let staff = app.signed_in(Role::Staff).await;
    let cluster = crate::support::cluster::cluster();
    // Warm the strategy cache, so that every call below does the same work.
    for _ in 0..100 {
        if app.strategy.is_listening() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(app.strategy.is_listening());
    staff.page("/massnahmen").await;
    // The fewest statements of five requests (a count across an eviction of the statistics is
    // taken again): a connection new to the pool looks up the custom types once, which is not
    // the page's doing. `Fresh` counts the generation up first (as any change would), so
    // nothing can come from the caches.
    #[derive(Clone, Copy, PartialEq)]
    enum Read {
        Fresh,
        Cached,
    }
    async fn queries_for(app: &TestApp, client: &Client, path: &str, read: Read) -> i64 {
        let cluster = crate::support::cluster::cluster();
        let mut fewest = i64::MAX;
        let mut exact = 0;
        while exact < 5 {
            if read == Read::Fresh {
                sqlx::query("update content_generation set value = value + 1")
                    .execute(&app.db)
                    .await
                    .expect("generation counted up");
            } else {
                client.page(path).await;
            }
            let (before, evicted_before) = cluster.statements_run(&app.database_name).await;
            client.page(path).await;
            let (after, evicted_after) = cluster.statements_run(&app.database_name).await;
            if evicted_after == evicted_before && after >= before {
                fewest = fewest.min(after - before);
                exact += 1;
            }
        }
        fewest
    }
    assert_eq!(staff.page("/massnahmen").await.count(".catalogue-item"), 50);
    let views = [
        "/massnahmen",
        "/massnahmen?schnell=ja&amt=bergedorf",
        "/massnahmen?suche=Datawarehouse",
        "/massnahmen?suche=Verwaltung&sortierung=titel",
        "/massnahmen?sortierung=unterstuetzung&seite=2",
    ];
    for path in views {
        assert_eq!(
            queries_for(&app, &staff, path, Read::Fresh).await,
            2,
            "{path}: the session and the catalogue's one statement, whatever the number of hits; \
             the strategy comes from its cache"
        );
    }
    for (path, expected) in [(views[0], 1), (views[1], 1), (views[2], 2)] {
        assert_eq!(
            queries_for(&app, &staff, path, Read::Cached).await,
            expected,
            "{path}: unchanged views without a search text come from the cache"
        );
    }

    let ids: Vec<String> = sqlx::query_scalar(
        "select m.id::text from measures m where m.status = 'accepted'
         order by (select count(*) from measure_goals g where g.measure_id = m.id) desc, m.number",
    )
    .fetch_all(&app.db)
    .await
    .expect("measures");
    for read in [Read::Fresh, Read::Cached] {
        let richest = queries_for(&app, &staff, &format!("/massnahmen/{}", ids[0]), read).await;
        let poorest = queries_for(
            &app,
            &staff,
            &format!("/massnahmen/{}", ids[ids.len() - 1]),
            read,
        )
        .await;
        assert_eq!(
            (richest, poorest),
            if read == Read::Fresh { (3, 3) } else { (2, 2) },
            "a measure's page: the session, what everyone sees (unless cached) and what only \
             the reader sees, however many goals, comments and events it has"
        );
    }
    let _ = cluster;
}

#[tokio::test]
async fn a_form_sent_twice_acts_once_and_both_answers_lead_to_the_same_place() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&author, &base("Doppelt gesendet", &goal_a, &goal_b)).await;
    let colleague = app.signed_in(Role::Staff).await;
    let path = format!("/massnahmen/{id}");
    let comments = format!("{path}/kommentare");
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from comments where measure_id = $1::uuid and body = 'Doppelklick.'",
        )
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .expect("a count")
    };

    // A double click: both requests at once, with the form's one key.
    let page = colleague.page(&path).await;
    let fields = edited(&page, &comments, &[("body", "Doppelklick.")]);
    let sent = as_refs(&fields);
    let (first, second) = tokio::join!(
        colleague.post_form(&comments, &sent),
        colleague.post_form(&comments, &sent),
    );
    assert_eq!(
        (first.status, second.status),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(first.header("location"), second.header("location"));
    // Sent again later (the back button): led to the same place, nothing stored again.
    let again = colleague.post_form(&comments, &as_refs(&fields)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(count().await, 1);

    // The page's next form is a new comment.
    let page = colleague.page(&path).await;
    let fields = edited(&page, &comments, &[("body", "Doppelklick.")]);
    let next = colleague.post_form(&comments, &as_refs(&fields)).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(count().await, 2);

    // A form answered with a page (the new account and its one-time password) is not run
    // twice either: the second answer says it was sent.
    let admin = app.signed_in(Role::Administrator).await;
    let form = admin.page("/verwaltung/konten/neu").await;
    let fields = edited(
        &form,
        "/verwaltung/konten/neu",
        &[
            ("name", "Doppelt Angelegt"),
            ("email", "doppelt@bezirksamt.example"),
            ("office", "harburg"),
        ],
    );
    let mut fields = fields;
    fields.push(("roles".to_owned(), "staff".to_owned()));
    let created = admin
        .post_form("/verwaltung/konten/neu", &as_refs(&fields))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let twice = admin
        .post_form("/verwaltung/konten/neu", &as_refs(&fields))
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.page().text("main").contains("bereits gesendet"));
    let accounts: i64 =
        sqlx::query_scalar("select count(*) from users where email = 'doppelt@bezirksamt.example'")
            .fetch_one(&app.db)
            .await
            .expect("a count");
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn comments_internal_notes_corrections_and_deletions() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&author, &base("Mit Kommentaren", &goal_a, &goal_b)).await;
    let officer = officer(&app, Office::Altona).await;
    let colleague = app.signed_in(Role::Staff).await;
    let comment_path = format!("/massnahmen/{id}/kommentare");

    assert_eq!(
        colleague
            .post_form(
                &comment_path,
                &[("body", "Gute Idee, in Harburg brauchen wir das auch.")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        officer
            .post_form(
                &comment_path,
                &[("body", "Budget noch offen."), ("intern", "ja")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        colleague
            .post_form(
                &comment_path,
                &[
                    ("body", "Ich tue so, als wäre ich intern."),
                    ("intern", "ja")
                ]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let empty = colleague.post_form(&comment_path, &[("body", "   ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.page().text("#kommentar-fehler"),
        "Bitte schreiben Sie einen Kommentar."
    );

    let staff_view = author.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(
        staff_view.texts(".comment-body"),
        ["Gute Idee, in Harburg brauchen wir das auch."]
    );
    let officer_view = officer.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(
        officer_view.texts(".comment-body"),
        [
            "Gute Idee, in Harburg brauchen wir das auch.",
            "Budget noch offen."
        ]
    );
    assert_eq!(officer_view.count(".comment--internal"), 1);

    let comments: Vec<(String, bool)> =
        sqlx::query_as("select id::text, internal from comments order by created_at")
            .fetch_all(&app.db)
            .await
            .expect("comments");
    let (public_id, internal_id) = (&comments[0].0, &comments[1].0);
    let edit = format!("/massnahmen/{id}/kommentare/{public_id}/bearbeiten");
    assert_eq!(
        author.get(&edit).await.status,
        StatusCode::FORBIDDEN,
        "only the comment's author corrects"
    );
    assert_eq!(
        author
            .get(&format!(
                "/massnahmen/{id}/kommentare/{internal_id}/bearbeiten"
            ))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "internal notes do not exist for staff"
    );
    assert_eq!(
        colleague
            .post_form(&edit, &[("body", "Gute Idee, auch für Harburg.")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        author
            .page(&format!("/massnahmen/{id}"))
            .await
            .texts(".comment-body"),
        ["Gute Idee, auch für Harburg."]
    );

    sqlx::query("update comments set created_at = now() - interval '16 minutes'")
        .execute(&app.db)
        .await
        .expect("age the comments");
    assert_eq!(
        colleague
            .post_form(&edit, &[("body", "Zu spät.")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let delete = format!("/massnahmen/{id}/kommentare/{public_id}/loeschen");
    assert_eq!(
        author.post_form(&delete, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        officer.post_form(&delete, &[]).await.status,
        StatusCode::SEE_OTHER,
        "officers moderate"
    );
    let page = author.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(page.count(".comment-body"), 0);
    assert!(
        page.text(".comment-deleted")
            .starts_with("Dieser Kommentar wurde am")
    );
}

#[tokio::test]
async fn offices_record_their_implementation_and_the_matrix_shows_it() {
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&staff, &base("E-Akte im Bauamt", &goal_a, &goal_b)).await;
    let altona = officer(&app, Office::Altona).await;
    let wandsbek = officer(&app, Office::Wandsbek).await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let row = format!("/massnahmen/{id}/umsetzung");

    assert_eq!(
        altona
            .post_form(&row, &[("office", "altona"), ("state", "geplant")])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "not accepted yet"
    );
    let status = format!("/massnahmen/{id}/status");
    assert_eq!(
        altona
            .post_form(&status, &[("to", "in-pruefung")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        altona
            .post_form(&status, &[("to", "angenommen")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    assert_eq!(
        altona
            .post_form(
                &row,
                &[
                    ("office", "altona"),
                    ("state", "in-umsetzung"),
                    ("note", "Pilot im Bauamt"),
                    ("as_of", "01.02.2027")
                ]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        altona
            .post_form(&row, &[("office", "wandsbek"), ("state", "umgesetzt")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        staff
            .post_form(&row, &[("office", "altona"), ("state", "umgesetzt")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        wandsbek
            .post_form(&row, &[("office", "wandsbek"), ("state", "umgesetzt")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        central
            .post_form(&row, &[("office", "harburg"), ("state", "nicht-relevant")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let bad = altona
        .post_form(
            &row,
            &[
                ("office", "altona"),
                ("state", "geplant"),
                ("note", "Schulung im März"),
                ("as_of", "gestern"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The error stands beside the date, the summary links to it, and nothing typed is lost.
    let refused = bad.page();
    assert!(
        refused
            .text("#umsetzung-altona-datum-fehler")
            .contains("Datum")
    );
    assert_eq!(
        refused.links(".error-summary a"),
        ["#umsetzung-altona-datum"]
    );
    let kept = refused.form_fields(&row);
    for expected in [
        ("state", "geplant"),
        ("note", "Schulung im März"),
        ("as_of", "gestern"),
    ] {
        assert!(
            kept.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {kept:?}"
        );
    }

    let progress = format!("/massnahmen/{id}/fortschritt");
    assert_eq!(
        wandsbek
            .post_form(&progress, &[("percent", "50")])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "the lead office keeps the progress"
    );
    let too_much = altona
        .post_form(
            &progress,
            &[("percent", "120"), ("milestone", "Pilot abgeschlossen")],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = too_much.page();
    assert!(refused.text("#fortschritt-fehler").contains("0 bis 100"));
    let kept = refused.form_fields(&progress);
    assert!(
        kept.contains(&("percent".to_owned(), "120".to_owned())),
        "{kept:?}"
    );
    assert!(
        kept.contains(&("milestone".to_owned(), "Pilot abgeschlossen".to_owned())),
        "{kept:?}"
    );
    assert_eq!(
        altona
            .post_form(
                &progress,
                &[
                    ("percent", "40"),
                    ("milestone", "Pilot abgeschlossen"),
                    ("due_on", "2027-06-30")
                ]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let page = staff.page(&format!("/massnahmen/{id}")).await;
    assert_eq!(page.text(".progress-percent"), "40 %");
    assert_eq!(
        page.text(".milestone"),
        "Pilot abgeschlossen – bis 30.06.2027"
    );
    assert_eq!(
        page.text("[data-office=altona] .office-state"),
        "in Umsetzung"
    );
    assert_eq!(
        page.text("[data-office=wandsbek] .office-state"),
        "umgesetzt"
    );
    assert_eq!(
        page.text("[data-office=bergedorf] .office-state"),
        "noch offen"
    );
    assert!(
        page.texts(".history-change")
            .iter()
            .any(|change| change.contains("Umsetzung Bezirksamt Altona"))
    );
    assert_eq!(page.count(".office-form"), 0, "staff keep no row");
    assert_eq!(
        altona
            .page(&format!("/massnahmen/{id}"))
            .await
            .count(".office-form"),
        1
    );

    let matrix = staff.page("/massnahmen/umsetzung").await;
    assert_eq!(matrix.count(".matrix-line"), 1);
    let cells = matrix.texts(".matrix-cell");
    assert_eq!(
        cells,
        [
            "◐ in Umsetzung",
            "offen",
            "offen",
            "offen",
            "offen",
            "– nicht relevant",
            "✓ umgesetzt"
        ]
    );
    // The totals count every page's measures, per office and state.
    let total = |office: &str, state: &str| {
        matrix.text(&format!(
            ".matrix-total td[data-office={office}][data-state={state}]"
        ))
    };
    assert_eq!(total("altona", "in-umsetzung"), "1");
    assert_eq!(total("wandsbek", "umgesetzt"), "1");
    assert_eq!(total("altona", "umgesetzt"), "0");
    assert_eq!(
        matrix.select("thead abbr")[0].value().attr("title"),
        Some("Bezirksamt Altona")
    );
}

#[tokio::test]
async fn authors_and_followers_are_notified_and_supporters_of_a_merged_measure_can_support_its_target()
 {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let merged = propose(
        &author,
        &base("Digitale Akte für das Bauamt", &goal_a, &goal_b),
    )
    .await;
    let target = propose(
        &author,
        &base("Elektronische Bauakte für alle Bezirke", &goal_a, &goal_b),
    )
    .await;
    let follower = app.signed_in(Role::Staff).await;
    let supporter = app.signed_in(Role::Staff).await;
    let central = app.signed_in(Role::CentralOfficer).await;
    assert_eq!(
        follower
            .post_form(&format!("/massnahmen/{merged}/folgen"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        supporter
            .post_form(&format!("/massnahmen/{merged}/unterstuetzen"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let status = format!("/massnahmen/{merged}/status");
    assert_eq!(
        central
            .post_form(&status, &[("to", "in-pruefung")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        follower
            .post_form(
                &format!("/massnahmen/{merged}/kommentare"),
                &[("body", "Das gibt es doch schon als M-2?")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    assert_eq!(
        author.page("/").await.text(".unread-count"),
        "2",
        "status change and comment"
    );
    let notes = follower.page("/benachrichtigungen").await;
    assert_eq!(
        notes.texts(".notification-message"),
        ["M-1 „Digitale Akte für das Bauamt“: Eingereicht → In Prüfung"]
    );
    assert_eq!(
        central
            .page("/benachrichtigungen")
            .await
            .count(".notification"),
        0,
        "the actor is not told about their own step"
    );

    let refused = central
        .post_form(&status, &[("to", "zusammengefuehrt"), ("merge_into", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .page()
            .text("#ziel-zusammengefuehrt-fehler")
            .contains("Maßnahme, in die zusammengeführt wird")
    );
    assert_eq!(
        central
            .post_form(
                &status,
                &[("to", "zusammengefuehrt"), ("merge_into", "M-2")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let merged_page = author.page(&format!("/massnahmen/{merged}")).await;
    assert_eq!(merged_page.text(".measure-status"), "Zusammengeführt");
    assert!(
        merged_page
            .links("main a")
            .contains(&format!("/massnahmen/{target}"))
    );

    let supporter_notes = supporter.page("/benachrichtigungen").await;
    assert!(
        supporter_notes
            .text(".notification-message")
            .contains("wurde in M-2 „Elektronische Bauakte für alle Bezirke“ zusammengeführt")
    );
    assert_eq!(
        supporter
            .post_form(&format!("/massnahmen/{target}/unterstuetzen"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        supporter
            .page("/benachrichtigungen")
            .await
            .text(".notification")
            .contains("Sie unterstützen die zusammengeführte Maßnahme.")
    );
    assert_eq!(
        supporter
            .page(&format!("/massnahmen/{merged}"))
            .await
            .text(".measure-summary .support-count"),
        "1",
        "supports are not moved silently"
    );

    assert_eq!(
        author
            .post_form("/benachrichtigungen/gelesen", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(author.page("/").await.count(".unread-count"), 0);
}

#[tokio::test]
async fn cached_pages_show_every_change_at_once_also_one_made_elsewhere() {
    let app = spawn_app().await;
    let author = app.signed_in(Role::Staff).await;
    let colleague = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let id = propose(&author, &base("Vorher", &goal_a, &goal_b)).await;
    let measure = format!("/massnahmen/{id}");
    let goal_page = format!("/strategie/ziele/{goal_a}");
    // Twice each, so that the second answer is the cached one.
    for _ in 0..2 {
        assert!(
            author
                .page(&goal_page)
                .await
                .text(".measure-list")
                .contains("Vorher")
        );
        assert_eq!(
            author
                .page("/massnahmen")
                .await
                .texts(".catalogue-item .catalogue-title"),
            ["Vorher"]
        );
        assert_eq!(author.page(&measure).await.text(".measure-title"), "Vorher");
    }

    // A change through PriMa: the next page shows it.
    let supported = colleague
        .post_form(&format!("{measure}/unterstuetzen"), &[])
        .await;
    assert_eq!(supported.status, StatusCode::SEE_OTHER);
    assert_eq!(author.page(&measure).await.text(".support-count"), "1");
    let commented = colleague
        .post_form(&format!("{measure}/kommentare"), &[("body", "Gute Idee.")])
        .await;
    assert_eq!(commented.status, StatusCode::SEE_OTHER);
    assert_eq!(
        author.page(&measure).await.count(".comment-list .comment"),
        1
    );

    // A change by another instance, or by hand in the database: the same.
    sqlx::query("update measures set title = 'Nachher' where id = $1::uuid")
        .bind(&id)
        .execute(&app.db)
        .await
        .expect("title changed");
    assert_eq!(
        author
            .page("/massnahmen")
            .await
            .texts(".catalogue-item .catalogue-title"),
        ["Nachher"]
    );
    assert_eq!(
        author.page(&measure).await.text(".measure-title"),
        "Nachher"
    );
    assert!(
        author
            .page(&goal_page)
            .await
            .text(".measure-list")
            .contains("Nachher")
    );
    // The search reads its own copy of the measures, kept in step by triggers.
    assert_eq!(
        author
            .page("/massnahmen?suche=nachher")
            .await
            .count(".catalogue-item"),
        1
    );
    assert_eq!(
        author
            .page("/massnahmen?suche=vorher")
            .await
            .count(".catalogue-item"),
        0
    );
    assert_eq!(
        author
            .page("/massnahmen?suche=nachher&sortierung=unterstuetzung")
            .await
            .text(".catalogue-item .support-count"),
        "1"
    );
    sqlx::query("update users set display_name = 'Umbenannt' where id = (select author_id from measures where id = $1::uuid)")
        .bind(&id)
        .execute(&app.db)
        .await
        .expect("author renamed");
    assert!(
        author
            .page(&measure)
            .await
            .text(".measure-facts")
            .contains("Umbenannt")
    );
}

#[tokio::test]
async fn the_implementation_matrix_pages_through_all_accepted_measures() {
    let app = spawn_app().await;
    prima::demo::load_generated(&app.db, 300, 7)
        .await
        .expect("measures generated");
    let implemented: i64 = sqlx::query_scalar(
        "select count(*) from measures where status in ('accepted', 'in_progress', 'implemented')",
    )
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert!(implemented > 50, "{implemented} lines: more than one page");
    let staff = app.signed_in(Role::Staff).await;
    let first = staff.page("/massnahmen/umsetzung").await;
    assert_eq!(first.count(".matrix-line"), 50);
    assert!(
        first
            .text(".result-count")
            .starts_with(&format!("{implemented} Maßnahmen, Seite 1 von"))
    );
    let next = first.links(".pagination a[rel=next]");
    assert_eq!(next, ["/massnahmen/umsetzung?seite=2"]);
    let second = staff.page(&next[0]).await;
    assert_eq!(
        second.links(".pagination a[rel=prev]"),
        ["/massnahmen/umsetzung"]
    );
    let seen: std::collections::HashSet<String> = first
        .texts(".matrix-line th")
        .into_iter()
        .chain(second.texts(".matrix-line th"))
        .collect();
    assert_eq!(seen.len() as i64, implemented.min(100), "no line twice");

    // Filtered like the catalogue, with the same fields.
    let done: i64 = sqlx::query_scalar(
        "select count(*) from measures where status = 'implemented' and quick_win",
    )
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert!(
        done > 0,
        "the generated measures include implemented quick wins"
    );
    let filtered = staff
        .page("/massnahmen/umsetzung?status=umgesetzt&schnell=ja")
        .await;
    assert_eq!(filtered.count(".matrix-line") as i64, done.min(50));
    for field in [
        "suche",
        "feld",
        "status",
        "amt",
        "schlagwort",
        "schnell",
        "ozg",
    ] {
        assert_eq!(
            filtered.count(&format!(
                "#umsetzung [name={field}], [form=umsetzung][name={field}]"
            )),
            1,
            "{field}"
        );
    }
    assert_eq!(
        filtered.texts("#status option"),
        ["Alle", "Angenommen", "In Umsetzung", "Umgesetzt"]
    );
}
