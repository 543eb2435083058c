use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::accounts::PASSWORD;
use crate::support::spawn_app;

#[tokio::test]
async fn an_administrator_creates_an_account_whose_one_time_password_is_shown_once_and_works() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let response = admin
        .post_form(
            "/verwaltung/konten/neu",
            &[
                ("name", "Jana Beauftragte"),
                ("email", "Jana.Beauftragte@Bezirksamt.example"),
                ("office", "wandsbek"),
                ("roles", "district-officer"),
                ("roles", "staff"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let password = response.page().text("#einmalpasswort");
    assert_eq!(password.chars().count(), 23);

    let jana = app.anonymous();
    let login = jana
        .post_form(
            "/anmelden",
            &[
                ("email", "jana.beauftragte@bezirksamt.example"),
                ("password", &password),
            ],
        )
        .await;
    assert_eq!(
        login.status,
        StatusCode::SEE_OTHER,
        "e-mail addresses compare without case"
    );
    let account = jana.page("/konto").await;
    assert_eq!(
        account.text("#rollen"),
        "Mitarbeitende, Digitalisierungsbeauftragte"
    );
    assert!(
        !admin
            .get("/verwaltung/konten")
            .await
            .body
            .contains(&password),
        "shown once only"
    );
}

#[tokio::test]
async fn a_second_account_for_the_same_address_is_refused_with_the_input_kept() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let existing = app.create_user(&[Role::Staff], Office::Altona).await;
    let response = admin
        .post_form(
            "/verwaltung/konten/neu",
            &[
                ("name", "Doppelt Vorhanden"),
                ("email", &existing.email.to_uppercase()),
                ("office", "altona"),
                ("roles", "staff"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.page();
    assert_eq!(
        page.text("#email-fehler"),
        "Für diese E-Mail-Adresse gibt es bereits ein Konto."
    );
    assert_eq!(
        page.select("#name")[0].value().attr("value"),
        Some("Doppelt Vorhanden")
    );
    assert_eq!(
        page.select("#office option[selected]")[0]
            .value()
            .attr("value"),
        Some("altona")
    );

    let empty = admin
        .post_form(
            "/verwaltung/konten/neu",
            &[("name", ""), ("email", "kaputt"), ("office", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = empty.page();
    assert_eq!(
        page.links(".error-summary a"),
        ["#email", "#name", "#office", "#roles"]
    );
}

#[tokio::test]
async fn role_and_office_changes_are_saved_and_logged_but_never_remove_the_own_admin_role() {
    let app = spawn_app().await;
    let admin_user = app
        .create_user(&[Role::Administrator], Office::Central)
        .await;
    let admin = app.login(&admin_user).await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let path = format!("/verwaltung/konten/{}/rollen", user.id);
    let response = admin
        .post_form(
            &path,
            &[
                ("office", "harburg"),
                ("roles", "staff"),
                ("roles", "strategy-team"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let page = admin.page(&format!("/verwaltung/konten/{}", user.id)).await;
    assert!(page.text("main dl").contains("Bezirksamt Harburg"));
    let log = admin.page("/verwaltung/sicherheitsprotokoll").await;
    let kinds = log.texts(".log-entry .event-kind");
    assert!(kinds.contains(&"Rollen geändert".to_owned()));
    assert!(kinds.contains(&"Bezirksamt geändert".to_owned()));

    let own = admin
        .post_form(
            &format!("/verwaltung/konten/{}/rollen", admin_user.id),
            &[("office", "zentral"), ("roles", "staff")],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        own.page()
            .text("#roles-fehler")
            .contains("nicht selbst entziehen")
    );
    assert_eq!(admin.get("/verwaltung/konten").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_password_reset_shows_a_new_password_once_and_ends_the_sessions() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let session = app.login(&user).await;
    let response = admin
        .post_form(
            &format!("/verwaltung/konten/{}/passwort-zuruecksetzen", user.id),
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let password = response.page().text("#einmalpasswort");
    assert_eq!(session.get("/").await.status, StatusCode::SEE_OTHER);

    let again = app.login_with(&user.email, &password).await;
    let ended = admin
        .post_form(
            &format!("/verwaltung/konten/{}/sitzungen-beenden", user.id),
            &[],
        )
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        again.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the administrator ended it"
    );
    let old = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", &password)],
        )
        .await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_account_list_finds_people_by_name_or_address() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let page = admin
        .page(&format!("/verwaltung/konten?suche={}", &user.email[..15]))
        .await;
    assert_eq!(page.count(".user"), 1);
    assert!(page.text(".user").contains(&user.name));
    let all = admin.page("/verwaltung/konten").await;
    assert_eq!(all.count(".user"), 2);
}

#[tokio::test]
async fn the_command_line_creates_an_account_that_can_sign_in() {
    use std::io::Write;
    let app = spawn_app().await;
    let cluster = crate::support::cluster::cluster();
    let socket = cluster.socket_dir();
    let url = format!(
        "postgres://prima@localhost/{}?host={}",
        app.database_name,
        socket.display()
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_prima"))
        .args([
            "user",
            "create",
            "--email",
            "cli@bezirksamt.example",
            "--name",
            "Clara Kommandozeile",
            "--office",
            "bergedorf",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .env("DATABASE_URL", &url)
        .env(
            "PRIMA_NODE_MODULES",
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules"),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("prima runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"ein Satz als Passwort vom Terminal\n")
        .expect("write the password");
    let output = child.wait_with_output().expect("prima ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("ein Satz als Passwort"),
        "a given password is not echoed"
    );
    let login = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[
                ("email", "cli@bezirksamt.example"),
                ("password", "ein Satz als Passwort vom Terminal"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
}
