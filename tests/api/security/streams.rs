//! Streamed exports under the compression layer (issue 21): every browser sends
//! `Accept-Encoding: gzip`, and the compression layer polls a body once more after its end – a
//! row stream that panicked then cut every CSV download short.

use axum::http::StatusCode;
use prima::domain::roles::Role;
use std::io::Read;

use crate::support::spawn_app;

#[tokio::test]
async fn every_streamed_export_arrives_whole_whatever_encoding_the_browser_asks_for() {
    let app = spawn_app().await;
    prima::demo::load_generated(&app.db, 1_500, 5)
        .await
        .expect("generated");
    prima::demo::load_test_round(&app.db, 5)
        .await
        .expect("a round");
    let round: uuid::Uuid =
        sqlx::query_scalar("select id from prioritisation_rounds order by opened_at desc limit 1")
            .fetch_one(&app.db)
            .await
            .expect("the round");
    let officer = app.signed_in(Role::CentralOfficer).await;
    let mut paths = Vec::new();
    for base in [
        "/massnahmen/export/datei".to_owned(),
        "/massnahmen/umsetzung/export/datei".to_owned(),
        "/priorisierung/export/datei".to_owned(),
        format!("/priorisierung/runden/{round}/export/datei"),
    ] {
        for format in ["csv", "json"] {
            paths.push(format!("{base}?format={format}"));
        }
    }
    for path in &paths {
        let plain = officer.get(path).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}");
        assert!(plain.bytes.len() > 10_000, "{path}: a long file");
        for asked in ["gzip", "gzip, deflate, br", "br"] {
            let response = officer
                .get_with_headers(path, &[("accept-encoding", asked)])
                .await;
            assert_eq!(response.status, StatusCode::OK, "{path} with {asked}");
            let encoding = response.header("content-encoding").map(str::to_owned);
            let body = match encoding.as_deref() {
                Some("gzip") => {
                    let mut decoded = Vec::new();
                    flate2::read::GzDecoder::new(&response.bytes[..])
                        .read_to_end(&mut decoded)
                        .unwrap_or_else(|error| panic!("{path} with {asked}: {error}"));
                    decoded
                }
                None => response.bytes.to_vec(),
                Some(other) => panic!("{path} with {asked}: unexpected encoding {other}"),
            };
            if asked.contains("gzip") {
                assert_eq!(encoding.as_deref(), Some("gzip"), "{path} with {asked}");
            }
            assert!(
                body == plain.bytes,
                "{path} with {asked}: {} bytes instead of {}",
                body.len(),
                plain.bytes.len()
            );
        }
    }
}
