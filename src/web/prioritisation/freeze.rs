//! Freezing a round: the central officer records the decision (date, body, note); the round
//! stores each measure's consolidated values, score, tier, class and rank as they are at that
//! moment, and reads the same forever after.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::db::rounds::Written;
use crate::domain::ids::RoundId;
use crate::domain::prioritisation::rounds::{Decision, RoundStatus};
use crate::domain::time;
use crate::rounds::RoundData;
use crate::scoring::ranking::Tier;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FreezeInput {
    #[serde(default)]
    pub beschlossen_am: String,
    #[serde(default)]
    pub gremium: String,
    #[serde(default)]
    pub notiz: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/freeze.html")]
pub struct FreezePage {
    pub shell: Shell,
    /// The round as the reader sees it (`super::load_round`); what is frozen is the whole round.
    pub data: std::sync::Arc<RoundData>,
    pub input: FreezeInput,
    pub errors: FormErrors,
}

impl FreezePage {
    /// Measures without a score among those the reader sees: they are frozen as "unvollständig
    /// bewertet". (Whether a hidden measure has every value would tell of the others' values.)
    pub fn incomplete(&self) -> usize {
        self.data
            .standings
            .iter()
            .filter(|standing| standing.tier == Tier::Incomplete)
            .count()
    }
}

fn page(
    visitor: Visitor,
    data: std::sync::Arc<RoundData>,
    input: FreezeInput,
    errors: FormErrors,
) -> FreezePage {
    let shell = Shell::new(visitor, "Runde einfrieren")
        .in_section(Section::Prioritisation)
        .crumb("Priorisierungsrunden", "/priorisierung/runden")
        .crumb(
            data.round.name.clone(),
            format!("/priorisierung/runden/{}", data.round.id),
        )
        .here("Runde einfrieren");
    FreezePage {
        shell,
        data,
        input,
        errors,
    }
}

pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
) -> Result<Response, AppError> {
    let data = super::load_round(&state, &current, id).await?;
    if data.round.status == RoundStatus::Frozen {
        return Ok(Redirect::to(&format!("/priorisierung/runden/{id}")).into_response());
    }
    let input = FreezeInput {
        beschlossen_am: time::today().to_string(),
        ..FreezeInput::default()
    };
    Ok(page(visitor, data, input, FormErrors::new()).into_response())
}

pub async fn freeze(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Form(input): Form<FreezeInput>,
) -> Result<Response, AppError> {
    let data = RoundData::load(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = time::today();
    let decision = match Decision::parse(&input.beschlossen_am, &input.gremium, &input.notiz, today)
    {
        Ok(decision) => decision,
        Err(problems) => {
            let mut errors = FormErrors::new();
            for (field, message) in problems {
                errors.add(field, message);
            }
            let seen = super::load_round(&state, &current, id).await?;
            let page = page(visitor, seen, input, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match data.freeze(&state.db, &decision, current.user.id).await? {
        Written::Saved | Written::Frozen => {
            Ok(Redirect::to(&format!("/priorisierung/runden/{id}")).into_response())
        }
        Written::NotInRound => Err(AppError::NotFound),
    }
}
