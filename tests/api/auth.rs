use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;
use prima::web::Settings;

use crate::support::accounts::PASSWORD;
use crate::support::http::spawn_app_with_settings;
use crate::support::spawn_app;

async fn stored_hash(app: &crate::support::TestApp, email: &str) -> String {
    sqlx::query_scalar("select password_hash from users where lower(email) = lower($1)")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .expect("a stored hash")
}

async fn events(app: &crate::support::TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from security_events where kind::text = $1")
        .bind(kind)
        .fetch_one(&app.db)
        .await
        .expect("a count")
}

#[tokio::test]
async fn without_a_session_every_page_sends_to_the_login_and_back() {
    let app = spawn_app().await;
    let visitor = app.anonymous();
    let response = visitor.get("/strategie?x=1").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(
        response.header("location"),
        Some("/anmelden?weiter=%2Fstrategie%3Fx%3D1")
    );
    assert_eq!(visitor.get("/anmelden").await.status, StatusCode::OK);
    assert_eq!(
        visitor.get("/barrierefreiheit").await.status,
        StatusCode::OK
    );
    assert_eq!(visitor.get("/healthz").await.status, StatusCode::OK);

    let user = app.create_user(&[Role::Staff], Office::Bergedorf).await;
    let response = visitor
        .post_form(
            "/anmelden",
            &[
                ("email", &user.email),
                ("password", PASSWORD),
                ("weiter", "/strategie?x=1"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header("location"), Some("/strategie?x=1"));
    assert_eq!(visitor.get("/strategie").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_stored_hash_is_argon2id_with_the_owasp_parameters() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let response = admin
        .post_form(
            "/verwaltung/konten/neu",
            &[
                ("name", "Kim Neu"),
                ("email", "kim.neu@bezirksamt.example"),
                ("office", "harburg"),
                ("roles", "staff"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let hash = stored_hash(&app, "kim.neu@bezirksamt.example").await;
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

async fn change_password(
    client: &crate::support::accounts::Client,
    current: &str,
    new: &str,
) -> crate::support::http::TestResponse {
    client
        .post_form(
            "/konto/passwort",
            &[
                ("current_password", current),
                ("new_password", new),
                ("new_password_repeat", new),
            ],
        )
        .await
}

#[tokio::test]
async fn passwords_of_64_and_128_characters_with_emoji_work() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Wandsbek).await;
    let client = app.login(&user).await;
    let long = format!("{}🔐🌊", "Elbe und Alster im Nebel ".repeat(3))
        .chars()
        .take(64)
        .collect::<String>();
    let longer = format!("{}🚲", "Fahrradstraße am Kanal, Möwen darüber. ".repeat(4))
        .chars()
        .take(128)
        .collect::<String>();
    assert_eq!(long.chars().count(), 64);
    assert_eq!(longer.chars().count(), 128);

    let response = change_password(&client, PASSWORD, &long).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let response = change_password(&client, &long, &longer).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);

    let fresh = app.anonymous();
    let response = fresh
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", &longer)],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn common_and_personal_passwords_are_refused_next_to_the_field() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let client = app.login(&user).await;
    let zxcvbn_common: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("node_modules/@zxcvbn-ts/language-common/src/passwords.json"),
        )
        .expect("the list"),
    )
    .expect("a list");
    let common_long = zxcvbn_common
        .into_iter()
        .find(|password| password.chars().count() >= 12)
        .expect("a long common password");
    let name_part = user.name.split(' ').nth(1).expect("a name part").to_owned();
    for (password, message) in [
        (common_long.as_str(), "zu verbreitet"),
        ("Digitalstrategie2024!", "zu verbreitet"),
        ("kurz", "mindestens 12 Zeichen"),
        (
            &format!("mein {name_part} ist geheim"),
            "Namen oder Ihre E-Mail-Adresse",
        ),
    ] {
        let response = change_password(&client, PASSWORD, password).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let page = response.page();
        assert!(
            page.text("#new_password-fehler").contains(message),
            "{password}: {}",
            page.text("#new_password-fehler")
        );
        assert_eq!(page.links(".error-summary a"), ["#new_password"]);
    }
    assert_eq!(events(&app, "password_changed").await, 0);
}

#[tokio::test]
async fn repeated_failures_slow_further_attempts_without_locking_out_for_good() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let attacker = app.anonymous();
    for attempt in 1..=5 {
        let response = attacker
            .post_form(
                "/anmelden",
                &[
                    ("email", &user.email),
                    ("password", "falsch und lang genug"),
                ],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
        assert_eq!(
            response.page().text("#email-fehler"),
            "E-Mail-Adresse oder Passwort ist nicht richtig."
        );
    }
    // Even the right password waits now: the attacker learns nothing.
    let response = attacker
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .expect("Retry-After");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert!(
        response
            .page()
            .text("#email-fehler")
            .contains("Bitte warten Sie")
    );
    assert_eq!(events(&app, "login_failed").await, 5);
    assert_eq!(events(&app, "login_throttled").await, 1);

    // After the wait the real person gets in.
    tokio::time::sleep(std::time::Duration::from_secs(retry_after + 1)).await;
    let response = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn session_cookies_carry_every_flag_when_secure() {
    let settings = Settings {
        secure_cookies: true,
        hsts: true,
        ..Settings::default()
    };
    let app = spawn_app_with_settings(prima::web::pages(), settings).await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let visitor = app.anonymous();
    // The test client speaks plain http; the Origin check expects https when cookies are secure.
    let token = visitor.csrf_token().await;
    let body = serde_urlencoded::to_string([
        ("email", user.email.as_str()),
        ("password", PASSWORD),
        ("csrf_token", &token),
    ])
    .expect("a body");
    let cookie = format!("__Host-prima-csrf={token}");
    let origin = format!("https://{}", app.address);
    let response = app
        .send(
            axum::http::Method::POST,
            "/anmelden",
            &[
                ("cookie", &cookie),
                ("origin", &origin),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            axum::body::Bytes::from(body),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let set_cookie = response.header("set-cookie").expect("a session cookie");
    assert!(
        set_cookie.starts_with("__Host-prima-session="),
        "{set_cookie}"
    );
    for flag in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(set_cookie.contains(flag), "{flag} in {set_cookie}");
    }
    assert!(!set_cookie.contains("Domain="), "host-only");
    assert!(
        response
            .header("strict-transport-security")
            .is_some_and(|value| value.contains("max-age="))
    );
}

#[tokio::test]
async fn a_login_gets_a_new_session_id_and_the_old_one_is_dead() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let client = app.login(&user).await;
    let first = client.cookie("prima-session").expect("a session");
    let response = client
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let second = client.cookie("prima-session").expect("a session");
    assert_ne!(first, second);

    let stale = app.anonymous();
    stale.set_cookie("prima-session", &first);
    assert_eq!(stale.get("/strategie").await.status, StatusCode::SEE_OTHER);
    assert_eq!(client.get("/strategie").await.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let client = app.signed_in(Role::Staff).await;
    let token = client.cookie("prima-session").expect("a session");
    let response = client.post_form("/abmelden", &[]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header("location"), Some("/anmelden?abgemeldet=1"));
    let replay = app.anonymous();
    replay.set_cookie("prima-session", &token);
    assert_eq!(replay.get("/").await.status, StatusCode::SEE_OTHER);
    assert_eq!(events(&app, "logout").await, 1);
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_a_session() {
    let app = spawn_app().await;
    let idle = app.signed_in(Role::Staff).await;
    let old = app.signed_in(Role::Staff).await;
    assert_eq!(idle.get("/").await.status, StatusCode::OK);
    sqlx::query("update sessions set last_seen_at = now() - interval '31 minutes' where user_id = (select user_id from sessions order by created_at limit 1)")
        .execute(&app.db)
        .await
        .expect("age the first session");
    sqlx::query("update sessions set created_at = now() - interval '12 hours 1 minute' where user_id = (select user_id from sessions order by created_at desc limit 1)")
        .execute(&app.db)
        .await
        .expect("age the second session");
    assert_eq!(idle.get("/").await.status, StatusCode::SEE_OTHER);
    assert_eq!(old.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn deactivation_and_a_password_change_end_sessions_at_once() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let laptop = app.login(&user).await;
    let phone = app.login(&user).await;

    let response = change_password(&laptop, PASSWORD, "neues Passwort für die Elbe").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/").await.status,
        StatusCode::OK,
        "the changer stays signed in"
    );
    assert_eq!(
        phone.get("/").await.status,
        StatusCode::SEE_OTHER,
        "other sessions end"
    );

    let response = admin
        .post_form(&format!("/verwaltung/konten/{}/deaktivieren", user.id), &[])
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(laptop.get("/").await.status, StatusCode::SEE_OTHER);
    let again = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[
                ("email", &user.email),
                ("password", "neues Passwort für die Elbe"),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a deactivated account cannot sign in"
    );
}

#[tokio::test]
async fn a_missing_or_wrong_csrf_token_is_403_and_changes_nothing() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let client = app.login(&user).await;
    let before = stored_hash(&app, &user.email).await;
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", "ganz neues Passwort hier"),
        ("new_password_repeat", "ganz neues Passwort hier"),
    ];

    let missing = client.post_raw("/konto/passwort", &fields, true).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let mut wrong = fields.to_vec();
    wrong.push((
        "csrf_token",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    assert_eq!(
        client
            .post_raw("/konto/passwort", &wrong, true)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let token = client.csrf_token().await;
    let mut right_token_foreign_origin = fields.to_vec();
    right_token_foreign_origin.push(("csrf_token", &token));
    assert_eq!(
        client
            .post_raw("/konto/passwort", &right_token_foreign_origin, false)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(missing.page().text("h1"), "Keine Berechtigung");

    assert_eq!(stored_hash(&app, &user.email).await, before);
    assert_eq!(
        client
            .post_raw("/konto/passwort", &right_token_foreign_origin, true)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn nothing_changes_state_over_get() {
    let app = spawn_app().await;
    let client = app.signed_in(Role::Administrator).await;
    for path in [
        "/abmelden",
        "/konto/passwort",
        "/verwaltung/konten/00000000-0000-0000-0000-000000000000/deaktivieren",
    ] {
        assert_eq!(
            client.get(path).await.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{path}"
        );
    }
}

#[tokio::test]
async fn after_login_only_local_paths_are_followed() {
    let app = spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    for target in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let response = app
            .anonymous()
            .post_form(
                "/anmelden",
                &[
                    ("email", &user.email),
                    ("password", PASSWORD),
                    ("weiter", target),
                ],
            )
            .await;
        assert_eq!(response.header("location"), Some("/"), "{target}");
    }
}

#[tokio::test]
async fn the_security_log_records_who_did_what_from_where() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let _ = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", "leider ganz falsch")],
        )
        .await;
    let page = admin
        .page("/verwaltung/sicherheitsprotokoll?art=login-failed")
        .await;
    let rows = page.select(".log-entry");
    assert_eq!(rows.len(), 1);
    let cells = crate::support::html::within(rows[0], "td, th");
    assert_eq!(cells[1], "Passwortprüfung fehlgeschlagen");
    assert!(cells[3].contains(&user.email));
    assert_eq!(cells[4], "127.0.0.1");
    assert_eq!(cells[5], "Anmeldung: falsches Passwort");
    // German dates, in UTC to the second: "02.12.2026, 01:59:03".
    let moment = &cells[0];
    assert!(
        moment.len() == 20 && moment.as_bytes()[2] == b'.' && moment[10..].starts_with(", "),
        "{moment}"
    );

    let by_person = admin
        .page(&format!(
            "/verwaltung/sicherheitsprotokoll?person={}",
            user.name.replace(' ', "+")
        ))
        .await;
    assert!(by_person.count(".log-entry") >= 1);
    let future = admin
        .page("/verwaltung/sicherheitsprotokoll?von=2199-01-01")
        .await;
    assert_eq!(future.count(".log-entry"), 0);
}

#[tokio::test]
async fn the_log_holds_no_secrets_and_no_forged_lines() {
    let logs = crate::support::logs::capture();

    let app = spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let client = app.login(&user).await;
    let session = client.cookie("prima-session").expect("a session");
    let csrf = client.csrf_token().await;
    let response = change_password(&client, PASSWORD, "die neue Losung vom Hafen").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let _ = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[
                ("email", &user.email),
                ("password", "geheimes falsches Passwort"),
            ],
        )
        .await;
    let forged = "x@y.de\n2026-01-01T00:00:00Z  INFO prima: login succeeded user=admin";
    let _ = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[("email", forged), ("password", "irgendein Passwort hier")],
        )
        .await;
    let _ = client.post_form("/abmelden", &[]).await;

    let text = logs.text();
    assert!(
        text.lines()
            .any(|line| line.contains("password check failed") && line.contains(&user.email)),
        "the attempts are logged"
    );
    for secret in [
        PASSWORD,
        "die neue Losung vom Hafen",
        "geheimes falsches Passwort",
        &session,
        &csrf,
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the log");
    }
    assert!(
        !text
            .lines()
            .any(|line| line.starts_with("2026-01-01T00:00:00Z")),
        "a line break in the input cannot start a log line"
    );
}
