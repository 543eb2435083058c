//! Assessing in a round: "my assessments" with the reader's progress, and one measure's page
//! with the assessment form (the anchor texts beside each scale) and, once the reader may see
//! them, the consolidated values, their spread and each office's value; the central officer
//! sets final values there.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::explain::{Bar, points_text};
use super::round::{score_text, tier_label};
use crate::db;
use crate::db::rounds::{AssessmentRow, FinalRow, RoundMeasure, Submission, Written};
use crate::domain::ids::{MeasureId, RoundId};
use crate::domain::prioritisation::criteria::{ANCHOR_POINTS, CriterionSpec};
use crate::domain::prioritisation::rounds::{
    self, FinalValue, LegalObligation, Rating, RoundStatus, Sight,
};
use crate::domain::roles::Role;
use crate::rounds::RoundData;
use crate::scoring::ranking::Tier;
use crate::scoring::ranking::utility;
use crate::scoring::tipping::tipping_weights;
use crate::scoring::values::{Consolidated, Origin, Spread};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::{Id, TwoIds};
use crate::web::format::filters;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::measures::catalogue::Pagination;
use crate::web::visitor::{CurrentUser, Visitor};

fn shell(visitor: Visitor, data: &RoundData, title: &str) -> Shell {
    Shell::new(visitor, title)
        .in_section(Section::Prioritisation)
        .crumb("Priorisierungsrunden", "/priorisierung/runden")
        .crumb(
            data.round.name.clone(),
            format!("/priorisierung/runden/{}", data.round.id),
        )
        .here(title)
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/my_assessments.html")]
pub struct MyAssessmentsPage {
    pub shell: Shell,
    pub data: std::sync::Arc<RoundData>,
    pub open: Vec<RoundMeasure>,
    pub done: Vec<RoundMeasure>,
    /// The pages shown of the open and of the assessed measures (from 1).
    pub open_page: usize,
    pub done_page: usize,
}

/// Measures per page of each list.
const LIST_PAGE: usize = 50;

impl MyAssessmentsPage {
    pub fn total(&self) -> usize {
        self.open.len() + self.done.len()
    }

    pub fn open_shown(&self) -> &[RoundMeasure] {
        Self::slice(&self.open, self.open_page)
    }

    pub fn done_shown(&self) -> &[RoundMeasure] {
        Self::slice(&self.done, self.done_page)
    }

    fn slice(list: &[RoundMeasure], page: usize) -> &[RoundMeasure] {
        let start = (page - 1) * LIST_PAGE;
        list.get(start..(start + LIST_PAGE).min(list.len()))
            .unwrap_or_default()
    }

    pub fn open_pagination(&self) -> Pagination {
        self.pagination(self.open.len(), self.open_page, |page| {
            (page, self.done_page)
        })
    }

    pub fn done_pagination(&self) -> Pagination {
        self.pagination(self.done.len(), self.done_page, |page| {
            (self.open_page, page)
        })
    }

    /// The pages of a list of `len`; `pages` gives both lists' pages for a page of this one.
    fn pagination(
        &self,
        len: usize,
        page: usize,
        pages: impl Fn(usize) -> (usize, usize),
    ) -> Pagination {
        let count = len.div_ceil(LIST_PAGE).max(1);
        let href = |page: usize| {
            let (open, done) = pages(page);
            format!(
                "/priorisierung/runden/{}/bewerten?offen={open}&bewertet={done}",
                self.data.round.id
            )
        };
        Pagination::around(page, count, href)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListPages {
    #[serde(default)]
    offen: String,
    #[serde(default)]
    bewertet: String,
}

/// A page number as typed, within 1..=pages of a list of `len`.
fn list_page(typed: &str, len: usize) -> usize {
    typed
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, len.div_ceil(LIST_PAGE).max(1))
}

pub async fn mine(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Id(id): Id<RoundId>,
    Query(pages): Query<ListPages>,
) -> Result<MyAssessmentsPage, AppError> {
    let data = super::load_round(&state, &current, id).await?;
    // By number: an order made from the others' values would tell a blind reader about them.
    let mut all: Vec<RoundMeasure> = data.measures.iter().chain(&data.hidden).cloned().collect();
    all.sort_by_key(|measure| measure.number);
    let (done, open): (Vec<RoundMeasure>, Vec<RoundMeasure>) = all
        .into_iter()
        .partition(|measure| data.submitted_by(current.user.id, measure.id));
    Ok(MyAssessmentsPage {
        shell: shell(visitor, &data, "Meine Bewertungen"),
        open_page: list_page(&pages.offen, open.len()),
        done_page: list_page(&pages.bewertet, done.len()),
        open,
        done,
        data,
    })
}

/// One criterion on a measure's assessment page.
#[derive(Debug, Clone)]
pub struct CriterionView<'a> {
    pub position: usize,
    pub spec: &'a CriterionSpec,
    /// What the form holds: the reader's rating ("0" … "10", "nb", or "" for none yet) and reason.
    pub rating: String,
    pub reason: String,
    pub consolidated: Option<Consolidated>,
    pub spread: Option<Spread>,
    pub disputed: bool,
    /// Each rater's value, when the reader may see them.
    pub individual: Vec<&'a AssessmentRow>,
    /// The values raters replaced after the others' were shown to them (with the individual
    /// values only), oldest first.
    pub revisions: Vec<&'a crate::db::rounds::RevisionRow>,
    pub final_value: Option<&'a FinalRow>,
    /// The part of the score, in twentieths of a point.
    pub contribution: Option<u16>,
}

impl CriterionView<'_> {
    pub fn consolidated_text(&self) -> String {
        match self.consolidated {
            None => "kein Wert".to_owned(),
            Some(value) => {
                let points = points_text(value.value.half_points());
                match value.origin {
                    Origin::Final => format!("{points} (Endwert)"),
                    Origin::Median(1) => format!("{points} (eine Bewertung)"),
                    Origin::Median(n) => format!("{points} (Median aus {n})"),
                }
            }
        }
    }

    pub fn spread_text(&self) -> String {
        match self.spread {
            None => "–".to_owned(),
            Some(spread) => format!(
                "{}–{} (mittlere Hälfte {}–{})",
                points_text(spread.min.half_points()),
                points_text(spread.max.half_points()),
                points_text(spread.lower_quartile.half_points()),
                points_text(spread.upper_quartile.half_points())
            ),
        }
    }

    pub fn contribution_text(&self) -> String {
        self.contribution.map_or_else(|| "–".to_owned(), score_text)
    }

    /// What `rater` gave before changing it after seeing the others' values: "am 05.12.2026,
    /// zuvor 3" for each change, or nothing.
    pub fn earlier(&self, rater: &crate::domain::ids::UserId) -> Vec<String> {
        self.revisions
            .iter()
            .filter(|row| row.rater == *rater)
            .map(|row| {
                let value = row
                    .value
                    .map_or_else(|| "n. b.".to_owned(), |value| value.to_string());
                let day = crate::domain::time::hamburg(row.replaced_at).format("%d.%m.%Y");
                format!("am {day}, zuvor {value}")
            })
            .collect()
    }

    pub fn final_reason(&self) -> &str {
        self.final_value.map_or("", |value| value.reason.as_str())
    }

    pub fn checked(&self, value: &str) -> bool {
        self.rating == value
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/assess.html")]
pub struct AssessPage {
    pub shell: Shell,
    /// The round as the reader sees it (`super::load_round`).
    pub data: std::sync::Arc<RoundData>,
    pub measure: RoundMeasure,
    /// The measure's position in `data`; none while it is hidden from the reader.
    pub index: Option<usize>,
    pub sight: Sight,
    pub may_assess: bool,
    pub may_set_final: bool,
    pub submitted_own: bool,
    /// The reader gave values of their own to the measure (and so has seen the others').
    pub unlocked_own: bool,
    pub errors: FormErrors,
    /// Typed ratings and reasons after a refused submission, per criterion.
    pub typed: Option<Vec<(String, String)>>,
    pub points: [u8; 6],
    pub saved: bool,
    /// The legal obligation's reason as typed, after a refusal.
    pub typed_obligation: Option<String>,
}

impl AssessPage {
    pub fn measure(&self) -> &RoundMeasure {
        &self.measure
    }

    /// Its standing, once the reader may see it.
    fn standing(&self) -> Option<&crate::rounds::Standing> {
        self.index.map(|index| &self.data.standings[index])
    }

    /// What a place counts: the round's ranks, or while measures are hidden from the reader the
    /// places among those they see.
    fn rank_word(&self) -> &'static str {
        if self.data.is_blind() {
            "Platz"
        } else {
            "Rang"
        }
    }

    pub fn is_open(&self) -> bool {
        self.data.round.status == RoundStatus::Open
    }

    /// What the obligation field holds: as typed, else as recorded.
    pub fn obligation_text(&self) -> &str {
        match &self.typed_obligation {
            Some(typed) => typed,
            None => self
                .measure()
                .legal_obligation
                .as_deref()
                .unwrap_or_default(),
        }
    }

    /// The office the reader assesses for.
    pub fn office_label(&self) -> &'static str {
        self.shell
            .visitor
            .user
            .as_ref()
            .map_or("", |user| user.user.office.label())
    }

    pub fn shows_values(&self) -> bool {
        self.sight != Sight::Hidden
    }

    pub fn shows_individual(&self) -> bool {
        self.sight == Sight::Individual
    }

    /// The smallest change of one weight that swaps this measure with the one ranked right
    /// above it (both scored; the other weights keep their proportions), in words.
    pub fn tipping_text(&self) -> Option<String> {
        let index = self.index?;
        let order = self.data.ranked_order();
        let place = order.iter().position(|other| *other == index)?;
        let above = *order.get(place.checked_sub(1)?)?;
        let (mine, theirs) = (&self.data.standings[index], &self.data.standings[above]);
        if mine.tier != Tier::Scored || theirs.tier != Tier::Scored {
            return None;
        }
        let values = |standing: &crate::rounds::Standing| -> Vec<_> {
            standing
                .consolidated
                .iter()
                .map(|v| v.map(|v| v.value))
                .collect()
        };
        let criteria = self.data.criteria();
        let other = &self.data.measures[above];
        let (ahead, behind) = (values(theirs), values(mine));
        // Whether this measure is the better one on criterion k (a higher weight helps it).
        let better_here = |k: usize| {
            let utility = |value: Option<_>| value.map(|v| utility(criteria[k].group, v));
            utility(behind[k]) > utility(ahead[k])
        };
        let nearest = tipping_weights(&criteria, &ahead, &behind)
            .into_iter()
            .enumerate()
            .filter_map(|(k, weight)| weight.map(|weight| (k, weight)))
            .min_by(|(a, wa), (b, wb)| {
                let da = (wa - f64::from(criteria[*a].weight)).abs();
                let db = (wb - f64::from(criteria[*b].weight)).abs();
                // Equally near (a tie): a raise reads more naturally than a cut.
                da.total_cmp(&db)
                    .then(better_here(*b).cmp(&better_here(*a)))
            });
        let above_name = format!("M-{} ({} {})", other.number, self.rank_word(), theirs.rank);
        Some(match nearest {
            None => format!(
                "Mit {above_name} tauscht sie durch kein einzelnes Gewicht den Platz: dazu müssten sich Bewertungen ändern."
            ),
            // Equal scores (the supports order them): any change in one direction swaps them.
            Some((k, weight)) if (weight - f64::from(criteria[k].weight)).abs() < 1e-9 => format!(
                "Mit {above_name} liegt sie gleichauf (gleiche Punktzahl; die Reihenfolge geben die Unterstützungen). Sie tauscht den Platz schon bei jeder {} von „{}“ {} {} % (die übrigen Gewichte im selben Verhältnis).",
                if better_here(k) {
                    "Erhöhung"
                } else {
                    "Senkung"
                },
                self.data.catalogue.criteria[k].name,
                if better_here(k) { "über" } else { "unter" },
                criteria[k].weight
            ),
            Some((k, weight)) => format!(
                "Mit {above_name} tauscht sie den Platz, wenn „{}“ mit {} {} % statt {} % gewichtet wird (die übrigen Gewichte im selben Verhältnis).",
                self.data.catalogue.criteria[k].name,
                if weight > f64::from(criteria[k].weight) {
                    "mehr als"
                } else {
                    "weniger als"
                },
                crate::web::format::decimal((weight * 10.0).round() as i64, 1),
                criteria[k].weight
            ),
        })
    }

    pub fn standing_text(&self) -> String {
        let Some(standing) = self.standing() else {
            return String::new();
        };
        let mut text = if self.data.is_blind() {
            format!(
                "Platz {} unter den {} Maßnahmen, die Sie sehen; {}",
                standing.rank,
                self.data.measures.len(),
                tier_label(standing.tier)
            )
        } else {
            format!("Rang {}, {}", standing.rank, tier_label(standing.tier))
        };
        if let Some(score) = standing.score20 {
            text.push_str(&format!(", {} Punkte", score_text(score)));
        }
        if let Some(class) = standing.class {
            text.push_str(&format!(", Klasse {class:?}"));
        }
        text
    }

    /// The contribution chart's bars.
    pub fn bars(&self) -> Vec<Bar> {
        let values: Vec<_> = self.values();
        super::explain::bars(
            &super::explain::briefs(&self.data.catalogue.criteria),
            &values,
        )
    }

    /// The consolidated values the reader may see (none while the measure is hidden).
    fn values(&self) -> Vec<Option<crate::scoring::values::HalfPoints>> {
        self.standing().map_or_else(
            || vec![None; self.data.catalogue.criteria.len()],
            |standing| {
                standing
                    .consolidated
                    .iter()
                    .map(|v| v.map(|v| v.value))
                    .collect()
            },
        )
    }

    pub fn criteria(&self) -> Vec<CriterionView<'_>> {
        let measure = self.measure().id;
        let reader = self.shell.visitor.user.as_ref().map(|user| user.user.id);
        let standing = self.standing();
        let criteria = self.data.criteria();
        let values = self.values();
        let contributions = crate::scoring::ranking::contributions(&criteria, &values);
        self.data
            .catalogue
            .criteria
            .iter()
            .enumerate()
            .map(|(k, spec)| {
                let position = k as i32 + 1;
                let rows: Vec<&AssessmentRow> = self
                    .data
                    .assessments_of(measure)
                    .iter()
                    .filter(|row| row.position == position)
                    .collect();
                let own = rows.iter().find(|row| Some(row.rater) == reader);
                let (rating, reason) = match &self.typed {
                    Some(typed) => typed.get(k).cloned().unwrap_or_default(),
                    None => own.map_or_else(Default::default, |row| {
                        (row.rating().slug(), row.reason.clone())
                    }),
                };
                CriterionView {
                    position: k,
                    spec,
                    rating,
                    reason,
                    consolidated: standing
                        .and_then(|standing| standing.consolidated.get(k).copied().flatten()),
                    spread: standing
                        .and_then(|standing| standing.spreads.get(k).copied().flatten()),
                    disputed: standing.is_some_and(|standing| standing.disputed.contains(&k)),
                    revisions: if self.shows_individual() {
                        self.data
                            .revisions
                            .iter()
                            .filter(|row| row.measure == measure && row.position == position)
                            .collect()
                    } else {
                        Vec::new()
                    },
                    individual: if self.shows_individual() {
                        rows
                    } else {
                        Vec::new()
                    },
                    final_value: self
                        .data
                        .finals
                        .iter()
                        .find(|row| row.measure == measure && row.position == position),
                    contribution: contributions.get(k).copied().flatten(),
                }
            })
            .collect()
    }

    /// They see the others' values of the measure without having given their own (a central
    /// officer, or anyone after the deadline): an assessment now would not be blind.
    pub fn sees_without_own(&self) -> bool {
        self.sight != Sight::Hidden && !self.unlocked_own
    }

    pub fn rating_choices(&self) -> Vec<(String, String)> {
        (0..=10)
            .map(|points: u8| (points.to_string(), points.to_string()))
            .chain(std::iter::once((
                "nb".to_owned(),
                "nicht beurteilbar".to_owned(),
            )))
            .collect()
    }
}

async fn assess_page(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    round: RoundId,
    measure: MeasureId,
) -> Result<AssessPage, AppError> {
    let data = super::load_round(state, current, round).await?;
    let (index, found) = data.find(measure).ok_or(AppError::NotFound)?;
    let found = found.clone();
    let actor = current.user.actor();
    let submitted_own = data.submitted_by(actor.user_id, measure);
    let sight = match index {
        None => Sight::Hidden,
        Some(_) => rounds::sight(
            &actor,
            data.round.status,
            data.unlocked_by(actor.user_id, measure),
            data.deadline_passed(),
        ),
    };
    let title = if rounds::may_assess(&actor) && data.round.status == RoundStatus::Open {
        format!("M-{} bewerten", found.number)
    } else {
        format!("M-{} in der Runde", found.number)
    };
    Ok(AssessPage {
        shell: shell(visitor, &data, &title),
        may_assess: rounds::may_assess(&actor),
        may_set_final: actor.has(Role::CentralOfficer),
        measure: found,
        index,
        sight,
        submitted_own,
        unlocked_own: data.unlocked_by(actor.user_id, measure),
        errors: FormErrors::new(),
        typed: None,
        points: ANCHOR_POINTS,
        saved: false,
        typed_obligation: None,
        data,
    })
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    TwoIds(round, measure): TwoIds<RoundId, MeasureId>,
    axum::extract::Query(query): axum::extract::Query<SavedQuery>,
) -> Result<AssessPage, AppError> {
    let mut page = assess_page(&state, visitor, &current, round, measure).await?;
    page.saved = query.gespeichert.is_some() && page.submitted_own;
    Ok(page)
}

/// The value of the form field `name` (empty when it was not sent).
fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedQuery {
    gespeichert: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    TwoIds(round, measure): TwoIds<RoundId, MeasureId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut page = assess_page(&state, visitor, &current, round, measure).await?;
    let typed: Vec<(String, String)> = (0..page.data.catalogue.criteria.len())
        .map(|k| {
            let rating = form_value(&pairs, &format!("w{k}"));
            (
                rating.to_owned(),
                form_value(&pairs, &format!("b{k}")).to_owned(),
            )
        })
        .collect();
    let mut errors = FormErrors::new();
    let mut ratings = Vec::new();
    for (k, (rating, reason)) in typed.iter().enumerate() {
        let rating = Rating::parse(rating).map_err(|message| errors.add(format!("w{k}"), message));
        let reason =
            rounds::parse_reason(reason).map_err(|message| errors.add(format!("b{k}"), message));
        if let (Ok(rating), Ok(reason)) = (rating, reason) {
            ratings.push((page.data.catalogue.criterion_ids[k], rating, reason));
        }
    }
    if !errors.is_empty() {
        page.errors = errors;
        page.typed = Some(typed);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if page.sees_without_own() {
        // They see the others' values without having given their own (a central officer, or
        // anyone after the deadline): a first assessment now would not be blind.
        page.errors = FormErrors::one(
            "bewertung",
            "Sie sehen die Werte der anderen Ämter schon, ohne diese Maßnahme vorher bewertet zu \
             haben; eine Bewertung jetzt wäre nicht mehr verdeckt und wird nicht angenommen. \
             Als zentrale Stelle können Sie stattdessen einen Endwert mit Begründung setzen.",
        );
        page.typed = Some(typed);
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let submission = Submission {
        round,
        measure,
        rater: current.user.id,
        office: current.user.office,
        ratings: &ratings,
    };
    match db::rounds::submit(&state.db, &submission).await? {
        Written::Saved => {
            super::robustness::refresh_after_change(&state, round);
            Ok(Redirect::to(&format!(
                "/priorisierung/runden/{round}/massnahmen/{measure}?gespeichert=1"
            ))
            .into_response())
        }
        Written::NotInRound => Err(AppError::NotFound),
        Written::Frozen => {
            page.errors = FormErrors::one(
                "bewertung",
                "Die Runde wurde inzwischen eingefroren; Bewertungen sind nicht mehr möglich.",
            );
            page.typed = Some(typed);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

pub async fn set_final(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    TwoIds(round, measure): TwoIds<RoundId, MeasureId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut page = assess_page(&state, visitor, &current, round, measure).await?;
    let field = |name: &str| form_value(&pairs, name);
    let k: usize = field("kriterium").parse().map_err(|_| AppError::NotFound)?;
    if page.index.is_none() {
        // Hidden from this central officer: a final value set blind would override values they
        // may not see, and another's would tell them the consolidated one.
        page.errors = FormErrors::one(
            "endwerte",
            "Endwerte setzen Sie, sobald Sie die Werte der Ämter zu dieser Maßnahme sehen: nach \
             Ihrer eigenen Bewertung oder nach Ablauf der Frist.",
        );
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let criterion = *page
        .data
        .catalogue
        .criterion_ids
        .get(k)
        .ok_or(AppError::NotFound)?;
    let value = if field("aktion") == "entfernen" {
        None
    } else {
        match FinalValue::parse(field("endwert"), field("endwert_begruendung")) {
            Ok(value) => Some(value),
            Err((points, reason)) => {
                let mut errors = FormErrors::new();
                if let Some(message) = points {
                    errors.add(format!("endwert-{k}"), message);
                }
                if let Some(message) = reason {
                    errors.add(format!("endwert-begruendung-{k}"), message);
                }
                page.errors = errors;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        }
    };
    let written = db::rounds::set_final_value(
        &state.db,
        round,
        measure,
        criterion,
        value
            .as_ref()
            .map(|value| (value.points, value.reason.as_str())),
        current.user.id,
    )
    .await?;
    match written {
        Written::Saved => {
            super::robustness::refresh_after_change(&state, round);
            Ok(Redirect::to(&format!(
                "/priorisierung/runden/{round}/massnahmen/{measure}#werte"
            ))
            .into_response())
        }
        Written::NotInRound => Err(AppError::NotFound),
        Written::Frozen => {
            page.errors = FormErrors::one(
                format!("endwert-{k}"),
                "Die Runde wurde inzwischen eingefroren; Endwerte sind nicht mehr möglich.",
            );
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

/// Records or removes the measure's legal obligation (the tier "Pflicht"), from a round's page
/// of the measure; it holds for the measure in every open round.
pub async fn set_obligation(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    TwoIds(round, measure): TwoIds<RoundId, MeasureId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut page = assess_page(&state, visitor, &current, round, measure).await?;
    if !page.is_open() {
        page.errors = FormErrors::one(
            "pflicht",
            "Die Runde ist eingefroren; die Pflicht gilt dort, wie sie beschlossen wurde.",
        );
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let reason = match form_value(&pairs, "aktion") {
        "entfernen" => None,
        _ => match LegalObligation::parse(form_value(&pairs, "pflicht")) {
            Ok(obligation) => Some(obligation),
            Err(message) => {
                page.errors = FormErrors::one("pflicht", message);
                page.typed_obligation = Some(form_value(&pairs, "pflicht").to_owned());
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        },
    };
    let reason = reason.as_ref().map(LegalObligation::as_str);
    if !db::measures::set_legal_obligation(&state.db, measure, reason, current.user.id).await? {
        return Err(AppError::NotFound);
    }
    super::robustness::refresh_after_change(&state, round);
    Ok(Redirect::to(&format!(
        "/priorisierung/runden/{round}/massnahmen/{measure}#pflicht"
    ))
    .into_response())
}
