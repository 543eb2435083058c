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

/// The lines of a protocol CSV (without its heading), read with the csv crate.
fn protocol_lines(body: &str) -> Vec<Vec<String>> {
    let body = body.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    reader
        .records()
        .map(|record| record.expect("a line").iter().map(str::to_owned).collect())
        .collect()
}

/// Uploads `bytes` as `file_name`; the import's address.
pub(crate) async fn upload(officer: &Client, file_name: &str, bytes: &[u8]) -> String {
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
                 'Termine im Kundenzentrum online buchen.', 'accepted', 'harburg') returning id",
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
    let standing = officer.finished_job(&job).await;
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
    let lines = protocol_lines(&protocol.body);
    assert_eq!(lines.len(), 7, "every row: {lines:?}");
    assert_eq!(lines[0][0..2], ["2".to_owned(), "neu angelegt".to_owned()]);
    assert!(lines[0][2].starts_with("M-") && lines[0][3] == "Digitale Akte im Bauamt");
    assert_eq!(lines[2][1], "zusammengeführt");
    assert_eq!(lines[2][3], "Online-Terminbuchung im Kundenzentrum");
    assert_eq!(lines[6][1], "übersprungen");
    let result = officer.page(&import).await;
    assert!(
        result.text(".kern-alert--success").contains(
            "1 Maßnahme neu angelegt, 1 mit bestehenden zusammengeführt, 5 Zeilen übersprungen"
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
    let standing = officer.finished_job(&job).await;
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

    // Under a kilobyte, 600 million spaces once expanded (issue 21: 2.9 GB, then a 500).
    let mut spaces = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        (
            "content.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="A"><table:table-row><table:table-cell office:value-type="string"><text:p>Titel</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="600000000"/>b</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#,
        ),
    ] {
        spaces
            .start_file(name, zip::write::SimpleFileOptions::default())
            .expect("an entry");
        std::io::Write::write_all(&mut spaces, content.as_bytes()).expect("content");
    }
    let spaces = spaces.finish().expect("an ODS").into_inner();
    assert!(spaces.len() < 2048, "{}", spaces.len());
    let message = refused(
        officer
            .post_file("/massnahmen/import", &[], ("datei", "liste.ods", &spaces))
            .await,
    );
    assert!(message.contains("Sicherheitsgründen"), "{message}");
    let stored: i64 = sqlx::query_scalar("select count(*) from imports")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(stored, 0, "nothing of a refused file is kept");

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

#[tokio::test]
async fn criterion_columns_become_the_importers_assessment_in_the_open_round() {
    let app = spawn_app().await;
    let existing: uuid::Uuid = sqlx::query_scalar(
        "insert into measures (id, title, summary, status, lead_office)
         values (gen_random_uuid(), 'Online-Terminbuchung im Kundenzentrum',
                 'Termine im Kundenzentrum online buchen.', 'accepted', 'harburg') returning id",
    )
    .fetch_one(&app.db)
    .await
    .expect("a measure");
    // In the round, not yet assessed: the list's values become the officer's assessment.
    sqlx::query(
        "insert into measures (id, title, summary, status, lead_office)
         values (gen_random_uuid(), 'Digitale Akte im Bauamt', 'Bauakten digital führen.',
                 'accepted', 'harburg')",
    )
    .execute(&app.db)
    .await
    .expect("a measure");
    let central = app.signed_in(Role::CentralOfficer).await;
    let opened = central
        .post_form(
            "/priorisierung/runden/neu",
            &[("name", "Priorisierung 2027"), ("frist", "2099-01-31")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let round_path = opened.header("location").expect("the round").to_owned();
    let round: uuid::Uuid = sqlx::query_scalar("select id from prioritisation_rounds")
        .fetch_one(&app.db)
        .await
        .expect("the round");
    let criteria: Vec<String> = sqlx::query_scalar(
        "select k.name from criteria k join prioritisation_rounds r on r.catalogue_id = k.catalogue_id
         order by k.position",
    )
    .fetch_all(&app.db)
    .await
    .expect("criteria");
    let officer_user = app
        .create_user(&[Role::DistrictOfficer], Office::Harburg)
        .await;
    let officer = app.login(&officer_user).await;
    // The officer assessed the existing measure already, in the form: 5 points everywhere.
    let mut form: Vec<(String, String)> = Vec::new();
    for k in 0..criteria.len() {
        form.push((format!("w{k}"), "5".to_owned()));
        form.push((format!("b{k}"), String::new()));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let assessed = officer
        .post_form(&format!("{round_path}/massnahmen/{existing}"), &refs)
        .await;
    assert_eq!(assessed.status, StatusCode::SEE_OTHER, "{}", assessed.body);

    let second_heading = format!("{} (0–10)", criteria[1]);
    let file = xlsx(&[
        &[
            "Maßnahme",
            "Kurzbeschreibung",
            &criteria[0],
            &second_heading,
        ],
        &[
            "Digitale Akte im Bauamt",
            "Bauakten digital führen.",
            "8",
            "n. b.",
        ],
        &[
            "Online-Terminbuchung im Kundenzentrum",
            "Termine im Kundenzentrum online buchen.",
            "3",
            "4",
        ],
        &[
            "Chatbot für Anliegen",
            "Antworten rund um die Uhr.",
            "12",
            "",
        ],
        &["Mobiles Arbeiten im Außendienst", "Tablets.", "", ""],
        &["Sprechstunde per Video", "Beratung am Bildschirm.", "7", ""],
    ]);
    let import = upload(&officer, "Bewertete Liste.xlsx", &file).await;
    let mapping = officer.page(&import).await;
    let fields = mapping.form_fields(&import);
    let value = |key: &str| {
        fields
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let first_key = format!("kriterium:{}", criteria[0]);
    let second_key = format!("kriterium:{}", criteria[1]);
    assert_eq!(value(&first_key), "2", "guessed from the heading");
    assert_eq!(
        value(&second_key),
        "3",
        "a heading that begins with the name"
    );
    assert_eq!(value("runde"), round.to_string(), "the open round");
    assert!(mapping.text("label[for=runde]").contains("Runde"));

    // Criteria without a round: the message next to the round's field, the input kept.
    let without: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), if k == "runde" { "" } else { v.as_str() }))
        .collect();
    let refused = officer.post_form(&import, &without).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let again = refused.page();
    assert!(again.text("#runde-fehler").contains("Runde"));
    assert_eq!(
        again.count("#kriterium-1 option[value='2'][selected]"),
        1,
        "the chosen column is kept"
    );

    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = officer.post_form(&import, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let preview_path = format!("{import}/vorschau");
    let preview = officer.page(&preview_path).await;
    let problems: Vec<Vec<String>> = preview
        .select(".import-problem")
        .iter()
        .map(|row| crate::support::html::within(*row, "th, td"))
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0][0], "4");
    assert_eq!(problems[0][1], criteria[0]);
    assert!(problems[0][2].contains("„12“"), "{problems:?}");
    assert!(
        preview.text("main").contains(
            "Die Punkte von 3 Zeilen werden als Ihre Bewertung in die Runde „Priorisierung 2027“"
        ),
        "{}",
        preview.text("main")
    );

    let decisions = preview.form_fields(&preview_path);
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
    let job = committed.header("location").expect("the job").to_owned();
    let standing = officer.finished_job(&job).await;
    assert_eq!(standing["status"], "done", "{standing}");

    // The measure of the round takes the officer's assessment from the list: every criterion,
    // the list's values, "nicht beurteilbar" elsewhere, the row as reason.
    let created: uuid::Uuid =
        sqlx::query_scalar("select id from measures where title = 'Digitale Akte im Bauamt'")
            .fetch_one(&app.db)
            .await
            .expect("the new measure");
    let values: Vec<(String, Option<i16>, String, String)> = sqlx::query_as(
        "select k.name, a.value, a.rater_office::text, a.reason from assessments a
         join criteria k on k.id = a.criterion_id
         where a.round_id = $1 and a.measure_id = $2 and a.rater_id = $3 order by k.position",
    )
    .bind(round)
    .bind(created)
    .bind(officer_user.id.0)
    .fetch_all(&app.db)
    .await
    .expect("the assessment");
    assert_eq!(values.len(), criteria.len(), "every criterion");
    assert_eq!(values[0].1, Some(8));
    assert!(values[1..].iter().all(|(_, value, _, _)| value.is_none()));
    assert!(
        values
            .iter()
            .all(|(_, _, office, reason)| office == "harburg"
                && reason == "Übernommen aus der Liste „Bewertete Liste.xlsx“, Zeile 2.")
    );
    // The officer's own assessment of the existing measure stays as they gave it.
    let kept: Vec<Option<i16>> = sqlx::query_scalar(
        "select value from assessments where round_id = $1 and measure_id = $2 and rater_id = $3",
    )
    .bind(round)
    .bind(existing)
    .bind(officer_user.id.0)
    .fetch_all(&app.db)
    .await
    .expect("the earlier assessment");
    assert!(kept.iter().all(|value| *value == Some(5)), "{kept:?}");
    // A row without values does not join the round.
    assert_eq!(
        count(
            &app,
            "select count(*) from round_measures rm join measures m on m.id = rm.measure_id
             where m.title = 'Mobiles Arbeiten im Außendienst'"
        )
        .await,
        0
    );
    let protocol = officer
        .get(standing["download"].as_str().expect("the protocol"))
        .await;
    let lines = protocol_lines(&protocol.body);
    assert_eq!(lines[0][4], "als Ihre übernommen", "{lines:?}");
    assert_eq!(lines[1][4], "bestand schon, unverändert", "{lines:?}");
    assert_eq!(lines[3][4], "");
    // A new measure does not join the round: that is the central officer's decision.
    assert_eq!(
        lines[4][4], "nicht übernommen: die Maßnahme gehört nicht zur Runde",
        "{lines:?}"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from round_measures rm join measures m on m.id = rm.measure_id
             where m.title = 'Sprechstunde per Video'"
        )
        .await,
        0
    );
    let result = officer.page(&import).await;
    assert!(
        result.text("main").contains(
            "Als Ihre Bewertung in die Runde „Priorisierung 2027“ übernommen: 1 Maßnahme."
        ),
        "{}",
        result.text("main")
    );
    // The ranking of the round now counts the imported assessment.
    let page = officer
        .page(&format!("{round_path}/massnahmen/{created}"))
        .await;
    assert!(page.text("main").contains("Digitale Akte im Bauamt"));
}

#[tokio::test]
async fn a_round_frozen_before_the_commit_refuses_it_with_a_clear_message() {
    let app = spawn_app().await;
    sqlx::query(
        "insert into measures (id, title, status, lead_office)
         values (gen_random_uuid(), 'Eine angenommene Maßnahme', 'accepted', 'altona')",
    )
    .execute(&app.db)
    .await
    .expect("a measure");
    let central = app.signed_in(Role::CentralOfficer).await;
    central
        .post_form(
            "/priorisierung/runden/neu",
            &[("name", "Kurze Runde"), ("frist", "2099-01-31")],
        )
        .await;
    let first: String = sqlx::query_scalar(
        "select k.name from criteria k join prioritisation_rounds r on r.catalogue_id = k.catalogue_id
         order by k.position limit 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a criterion");
    let officer = app.signed_in(Role::DistrictOfficer).await;
    let csv = format!("Titel;{first}\r\nNeue Maßnahme;7\r\n");
    let import = upload(&officer, "liste.csv", csv.as_bytes()).await;
    let fields = officer.page(&import).await.form_fields(&import);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = officer.post_form(&import, &pairs).await;
    let preview_path = saved.header("location").expect("the preview").to_owned();
    sqlx::query(
        "update prioritisation_rounds set status = 'frozen', frozen_at = now(),
                decided_on = current_date, decision_body = 'Bezirksamtsleitungen'",
    )
    .execute(&app.db)
    .await
    .expect("frozen");
    let before = count(&app, "select count(*) from measures").await;
    let refused = officer.post_form(&preview_path, &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .page()
            .text("[role=alert]")
            .contains("nicht mehr offen"),
        "{}",
        refused.body
    );
    assert_eq!(count(&app, "select count(*) from measures").await, before);
    assert_eq!(count(&app, "select count(*) from jobs").await, 0);
}

#[tokio::test]
async fn a_list_read_as_windows_1252_says_so_on_its_mapping_and_preview() {
    let app = spawn_app().await;
    let officer = app.signed_in(Role::DistrictOfficer).await;
    let (bytes, _, _) = encoding_rs::WINDOWS_1252
        .encode("Titel;Kurzbeschreibung\r\nBürgerbüro öffnen;Für alle\r\n");
    let import = upload(&officer, "alt.csv", &bytes).await;
    let mapping = officer.page(&import).await;
    assert!(
        mapping.text("main").contains("Windows-1252"),
        "{}",
        mapping.text("main")
    );
    let fields = mapping.form_fields(&import);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    officer.post_form(&import, &pairs).await;
    let preview = officer.page(&format!("{import}/vorschau")).await;
    assert!(preview.text("main").contains("Windows-1252"));
    assert!(preview.text("main").contains("Bürgerbüro öffnen"));
    let utf8 = upload(&officer, "neu.csv", "Titel\r\nBürgerbüro\r\n".as_bytes()).await;
    assert!(
        !officer
            .page(&utf8)
            .await
            .text("main")
            .contains("Windows-1252")
    );
}
