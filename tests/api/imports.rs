//! Importing an existing PriMa list: a mixed file (good rows, bad rows, a duplicate) gives the
//! right preview, the commit imports exactly what was chosen, a failure in the middle changes
//! nothing, and hostile files are refused with the German message next to the field.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::accounts::Client;
use crate::support::{TestApp, spawn_app};

/// A workbook of `rows` under the headings, written as a spreadsheet program would.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (row, cells) in rows.iter().enumerate() {
        for (column, value) in cells.iter().enumerate() {
            if let Ok(number) = value.parse::<f64>() {
                sheet
                    .write(row as u32, column as u16, number)
                    .expect("a number");
            } else {
                sheet
                    .write(row as u32, column as u16, *value)
                    .expect("a text");
            }
        }
    }
    book.save_to_buffer().expect("an XLSX")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db)
        .await
        .expect("a count")
}

/// Waits until the job at `job` is done or failed; its last standing as JSON.
async fn finished(client: &Client, job: &str) -> serde_json::Value {
    for _ in 0..600 {
        let standing: serde_json::Value =
            serde_json::from_str(&client.get(&format!("{job}/stand")).await.body)
                .expect("the job's standing");
        if standing["status"] == "done" || standing["status"] == "failed" {
            return standing;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job {job} does not finish");
}

/// Uploads `bytes` as `file_name`; the import's address.
async fn upload(officer: &Client, file_name: &str, bytes: &[u8]) -> String {
    let response = officer
        .post_file("/massnahmen/import", &[], ("datei", file_name, bytes))
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response.header("location").expect("the import").to_owned()
}

#[tokio::test]
async fn a_mixed_list_gives_the_right_preview_and_commits_exactly_the_choice() {
    let app = spawn_app().await;
    let (field, goal): (String, uuid::Uuid) = sqlx::query_as(
        "select f.name, g.id from goals g join fields f on f.id = g.field_id
         where g.position = 1 order by f.position limit 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a goal");
    let existing: uuid::Uuid = sqlx::query_scalar(
        "insert into measures (id, title, summary, status, lead_office)
         values (gen_random_uuid(), 'Online-Terminbuchung im Kundenzentrum',
                 'Termine im Kundenzentrum online buchen.', 'accepted', 'altona') returning id",
    )
    .fetch_one(&app.db)
    .await
    .expect("a measure");
    let before = count(&app, "select count(*) from measures").await;
    let officer_user = app
        .create_user(&[Role::DistrictOfficer], Office::Harburg)
        .await;
    let officer = app.login(&officer_user).await;
    let goal_reference = format!("{field} 1");
    let file = xlsx(&[
        &[
            "Nr.",
            "Maßnahme",
            "Kurzbeschreibung",
            "Federführung",
            "Ziele",
            "Kosten (Euro)",
            "Geplanter Beginn",
        ],
        &[
            "1",
            "Digitale Akte im Bauamt",
            "Bauakten digital führen.",
            "Hamburg-Nord",
            &goal_reference,
            "12000",
            "01.03.2027",
        ],
        &["2", "", "Eine Zeile ohne Titel.", "Altona", "", "", ""],
        &[
            "3",
            "Online-Terminbuchung im Kundenzentrum",
            "Termine im Kundenzentrum online buchen.",
            "",
            &goal_reference,
            "",
            "",
        ],
        &[
            "4",
            "Chatbot für Anliegen",
            "Antworten rund um die Uhr.",
            "Atlantis",
            "",
            "",
            "",
        ],
        &[
            "5",
            "Neue Formulare",
            "Formulare überarbeiten.",
            "Altona",
            "Unbekanntes Ziel 9",
            "",
            "",
        ],
        &[
            "6",
            "Schulungen für Fachverfahren",
            "Lernmodule für alle.",
            "",
            "",
            "viel",
            "",
        ],
        &[
            "7",
            "Mobiles Arbeiten im Außendienst",
            "Tablets für den Außendienst.",
            "",
            "",
            "",
            "",
        ],
    ]);

    let import = upload(&officer, "Harburger PriMa-Liste.xlsx", &file).await;
    let mapping = officer.page(&import).await;
    assert!(mapping.text("h1").contains("Harburger PriMa-Liste.xlsx"));
    let mut fields = mapping.form_fields(&import);
    let chosen = |fields: &[(String, String)], key: &str| {
        fields
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    assert_eq!(chosen(&fields, "titel"), "1", "guessed from the headings");
    assert_eq!(chosen(&fields, "federfuehrung"), "3");
    assert_eq!(chosen(&fields, "ziele"), "4");
    assert_eq!(chosen(&fields, "kosten"), "5");
    assert_eq!(chosen(&fields, "beginn"), "6");
    // Without a title column the mapping comes back with the message next to the field.
    let mut untitled = fields.clone();
    untitled.retain(|(name, _)| name != "titel");
    let pairs: Vec<(&str, &str)> = untitled
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = officer.post_form(&import, &pairs).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.page().text("#titel-fehler").contains("Titel"));

    fields.retain(|(name, _)| name != "speichern_als");
    fields.push(("speichern_als".to_owned(), "Harburger Liste".to_owned()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = officer.post_form(&import, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let preview_path = saved.header("location").expect("the preview").to_owned();
    assert_eq!(preview_path, format!("{import}/vorschau"));
    assert_eq!(
        count(
            &app,
            "select count(*) from import_mappings where name = 'Harburger Liste'"
        )
        .await,
        1
    );

    let preview = officer.page(&preview_path).await;
    let problems: Vec<Vec<String>> = preview
        .select(".import-problem")
        .iter()
        .map(|row| crate::support::html::within(*row, "th, td"))
        .collect();
    let by_row = |number: &str| -> Vec<&Vec<String>> {
        problems.iter().filter(|cells| cells[0] == number).collect()
    };
    assert_eq!(by_row("3")[0][1], "Maßnahme", "{problems:?}");
    assert_eq!(by_row("5")[0][1], "Federführung");
    assert_eq!(by_row("5")[0][2], "„Atlantis“ ist kein Bezirksamt.");
    assert_eq!(by_row("6")[0][1], "Ziele");
    assert!(by_row("6")[0][2].contains("Unbekanntes Ziel 9"));
    assert_eq!(by_row("7")[0][1], "Kosten (Euro)");
    assert!(by_row("2").is_empty() && by_row("4").is_empty() && by_row("8").is_empty());
    let decision = preview.select("fieldset#zeile-4");
    assert_eq!(decision.len(), 1, "the duplicate asks for a choice");
    assert_eq!(
        preview.count(&format!("#zeile-4-{existing}[checked]")),
        1,
        "merging into the similar measure is chosen"
    );
    let new_rows: Vec<String> = preview.texts(".import-new th");
    assert_eq!(
        new_rows,
        ["Digitale Akte im Bauamt", "Mobiles Arbeiten im Außendienst"]
    );

    // Skip row 8 (a new one) by hand; keep the merge of row 4.
    let mut decisions = preview.form_fields(&preview_path);
    decisions.push(("zeile_8".to_owned(), "ueberspringen".to_owned()));
    let pairs: Vec<(&str, &str)> = decisions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let committed = officer.post_form(&preview_path, &pairs).await;
    assert_eq!(
        committed.status,
        StatusCode::SEE_OTHER,
        "{}",
        committed.body
    );
    // Writing runs as a job; its file is the protocol of every row.
    let job = committed.header("location").expect("the job").to_owned();
    assert!(job.starts_with("/auftraege/"), "{job}");
    let standing = finished(&officer, &job).await;
    assert_eq!(standing["status"], "done", "{standing}");
    let job_page = officer.page(&job).await;
    assert!(
        job_page.links("a").contains(&import),
        "the way back to the import"
    );
    let protocol = officer
        .get(standing["download"].as_str().expect("the protocol"))
        .await;
    assert_eq!(
        protocol.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let body = protocol.body.trim_start_matches('\u{feff}').to_owned();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let lines: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.expect("a line").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(lines.len(), 7, "every row: {lines:?}");
    assert_eq!(lines[0][0..2], ["2".to_owned(), "neu angelegt".to_owned()]);
    assert!(lines[0][2].starts_with("M-") && lines[0][3] == "Digitale Akte im Bauamt");
    assert_eq!(lines[2][1], "zusammengeführt");
    assert_eq!(lines[2][3], "Online-Terminbuchung im Kundenzentrum");
    assert_eq!(lines[6][1], "übersprungen");
    let result = officer.page(&import).await;
    assert!(
        result.text(".kern-alert--success").contains(
            "1 Maßnahmen neu angelegt, 1 mit bestehenden zusammengeführt, 5 Zeilen übersprungen"
        ),
        "{}",
        result.text(".kern-alert--success")
    );

    assert_eq!(
        count(&app, "select count(*) from measures").await,
        before + 1
    );
    let created: (
        String,
        String,
        Option<i64>,
        Option<chrono::NaiveDate>,
        String,
        String,
        uuid::Uuid,
    ) = sqlx::query_as(
        "select m.summary, m.lead_office::text, m.cost_euros, m.planned_start, m.status::text,
                    m.source::text, mg.goal_id
             from measures m join measure_goals mg on mg.measure_id = m.id
             where m.title = 'Digitale Akte im Bauamt'",
    )
    .fetch_one(&app.db)
    .await
    .expect("the new measure");
    assert_eq!(created.0, "Bauakten digital führen.");
    assert_eq!(created.1, "hamburg_nord");
    assert_eq!(created.2, Some(12000));
    assert_eq!(created.3, chrono::NaiveDate::from_ymd_opt(2027, 3, 1));
    assert_eq!(
        (created.4.as_str(), created.5.as_str()),
        ("submitted", "prima_list")
    );
    assert_eq!(created.6, goal);
    // The merged measure got the row's goal; both remember the file and the row.
    let merged_goals: i64 =
        sqlx::query_scalar("select count(*) from measure_goals where measure_id = $1")
            .bind(existing)
            .fetch_one(&app.db)
            .await
            .expect("goals");
    assert_eq!(merged_goals, 1);
    let rows: Vec<(i32, String, Option<uuid::Uuid>)> = sqlx::query_as(
        "select row_number, action, measure_id from import_rows order by row_number",
    )
    .fetch_all(&app.db)
    .await
    .expect("rows");
    let actions: Vec<(i32, &str)> = rows.iter().map(|(n, a, _)| (*n, a.as_str())).collect();
    assert_eq!(
        actions,
        [
            (2, "created"),
            (3, "skipped"),
            (4, "merged"),
            (5, "skipped"),
            (6, "skipped"),
            (7, "skipped"),
            (8, "skipped")
        ]
    );
    assert_eq!(rows[2].2, Some(existing));
    let reasons: Vec<String> = sqlx::query_scalar(
        "select e.reason from measure_events e join measures m on m.id = e.measure_id
         where e.reason like '%Harburger PriMa-Liste.xlsx%' order by m.number",
    )
    .fetch_all(&app.db)
    .await
    .expect("history");
    assert_eq!(
        reasons,
        [
            "Zeile 4 der Liste „Harburger PriMa-Liste.xlsx“ wurde mit dieser Maßnahme zusammengeführt.",
            "Übernommen aus der Liste „Harburger PriMa-Liste.xlsx“, Zeile 2.",
        ],
        "the older measure (merged) first"
    );

    // Sending the commit again changes nothing.
    let again = officer.post_form(&preview_path, &pairs).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count(&app, "select count(*) from measures").await,
        before + 1
    );
    let listed = officer.page("/massnahmen/import").await;
    assert!(
        listed
            .text("tbody")
            .contains("1 neu, 1 zusammengeführt, 5 übersprungen")
    );
    // The saved mapping is offered with the next upload.
    assert!(
        listed
            .texts("#vorlage option")
            .contains(&"Harburger Liste".to_owned())
    );
}

#[tokio::test]
async fn a_failure_in_the_middle_of_the_commit_leaves_the_database_unchanged() {
    let app = spawn_app().await;
    let officer_user = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    let officer = app.login(&officer_user).await;
    // The second measure of the list cannot be written.
    sqlx::raw_sql(
        "create function refuse_second() returns trigger language plpgsql as $$
         begin
             if new.title = 'Fehler mittendrin' then raise exception 'injected failure'; end if;
             return new;
         end $$;
         create trigger refuse_second before insert on measures
             for each row execute function refuse_second();",
    )
    .execute(&app.db)
    .await
    .expect("the failure");
    let csv = "Titel;Kurzbeschreibung\r\nErste Maßnahme;Gut.\r\nFehler mittendrin;Scheitert.\r\nDritte Maßnahme;Gut.\r\n";
    let import = upload(&officer, "liste.csv", csv.as_bytes()).await;
    let fields = officer.page(&import).await.form_fields(&import);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let preview = officer.post_form(&import, &pairs).await;
    let preview_path = preview.header("location").expect("the preview").to_owned();
    let before = count(&app, "select count(*) from measures").await;
    let events = count(&app, "select count(*) from measure_events").await;

    let started = officer.post_form(&preview_path, &[]).await;
    let job = started.header("location").expect("the job").to_owned();
    let standing = finished(&officer, &job).await;
    assert_eq!(standing["status"], "failed", "{standing}");
    let page = officer.page(&job).await;
    assert!(page.text(".kern-alert--danger").contains("Administration"));
    assert!(
        !page.text("main").contains("injected failure"),
        "no internal text"
    );
    assert_eq!(count(&app, "select count(*) from measures").await, before);
    assert_eq!(
        count(&app, "select count(*) from measure_events").await,
        events
    );
    assert_eq!(count(&app, "select count(*) from import_rows").await, 0);
    assert_eq!(
        count(
            &app,
            "select count(*) from imports where committed_at is null"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn hostile_and_wrong_files_are_refused_with_the_message_next_to_the_field() {
    let app = spawn_app().await;
    let officer_user = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    let officer = app.login(&officer_user).await;
    let refused = |response: crate::support::http::TestResponse| {
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            response.body
        );
        let page = response.page();
        assert_eq!(page.count("#datei[aria-invalid=true]"), 1);
        page.text("#datei-fehler")
    };
    let big = vec![b'a'; 11 * 1024 * 1024];
    let message = refused(
        officer
            .post_file("/massnahmen/import", &[], ("datei", "gross.csv", &big))
            .await,
    );
    assert!(message.contains("größer als 10 MB"), "{message}");

    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for name in [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
    ] {
        bomb.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("an entry");
        let content = if name.ends_with("sheet1.xml") {
            vec![b'0'; 64 * 1024 * 1024]
        } else {
            b"<x/>".to_vec()
        };
        std::io::Write::write_all(&mut bomb, &content).expect("content");
    }
    let bomb = bomb.finish().expect("a bomb").into_inner();
    let message = refused(
        officer
            .post_file("/massnahmen/import", &[], ("datei", "liste.xlsx", &bomb))
            .await,
    );
    assert!(message.contains("Sicherheitsgründen"), "{message}");

    let message = refused(
        officer
            .post_file(
                "/massnahmen/import",
                &[],
                ("datei", "liste.xlsx", b"Titel;A\n1;2\n"),
            )
            .await,
    );
    assert!(message.contains("passt nicht zu ihrer Endung"), "{message}");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Titel\nA\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let message = refused(
        officer
            .post_file("/massnahmen/import", &[], ("datei", "liste.csv", &utf16))
            .await,
    );
    assert!(
        message.contains("weder UTF-8 noch Windows-1252"),
        "{message}"
    );
    let mut rows = String::from("Titel\n");
    for number in 0..50_001 {
        rows.push_str(&format!("Maßnahme {number}\n"));
    }
    let message = refused(
        officer
            .post_file(
                "/massnahmen/import",
                &[],
                ("datei", "lang.csv", rows.as_bytes()),
            )
            .await,
    );
    assert!(message.contains("mehr als 50.000 Zeilen"), "{message}");
    assert_eq!(count(&app, "select count(*) from imports").await, 0);

    // Staff may not import; another officer does not see someone's import.
    let staff = app.signed_in(Role::Staff).await;
    assert_eq!(
        staff.get("/massnahmen/import").await.status,
        StatusCode::FORBIDDEN
    );
    let import = upload(&officer, "liste.csv", "Titel\nEine\n".as_bytes()).await;
    let other = app.signed_in(Role::DistrictOfficer).await;
    assert_eq!(other.get(&import).await.status, StatusCode::NOT_FOUND);
}
