//! One account on the administration pages: its details, roles and office, deactivation,
//! ending its sessions and resetting its password.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{AccountInput, PasswordOncePage, record, shell};
use crate::db;
use crate::db::security_log::EventKind;
use crate::domain::ids::UserId;
use crate::domain::office::Office;
use crate::domain::password;
use crate::domain::roles::Role;
use crate::domain::user::User;
use crate::web::AppState;
use crate::web::credentials::hash_new;
use crate::web::errors::AppError;
use crate::web::extract::{ClientAddress, Id};
use crate::web::forms::FormErrors;
use crate::web::layout::Shell;
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/detail.html")]
pub struct DetailPage {
    pub shell: Shell,
    pub user: User,
    pub input: AccountInput,
    pub errors: FormErrors,
    pub offices: [Office; 8],
    pub roles: [Role; 5],
    pub is_self: bool,
    pub notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    hinweis: String,
}

pub fn input_of(user: &User) -> AccountInput {
    AccountInput {
        email: user.email.clone(),
        name: user.display_name.clone(),
        office: user.office.slug().to_owned(),
        roles: user
            .roles
            .iter()
            .map(|role| role.slug().to_owned())
            .collect(),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<UserId>,
    Query(query): Query<DetailQuery>,
) -> Result<DetailPage, AppError> {
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let notice = match query.hinweis.as_str() {
        "rollen" => Some("Rollen und Bezirksamt sind gespeichert."),
        "deaktiviert" => Some("Das Konto ist deaktiviert; seine Sitzungen sind beendet."),
        "reaktiviert" => Some("Das Konto ist wieder aktiv."),
        "sitzungen" => Some("Alle Sitzungen dieses Kontos sind beendet."),
        _ => None,
    };
    Ok(DetailPage {
        shell: shell(visitor, &user.display_name),
        input: input_of(&user),
        is_self: user.id == current.user.id,
        user,
        errors: FormErrors::new(),
        offices: Office::ALL,
        roles: Role::ALL,
        notice,
    })
}

/// The office and roles of the form, or the errors next to their fields; nobody takes the
/// administration role from themselves.
fn roles_of(
    input: &AccountInput,
    user: &User,
    current: &CurrentUser,
) -> Result<(Office, Vec<Role>), FormErrors> {
    let mut errors = FormErrors::new();
    let (office, roles) = input.parse_office_and_roles(&mut errors);
    if user.id == current.user.id && !roles.contains(&Role::Administrator) {
        errors.add(
            "roles",
            "Sie können sich die Rolle Administration nicht selbst entziehen.",
        );
    }
    match office {
        Some(office) if errors.is_empty() => Ok((office, roles)),
        _ => Err(errors),
    }
}

pub async fn update_roles(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    Id(id): Id<UserId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut input = AccountInput::from_pairs(pairs);
    input.email = user.email.clone();
    input.name = user.display_name.clone();
    let (office, roles) = match roles_of(&input, &user, &current) {
        Ok(chosen) => chosen,
        Err(errors) => {
            let page = DetailPage {
                shell: shell(visitor, &user.display_name),
                is_self: user.id == current.user.id,
                user,
                input,
                errors,
                offices: Office::ALL,
                roles: Role::ALL,
                notice: None,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let by = current.user.id;
    db::users::change_roles_and_office(&state.db, &user, &roles, office, by, &client).await?;
    Ok(Redirect::to(&format!("/verwaltung/konten/{id}?hinweis=rollen")).into_response())
}

pub async fn set_active(
    state: &AppState,
    current: &CurrentUser,
    client: &str,
    id: UserId,
    active: bool,
) -> Result<Response, AppError> {
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.id == current.user.id {
        return Err(AppError::Forbidden);
    }
    let mut transaction = state.db.begin().await?;
    db::users::set_active(&mut *transaction, id, active).await?;
    let kind = if active {
        EventKind::UserReactivated
    } else {
        // Deactivation ends the sessions at once, not at their next use.
        db::sessions::delete_all_for_user(&mut *transaction, id).await?;
        EventKind::UserDeactivated
    };
    record(
        &mut *transaction,
        kind,
        current,
        id,
        &user.email,
        client,
        "",
    )
    .await?;
    transaction.commit().await?;
    let notice = if active { "reaktiviert" } else { "deaktiviert" };
    Ok(Redirect::to(&format!("/verwaltung/konten/{id}?hinweis={notice}")).into_response())
}

pub async fn deactivate(
    State(state): State<AppState>,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    Id(id): Id<UserId>,
) -> Result<Response, AppError> {
    set_active(&state, &current, &client, id, false).await
}

pub async fn reactivate(
    State(state): State<AppState>,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    Id(id): Id<UserId>,
) -> Result<Response, AppError> {
    set_active(&state, &current, &client, id, true).await
}

pub async fn end_sessions(
    State(state): State<AppState>,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    Id(id): Id<UserId>,
) -> Result<Response, AppError> {
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut transaction = state.db.begin().await?;
    let ended = db::sessions::delete_all_for_user(&mut *transaction, id).await?;
    record(
        &mut *transaction,
        EventKind::SessionsEnded,
        &current,
        id,
        &user.email,
        &client,
        &format!("{ended} Sitzungen"),
    )
    .await?;
    transaction.commit().await?;
    Ok(Redirect::to(&format!("/verwaltung/konten/{id}?hinweis=sitzungen")).into_response())
}

pub async fn reset_password(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    Id(id): Id<UserId>,
) -> Result<Response, AppError> {
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let one_time = password::generate();
    let until = password::one_time_until(chrono::Utc::now());
    let hash = hash_new(&state, &client, one_time.clone()).await?;
    let mut transaction = state.db.begin().await?;
    db::users::set_password_hash(&mut *transaction, id, &hash, Some(until)).await?;
    db::sessions::delete_all_for_user(&mut *transaction, id).await?;
    record(
        &mut *transaction,
        EventKind::PasswordReset,
        &current,
        id,
        &user.email,
        &client,
        "",
    )
    .await?;
    transaction.commit().await?;
    Ok(PasswordOncePage {
        shell: shell(visitor, "Passwort zurückgesetzt"),
        user,
        password: one_time.expose().to_owned(),
        created: false,
        valid_until: super::moment(until),
    }
    .into_response())
}
