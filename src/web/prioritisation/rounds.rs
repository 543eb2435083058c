//! The list of prioritisation rounds, and opening a new one: name, deadline, the measures taking
//! part (by default the accepted and deferred ones, narrowed by the catalogue's filters), with
//! the catalogue version in force. Every district officer is notified.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::db;
use crate::db::catalogue::Scope;
use crate::db::rounds::{NewRound, OpenError, RoundSummary};
use crate::domain::lifecycle::Status;
use crate::domain::prioritisation::rounds::{RoundName, parse_deadline};
use crate::domain::roles::Role;
use crate::domain::time;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::forms::{Choice, FormErrors, NO_ERROR};
use crate::web::layout::{Section, Shell};
use crate::web::measures::catalogue::{CatalogueQuery, FilterChoices};
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/rounds.html")]
pub struct RoundsPage {
    pub shell: Shell,
    pub rounds: Vec<RoundSummary>,
    pub may_open: bool,
}

pub async fn list(State(state): State<AppState>, visitor: Visitor) -> Result<RoundsPage, AppError> {
    let rounds = db::rounds::list(&state.db).await?;
    let may_open = visitor
        .user
        .as_ref()
        .is_some_and(|user| user.user.roles.contains(&Role::CentralOfficer));
    Ok(RoundsPage {
        shell: Shell::new(visitor, "Priorisierungsrunden")
            .in_section(Section::Prioritisation)
            .here("Priorisierungsrunden"),
        rounds,
        may_open,
    })
}

/// The opening form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpenInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub frist: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub amt: String,
    #[serde(default)]
    pub feld: String,
    #[serde(default)]
    pub schnell: String,
}

impl OpenInput {
    fn filter(&self) -> (db::catalogue::Filter, Scope) {
        let query = CatalogueQuery {
            status: self.status.clone(),
            amt: self.amt.clone(),
            feld: self.feld.clone(),
            schnell: self.schnell.clone(),
            ..CatalogueQuery::default()
        };
        let filter = query.filter();
        // Without a status: the accepted and deferred measures.
        let scope = if filter.status.is_some() {
            Scope::Catalogue
        } else {
            Scope::Prioritisation
        };
        (filter, scope)
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/round_new.html")]
pub struct OpenPage {
    pub shell: Shell,
    pub input: OpenInput,
    pub errors: FormErrors,
    pub choices: FilterChoices,
    pub catalogue_version: i32,
}

impl OpenPage {
    pub fn status_choices(&self) -> Vec<Choice> {
        self.choices.status_choices()
    }

    pub fn no_error(&self) -> Option<&str> {
        NO_ERROR
    }
}

async fn open_page(
    state: &AppState,
    visitor: Visitor,
    input: OpenInput,
    errors: FormErrors,
) -> Result<OpenPage, AppError> {
    let (tree, catalogue) = tokio::try_join!(
        state.strategy.current_tree(&state.db),
        db::criteria::current(&state.db)
    )?;
    let catalogue = catalogue.ok_or(AppError::NotFound)?;
    let statuses = Status::ALL
        .into_iter()
        .filter(|status| *status != Status::Draft)
        .collect();
    Ok(OpenPage {
        shell: Shell::new(visitor, "Priorisierungsrunde eröffnen")
            .in_section(Section::Prioritisation)
            .crumb("Priorisierungsrunden", "/priorisierung/runden")
            .here("Runde eröffnen"),
        input,
        errors,
        choices: FilterChoices::new(tree, statuses),
        catalogue_version: catalogue.version,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<OpenPage, AppError> {
    open_page(&state, visitor, OpenInput::default(), FormErrors::new()).await
}

pub async fn open(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Form(input): Form<OpenInput>,
) -> Result<Response, AppError> {
    let today = time::today();
    let mut errors = FormErrors::new();
    let name = RoundName::parse(&input.name)
        .map_err(|message| errors.add("name", message))
        .ok();
    let deadline = parse_deadline(&input.frist, today)
        .map_err(|message| errors.add("frist", message))
        .ok();
    let (filter, scope) = input.filter();
    let (measures, catalogue) = tokio::try_join!(
        db::catalogue::ids(&state.db, &filter, scope),
        db::criteria::current(&state.db)
    )?;
    let catalogue = catalogue.ok_or(AppError::NotFound)?;
    let (Some(name), Some(deadline)) = (name, deadline) else {
        let page = open_page(&state, visitor, input, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let notice = format!(
        "Die Priorisierungsrunde „{}“ ist eröffnet: Bitte bewerten Sie ihre {} Maßnahmen bis zum {}.",
        name.as_str(),
        measures.len(),
        time::day(deadline)
    );
    let round = NewRound {
        name: &name,
        deadline,
        catalogue_id: catalogue.id,
        measures: &measures,
        by: current.user.id,
        notice: &notice,
    };
    let refused = match db::rounds::open(&state.db, &round).await {
        Ok(id) => return Ok(Redirect::to(&format!("/priorisierung/runden/{id}")).into_response()),
        Err(OpenError::NameTaken) => {
            FormErrors::one("name", "Eine Runde mit diesem Namen gibt es schon.")
        }
        Err(OpenError::NoMeasures) => FormErrors::one(
            "status",
            "Mit dieser Auswahl nimmt keine Maßnahme teil. Bitte wählen Sie weniger eng.",
        ),
        Err(OpenError::Database(error)) => return Err(error.into()),
    };
    let page = open_page(&state, visitor, input, refused).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
