use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::pages::{all, spawn_for_pages};

/// Runs the Nu validator over `files`; returns its exit success and its report.
fn validate(files: &[PathBuf]) -> (bool, String) {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/vnu-jar/build/dist/vnu.jar");
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(files)
        .output()
        .expect("java runs the Nu validator (npm ci installs vnu-jar)");
    let report = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    (output.status.success(), report)
}

/// Guards the harness itself: an invalid page must be reported.
#[test]
fn the_nu_validator_reports_an_invalid_page() {
    let file = std::env::temp_dir().join(format!("prima-vnu-{}.html", uuid::Uuid::new_v4()));
    std::fs::write(
        &file,
        "<!DOCTYPE html><html lang=de><head></head><body><p><div></p></body></html>",
    )
    .expect("write");
    let (success, report) = validate(std::slice::from_ref(&file));
    let _ = std::fs::remove_file(&file);
    assert!(!success, "{report}");
    assert!(report.contains("title"), "{report}");
}

#[tokio::test]
async fn the_nu_validator_finds_no_error_on_any_page() {
    let app = spawn_for_pages().await;
    let checker = app
        .create_user(
            &[
                prima::domain::roles::Role::Administrator,
                prima::domain::roles::Role::CentralOfficer,
                // The DS-Team sees the draft iteration's comparison.
                prima::domain::roles::Role::StrategyTeam,
            ],
            prima::domain::office::Office::Central,
        )
        .await;
    let admin = app.login(&checker).await;
    let anonymous = app.anonymous();
    let folder = std::env::temp_dir().join(format!("prima-vnu-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).expect("a folder for the pages");
    let mut files = Vec::new();
    for (index, page) in all(&app).await.iter().enumerate() {
        let client = if page.signed_in { &admin } else { &anonymous };
        let response = client.get(&page.path).await;
        assert_eq!(response.status, page.status, "{}", page.path);
        let file = folder.join(format!("page-{index:03}.html"));
        std::fs::write(&file, &response.body).expect("write the page");
        files.push((file, page.path.clone()));
    }

    let paths: Vec<PathBuf> = files.iter().map(|(file, _)| file.clone()).collect();
    let (success, report) = validate(&paths);
    let report = files.iter().fold(report, |report, (file, path)| {
        report.replace(&file.display().to_string(), path)
    });
    let _ = std::fs::remove_dir_all(&folder);
    assert!(
        success && report.trim().is_empty(),
        "Nu validator errors:\n{report}"
    );
}
