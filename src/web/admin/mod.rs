//! Account administration: find people, create accounts with a one-time password shown once,
//! change roles and office, deactivate and reactivate, end sessions, reset passwords. Every
//! change is written to the security log in the same transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::accounts;
use crate::db;
use crate::db::security_log::{Event, EventKind};
use crate::db::users::{CreateUserError, NewUser};
use crate::domain::ids::UserId;
use crate::domain::office::Office;
use crate::domain::password;
use crate::domain::permissions::Permission;
use crate::domain::roles::Role;
use crate::domain::user::{DisplayName, EmailAddress, User};
use crate::web::AppState;
use crate::web::credentials::hash_new;
use crate::web::errors::AppError;
use crate::web::extract::ClientAddress;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::routes::Route;
use crate::web::visitor::{CurrentUser, Visitor};

mod account;

pub fn routes() -> Vec<Route> {
    use Permission::ManageUsers as P;
    vec![
        Route::get("/verwaltung/konten", P, list),
        Route::get("/verwaltung/konten/neu", P, new_form),
        Route::post("/verwaltung/konten/neu", P, create),
        Route::get("/verwaltung/konten/{id}", P, account::detail),
        Route::post("/verwaltung/konten/{id}/rollen", P, account::update_roles),
        Route::post(
            "/verwaltung/konten/{id}/deaktivieren",
            P,
            account::deactivate,
        ),
        Route::post(
            "/verwaltung/konten/{id}/reaktivieren",
            P,
            account::reactivate,
        ),
        Route::post(
            "/verwaltung/konten/{id}/sitzungen-beenden",
            P,
            account::end_sessions,
        ),
        Route::post(
            "/verwaltung/konten/{id}/passwort-zuruecksetzen",
            P,
            account::reset_password,
        ),
    ]
}

pub(super) fn shell(visitor: Visitor, title: &str) -> Shell {
    Shell::new(visitor, title)
        .in_section(Section::Administration)
        .crumb("Verwaltung", "/verwaltung/konten")
        .here(title)
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/list.html")]
pub struct ListPage {
    pub shell: Shell,
    pub search: String,
    pub users: Vec<User>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    suche: String,
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let search = query.suche.trim().to_owned();
    let users = db::users::search(&state.db, &search).await?;
    Ok(ListPage {
        shell: Shell::new(visitor, "Konten")
            .in_section(Section::Administration)
            .here("Verwaltung: Konten"),
        search,
        users,
    })
}

/// The account form's values as entered, for showing them again.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub email: String,
    pub name: String,
    pub office: String,
    pub roles: Vec<String>,
}

impl AccountInput {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut input = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "email" => input.email = value,
                "name" => input.name = value,
                "office" => input.office = value,
                "roles" => input.roles.push(value),
                _ => {}
            }
        }
        input
    }

    pub fn has_role(&self, role: &Role) -> bool {
        self.roles.iter().any(|slug| slug == role.slug())
    }

    fn parse_office_and_roles(&self, errors: &mut FormErrors) -> (Option<Office>, Vec<Role>) {
        let office = Office::from_slug(&self.office);
        if office.is_none() {
            errors.add("office", "Bitte wählen Sie ein Bezirksamt.");
        }
        let roles: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|role| self.has_role(role))
            .collect();
        if roles.is_empty() {
            errors.add("roles", "Bitte wählen Sie mindestens eine Rolle.");
        }
        (office, roles)
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/new.html")]
pub struct NewPage {
    pub shell: Shell,
    pub input: AccountInput,
    pub errors: FormErrors,
    pub offices: [Office; 8],
    pub roles: [Role; 5],
}

async fn new_form(visitor: Visitor) -> NewPage {
    NewPage {
        shell: shell(visitor, "Konto anlegen"),
        input: AccountInput {
            roles: vec![Role::Staff.slug().to_owned()],
            ..AccountInput::default()
        },
        errors: FormErrors::new(),
        offices: Office::ALL,
        roles: Role::ALL,
    }
}

/// Shows a password once, after creating an account or resetting its password.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/password_once.html")]
pub struct PasswordOncePage {
    pub shell: Shell,
    pub user: User,
    pub password: String,
    pub created: bool,
    /// Until when the one-time password signs in, as people read it ("10.12.2026, 14:05").
    pub valid_until: String,
}

/// A moment as the one-time password pages say it, in Hamburg's time.
pub(super) fn moment(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::time::hamburg(at)
        .format("%d.%m.%Y, %H:%M")
        .to_string()
}

async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    ClientAddress(client): ClientAddress,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let input = AccountInput::from_pairs(pairs);
    let mut errors = FormErrors::new();
    let email = EmailAddress::parse(&input.email)
        .map_err(|message| errors.add("email", message))
        .ok();
    let name = DisplayName::parse(&input.name)
        .map_err(|message| errors.add("name", message))
        .ok();
    let (office, roles) = input.parse_office_and_roles(&mut errors);
    let rerender = |errors: FormErrors| {
        let page = NewPage {
            shell: shell(visitor.clone(), "Konto anlegen"),
            input: input.clone(),
            errors,
            offices: Office::ALL,
            roles: Role::ALL,
        };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let (Some(email), Some(name), Some(office), true) = (email, name, office, errors.is_empty())
    else {
        return Ok(rerender(errors));
    };
    let one_time = password::generate();
    let until = password::one_time_until(chrono::Utc::now());
    let hash = hash_new(&state, &client, one_time.clone()).await?;
    let new_user = NewUser {
        email: &email,
        display_name: &name,
        office,
        roles: &roles,
        password_hash: Some(hash),
        one_time_until: Some(until),
    };
    let id = match accounts::create_account(&state.db, &new_user, Some(current.user.id), &client)
        .await
    {
        Ok(id) => id,
        Err(CreateUserError::EmailTaken) => {
            let message = "Für diese E-Mail-Adresse gibt es bereits ein Konto.";
            return Ok(rerender(FormErrors::one("email", message)));
        }
        Err(CreateUserError::Database(error)) => return Err(error.into()),
    };
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PasswordOncePage {
        shell: shell(visitor, "Konto angelegt"),
        user,
        password: one_time.expose().to_owned(),
        created: true,
        valid_until: moment(until),
    }
    .into_response())
}

pub(super) async fn record(
    executor: impl sqlx::PgExecutor<'_>,
    kind: EventKind,
    current: &CurrentUser,
    subject: UserId,
    subject_email: &str,
    client: &str,
    details: &str,
) -> sqlx::Result<()> {
    db::security_log::record(
        executor,
        &Event {
            kind,
            actor: Some(current.user.id),
            subject: Some(subject),
            subject_email,
            client_address: client,
            details,
        },
    )
    .await
}
