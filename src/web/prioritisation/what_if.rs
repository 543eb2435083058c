//! What-if (`/priorisierung/runden/{id}/was-waere-wenn`): an officer changes weights in a GET
//! form and sees the ranking the round's consolidated values would give, each measure's
//! movement and who enters or leaves the first k; nothing is saved and the address can be
//! shared. Named scenarios can be saved and compared side by side with the agreed weights
//! (`/szenarien`). A blind assessor's what-if and scenarios re-rank only the measures they see
//! (`RoundData::narrowed`): a hidden measure is in no list and moves no other.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::round::score_text;
use crate::db;
use crate::db::scenarios::{SaveError, Scenario};
use crate::domain::ids::{MeasureId, RoundId};
use crate::domain::roles::Role;
use crate::rounds::RoundData;
use crate::scoring::what_if::{WeightError, WhatIf, reweigh, what_if};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::{Id, TwoIds};
use crate::web::format::filters;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::{CurrentUser, Visitor};

/// Rows per page of the ranking under the scenario's weights.
const PAGE_SIZE: usize = 50;
/// The longest first k the page compares.
const MAX_K: usize = 100;

/// One weight field: the criterion, its agreed weight and what the reader typed.
#[derive(Debug, Clone)]
pub struct WeightField {
    /// `gewicht1`, `gewicht2`, … (the form's names and the address's keys).
    pub id: String,
    pub name: String,
    pub agreed: u8,
    pub typed: String,
}

/// A measure's row: its place under the scenario's weights and under the agreed ones.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: MeasureId,
    pub number: i64,
    pub title: String,
    pub rank: usize,
    pub agreed_rank: usize,
    pub movement: i64,
    pub score20: Option<u16>,
    pub agreed_score20: Option<u16>,
}

impl Row {
    /// "↑3", "↓5" or "–", with the words for a screen reader beside it in the template.
    pub fn arrow(&self) -> String {
        super::movement_arrow(self.movement)
    }

    pub fn movement_words(&self) -> String {
        super::movement_words(self.movement)
    }

    pub fn movement_class(&self) -> &'static str {
        match self.movement {
            0 => "movement movement--none",
            up if up > 0 => "movement movement--up",
            _ => "movement movement--down",
        }
    }

    pub fn score(&self) -> String {
        self.score20.map_or_else(|| "–".to_owned(), score_text)
    }

    pub fn agreed_score(&self) -> String {
        self.agreed_score20
            .map_or_else(|| "–".to_owned(), score_text)
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/what_if.html")]
pub struct WhatIfPage {
    pub shell: Shell,
    pub round_id: RoundId,
    pub round_name: String,
    pub fields: Vec<WeightField>,
    pub k: usize,
    pub k_typed: String,
    pub errors: FormErrors,
    /// The scenario whose weights are shown, if one was opened.
    pub scenario: Option<Scenario>,
    pub scenarios: Vec<Scenario>,
    /// Whether the weights differ from the agreed ones (and are valid): only then is there
    /// anything to compare or save.
    pub changed: bool,
    pub rows: Vec<Row>,
    pub entering: Vec<Row>,
    pub leaving: Vec<Row>,
    pub moved: usize,
    pub shown: usize,
    pub hidden: usize,
    pub page: usize,
    pub pages: usize,
    /// The current weights and k as an address query (without the page).
    pub query: String,
    pub save_name: String,
    /// The reader, to offer deleting their own scenarios (all of them to the central officer).
    pub reader: crate::domain::ids::UserId,
    pub reader_is_central: bool,
}

impl WhatIfPage {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.for_field(field)
    }

    pub fn typed_total(&self) -> String {
        let total: Option<u32> = self
            .fields
            .iter()
            .map(|field| field.typed.trim().parse::<u32>().ok())
            .sum();
        total.map_or_else(|| "–".to_owned(), |total| total.to_string())
    }

    pub fn page_href(&self, page: usize) -> String {
        let base = format!("/priorisierung/runden/{}/was-waere-wenn", self.round_id);
        match (self.query.is_empty(), page > 1) {
            (true, false) => base,
            (true, true) => format!("{base}?seite={page}"),
            (false, false) => format!("{base}?{}", self.query),
            (false, true) => format!("{base}?{}&seite={page}", self.query),
        }
    }

    pub fn pagination(&self) -> crate::web::measures::catalogue::Pagination {
        crate::web::measures::catalogue::Pagination::around(self.page, self.pages, |page| {
            self.page_href(page)
        })
    }

    pub fn may_delete(&self, scenario: &Scenario) -> bool {
        may_delete(self.reader, self.reader_is_central, scenario)
    }

    pub fn scenario_href(&self, scenario: &Scenario) -> String {
        format!(
            "/priorisierung/runden/{}/was-waere-wenn?szenario={}",
            self.round_id, scenario.id
        )
    }

    pub fn weights_of(&self, scenario: &Scenario) -> String {
        self.fields
            .iter()
            .zip(&scenario.weights)
            .map(|(field, weight)| format!("{} {weight} %", field.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The weights and k of the address, as typed.
struct Typed {
    weights: Vec<String>,
    k: String,
    page: usize,
    scenario: Option<uuid::Uuid>,
}

impl Typed {
    fn from_pairs(pairs: &HashMap<String, String>, criteria: usize) -> Self {
        Self {
            weights: (1..=criteria)
                .map(|position| {
                    pairs
                        .get(&format!("gewicht{position}"))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect(),
            k: pairs.get("k").cloned().unwrap_or_default(),
            page: pairs
                .get("seite")
                .and_then(|page| page.parse().ok())
                .unwrap_or(1)
                .max(1),
            scenario: pairs.get("szenario").and_then(|id| id.parse().ok()),
        }
    }
}

/// The weights typed, checked; the errors name the fields.
fn parse_weights(fields: &[WeightField], errors: &mut FormErrors) -> Option<Vec<u8>> {
    let mut weights = Vec::with_capacity(fields.len());
    for field in fields {
        match field.typed.trim().parse::<u8>() {
            Ok(weight) if weight <= 100 => weights.push(weight),
            _ => errors.add(
                field.id.clone(),
                format!(
                    "Geben Sie für „{}“ ein Gewicht von 0 bis 100 in ganzen Prozent ein.",
                    field.name
                ),
            ),
        }
    }
    (weights.len() == fields.len()).then_some(weights)
}

fn weight_message(error: WeightError) -> String {
    match error {
        WeightError::Sum(sum) => {
            format!("Die Gewichte ergeben zusammen {sum} %; sie müssen genau 100 % ergeben.")
        }
        WeightError::TooLarge | WeightError::Count { .. } => {
            "Jedes Gewicht liegt zwischen 0 und 100 %.".to_owned()
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Query(pairs): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let page = build(&state, visitor, &current, id, &pairs, String::new(), None).await?;
    Ok(page.into_response())
}

/// The page for the address `pairs`, with the name typed into the save form and its error.
async fn build(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    id: RoundId,
    pairs: &HashMap<String, String>,
    save_name: String,
    save_error: Option<String>,
) -> Result<WhatIfPage, AppError> {
    let (data, scenarios) = tokio::try_join!(super::load_round(state, current, id), async {
        db::scenarios::list(&state.db, id)
            .await
            .map_err(AppError::from)
    })?;
    let criteria = &data.catalogue.criteria;
    let mut typed = Typed::from_pairs(pairs, criteria.len());
    let scenario = typed
        .scenario
        .and_then(|wanted| scenarios.iter().find(|s| s.id == wanted).cloned());
    if let Some(scenario) = &scenario
        && typed.weights.iter().all(|weight| weight.is_empty())
    {
        typed.weights = scenario.weights.iter().map(i16::to_string).collect();
    }
    let fields: Vec<WeightField> = criteria
        .iter()
        .zip(&typed.weights)
        .enumerate()
        .map(|(index, (criterion, typed))| WeightField {
            id: format!("gewicht{}", index + 1),
            name: criterion.name.clone(),
            agreed: criterion.weight,
            typed: if typed.trim().is_empty() {
                criterion.weight.to_string()
            } else {
                typed.clone()
            },
        })
        .collect();
    let mut errors = FormErrors::new();
    let weights = parse_weights(&fields, &mut errors);
    let scoring = data.criteria();
    let reweighed = weights.as_ref().and_then(|weights| {
        reweigh(&scoring, weights)
            .map_err(|error| errors.add("gewichte", weight_message(error)))
            .ok()
    });
    let k = match typed.k.trim() {
        "" => 10,
        text => match text.parse::<usize>() {
            Ok(k) if (1..=MAX_K).contains(&k) => k,
            _ => {
                errors.add(
                    "k",
                    format!("Geben Sie für k eine Zahl von 1 bis {MAX_K} ein."),
                );
                10
            }
        },
    };
    if let Some(message) = save_error {
        errors.add("name", message);
    }
    let query = weights
        .as_ref()
        .map(|weights| {
            let mut query: Vec<String> = fields
                .iter()
                .zip(weights)
                .map(|(field, weight)| format!("{}={weight}", field.id))
                .collect();
            query.push(format!("k={k}"));
            query.join("&")
        })
        .unwrap_or_default();
    let agreed: Vec<usize> = data
        .standings
        .iter()
        .map(|standing| standing.rank)
        .collect();
    let changed = weights.as_ref().is_some_and(|weights| {
        reweighed.is_some() && weights.iter().zip(criteria).any(|(w, c)| *w != c.weight)
    });
    let result = reweighed.map(|reweighed| {
        what_if(
            &reweighed,
            &data.candidates(),
            data.class_rule(),
            &agreed,
            k,
        )
    });
    let hidden = data.hidden.len();
    let mut page = WhatIfPage {
        shell: Shell::new(visitor, format!("Was wäre, wenn …: {}", data.round.name))
            .in_section(Section::Prioritisation)
            .crumb("Priorisierungsrunden", "/priorisierung/runden")
            .crumb(
                data.round.name.clone(),
                format!("/priorisierung/runden/{id}"),
            )
            .here("Was wäre, wenn …"),
        round_id: id,
        round_name: data.round.name.clone(),
        fields,
        k,
        k_typed: if typed.k.trim().is_empty() {
            k.to_string()
        } else {
            typed.k.clone()
        },
        errors,
        scenario,
        scenarios,
        changed,
        rows: Vec::new(),
        entering: Vec::new(),
        leaving: Vec::new(),
        moved: 0,
        shown: 0,
        hidden,
        page: 1,
        pages: 1,
        query,
        save_name,
        reader: current.user.id,
        reader_is_central: current.user.roles.contains(&Role::CentralOfficer),
    };
    if let Some(result) = result {
        fill(&mut page, &data, &result, typed.page);
    }
    Ok(page)
}

/// The page's lists from `result` over `data`, the round as the reader sees it: a blind reader's
/// what-if re-ranks only the measures they see, so no movement can bracket a hidden measure's
/// values.
fn fill(page: &mut WhatIfPage, data: &RoundData, result: &WhatIf, at: usize) {
    let row = |index: usize| {
        let measure = &data.measures[index];
        Row {
            id: measure.id,
            number: measure.number,
            title: measure.title.clone(),
            rank: result.ranked[index].rank,
            agreed_rank: data.standings[index].rank,
            movement: result.movement[index],
            score20: result.ranked[index].score.map(|score| score.0),
            agreed_score20: data.standings[index].score20,
        }
    };
    let mut order: Vec<usize> = (0..data.measures.len()).collect();
    order.sort_unstable_by_key(|index| result.ranked[*index].rank);
    page.shown = order.len();
    page.moved = order
        .iter()
        .filter(|index| result.movement[**index] != 0)
        .count();
    page.pages = order.len().div_ceil(PAGE_SIZE).max(1);
    page.page = at.min(page.pages);
    page.rows = order
        .iter()
        .skip((page.page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|index| row(*index))
        .collect();
    page.entering = result.entering.iter().map(|index| row(*index)).collect();
    page.leaving = result.leaving.iter().map(|index| row(*index)).collect();
}

/// Saves the weights of the form as a named scenario and opens it; a missing or taken name or
/// weights that do not add up to 100 re-render the page with the message next to the field.
pub async fn save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Form(pairs): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let name = pairs.get("name").map_or("", |name| name.trim()).to_owned();
    let refuse = |message: &str| Some(message.to_owned());
    let name_error = match name.chars().count() {
        0 => refuse("Geben Sie dem Szenario einen Namen."),
        1..=100 => None,
        _ => refuse("Der Name ist zu lang: höchstens 100 Zeichen."),
    };
    let data = super::load_round(&state, &current, id).await?;
    let mut errors = FormErrors::new();
    let fields: Vec<WeightField> = data
        .catalogue
        .criteria
        .iter()
        .enumerate()
        .map(|(index, criterion)| WeightField {
            id: format!("gewicht{}", index + 1),
            name: criterion.name.clone(),
            agreed: criterion.weight,
            typed: pairs
                .get(&format!("gewicht{}", index + 1))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let weights = parse_weights(&fields, &mut errors)
        .filter(|weights| reweigh(&data.criteria(), weights).is_ok());
    let outcome = match (name_error, weights) {
        (Some(message), _) => Err(Some(message)),
        (None, None) => Err(None),
        (None, Some(weights)) => {
            match db::scenarios::save(&state.db, id, &name, &weights, current.user.id).await {
                Ok(scenario) => Ok(scenario),
                Err(SaveError::NameTaken) => Err(refuse(
                    "Ein Szenario mit diesem Namen gibt es in dieser Runde schon; wählen Sie einen anderen Namen.",
                )),
                Err(SaveError::Database(error)) => return Err(error.into()),
            }
        }
    };
    match outcome {
        Ok(scenario) => Ok(Redirect::to(&format!(
            "/priorisierung/runden/{id}/was-waere-wenn?szenario={scenario}"
        ))
        .into_response()),
        Err(message) => {
            let page = build(&state, visitor, &current, id, &pairs, name, message).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Who may delete a scenario: whoever saved it, and the central officer.
fn may_delete(reader: crate::domain::ids::UserId, is_central: bool, scenario: &Scenario) -> bool {
    is_central || scenario.created_by_id == Some(reader)
}

/// Deletes a scenario (its author or the central officer) and goes back to the what-if page.
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    TwoIds(round, scenario): TwoIds<RoundId, uuid::Uuid>,
) -> Result<Response, AppError> {
    let scenarios = db::scenarios::list(&state.db, round).await?;
    let found = scenarios
        .iter()
        .find(|candidate| candidate.id == scenario)
        .ok_or(AppError::NotFound)?;
    let is_central = current.user.roles.contains(&Role::CentralOfficer);
    if !may_delete(current.user.id, is_central, found) {
        return Err(AppError::Forbidden);
    }
    db::scenarios::delete(&state.db, round, scenario).await?;
    Ok(Redirect::to(&format!("/priorisierung/runden/{round}/was-waere-wenn")).into_response())
}

/// One column of the comparison: the agreed weights or a scenario's.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub weights: Vec<u8>,
    pub href: Option<String>,
    /// Per measure of the round (in the round's order) its rank under these weights.
    pub ranks: Vec<usize>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/scenarios.html")]
pub struct ScenariosPage {
    pub shell: Shell,
    pub round_id: RoundId,
    pub round_name: String,
    pub criteria: Vec<String>,
    pub columns: Vec<Column>,
    pub k: usize,
    /// The measures (by position in the round) in the first k under any of the columns, in the
    /// agreed order.
    pub rows: Vec<(MeasureId, i64, String, usize)>,
    pub hidden: usize,
}

impl ScenariosPage {
    /// The cell of measure `index` in `column`: its rank, with the movement against the agreed.
    pub fn cell(&self, column: &Column, index: &usize) -> String {
        let rank = column.ranks[*index];
        let agreed = self.columns[0].ranks[*index];
        let movement = i64::try_from(agreed).unwrap_or(0) - i64::try_from(rank).unwrap_or(0);
        match movement {
            0 => rank.to_string(),
            up if up > 0 => format!("{rank} (↑{up})"),
            down => format!("{rank} (↓{})", -down),
        }
    }

    pub fn in_top(&self, column: &Column, index: &usize) -> bool {
        column.ranks[*index] <= self.k
    }
}

/// The saved scenarios of a round side by side with the agreed weights: the weights, and the
/// places of every measure that is among the first k under any of them.
pub async fn compare(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Query(pairs): Query<HashMap<String, String>>,
) -> Result<ScenariosPage, AppError> {
    let (data, scenarios) = tokio::try_join!(super::load_round(&state, &current, id), async {
        db::scenarios::list(&state.db, id)
            .await
            .map_err(AppError::from)
    })?;
    let k = pairs
        .get("k")
        .and_then(|k| k.trim().parse().ok())
        .filter(|k| (1..=MAX_K).contains(k))
        .unwrap_or(10);
    let scoring = data.criteria();
    let candidates = data.candidates();
    let agreed: Vec<usize> = data
        .standings
        .iter()
        .map(|standing| standing.rank)
        .collect();
    let mut columns = vec![Column {
        name: "Beschlossen".to_owned(),
        weights: scoring.iter().map(|criterion| criterion.weight).collect(),
        href: None,
        ranks: agreed.clone(),
    }];
    for scenario in &scenarios {
        let weights: Vec<u8> = scenario
            .weights
            .iter()
            .map(|weight| u8::try_from(*weight).unwrap_or_default())
            .collect();
        // A scenario of another catalogue size cannot exist (one round, one version); skip
        // rather than fail if it ever did.
        let Ok(reweighed) = reweigh(&scoring, &weights) else {
            continue;
        };
        let result = what_if(&reweighed, &candidates, data.class_rule(), &agreed, k);
        columns.push(Column {
            name: scenario.name.clone(),
            weights,
            href: Some(format!(
                "/priorisierung/runden/{id}/was-waere-wenn?szenario={}",
                scenario.id
            )),
            ranks: result.ranked.iter().map(|ranked| ranked.rank).collect(),
        });
    }
    let mut indexes: Vec<usize> = (0..data.measures.len())
        .filter(|index| columns.iter().any(|column| column.ranks[*index] <= k))
        .collect();
    indexes.sort_unstable_by_key(|index| agreed[*index]);
    let rows = indexes
        .into_iter()
        .map(|index| {
            let measure = &data.measures[index];
            (measure.id, measure.number, measure.title.clone(), index)
        })
        .collect();
    Ok(ScenariosPage {
        shell: Shell::new(visitor, format!("Szenarien: {}", data.round.name))
            .in_section(Section::Prioritisation)
            .crumb("Priorisierungsrunden", "/priorisierung/runden")
            .crumb(
                data.round.name.clone(),
                format!("/priorisierung/runden/{id}"),
            )
            .here("Szenarien"),
        round_id: id,
        round_name: data.round.name.clone(),
        criteria: data
            .catalogue
            .criteria
            .iter()
            .map(|criterion| criterion.name.clone())
            .collect(),
        columns,
        k,
        rows,
        hidden: data.hidden.len(),
    })
}
