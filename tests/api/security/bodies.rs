//! Request bodies (issue 21): read within a time, large only where a file is taken and only from
//! who may take it there, so that slow or large bodies cannot hold an instance's memory.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;
use prima::web::Settings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::http::spawn_app_with_settings;
use crate::support::spawn_app;

#[tokio::test]
async fn a_body_that_comes_too_slowly_is_answered_with_408_and_the_connection_ends() {
    let settings = Settings {
        body_read_time: Duration::from_secs(1),
        ..Settings::default()
    };
    let app = spawn_app_with_settings(prima::web::pages(), settings).await;
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(app.address)
        .await
        .expect("a connection");
    let head = format!(
        "POST /anmelden HTTP/1.1\r\nHost: {0}\r\nOrigin: http://{0}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=a",
        app.address
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    // The rest never comes.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was not ended");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn only_who_may_import_sends_a_large_body_and_only_to_the_upload() {
    let app = spawn_app().await;
    let three_megabytes = vec![b'a'; 3 * 1024 * 1024];
    let staff = app.signed_in(Role::Staff).await;
    for (client, path) in [
        (&staff, "/massnahmen/import"),
        (&staff, "/massnahmen/neu"),
        (&app.anonymous(), "/massnahmen/import"),
    ] {
        let response = client
            .post_file(path, &[], ("datei", "liste.csv", &three_megabytes))
            .await;
        assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
    let officer = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    let elsewhere = officer
        .post_file(
            "/massnahmen/neu",
            &[],
            ("datei", "liste.csv", &three_megabytes),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::PAYLOAD_TOO_LARGE);
    let upload = officer
        .post_file(
            "/massnahmen/import",
            &[],
            ("datei", "liste.csv", &three_megabytes),
        )
        .await;
    assert_eq!(
        upload.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "read, and refused by its handler for what it is: {}",
        upload.body
    );
}
