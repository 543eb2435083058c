//! The person's own account: name, office, roles, changing the password, and the own sessions
//! with a way to end each.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::too_many_requests;
use super::credentials::{self, Attempt, Purpose};
use super::errors::AppError;
use super::extract::{ClientAddress, UserAgent};
use super::forms::FormErrors;
use super::layout::{Section, Shell};
use super::routes::Route;
use super::session;
use super::visitor::{CurrentUser, Visitor};
use crate::db;
use crate::db::security_log::{Event, EventKind};
use crate::db::sessions::SessionInfo;
use crate::domain::password::{self, Password};
use crate::domain::permissions::{Permission, may_end_session};
use crate::web::format::filters;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/konto", Permission::SignedIn, account),
        Route::post("/konto/passwort", Permission::SignedIn, change_password),
        Route::post(
            "/konto/sitzungen/{id}/beenden",
            Permission::SignedIn,
            end_session,
        ),
    ]
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "account/account.html")]
pub struct AccountPage {
    pub shell: Shell,
    pub current: CurrentUser,
    pub sessions: Vec<SessionInfo>,
    pub errors: FormErrors,
    pub notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    hinweis: String,
}

async fn page(
    state: &AppState,
    visitor: Visitor,
    current: CurrentUser,
    errors: FormErrors,
    notice: Option<&'static str>,
) -> Result<AccountPage, AppError> {
    let sessions = db::sessions::list_for_user(
        &state.db,
        current.user.id,
        state.settings.session_idle_seconds(),
        state.settings.session_absolute_seconds(),
    )
    .await?;
    Ok(AccountPage {
        shell: Shell::new(visitor, "Mein Konto")
            .in_section(Section::Account)
            .here("Mein Konto"),
        current,
        sessions,
        errors,
        notice,
    })
}

async fn account(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Query(query): Query<AccountQuery>,
) -> Result<AccountPage, AppError> {
    let notice = match query.hinweis.as_str() {
        "passwort" => Some("Ihr Passwort ist geändert. Alle anderen Sitzungen wurden beendet."),
        "sitzung" => Some("Die Sitzung wurde beendet."),
        _ => None,
    };
    page(&state, visitor, current, FormErrors::new(), notice).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_repeat: String,
}

/// How the current password, typed to change it, was checked.
enum CurrentPassword {
    Right,
    Wrong,
    Throttled(credentials::Refused),
}

/// Checks the current password as the login checks one: the same throttle, the same log.
async fn check_current(
    state: &AppState,
    current: &CurrentUser,
    client: &str,
    typed: String,
) -> Result<CurrentPassword, AppError> {
    let attempt = Attempt {
        account: current.user.email.to_string(),
        subject: Some(current.user.id),
        client: client.to_owned(),
        purpose: Purpose::PasswordChange,
    };
    let reservation = match credentials::reserve(state, attempt).await? {
        Ok(reservation) => reservation,
        Err(refused) => return Ok(CurrentPassword::Throttled(refused)),
    };
    let stored = db::users::password_hash(&state.db, current.user.id).await?;
    let verified = reservation.verify(Password::unchecked(typed), stored).await;
    if verified.matches() {
        verified.succeeded(&state.db).await?;
        Ok(CurrentPassword::Right)
    } else {
        let reason = "falsches bisheriges Passwort";
        verified
            .failed(state, Some(current.user.id), reason)
            .await?;
        Ok(CurrentPassword::Wrong)
    }
}

/// The new password if it follows the policy and was typed twice alike; else the errors.
fn new_password(
    state: &AppState,
    current: &CurrentUser,
    form: &PasswordForm,
    errors: &mut FormErrors,
) -> Option<Password> {
    let personal = [
        current.user.display_name.as_str(),
        current.user.email.as_str(),
    ];
    let checked = password::check_new(&form.new_password, &personal, &state.common_passwords)
        .map_err(|problem| errors.add("new_password", problem.message()))
        .ok();
    if form.new_password != form.new_password_repeat {
        errors.add(
            "new_password_repeat",
            "Die Wiederholung stimmt nicht mit dem neuen Passwort überein.",
        );
    }
    checked
}

/// Stores the new hash, ends every session of the person and starts one for this browser, with
/// the security-log line, in one transaction; returns the new session's token.
async fn replace_password(
    state: &AppState,
    current: &CurrentUser,
    client: &str,
    agent: &str,
    hash: &str,
) -> Result<String, AppError> {
    let mut transaction = state.db.begin().await?;
    db::users::set_password_hash(&mut *transaction, current.user.id, hash, None).await?;
    db::sessions::delete_all_for_user(&mut *transaction, current.user.id).await?;
    let token = session::start(&mut *transaction, current.user.id, client, agent).await?;
    let event = Event {
        kind: EventKind::PasswordChanged,
        actor: Some(current.user.id),
        subject: Some(current.user.id),
        subject_email: &current.user.email,
        client_address: client,
        details: "",
    };
    db::security_log::record(&mut *transaction, &event).await?;
    transaction.commit().await?;
    Ok(token)
}

async fn change_password(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    UserAgent(agent): UserAgent,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::new();
    let typed = form.current_password.clone();
    match check_current(&state, &current, &client, typed).await? {
        CurrentPassword::Right => {}
        CurrentPassword::Wrong => errors.add(
            "current_password",
            "Das bisherige Passwort ist nicht richtig.",
        ),
        CurrentPassword::Throttled(refused) => {
            let errors = FormErrors::one("current_password", refused.message());
            let page = page(&state, visitor, current, errors, None).await?;
            return Ok(too_many_requests(page, refused));
        }
    }
    let checked = new_password(&state, &current, &form, &mut errors);
    let Some(new_password) = checked.filter(|_| errors.is_empty()) else {
        let page = page(&state, visitor, current, errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = credentials::hash_new(&state, &client, new_password).await?;
    // A changed password ends every session; this browser continues in a new one.
    let token = replace_password(&state, &current, &client, &agent, &hash).await?;
    let mut response = Redirect::to("/konto?hinweis=passwort").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::session_cookie(&token, state.settings.secure_cookies),
    );
    Ok(response)
}

async fn end_session(
    State(state): State<AppState>,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: uuid::Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let actor = current.user.actor();
    // Only own sessions are reachable here: the query names the owner.
    if !may_end_session(&actor, current.user.id) {
        return Err(AppError::Forbidden);
    }
    let mut transaction = state.db.begin().await?;
    if !db::sessions::delete_for_user(&mut *transaction, current.user.id, id).await? {
        return Err(AppError::NotFound);
    }
    db::security_log::record(
        &mut *transaction,
        &Event {
            kind: EventKind::SessionsEnded,
            actor: Some(current.user.id),
            subject: Some(current.user.id),
            subject_email: &current.user.email,
            client_address: &client,
            details: "eine eigene Sitzung",
        },
    )
    .await?;
    transaction.commit().await?;
    if id == current.session_id {
        return Ok(Redirect::to("/anmelden?abgemeldet=1").into_response());
    }
    Ok(Redirect::to("/konto?hinweis=sitzung").into_response())
}
