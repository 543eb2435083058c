//! The prioritisation's pages: the criteria catalogue with its versions, and (as they come)
//! rounds, assessments and the ranking. Rules live in `domain::prioritisation`, the maths in
//! `scoring`; handlers load, call and render.

mod criteria;
mod criteria_form;

use super::layout::{Section, Shell};
use super::routes::Route;
use super::visitor::Visitor;
use crate::domain::permissions::Permission;

pub fn routes() -> Vec<Route> {
    use Permission::{ManagePrioritisation, SignedIn};
    vec![
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
    ]
}

/// The frame of a prioritisation page below the criteria catalogue.
fn criteria_shell(visitor: Visitor, title: &str) -> Shell {
    Shell::new(visitor, title)
        .in_section(Section::Prioritisation)
        .crumb("Kriterienkatalog", "/priorisierung/kriterien")
        .here(title)
}
