//! Signing in and out. The password is checked through `web::credentials`, which throttles per
//! account and per client address and logs failures (never the password).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::credentials::{self, Attempt, Purpose, Refused, Verified};
use super::errors::AppError;
use super::extract::{ClientAddress, UserAgent};
use super::forms::FormErrors;
use super::layout::Shell;
use super::routes::Route;
use super::session::{self, CookieNames, cookie, set_cookie, token_hash};
use super::visitor::{CurrentUser, Visitor};
use crate::db;
use crate::db::security_log::{Event, EventKind};
use crate::domain::password::Password;
use crate::domain::permissions::Permission;
use crate::domain::user::User;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/anmelden", Permission::Public, login_page),
        Route::post("/anmelden", Permission::Public, login),
        Route::post("/abmelden", Permission::SignedIn, logout),
    ]
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub shell: Shell,
    pub email: String,
    pub next: String,
    pub errors: FormErrors,
    pub notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    weiter: String,
    #[serde(default)]
    abgemeldet: Option<String>,
}

async fn login_page(visitor: Visitor, Query(query): Query<LoginQuery>) -> Response {
    if visitor.user.is_some() {
        return Redirect::to(safe_next(&query.weiter)).into_response();
    }
    LoginPage {
        shell: Shell::new(visitor, "Anmelden"),
        email: String::new(),
        next: safe_next(&query.weiter).to_owned(),
        errors: FormErrors::new(),
        notice: query.abgemeldet.map(|_| "Sie sind abgemeldet."),
    }
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    weiter: String,
}

const WRONG_CREDENTIALS: &str = "E-Mail-Adresse oder Passwort ist nicht richtig.";

/// Said only to whoever knows the password.
const ONE_TIME_EXPIRED: &str = "Ihr Einmalpasswort ist abgelaufen (es gilt 72 Stunden). Bitte \
    lassen Sie sich von der Administration ein neues geben.";

async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddress(client): ClientAddress,
    UserAgent(agent): UserAgent,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim().to_owned();
    let next = safe_next(&form.weiter).to_owned();
    let page = |errors: FormErrors| LoginPage {
        shell: Shell::new(visitor.clone(), "Anmelden"),
        email: email.clone(),
        next: next.clone(),
        errors,
        notice: None,
    };
    let missing = missing_fields(&email, &form.password);
    if !missing.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(missing)).into_response());
    }
    let (user, verified, one_time) =
        match authenticate(&state, &email, form.password, &client).await? {
            Ok(signed_in) => signed_in,
            Err(LoginRefusal::OneTimeExpired) => {
                let error = FormErrors::one("email", ONE_TIME_EXPIRED);
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(error)).into_response());
            }
            Err(LoginRefusal::Refused(refused)) => {
                let page = page(FormErrors::one("email", refused.message()));
                return Ok(too_many_requests(page, refused));
            }
            Err(LoginRefusal::WrongCredentials) => {
                let error = FormErrors::one("email", WRONG_CREDENTIALS);
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(error)).into_response());
            }
        };
    let token = start_session(&state, &headers, &user, verified, &client, &agent).await?;
    // A one-time password signs in only to choose one's own.
    let next = if one_time {
        session::OWN_PASSWORD_PAGE
    } else {
        next.as_str()
    };
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::session_cookie(&token, state.settings.secure_cookies),
    );
    Ok(response)
}

fn missing_fields(email: &str, password: &str) -> FormErrors {
    let mut errors = FormErrors::new();
    if email.is_empty() {
        errors.add("email", "Bitte geben Sie Ihre E-Mail-Adresse ein.");
    }
    if password.is_empty() {
        errors.add("password", "Bitte geben Sie Ihr Passwort ein.");
    }
    errors
}

/// Why a login did not sign anyone in.
enum LoginRefusal {
    /// The check was not started (throttle, full queue).
    Refused(Refused),
    /// Unknown account, deactivated account or wrong password: the person hears the same.
    WrongCredentials,
    /// The right one-time password, but after its time.
    OneTimeExpired,
}

/// The active account whose password this is, with the checked attempt still to be recorded as
/// a success and whether the password is a one-time password; a failure is recorded here.
async fn authenticate(
    state: &AppState,
    email: &str,
    password: String,
    client: &str,
) -> Result<Result<(User, Verified, bool), LoginRefusal>, AppError> {
    let attempt = Attempt {
        account: email.to_owned(),
        subject: None,
        client: client.to_owned(),
        purpose: Purpose::Login,
    };
    let reservation = match credentials::reserve(state, attempt).await? {
        Ok(reservation) => reservation,
        Err(refused) => return Ok(Err(LoginRefusal::Refused(refused))),
    };
    let credentials = db::users::credentials_by_email(&state.db, email).await?;
    let stored = credentials
        .as_ref()
        .and_then(|credentials| credentials.password_hash.clone());
    let verified = reservation
        .verify(Password::unchecked(password), stored)
        .await;
    // An account without a password (never set, or the examples') is checked against the
    // dummy hash for the timing only: it never signs anyone in.
    let failure = match &credentials {
        None => Some("unbekanntes Konto"),
        Some(credentials) if !credentials.user.active => Some("Konto deaktiviert"),
        Some(credentials) if credentials.password_hash.is_none() => Some("kein Passwort gesetzt"),
        Some(_) if !verified.matches() => Some("falsches Passwort"),
        Some(credentials)
            if credentials
                .one_time_until
                .is_some_and(|until| until < chrono::Utc::now()) =>
        {
            Some("Einmalpasswort abgelaufen")
        }
        Some(_) => None,
    };
    match (credentials, failure) {
        (Some(credentials), None) => {
            let one_time = credentials.one_time_until.is_some();
            Ok(Ok((credentials.user, verified, one_time)))
        }
        (Some(credentials), Some(reason @ "Einmalpasswort abgelaufen")) => {
            verified
                .failed(state, Some(credentials.user.id), reason)
                .await?;
            Ok(Err(LoginRefusal::OneTimeExpired))
        }
        (credentials, failure) => {
            let subject = credentials.map(|credentials| credentials.user.id);
            let reason = failure.unwrap_or("unbekanntes Konto");
            verified.failed(state, subject, reason).await?;
            Ok(Err(LoginRefusal::WrongCredentials))
        }
    }
}

/// A new session for `user` (and the end of the one the browser brought: a session fixed before
/// the login is worth nothing), the attempt's success and the security-log entry, in one
/// transaction; returns the token for the cookie.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    verified: Verified,
    client: &str,
    agent: &str,
) -> Result<String, AppError> {
    let names = CookieNames::new(state.settings.secure_cookies);
    let mut transaction = state.db.begin().await?;
    if let Some(old) = cookie(headers, names.session) {
        db::sessions::delete_by_token(&mut *transaction, &token_hash(old)).await?;
    }
    let token = session::start(&mut *transaction, user.id, client, agent).await?;
    verified.succeeded(&mut *transaction).await?;
    db::security_log::record(
        &mut *transaction,
        &Event {
            kind: EventKind::LoginSucceeded,
            actor: Some(user.id),
            subject: Some(user.id),
            subject_email: &user.email,
            client_address: client,
            details: "",
        },
    )
    .await?;
    transaction.commit().await?;
    tracing::info!(user = %user.id, client = ?client, "login succeeded");
    Ok(token)
}

/// A page answered with 429 and the time to wait in `Retry-After`.
pub fn too_many_requests(page: impl IntoResponse, refused: Refused) -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(refused.retry_after().as_secs()),
    );
    response
}

async fn logout(
    State(state): State<AppState>,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let names = CookieNames::new(state.settings.secure_cookies);
    let mut transaction = state.db.begin().await?;
    if let Some(token) = cookie(&headers, names.session) {
        db::sessions::delete_by_token(&mut *transaction, &token_hash(token)).await?;
    }
    db::security_log::record(
        &mut *transaction,
        &Event {
            kind: EventKind::Logout,
            actor: Some(current.user.id),
            subject: Some(current.user.id),
            subject_email: &current.user.email,
            client_address: &client,
            details: "",
        },
    )
    .await?;
    transaction.commit().await?;
    let mut response = Redirect::to("/anmelden?abgemeldet=1").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(names.session, None, state.settings.secure_cookies),
    );
    Ok(response)
}

/// A redirect target after login: a local path only, never another site.
pub fn safe_next(value: &str) -> &str {
    let local = value.starts_with('/')
        && !value.starts_with("//")
        && !value.starts_with("/\\")
        && !value.chars().any(|c| c == '\\' || c.is_control())
        && value
            .parse::<axum::http::Uri>()
            .is_ok_and(|uri| uri.scheme().is_none() && uri.authority().is_none());
    if local && !value.starts_with("/anmelden") && !value.starts_with("/abmelden") {
        value
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/strategie?x=1"), "/strategie?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "",
            "strategie",
            "/anmelden?weiter=//evil.example",
            "/x\nSet-Cookie: a=b",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
