//! The criteria catalogue: the default one is there from the start, versions are written whole
//! and never changed, and PostgreSQL itself refuses a version whose weights do not add up.

use axum::http::StatusCode;
use prima::db::criteria;
use prima::domain::prioritisation::criteria::CriterionGroup;
use prima::domain::roles::Role;

use crate::support::spawn_app;

#[tokio::test]
async fn the_default_catalogue_is_version_1_of_the_strategy_in_force() {
    let app = spawn_app().await;
    let catalogue = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("the default catalogue");
    assert_eq!(catalogue.version, 1);
    let names: Vec<&str> = catalogue.criteria.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names[0], "Nutzen für Bürgerinnen, Bürger und Unternehmen");
    assert_eq!(names.len(), 7);
    assert_eq!(
        catalogue
            .criteria
            .iter()
            .map(|c| u32::from(c.weight))
            .sum::<u32>(),
        100
    );
    let costs: Vec<&str> = catalogue
        .criteria
        .iter()
        .filter(|c| c.group == CriterionGroup::Cost)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(costs, ["Aufwand", "Umsetzungsrisiko"]);
    assert!(
        catalogue
            .criteria
            .iter()
            .all(|c| c.anchors.iter().all(|a| !a.is_empty()))
    );
    // Loading it again changes nothing.
    assert!(!criteria::load_default(&app.db).await.expect("load"));
}

#[tokio::test]
async fn a_version_is_never_changed_and_its_weights_add_up_to_100() {
    let app = spawn_app().await;
    for statement in [
        "update criteria set weight = weight + 1",
        "delete from criteria",
        "update criteria_catalogues set note = 'anders'",
    ] {
        let refused = sqlx::query(statement).execute(&app.db).await;
        assert!(refused.is_err(), "{statement} was allowed");
    }

    let mut criteria_now = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("a catalogue")
        .criteria;
    criteria_now[0].weight -= 1;
    let refused = criteria::add_version(&app.db, &criteria_now, "99 %", None, None).await;
    let message = format!("{:#}", refused.expect_err("99 % refused at commit"));
    assert!(message.contains("add up to 99"), "{message}");
    let versions: i64 = sqlx::query_scalar("select count(*) from criteria_catalogues")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(versions, 1, "nothing of the refused version was written");

    criteria_now[1].weight += 1;
    let version = criteria::add_version(&app.db, &criteria_now, "umgewichtet", None, None)
        .await
        .expect("a valid version");
    assert_eq!(version, criteria::Written::Version(2));
    let current = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("a catalogue");
    assert_eq!(current.version, 2);
    assert_eq!(current.criteria[0].weight + 1, 25);
    let first: i64 = sqlx::query_scalar(
        "select sum(weight)::bigint from criteria c join criteria_catalogues k on k.id = c.catalogue_id
         where k.version = 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("version 1 still there");
    assert_eq!(first, 100);
}

/// The new-version form's fields as sent without changes, with `changes` applied.
fn with(fields: Vec<(String, String)>, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = fields;
    for (name, value) in changes {
        match fields.iter_mut().find(|(key, _)| key == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect()
}

const FORM: &str = "/priorisierung/kriterien/neu";

#[tokio::test]
async fn everyone_reads_the_catalogue_with_its_anchor_texts_and_only_the_central_officer_edits_it()
{
    let app = spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let page = staff.page("/priorisierung/kriterien").await;
    assert_eq!(page.count(".criterion-row"), 7);
    assert_eq!(
        page.texts(".criterion-weight"),
        ["25 %", "20 %", "20 %", "10 %", "5 %", "10 %", "10 %"]
    );
    assert_eq!(page.count(".criterion .anchors__item"), 7 * 6);
    assert_eq!(
        page.texts(".criterion .anchors__points")[..6],
        [
            "0 Punkte",
            "2 Punkte",
            "4 Punkte",
            "6 Punkte",
            "8 Punkte",
            "10 Punkte"
        ]
    );
    assert_eq!(page.count("a[href='/priorisierung/kriterien/neu']"), 0);
    assert_eq!(staff.get(FORM).await.status, StatusCode::FORBIDDEN);

    let officer = app.signed_in(Role::DistrictOfficer).await;
    assert_eq!(officer.get(FORM).await.status, StatusCode::FORBIDDEN);
    let refused = officer.post_form(FORM, &[("basis", "1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let central = app.signed_in(Role::CentralOfficer).await;
    let page = central.page("/priorisierung/kriterien").await;
    assert_eq!(page.count("a[href='/priorisierung/kriterien/neu']"), 1);
}

#[tokio::test]
async fn a_new_version_is_saved_whole_and_the_old_one_stays_readable() {
    let app = spawn_app().await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let form = central.page(FORM).await;
    // Seven criteria and one empty slot for a new one.
    assert_eq!(form.count(".criterion-fields"), 8);
    let fields = with(
        form.form_fields(FORM),
        &[
            ("k0-gewicht", "20"),
            // Removing "Schnell sichtbarer Erfolg" (5 %) ...
            ("k4-entfernen", "ja"),
            // ... and adding "Datenschutz" (10 %).
            ("k7-name", "Datenschutz und Informationssicherheit"),
            ("k7-gruppe", "nutzen"),
            ("k7-gewicht", "10"),
            ("k7-anker-0", "Verschlechtert den Schutz."),
            ("k7-anker-1", "Kaum Wirkung."),
            ("k7-anker-2", "Etwas besser."),
            ("k7-anker-3", "Spürbar besser."),
            ("k7-anker-4", "Deutlich besser."),
            ("k7-anker-5", "Vorbildlich."),
            ("notiz", "Beschluss vom 1. Dezember"),
        ],
    );
    let saved = central.post_form(FORM, &as_refs(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = central.page("/priorisierung/kriterien?gespeichert=2").await;
    assert!(
        page.text(".kern-alert--success")
            .contains("Version 2 ist gespeichert")
    );
    assert_eq!(page.count(".criterion-row"), 7);
    assert!(
        page.texts(".criterion-row th")
            .contains(&"Datenschutz und Informationssicherheit".to_owned())
    );
    assert!(
        !page
            .texts(".criterion-row th")
            .contains(&"Schnell sichtbarer Erfolg".to_owned())
    );
    assert!(
        page.text(".catalogue-meta")
            .contains("Beschluss vom 1. Dezember")
    );
    assert_eq!(page.count(".version-row"), 2);

    let old = central.page("/priorisierung/kriterien/versionen/1").await;
    assert!(old.text(".older-version").contains("Version 2"));
    assert_eq!(old.texts(".criterion-weight")[0], "25 %");
    assert!(
        old.texts(".criterion-row th")
            .contains(&"Schnell sichtbarer Erfolg".to_owned())
    );
    assert_eq!(
        central
            .get("/priorisierung/kriterien/versionen/9")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn weights_that_do_not_add_up_are_refused_next_to_the_weights_and_the_input_is_kept() {
    let app = spawn_app().await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let form = central.page(FORM).await;
    let fields = with(
        form.form_fields(FORM),
        &[
            ("k0-gewicht", "30"),
            ("k1-gewicht", "zwanzig"),
            ("k2-name", "   "),
            ("notiz", "Mein Vorschlag"),
        ],
    );
    let refused = central.post_form(FORM, &as_refs(&fields)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.page();
    assert!(
        page.text("#gewichte-fehler")
            .contains("ergeben zusammen 85 %"),
        "{}",
        page.text("#gewichte-fehler")
    );
    assert!(page.text("#k1-gewicht-fehler").contains("ganze Zahl"));
    assert!(page.text("#k2-name-fehler").contains("Namen"));
    let summary = page.links(".error-summary a");
    assert!(summary.contains(&"#gewichte".to_owned()), "{summary:?}");
    assert!(summary.contains(&"#k1-gewicht".to_owned()));
    assert_eq!(
        page.select("#k0-gewicht")[0].value().attr("value"),
        Some("30")
    );
    assert_eq!(
        page.select("#k1-gewicht")[0].value().attr("value"),
        Some("zwanzig")
    );
    assert_eq!(page.text("#notiz"), "Mein Vorschlag");
    assert_eq!(
        criteria::current(&app.db)
            .await
            .expect("read")
            .expect("one")
            .version,
        1,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_version_written_meanwhile_is_never_overwritten_and_the_input_is_kept() {
    let app = spawn_app().await;
    let first = app.signed_in(Role::CentralOfficer).await;
    let second = app.signed_in(Role::CentralOfficer).await;
    let form_first = first.page(FORM).await;
    let form_second = second.page(FORM).await;
    let mine = with(
        form_first.form_fields(FORM),
        &[
            ("k0-gewicht", "30"),
            ("k1-gewicht", "15"),
            ("notiz", "erste"),
        ],
    );
    let theirs = with(
        form_second.form_fields(FORM),
        &[
            ("k0-gewicht", "20"),
            ("k1-gewicht", "25"),
            ("notiz", "zweite"),
        ],
    );
    assert_eq!(
        first.post_form(FORM, &as_refs(&mine)).await.status,
        StatusCode::SEE_OTHER
    );
    let conflict = second.post_form(FORM, &as_refs(&theirs)).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    let page = conflict.page();
    assert!(page.text(".conflict").contains("Version 2"));
    assert!(
        page.text(".conflict").contains("30 %"),
        "the newer weights are shown"
    );
    assert_eq!(
        page.select("#k0-gewicht")[0].value().attr("value"),
        Some("20")
    );
    assert_eq!(page.text("#notiz"), "zweite");
    assert!(
        page.text("#k0-gewicht-fehler").contains("auf: „30“"),
        "both changed the weight: marked with the other value"
    );
    let current = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("one");
    assert_eq!((current.version, current.criteria[0].weight), (2, 30));

    // Saving the kept input again is a deliberate decision: it becomes version 3.
    let again = page.form_fields(FORM);
    let saved = second.post_form(FORM, &as_refs(&again)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let current = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("one");
    assert_eq!((current.version, current.criteria[0].weight), (3, 20));

    // Changes to different fields are merged without asking (issue 22): nothing reverted.
    let (form_first, form_second) = (first.page(FORM).await, second.page(FORM).await);
    let mine = with(
        form_first.form_fields(FORM),
        &[("k0-erlaeuterung", "Erläutert von der ersten Person.")],
    );
    let theirs = with(
        form_second.form_fields(FORM),
        &[("k1-erlaeuterung", "Erläutert von der zweiten Person.")],
    );
    assert_eq!(
        first.post_form(FORM, &as_refs(&mine)).await.status,
        StatusCode::SEE_OTHER
    );
    let merged = second.post_form(FORM, &as_refs(&theirs)).await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let current = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("one");
    assert_eq!(current.version, 5);
    assert_eq!(
        current.criteria[0].explanation,
        "Erläutert von der ersten Person."
    );
    assert_eq!(
        current.criteria[1].explanation,
        "Erläutert von der zweiten Person."
    );
    assert_eq!(current.criteria[0].weight, 20);
}
