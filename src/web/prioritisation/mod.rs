//! The prioritisation's pages: the criteria catalogue with its versions, and (as they come)
//! rounds, assessments and the ranking. Rules live in `domain::prioritisation`, the maths in
//! `scoring`; handlers load, call and render.

mod assess;
mod compare;
mod criteria;
mod criteria_form;
pub mod explain;
mod freeze;
pub mod ranking;
mod ranking_json;
mod robustness;
pub use robustness::refresh_after_change;
mod round;
mod round_json;
mod rounds;
mod what_if;

use super::layout::{Section, Shell};
use super::routes::Route;
use super::visitor::Visitor;
use crate::domain::permissions::Permission;

pub fn routes() -> Vec<Route> {
    use Permission::{Assess, ManagePrioritisation, SignedIn};
    vec![
        Route::get("/priorisierung", SignedIn, ranking::show),
        Route::get("/priorisierung.json", SignedIn, ranking_json::json),
        Route::get("/priorisierung/kriterien", SignedIn, criteria::current),
        Route::get(
            "/priorisierung/kriterien/versionen/{version}",
            SignedIn,
            criteria::version,
        ),
        Route::get(
            "/priorisierung/kriterien/neu",
            ManagePrioritisation,
            criteria_form::edit_form,
        ),
        Route::post(
            "/priorisierung/kriterien/neu",
            ManagePrioritisation,
            criteria_form::save,
        ),
        Route::get("/priorisierung/runden", SignedIn, rounds::list),
        Route::get("/priorisierung/vergleich", SignedIn, compare::show),
        Route::get(
            "/priorisierung/runden/neu",
            ManagePrioritisation,
            rounds::new_form,
        ),
        Route::post(
            "/priorisierung/runden/neu",
            ManagePrioritisation,
            rounds::open,
        ),
        // What a reader sees of a round's values is decided per measure on the page
        // (`rounds::sight`, tested in tests/api/rounds.rs): no route refuses anyone by object.
        Route::get("/priorisierung/runden/{id}", SignedIn, round::show),
        Route::get("/priorisierung/runden/{id}/bewerten", Assess, assess::mine),
        Route::get(
            "/priorisierung/runden/{id}/robustheit",
            SignedIn,
            robustness::show,
        ),
        Route::get(
            "/priorisierung/runden/{id}/was-waere-wenn",
            Assess,
            what_if::show,
        ),
        Route::get(
            "/priorisierung/runden/{id}/szenarien",
            Assess,
            what_if::compare,
        ),
        Route::post(
            "/priorisierung/runden/{id}/szenarien",
            Assess,
            what_if::save,
        ),
        Route::post(
            "/priorisierung/runden/{id}/szenarien/{scenario}/loeschen",
            Assess,
            what_if::delete,
        )
        .checking("its author or the central officer"),
        Route::get(
            "/priorisierung/runden/{id}/massnahmen/{measure}",
            SignedIn,
            assess::show,
        ),
        Route::post(
            "/priorisierung/runden/{id}/massnahmen/{measure}",
            Assess,
            assess::submit,
        ),
        Route::post(
            "/priorisierung/runden/{id}/massnahmen/{measure}/endwert",
            ManagePrioritisation,
            assess::set_final,
        ),
        Route::post(
            "/priorisierung/runden/{id}/massnahmen/{measure}/pflicht",
            ManagePrioritisation,
            assess::set_obligation,
        ),
        Route::get(
            "/priorisierung/runden/{id}/einfrieren",
            ManagePrioritisation,
            freeze::form,
        ),
        Route::post(
            "/priorisierung/runden/{id}/einfrieren",
            ManagePrioritisation,
            freeze::freeze,
        ),
    ]
}

/// The newest round of the strategy in force, if any, as the request's generation sees it.
pub async fn newest_round(
    state: &super::AppState,
    current: &super::visitor::CurrentUser,
) -> Result<Option<crate::domain::ids::RoundId>, super::errors::AppError> {
    let newest = state
        .caches
        .newest_round
        .get_or_load(Some(current.generation), (), async {
            crate::db::rounds::newest(&state.db).await
        })
        .await?;
    Ok(*newest)
}

/// The round `id` as the reader may see it (the blind rule: `RoundData::narrowed`), as the
/// request's content generation sees it. Every page, document and export of a round starts
/// here, so none of them can show anything of the measures hidden from the reader.
pub async fn load_round(
    state: &super::AppState,
    current: &super::visitor::CurrentUser,
    id: crate::domain::ids::RoundId,
) -> Result<std::sync::Arc<crate::rounds::RoundData>, super::errors::AppError> {
    let whole = load_whole_round(state, current, id).await?;
    let actor = current.user.actor();
    let Some(seen) = whole.hidden_from(&actor) else {
        return Ok(whole);
    };
    // What the reader sees changes with their own assessments (a new generation) and, for the
    // central officer, with the deadline.
    let key = (id, actor.user_id, whole.deadline_passed());
    state
        .caches
        .reader_rounds
        .get_or_load(Some(current.generation), key, async {
            Ok(whole.narrowed(&actor, &seen))
        })
        .await
}

/// The whole round `id` (kept in `caches.rounds`); readers get it through [`load_round`].
async fn load_whole_round(
    state: &super::AppState,
    current: &super::visitor::CurrentUser,
    id: crate::domain::ids::RoundId,
) -> Result<std::sync::Arc<crate::rounds::RoundData>, super::errors::AppError> {
    state
        .caches
        .rounds
        .get_or_load(Some(current.generation), id, async {
            crate::rounds::RoundData::load(&state.db, id)
                .await?
                .ok_or(super::errors::AppError::NotFound)
        })
        .await
}

/// A movement in places as an arrow: "↑3", "↓5", "–".
pub fn movement_arrow(places: i64) -> String {
    match places {
        0 => "–".to_owned(),
        up if up > 0 => format!("↑{up}"),
        down => format!("↓{}", -down),
    }
}

/// A movement in places in words, for screen readers beside the arrow.
pub fn movement_words(places: i64) -> String {
    match places {
        0 => "unverändert".to_owned(),
        1 => "1 Platz nach oben".to_owned(),
        -1 => "1 Platz nach unten".to_owned(),
        up if up > 0 => format!("{up} Plätze nach oben"),
        down => format!("{} Plätze nach unten", -down),
    }
}

/// The frame of a prioritisation page below the criteria catalogue.
fn criteria_shell(visitor: Visitor, title: &str) -> Shell {
    Shell::new(visitor, title)
        .in_section(Section::Prioritisation)
        .crumb("Kriterienkatalog", "/priorisierung/kriterien")
        .here(title)
}
