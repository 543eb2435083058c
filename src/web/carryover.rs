//! Carrying the measures over into the draft iteration (`/strategie/iterationen/{id}/uebernahme`)
//! and publishing it. The page lists first the measures whose goals end without a successor,
//! then the rest with the successors proposed by lineage; one form saves every decision or, on
//! any error, none. Publishing applies them in one transaction.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::db;
use crate::db::carryover::{Candidate, DraftGoal, Overview, PublishError};
use crate::domain::ids::{GoalId, MeasureId, StrategyId};
use crate::domain::measure::parse_number;
use crate::domain::permissions::Permission;
use crate::domain::strategy::carryover::{Decision, Outcome};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::Id;
use crate::web::format::filters;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::routes::Route;
use crate::web::visitor::{CurrentUser, Visitor};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/strategie/iterationen/{id}/uebernahme",
            Permission::EditStrategy,
            page,
        ),
        Route::post(
            "/strategie/iterationen/{id}/uebernahme",
            Permission::EditStrategy,
            save,
        ),
        Route::post(
            "/strategie/iterationen/{id}/veroeffentlichen",
            Permission::EditStrategy,
            publish,
        ),
    ]
}

/// What the form shows for one measure: the stored decision or the input sent.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub decision: String,
    pub goals: Vec<GoalId>,
    pub merge: String,
}

/// Measures of one kind on the carry-over page.
#[derive(Debug)]
pub struct Group<'a> {
    pub heading: &'static str,
    pub full: Vec<&'a Candidate>,
    pub brief: Vec<&'a Candidate>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "strategy/carryover.html")]
pub struct CarryoverPage {
    pub shell: Shell,
    pub version_label: String,
    pub overview: Overview,
    pub choices: HashMap<MeasureId, Choice>,
    pub errors: FormErrors,
    pub saved: bool,
    /// A measure whose goals carry on, opened to decide otherwise than proposed.
    pub expanded: Option<MeasureId>,
}

impl CarryoverPage {
    /// The measures with an ending goal first (they need a decision), then the rest.
    pub fn ending(&self) -> Vec<&Candidate> {
        self.overview
            .candidates
            .iter()
            .filter(|candidate| candidate.needs_decision())
            .collect()
    }

    /// The two groups with their headings, each split into the measures shown in full and
    /// those shown as one line.
    pub fn groups(&self) -> Vec<Group<'_>> {
        [
            (
                "Ziel entfällt ohne Nachfolger: bitte entscheiden",
                self.ending(),
            ),
            (
                "Ziele gehen weiter: Übernahme vorgeschlagen",
                self.carrying_on(),
            ),
        ]
        .into_iter()
        .map(|(heading, candidates)| {
            let (full, brief) = candidates
                .into_iter()
                .partition(|candidate| self.in_full(candidate));
            Group {
                heading,
                full,
                brief,
            }
        })
        .collect()
    }

    pub fn carrying_on(&self) -> Vec<&Candidate> {
        self.overview
            .candidates
            .iter()
            .filter(|candidate| !candidate.needs_decision())
            .collect()
    }

    /// Whether the measure gets the whole form: it needs a decision, has one, or was opened.
    /// The others show as one line each, so that a page of hundreds of measures stays light.
    pub fn in_full(&self, candidate: &Candidate) -> bool {
        candidate.needs_decision()
            || candidate.decision.is_some()
            || self.expanded == Some(candidate.id)
            || self
                .choices
                .get(&candidate.id)
                .is_some_and(|choice| !choice.decision.is_empty())
    }

    pub fn choice(&self, measure: &MeasureId) -> Choice {
        self.choices.get(measure).cloned().unwrap_or_default()
    }

    pub fn goal(&self, id: &GoalId) -> Option<&DraftGoal> {
        self.overview.draft_goals.iter().find(|goal| goal.id == *id)
    }

    pub fn outcome_label(&self, candidate: &Candidate) -> String {
        match candidate.outcome() {
            Outcome::Undecided => "noch offen".to_owned(),
            Outcome::Retire => "wird eingestellt".to_owned(),
            Outcome::Merge(_) => format!(
                "wird zusammengeführt mit M-{}",
                candidate.merge_number.unwrap_or_default()
            ),
            Outcome::Link(goals) if goals.is_empty() => {
                "abgeschlossen, ohne Ziel in der neuen Iteration".to_owned()
            }
            Outcome::Link(goals) => format!(
                "{} {} in der neuen Iteration",
                goals.len(),
                if goals.len() == 1 { "Ziel" } else { "Ziele" }
            ),
        }
    }

    pub fn undecided(&self) -> usize {
        self.overview.undecided()
    }

    /// The error next to a control of `measure`'s decision ("entscheidung", "ziele", "mit").
    pub fn error_of(&self, control: &str, measure: &MeasureId) -> Option<&str> {
        self.errors.for_field(&format!("{control}-{measure}"))
    }
}

fn stored_choices(overview: &Overview) -> HashMap<MeasureId, Choice> {
    overview
        .candidates
        .iter()
        .map(|candidate| {
            let choice = match &candidate.decision {
                None => Choice::default(),
                Some(Decision::Relink(goals)) => Choice {
                    decision: "relink".to_owned(),
                    goals: goals.clone(),
                    merge: String::new(),
                },
                Some(Decision::Merge(_)) => Choice {
                    decision: "merge".to_owned(),
                    goals: Vec::new(),
                    merge: candidate
                        .merge_number
                        .map(|number| format!("M-{number}"))
                        .unwrap_or_default(),
                },
                Some(other) => Choice {
                    decision: other.slug().to_owned(),
                    ..Choice::default()
                },
            };
            (candidate.id, choice)
        })
        .collect()
}

async fn draft_overview(
    state: &AppState,
    id: StrategyId,
) -> Result<(String, Option<Overview>), AppError> {
    let iteration = db::iterations::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let overview = db::carryover::overview(&state.db, id).await?;
    Ok((iteration.version_label, overview))
}

fn shell(visitor: Visitor, id: StrategyId, label: &str) -> Shell {
    Shell::new(visitor, format!("Maßnahmen in Version {label} übertragen"))
        .in_section(Section::Strategy)
        .crumb("Strategie", "/strategie")
        .crumb("Iterationen", "/strategie/iterationen")
        .crumb(
            format!("Version {label}"),
            format!("/strategie/iterationen/{id}"),
        )
        .here("Maßnahmen übertragen")
}

async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let saved = query.iter().any(|(key, _)| key == "gespeichert");
    let expanded = query
        .iter()
        .find(|(key, _)| key == "anders")
        .and_then(|(_, value)| value.parse().ok());
    let (label, overview) = draft_overview(&state, id).await?;
    let Some(overview) = overview else {
        return crate::web::strategy_edit::not_a_draft(&state, visitor, &current, id).await;
    };
    Ok(CarryoverPage {
        shell: shell(visitor, id, &label),
        version_label: label,
        choices: stored_choices(&overview),
        overview,
        errors: FormErrors::new(),
        saved,
        expanded,
    }
    .into_response())
}

/// The decision sent for `candidate`, checked; `None` when none was chosen.
fn decision_in(
    candidate: &Candidate,
    choice: &Choice,
    overview: &Overview,
    targets: &[db::measures::Referenced],
    errors: &mut FormErrors,
) -> Option<Decision> {
    let field = format!("entscheidung-{}", candidate.id);
    match choice.decision.as_str() {
        "keep" => {
            if candidate.proposed().is_empty() && !candidate.closed() {
                errors.add(
                    field,
                    format!(
                        "M-{}: Keines ihrer Ziele geht in der neuen Iteration weiter. Bitte ordnen \
                         Sie sie neu zu, stellen sie ein oder führen sie zusammen.",
                        candidate.number
                    ),
                );
                return None;
            }
            Some(Decision::Keep)
        }
        "relink" => {
            let known = choice
                .goals
                .iter()
                .all(|goal| overview.draft_goals.iter().any(|draft| draft.id == *goal));
            if choice.goals.is_empty() || !known {
                errors.add(
                    format!("ziele-{}", candidate.id),
                    format!(
                        "M-{}: Bitte wählen Sie mindestens ein Ziel der neuen Iteration.",
                        candidate.number
                    ),
                );
                return None;
            }
            Some(Decision::Relink(choice.goals.clone()))
        }
        "retire" | "merge" if candidate.closed() => {
            errors.add(
                field,
                format!(
                    "M-{} ist abgeschlossen ({}); sie kann nur ihre Ziele übernehmen oder neu \
                     zugeordnet werden.",
                    candidate.number,
                    candidate.status.label()
                ),
            );
            None
        }
        "retire" => Some(Decision::Retire),
        "merge" => {
            let field = format!("mit-{}", candidate.id);
            let number = parse_number(&choice.merge);
            let target =
                number.and_then(|number| targets.iter().find(|target| target.number == number));
            match target {
                None => {
                    errors.add(
                        field,
                        format!(
                            "M-{}: Bitte geben Sie die Nummer einer bestehenden Maßnahme an, \
                             z. B. „M-12“.",
                            candidate.number
                        ),
                    );
                    None
                }
                Some(target) if target.id == candidate.id => {
                    errors.add(
                        field,
                        format!(
                            "M-{}: Eine Maßnahme kann nicht mit sich selbst zusammengeführt werden.",
                            candidate.number
                        ),
                    );
                    None
                }
                Some(target) if !target.status.accepts_merges() => {
                    errors.add(
                        field,
                        format!(
                            "M-{}: M-{} ist {} und nimmt keine Maßnahmen mehr auf.",
                            candidate.number,
                            target.number,
                            target.status.label()
                        ),
                    );
                    None
                }
                Some(target) => Some(Decision::Merge(target.id)),
            }
        }
        _ => None,
    }
}

async fn save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (label, overview) = draft_overview(&state, id).await?;
    let Some(overview) = overview else {
        return crate::web::strategy_edit::not_a_draft(&state, visitor, &current, id).await;
    };
    let mut choices: HashMap<MeasureId, Choice> = HashMap::new();
    for (key, value) in &pairs {
        let Some((kind, measure)) = key.split_once('-') else {
            continue;
        };
        let Ok(measure) = measure.parse::<MeasureId>() else {
            continue;
        };
        let choice = choices.entry(measure).or_default();
        match kind {
            "entscheidung" => choice.decision = value.clone(),
            "ziele" => {
                if let Ok(goal) = value.parse::<GoalId>() {
                    choice.goals.push(goal);
                }
            }
            "mit" => choice.merge = value.trim().to_owned(),
            _ => {}
        }
    }
    let numbers: Vec<i64> = choices
        .values()
        .filter(|choice| choice.decision == "merge")
        .filter_map(|choice| parse_number(&choice.merge))
        .collect();
    let targets = db::measures::resolve_numbers(&state.db, &numbers, current.user.id).await?;
    let mut errors = FormErrors::new();
    let mut decisions = Vec::new();
    for candidate in &overview.candidates {
        let Some(choice) = choices.get(&candidate.id) else {
            continue;
        };
        // "Noch nicht entschieden" takes a stored decision back.
        let decision = decision_in(candidate, choice, &overview, &targets, &mut errors);
        if decision.is_some() || choice.decision.is_empty() {
            decisions.push((candidate.id, decision));
        }
    }
    if errors.is_empty() {
        if db::carryover::save(&state.db, id, &decisions, current.user.id).await? {
            return Ok(Redirect::to(&format!(
                "/strategie/iterationen/{id}/uebernahme?gespeichert=1"
            ))
            .into_response());
        }
        errors.add(
            "uebernahme",
            "Die Iteration ist nicht mehr im Entwurf; es wurde nichts gespeichert.",
        );
    }
    let page = CarryoverPage {
        shell: shell(visitor, id, &label),
        version_label: label,
        overview,
        choices,
        errors,
        saved: false,
        expanded: None,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn publish(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<StrategyId>,
) -> Result<Response, AppError> {
    let message = match db::carryover::publish(&state.db, id, current.user.id).await {
        Ok(published) => {
            tracing::info!(%id, ?published, "published an iteration");
            return Ok(Redirect::to(&format!("/strategie/iterationen/{id}")).into_response());
        }
        Err(PublishError::NotFound) => return Err(AppError::NotFound),
        Err(PublishError::Database(error)) => return Err(error.into()),
        Err(PublishError::NotDraft) => {
            return crate::web::strategy_edit::not_a_draft(&state, visitor, &current, id).await;
        }
        Err(PublishError::Undecided(count)) => format!(
            "Noch nicht veröffentlicht: Für {count} {} mit einem entfallenden Ziel fehlt die \
             Entscheidung.",
            if count == 1 {
                "Maßnahme"
            } else {
                "Maßnahmen"
            }
        ),
        Err(PublishError::OpenRounds(names)) => format!(
            "Noch nicht veröffentlicht: Diese Priorisierungsrunden der geltenden Strategie sind \
             offen und werden zuerst abgeschlossen (eingefroren): {}.",
            names.join(", ")
        ),
        Err(PublishError::MergeTargetClosed(number)) => format!(
            "Noch nicht veröffentlicht: Die Maßnahme, mit der M-{number} zusammengeführt werden \
             soll, ist inzwischen abgeschlossen. Bitte entscheiden Sie neu."
        ),
    };
    let (label, overview) = draft_overview(&state, id).await?;
    let Some(overview) = overview else {
        return crate::web::strategy_edit::not_a_draft(&state, visitor, &current, id).await;
    };
    let page = CarryoverPage {
        shell: shell(visitor, id, &label),
        version_label: label,
        choices: stored_choices(&overview),
        overview,
        errors: FormErrors::one("veroeffentlichen", message),
        saved: false,
        expanded: None,
    };
    Ok((StatusCode::CONFLICT, page).into_response())
}
