//! Exports read back with a real CSV reader: what a German spreadsheet program gets.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::{TestApp, spawn_app};

async fn measure(app: &TestApp, title: &str, status: &str) {
    let author = app.create_user(&[Role::Staff], Office::Altona).await;
    sqlx::query(
        "insert into measures (id, title, summary, status, lead_office, author_id)
         values (gen_random_uuid(), $1, 'Kurz; mit Semikolon', $2::measure_status, 'altona', $3)",
    )
    .bind(title)
    .bind(status)
    .bind(author.id.0)
    .execute(&app.db)
    .await
    .expect("a measure");
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

#[tokio::test]
async fn the_catalogue_as_csv_follows_its_filters_and_no_cell_runs_as_a_formula() {
    let app = spawn_app().await;
    measure(&app, "=HYPERLINK(\"http://example.invalid\")", "accepted").await;
    measure(&app, "Terminbuchung \"online\"", "submitted").await;
    measure(&app, "Geheimer Entwurf", "draft").await;
    let staff = app.signed_in(Role::Staff).await;

    let response = staff.get("/massnahmen.csv").await;
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
    assert_eq!(rows[0][0], "Nr.");
    assert_eq!(rows[0].len(), 9);
    let titles: Vec<&str> = rows[1..].iter().map(|row| row[1].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Terminbuchung \"online\"",
            "'=HYPERLINK(\"http://example.invalid\")"
        ],
        "newest first, the formula neutralised, no draft"
    );
    assert_eq!(rows[1][2], "Kurz; mit Semikolon");
    assert_eq!(rows[2][3], "Angenommen");
    assert_eq!(rows[2][4], "Bezirksamt Altona");

    // The catalogue's filters, and its link to this file.
    let accepted = records(&staff.get("/massnahmen.csv?status=angenommen").await.body);
    assert_eq!(accepted.len(), 2);
    let catalogue = staff.page("/massnahmen?status=angenommen").await;
    assert_eq!(
        catalogue.links(".export-links a"),
        ["/massnahmen.csv?status=angenommen"]
    );
}

#[tokio::test]
async fn a_long_export_comes_in_chunks_and_misses_no_row() {
    let app = spawn_app().await;
    prima::demo::load_generated(&app.db, 2_345, 4)
        .await
        .expect("generated");
    let staff = app.signed_in(Role::Staff).await;
    let rows = records(&staff.get("/massnahmen.csv").await.body);
    assert_eq!(rows.len(), 1 + 2_345);
    let mut numbers: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 2_345, "each measure once");
}
