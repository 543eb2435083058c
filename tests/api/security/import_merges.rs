//! An import merges only into measures its importer may edit (issue 21): an Altona officer's
//! list once changed a Wandsbek measure's contact, responsible unit and offices, and put a
//! rejected measure into the open round.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::imports::upload;
use crate::support::{TestApp, spawn_app};

async fn measure(app: &TestApp, title: &str, status: &str, lead: &str) -> uuid::Uuid {
    sqlx::query_scalar(
        "insert into measures (id, title, summary, status, lead_office)
         values (gen_random_uuid(), $1, 'Antworten rund um die Uhr für alle Anliegen.',
                 $2::measure_status, $3::office) returning id",
    )
    .bind(title)
    .bind(status)
    .bind(lead)
    .fetch_one(&app.db)
    .await
    .expect("a measure")
}

#[tokio::test]
async fn a_list_merges_only_into_measures_its_importer_may_edit() {
    let app = spawn_app().await;
    let wandsbek = measure(&app, "Chatbot für Anliegen", "accepted", "wandsbek").await;
    let rejected = measure(&app, "Chatbot für alle Anliegen", "rejected", "altona").await;
    let own = measure(&app, "Chatbot für Anliegen im Bezirk", "accepted", "altona").await;
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    let csv = "Titel;Kurzbeschreibung;Ansprechperson\r\nChatbot für Anliegen;Antworten rund um die Uhr für alle Anliegen.;Erika Muster\r\n";
    let import = upload(&officer, "liste.csv", csv.as_bytes()).await;
    let mapping = officer.page(&import).await;
    let fields = mapping.form_fields(&import);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = officer.post_form(&import, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let preview_path = format!("{import}/vorschau");
    let preview = officer.page(&preview_path).await;
    let offered: Vec<String> = preview
        .select("fieldset#zeile-2 input[type=radio]")
        .iter()
        .filter_map(|input| input.value().attr("value").map(str::to_owned))
        .collect();
    assert!(offered.contains(&own.to_string()), "{offered:?}");
    for other in [wandsbek, rejected] {
        assert!(!offered.contains(&other.to_string()), "{offered:?}");
    }
    let shown = preview.text(".import-elsewhere");
    assert!(shown.contains("Chatbot für Anliegen"), "{shown}");
    assert!(shown.contains("(Abgelehnt)"), "{shown}");

    // A forged choice is refused, with the message, and nothing is written.
    for forged in [wandsbek, rejected] {
        let token = forged.to_string();
        let refused = officer
            .post_form(&preview_path, &[("zeile_2", token.as_str())])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("keine der ähnlichen"));
    }
    let jobs: i64 = sqlx::query_scalar("select count(*) from jobs")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(jobs, 0);
    let contact: String = sqlx::query_scalar("select contact_person from measures where id = $1")
        .bind(wandsbek)
        .fetch_one(&app.db)
        .await
        .expect("the measure");
    assert_eq!(contact, "", "the Wandsbek measure is untouched");
}
