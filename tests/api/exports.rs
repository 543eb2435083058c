//! Exports read back with real readers – the `csv` crate, calamine for XLSX and ODS, a JSON
//! Schema validator – and compared field by field with what was stored.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Ods, Reader, Xlsx, open_workbook_from_rs};
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::{TestApp, spawn_app};

/// A measure with the fields the exports carry; its number.
async fn measure(app: &TestApp, title: &str, status: &str) -> i64 {
    let author = app.create_user(&[Role::Staff], Office::Altona).await;
    let number: i64 = sqlx::query_scalar(
        "insert into measures (id, title, summary, status, lead_office, author_id, cost_euros,
                               effort_person_days, planned_start, quick_win)
         values (gen_random_uuid(), $1, 'Kurz; mit Semikolon und Ä', $2::measure_status,
                 'altona', $3, 125000, 40, date '2027-03-01', true)
         returning number",
    )
    .bind(title)
    .bind(status)
    .bind(author.id.0)
    .fetch_one(&app.db)
    .await
    .expect("a measure");
    sqlx::query(
        "insert into measure_offices (measure_id, office)
         select id, 'wandsbek' from measures where number = $1",
    )
    .bind(number)
    .execute(&app.db)
    .await
    .expect("a participating office");
    number
}

/// The records of a CSV body as a spreadsheet program reads it: semicolons, quotes, BOM.
fn records(body: &str) -> Vec<Vec<String>> {
    let text = body.strip_prefix('\u{feff}').expect("a byte order mark");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| {
            record
                .expect("a record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// A sheet's cells as text: strings quoted, numbers bare, dates ISO.
fn cells(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(text) => format!("'{text}'"),
                    Data::Float(number) => format!("{number}"),
                    Data::Int(number) => format!("{number}"),
                    Data::DateTime(date) => date
                        .as_datetime()
                        .map(|date| date.date().to_string())
                        .unwrap_or_default(),
                    Data::DateTimeIso(date) => date.trim_end_matches("T00:00:00").to_owned(),
                    Data::Empty => String::new(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

const FILE: &str = "/massnahmen/export/datei";

#[tokio::test]
async fn the_catalogue_as_csv_is_german_follows_its_filters_and_no_cell_runs_as_a_formula() {
    let app = spawn_app().await;
    let formula = measure(&app, "=HYPERLINK(\"http://example.invalid\")", "accepted").await;
    let quoted = measure(&app, "Bürgerbüro \"online\"", "submitted").await;
    measure(&app, "Geheimer Entwurf", "draft").await;
    let staff = app.signed_in(Role::Staff).await;

    let response = staff.get(&format!("{FILE}?format=csv")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let disposition = response.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"massnahmen-20")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(response.body.contains("\r\n"), "CRLF line ends");
    let rows = records(&response.body);
    assert_eq!(rows[0].len(), 19, "every column when none is chosen");
    assert_eq!(rows[0][..3], ["Nr.", "Maßnahme", "Kurzbeschreibung"]);
    assert_eq!(rows.len(), 3, "no draft");
    // Dates are Hamburg's: after 23:00 UTC in winter it is already tomorrow there.
    let today = prima::domain::time::local_date(&chrono::Utc::now());
    let first = &rows[1];
    assert_eq!(first[0], format!("M-{formula}"));
    assert_eq!(
        first[1], "'=HYPERLINK(\"http://example.invalid\")",
        "neutralised"
    );
    assert_eq!(first[2], "Kurz; mit Semikolon und Ä");
    assert_eq!(first[3], "Angenommen");
    assert_eq!(first[4], "Bezirksamt Altona");
    assert_eq!(first[5], "Bezirksamt Wandsbek");
    assert_eq!(first[7], "ja");
    assert_eq!((first[10].as_str(), first[11].as_str()), ("40", "125000"));
    assert_eq!(first[12], "01.03.2027", "a German date");
    assert_eq!(first[13], "", "an empty cell");
    assert_eq!(first[17], today);
    assert_eq!(rows[2][1], "Bürgerbüro \"online\"");
    assert_eq!(rows[2][0], format!("M-{quoted}"));

    // The catalogue's filters; its link to the export page keeps them.
    let accepted = records(
        &staff
            .get(&format!("{FILE}?status=angenommen&format=csv"))
            .await
            .body,
    );
    assert_eq!(accepted.len(), 2);
    let catalogue = staff.page("/massnahmen?status=angenommen").await;
    assert_eq!(
        catalogue.links(".export-links a"),
        ["/massnahmen/export?status=angenommen"]
    );
}

#[tokio::test]
async fn the_reader_chooses_the_columns_in_the_address_and_a_wrong_choice_comes_back() {
    let app = spawn_app().await;
    measure(&app, "Terminbuchung", "accepted").await;
    let staff = app.signed_in(Role::Staff).await;

    let page = staff.page("/massnahmen/export?status=angenommen").await;
    assert_eq!(
        page.count("input[name=spalten][type=checkbox][checked]"),
        19
    );
    assert_eq!(page.count("input[name=format][checked]"), 1);
    let kept = page.select("form.export-form input[type=hidden][name=status]");
    assert_eq!(kept[0].value().attr("value"), Some("angenommen"));

    let two = records(
        &staff
            .get(&format!(
                "{FILE}?format=csv&spalten=titel&spalten=nr&spalten=unbekannt"
            ))
            .await
            .body,
    );
    assert_eq!(two[0], ["Nr.", "Maßnahme"], "in the order of the sheet");
    let comma = records(
        &staff
            .get(&format!("{FILE}?format=csv&spalten=status,fortschritt"))
            .await
            .body,
    );
    assert_eq!(comma[0], ["Status", "Umsetzungsfortschritt (%)"]);
    assert_eq!(comma[1], ["Angenommen", "0"]);

    // No box ticked (the form's empty field) and no format: the page again, the choice kept.
    let refused = staff
        .get("/massnahmen/export/datei?status=angenommen&spalten=&format=pdf")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.page();
    assert_eq!(
        page.text("#spalten-fehler"),
        "Wählen Sie mindestens eine Spalte."
    );
    assert_eq!(page.text("#format-fehler"), "Wählen Sie ein Format.");
    assert_eq!(page.count("input[name=spalten][type=checkbox][checked]"), 0);
    assert_eq!(page.count(".error-summary li"), 2);
}

#[tokio::test]
async fn the_catalogue_as_xlsx_and_ods_reads_back_field_by_field_with_four_sheets() {
    let app = spawn_app().await;
    let formula = measure(&app, "=1+1 Bürgerbüro", "accepted").await;
    sqlx::query(
        "insert into measure_implementations (measure_id, office, state)
         select id, 'harburg', 'done' from measures where number = $1",
    )
    .bind(formula)
    .execute(&app.db)
    .await
    .expect("an implementation row");
    let staff = app.signed_in(Role::Staff).await;
    let header = [
        "'Nr.'",
        "'Maßnahme'",
        "'Kosten (Euro)'",
        "'Geplanter Beginn'",
        "'Punkte (letzte beschlossene Priorisierung)'",
    ];
    let expected_row = [
        format!("'M-{formula}'"),
        "'=1+1 Bürgerbüro'".to_owned(),
        "125000".to_owned(),
        "2027-03-01".to_owned(),
        String::new(),
    ];
    let address = format!("{FILE}?spalten=nr,titel,kosten,beginn,punkte&format=");

    let response = staff.get(&format!("{address}xlsx")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut xlsx: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(response.bytes.to_vec())).expect("an XLSX");
    assert_eq!(
        xlsx.sheet_names(),
        ["Maßnahmen", "Ziele", "Umsetzung"],
        "no round yet"
    );
    let sheet = cells(&xlsx.worksheet_range("Maßnahmen").expect("measures"));
    assert_eq!(
        sheet,
        [header.map(str::to_owned).to_vec(), expected_row.to_vec()]
    );
    let formulas = xlsx.worksheet_formula("Maßnahmen").expect("formulas");
    assert!(
        formulas
            .used_cells()
            .all(|(_, _, formula)| formula.is_empty())
    );
    let implementation = cells(&xlsx.worksheet_range("Umsetzung").expect("implementation"));
    assert_eq!(implementation[0][5], "'Bezirksamt Altona'");
    let harburg = implementation[0]
        .iter()
        .position(|heading| heading == "'Bezirksamt Harburg'")
        .expect("a column per office");
    assert_eq!(implementation[1][harburg], "'umgesetzt'");
    assert_eq!(implementation[1][5], "'offen'");
    let goals = cells(&xlsx.worksheet_range("Ziele").expect("goals"));
    let goal_count: i64 = sqlx::query_scalar("select count(*) from goals")
        .fetch_one(&app.db)
        .await
        .expect("goals");
    assert_eq!(
        goals.len() as i64,
        1 + goal_count,
        "every goal, linked or not"
    );

    let response = staff.get(&format!("{address}ods")).await;
    assert_eq!(
        response.header("content-type"),
        Some("application/vnd.oasis.opendocument.spreadsheet")
    );
    let mut ods: Ods<_> =
        open_workbook_from_rs(Cursor::new(response.bytes.to_vec())).expect("an ODS");
    assert_eq!(ods.sheet_names(), ["Maßnahmen", "Ziele", "Umsetzung"]);
    let sheet = cells(&ods.worksheet_range("Maßnahmen").expect("measures"));
    assert_eq!(
        sheet,
        [header.map(str::to_owned).to_vec(), expected_row.to_vec()]
    );
    let formulas = ods.worksheet_formula("Maßnahmen").expect("formulas");
    assert!(
        formulas
            .used_cells()
            .all(|(_, _, formula)| formula.is_empty())
    );
}

#[tokio::test]
async fn the_json_export_validates_against_its_documented_schema() {
    let app = spawn_app().await;
    let number = measure(&app, "Bürgerbüro", "accepted").await;
    let staff = app.signed_in(Role::Staff).await;
    for path in [
        "/massnahmen/export/datei?format=json",
        "/massnahmen/umsetzung/export/datei?format=json",
        "/priorisierung/export/datei?format=json",
    ] {
        let response = staff.get(path).await;
        assert_eq!(response.header("content-type"), Some("application/json"));
        let document: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
        let problems = crate::support::schema::problems("export.schema.json", &document);
        assert!(problems.is_empty(), "{path}: {problems:#?}");
    }
    let document: serde_json::Value = serde_json::from_str(
        &staff
            .get("/massnahmen/export/datei?format=json&spalten=nr,kosten,beginn,punkte")
            .await
            .body,
    )
    .expect("JSON");
    assert_eq!(
        document["rows"],
        serde_json::json!([{"nr": format!("M-{number}"), "kosten": 125000, "beginn": "2027-03-01", "punkte": null}])
    );
    // The check can fail: a row with a key the schema does not know.
    let mut broken = document.clone();
    broken["rows"][0]["geheim"] = serde_json::json!("x");
    assert!(!crate::support::schema::problems("export.schema.json", &broken).is_empty());
}

#[tokio::test]
async fn a_long_export_comes_in_chunks_and_misses_no_row() {
    let app = spawn_app().await;
    prima::demo::load_generated(&app.db, 2_345, 4)
        .await
        .expect("generated");
    let staff = app.signed_in(Role::Staff).await;
    let rows = records(
        &staff
            .get(&format!("{FILE}?format=csv&spalten=nr"))
            .await
            .body,
    );
    assert_eq!(rows.len(), 1 + 2_345);
    let mut numbers: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 2_345, "each measure once");
    let document: serde_json::Value = serde_json::from_str(
        &staff
            .get(&format!("{FILE}?format=json&spalten=nr"))
            .await
            .body,
    )
    .expect("JSON across chunks");
    assert_eq!(document["rows"].as_array().map(Vec::len), Some(2_345));
}

#[tokio::test]
async fn the_ranking_export_holds_what_the_ranking_shows_in_its_order() {
    let app = spawn_app().await;
    prima::demo::load_generated(&app.db, 120, 9)
        .await
        .expect("generated");
    prima::demo::load_test_round(&app.db, 9)
        .await
        .expect("a round");
    let officer = app.signed_in(Role::CentralOfficer).await;
    let shown: serde_json::Value =
        serde_json::from_str(&officer.get("/priorisierung.json").await.body).expect("JSON");
    let shown: Vec<(String, u64)> = shown["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .map(|measure| {
            (
                format!("M-{}", measure["number"]),
                measure["rank"].as_u64().expect("a rank"),
            )
        })
        .collect();
    assert!(!shown.is_empty());
    let rows = records(
        &officer
            .get("/priorisierung/export/datei?format=csv&spalten=rang,nr,punkte")
            .await
            .body,
    );
    assert_eq!(rows[0], ["Rang", "Nr.", "Punkte"]);
    let exported: Vec<(String, u64)> = rows[1..]
        .iter()
        .map(|row| (row[1].clone(), row[0].parse().expect("a rank")))
        .collect();
    assert_eq!(exported, shown);
    assert!(
        rows[1..]
            .iter()
            .all(|row| row[2].is_empty() || row[2].contains(',')),
        "scores with a decimal comma"
    );
    let round: uuid::Uuid = sqlx::query_scalar("select id from prioritisation_rounds")
        .fetch_one(&app.db)
        .await
        .expect("the round");
    let of_round = records(
        &officer
            .get(&format!(
                "/priorisierung/runden/{round}/export/datei?format=csv&spalten=rang,nr"
            ))
            .await
            .body,
    );
    assert_eq!(of_round.len(), rows.len());
    let missing = officer
        .get(&format!(
            "/priorisierung/runden/{}/export",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_large_workbook_is_written_by_a_job_for_its_owner_with_the_chosen_columns() {
    let settings = prima::web::Settings {
        workbook_rows_in_request: 100,
        ..prima::web::Settings::default()
    };
    let app = crate::support::http::spawn_app_with_settings(prima::web::pages(), settings).await;
    prima::demo::load_generated(&app.db, 1_000, 4)
        .await
        .expect("generated");
    let staff = app.signed_in(Role::Staff).await;
    let address = format!("{FILE}?status=angenommen&spalten=nr,titel&format=xlsx");
    let expected: i64 =
        sqlx::query_scalar("select count(*) from measures where status = 'accepted'")
            .fetch_one(&app.db)
            .await
            .expect("a count");
    assert!(expected > 100, "{expected} accepted measures");

    // The file's address offers the job instead of writing the file in the request.
    let offer = staff.get(&address).await;
    assert_eq!(offer.status, StatusCode::OK);
    let page = offer.page();
    assert!(
        page.text("h1").contains("große Datei"),
        "{}",
        page.text("h1")
    );
    assert!(page.text("main").contains(&format!("{expected} Zeilen")));
    let action = format!("{FILE}?status=angenommen&spalten=nr,titel&format=xlsx");
    let sent: Vec<String> = page
        .form_fields(&action)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        sent,
        ["form_key"],
        "a form to the same address, with the CSRF token and its one-time key only"
    );
    // A smaller view or CSV still comes at once.
    let csv = staff
        .get(&format!("{FILE}?status=angenommen&spalten=nr&format=csv"))
        .await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));

    let started = staff.post_form(&action, &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let job = started.header("location").expect("the job").to_owned();
    let standing = staff.finished_job(&job).await;
    assert_eq!(standing["status"], "done", "{standing}");
    assert_eq!(standing["step"], 3);
    let job_page = staff.page(&job).await;
    assert!(job_page.text("h1").contains("Export als Tabellendatei"));
    assert!(
        job_page.links("a").contains(
            &"/massnahmen/export?status=angenommen&spalten=nr,titel&format=xlsx".to_owned()
        ),
        "the way back to the export"
    );
    let file = staff
        .get(standing["download"].as_str().expect("the file"))
        .await;
    assert_eq!(
        file.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(
        file.header("content-disposition")
            .is_some_and(|value| value.contains("massnahmen-") && value.ends_with(".xlsx\"")),
        "{:?}",
        file.header("content-disposition")
    );
    let mut xlsx: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(file.bytes.to_vec())).expect("an XLSX");
    let sheet = cells(&xlsx.worksheet_range("Maßnahmen").expect("measures"));
    assert_eq!(sheet[0], ["'Nr.'", "'Maßnahme'"]);
    assert_eq!(sheet.len() as i64, 1 + expected);
    let titles: Vec<String> = sqlx::query_scalar(
        "select '''' || title || '''' from measures where status = 'accepted' order by number",
    )
    .fetch_all(&app.db)
    .await
    .expect("titles");
    let written: Vec<String> = sheet[1..].iter().map(|row| row[1].clone()).collect();
    assert_eq!(written, titles, "field by field, in order");
    // Only its owner sees the job and its file.
    let other = app.signed_in(Role::Staff).await;
    assert_eq!(other.get(&job).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .get(standing["download"].as_str().expect("the file"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A wrong choice sent to the job comes back to the export page.
    let wrong = staff
        .post_form(&format!("{FILE}?spalten=nr&format=pdf"), &[])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
}
