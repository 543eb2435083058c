//! Every check of a password is reserved before it is verified, so parallel guesses count at
//! once; one client cannot fill the hashing queue; confirmations with the current password are
//! throttled and logged like logins.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;
use prima::domain::throttle;
use prima::web::Settings;

use crate::support::TestApp;
use crate::support::accounts::{Client, PASSWORD};
use crate::support::http::spawn_app_with_settings;

/// Sends all `logins` at once, each from its own fresh client, and returns the statuses.
async fn all_at_once(clients: Vec<(Client, String, String)>) -> Vec<StatusCode> {
    // Every client fetches its CSRF token first, so that the posts themselves start together.
    for (client, _, _) in &clients {
        client.csrf_token().await;
    }
    let handles: Vec<_> = clients
        .into_iter()
        .map(|(client, email, password)| {
            tokio::spawn(async move {
                client
                    .post_form("/anmelden", &[("email", &email), ("password", &password)])
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.expect("the request ran"));
    }
    statuses
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db)
        .await
        .expect("a count")
}

/// The most checks `policy` lets through within `elapsed`: its free attempts, then one more
/// each time a wait has passed in full. Guesses spread over a slow machine's seconds may
/// rightly get one more check; never more than the waits allow.
fn most_checks(policy: &throttle::Policy, elapsed: std::time::Duration) -> usize {
    let now = chrono::Utc::now();
    let mut failures = policy.free_attempts;
    let mut waited = std::time::Duration::ZERO;
    while let Some(wait) = policy.wait(failures, Some(now), now) {
        waited += wait;
        if waited > elapsed {
            break;
        }
        failures += 1;
    }
    usize::try_from(failures).unwrap_or(usize::MAX)
}

fn evaluated(statuses: &[StatusCode]) -> usize {
    statuses
        .iter()
        .filter(|status| **status == StatusCode::UNPROCESSABLE_ENTITY)
        .count()
}

#[tokio::test]
async fn parallel_wrong_passwords_for_one_account_are_counted_before_they_are_checked() {
    let app = crate::support::spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let clients = (0..25)
        .map(|_| {
            (
                app.anonymous(),
                user.email.clone(),
                "falsch, aber lang genug".to_owned(),
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let statuses = all_at_once(clients).await;
    let most = most_checks(&throttle::PER_ACCOUNT, started.elapsed());
    let checked = evaluated(&statuses);
    assert!(
        (1..=most).contains(&checked),
        "{checked} of 25 checked, at most {most}: {statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        25 - checked
    );
    let failed = count(
        &app,
        "select count(*) from security_events where kind = 'login_failed'",
    )
    .await;
    assert_eq!(usize::try_from(failed).ok(), Some(checked));
    // The person themselves is slowed, not locked out: the right password works after the wait
    // (2 s after five failures, longer if a slow machine let a sixth through).
    let now = chrono::Utc::now();
    let wait = throttle::PER_ACCOUNT
        .wait(failed, Some(now), now)
        .unwrap_or_default();
    tokio::time::sleep(wait + std::time::Duration::from_secs(1)).await;
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
async fn parallel_guesses_from_one_address_stop_at_its_limit() {
    let app = crate::support::spawn_app().await;
    let mut statuses = Vec::new();
    // Waves of four, within the share of the hashing queue one address holds: what stops them
    // is the address's 30 free failures and the waits after them, however they are timed.
    let started = std::time::Instant::now();
    for wave in 0..30 {
        let clients = (0..4)
            .map(|index| {
                (
                    app.anonymous(),
                    format!("unbekannt.{wave}.{index}@bezirksamt.example"),
                    "falsch, aber lang genug".to_owned(),
                )
            })
            .collect();
        statuses.extend(all_at_once(clients).await);
    }
    let most = most_checks(&throttle::PER_ADDRESS, started.elapsed());
    let checked = evaluated(&statuses);
    assert!(
        (1..=most).contains(&checked),
        "{checked} of 120 checked, at most {most}"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from credential_attempts where outcome = 'failed'"
        )
        .await,
        i64::try_from(checked).unwrap_or_default()
    );
    assert!(statuses.iter().all(|status| matches!(
        *status,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::TOO_MANY_REQUESTS
    )));
}

#[tokio::test]
async fn a_burst_from_one_address_leaves_room_for_everyone_else() {
    let settings = Settings {
        trust_proxy: true,
        ..Settings::default()
    };
    let app = spawn_app_with_settings(prima::web::pages(), settings).await;
    let victim = app.create_user(&[Role::Staff], Office::Altona).await;
    let colleague = app.create_user(&[Role::Staff], Office::Wandsbek).await;
    let mut clients: Vec<(Client, String, String)> = (0..40)
        .map(|index| {
            (
                app.anonymous().coming_from("192.0.2.66"),
                if index % 2 == 0 {
                    victim.email.clone()
                } else {
                    format!("raten.{index}@bezirksamt.example")
                },
                "falsch, aber lang genug".to_owned(),
            )
        })
        .collect();
    clients.push((
        app.anonymous().coming_from("198.51.100.7"),
        colleague.email.clone(),
        PASSWORD.to_owned(),
    ));
    let statuses = all_at_once(clients).await;
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::SEE_OTHER),
        "the colleague gets in"
    );
    let attacker = &statuses[..40];
    assert!(evaluated(attacker) <= 30, "{attacker:?}");
    let checked_from_attacker = count(
        &app,
        "select count(*) from credential_attempts where client_address = '192.0.2.66'",
    )
    .await;
    assert_eq!(
        usize::try_from(checked_from_attacker).ok(),
        Some(evaluated(attacker))
    );
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_and_logged_like_logins() {
    let app = crate::support::spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let client = app.login(&user).await;
    let before = password_hash(&app, &user.id).await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..12 {
        let response = client
            .post_form(
                "/konto/passwort",
                &[
                    ("current_password", "geraten und falsch"),
                    ("new_password", "die neue Losung vom Hafen"),
                    ("new_password_repeat", "die neue Losung vom Hafen"),
                ],
            )
            .await;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            retry_after = response.header("retry-after").map(str::to_owned);
            assert!(
                response
                    .page()
                    .text("#current_password-fehler")
                    .contains("Bitte warten Sie")
            );
        }
        statuses.push(response.status);
    }
    assert_eq!(evaluated(&statuses), 5, "{statuses:?}");
    assert!(
        statuses[5..]
            .iter()
            .all(|status| *status == StatusCode::TOO_MANY_REQUESTS)
    );
    assert!(retry_after.is_some_and(|seconds| seconds.parse::<u64>().is_ok_and(|s| s >= 1)));
    assert_eq!(
        count(
            &app,
            "select count(*) from security_events
             where kind = 'login_failed' and details = 'Passwortänderung: falsches bisheriges Passwort'",
        )
        .await,
        5
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from security_events where kind = 'login_throttled'"
        )
        .await,
        7
    );
    // The session goes on, and the password is unchanged; the account itself now waits
    // like after failed logins.
    assert_eq!(client.get("/konto").await.status, StatusCode::OK);
    assert_eq!(password_hash(&app, &user.id).await, before);
    let login = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[("email", &user.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn password_hash(app: &TestApp, user: &prima::domain::ids::UserId) -> String {
    sqlx::query_scalar("select password_hash from users where id = $1")
        .bind(user.0)
        .fetch_one(&app.db)
        .await
        .expect("the account")
}

#[tokio::test]
async fn a_trivially_repetitive_new_password_is_refused_next_to_its_field() {
    let app = crate::support::spawn_app().await;
    let user = app.create_user(&[Role::Staff], Office::Altona).await;
    let client = app.login(&user).await;
    for weak in [
        "aaaaaaaaaaaa",
        "111111111111",
        "abcabcabcabc",
        "passwortpasswort",
    ] {
        let response = client
            .post_form(
                "/konto/passwort",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", weak),
                    ("new_password_repeat", weak),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert!(
            response
                .page()
                .text("#new_password-fehler")
                .contains("leicht zu erraten"),
            "{weak}"
        );
    }
}

#[tokio::test]
async fn an_account_without_a_password_never_signs_in() {
    let app = crate::support::spawn_app().await;
    let email = prima::domain::user::EmailAddress::parse("ohne.passwort@beispiel.prima.invalid")
        .expect("an address");
    let name = prima::domain::user::DisplayName::parse("Ohne Passwort").expect("a name");
    prima::db::users::create(
        &app.db,
        &prima::db::users::NewUser {
            email: &email,
            display_name: &name,
            office: Office::Altona,
            roles: &[Role::Staff],
            password_hash: None,
            one_time_until: None,
        },
    )
    .await
    .expect("an account");
    let response = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[
                ("email", email.as_str()),
                ("password", "irgendein langes Passwort"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(
            &app,
            "select count(*) from security_events
             where kind = 'login_failed' and details = 'Anmeldung: kein Passwort gesetzt'",
        )
        .await,
        1
    );
}
