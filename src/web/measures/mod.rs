//! Measures: the catalogue, the implementation matrix, proposing and editing, a measure's page
//! with its lifecycle steps, implementation, comments and history. Object-level rules (who sees a draft, who edits, who moves a measure on) come from
//! `domain::lifecycle`.

mod access;
pub mod catalogue;
mod changes;
mod comments;

mod form;
mod implementation;
mod matrix;
mod profile;
pub mod publication;
pub mod show;
mod supports;

use super::routes::Route;
use crate::domain::permissions::Permission;

pub use catalogue::CataloguePage;

pub fn routes() -> Vec<Route> {
    use Permission::SignedIn as P;
    vec![
        Route::get("/massnahmen", P, catalogue::catalogue),
        Route::get("/massnahmen/neu", P, form::new_form),
        Route::get("/massnahmen/umsetzung", P, matrix::matrix),
        Route::post("/massnahmen/neu", P, form::create),
        Route::get("/massnahmen/{id}", P, show::show).checking("a draft only for its author"),
        Route::get("/massnahmen/{id}/steckbrief", P, profile::show)
            .checking("a draft only for its author"),
        Route::get("/massnahmen/{id}/steckbrief/pdf", P, profile::pdf)
            .checking("a draft only for its author"),
        Route::get("/massnahmen/{id}/bearbeiten", P, form::edit_form)
            .checking("author (draft, submitted) or an officer for the measure"),
        Route::post("/massnahmen/{id}/bearbeiten", P, form::update)
            .checking("author (draft, submitted) or an officer for the measure"),
        Route::post("/massnahmen/{id}/unterstuetzen", P, supports::support)
            .checking("not the author's own proposal, not a draft"),
        Route::post(
            "/massnahmen/{id}/unterstuetzung-zurueckziehen",
            P,
            supports::withdraw,
        )
        .checking("not the author's own proposal, not a draft"),
        Route::post(
            "/massnahmen/{id}/veroeffentlichung/vorschlagen",
            Permission::Publish,
            publication::propose,
        ),
        Route::post(
            "/massnahmen/{id}/veroeffentlichung/freigeben",
            Permission::Publish,
            publication::release,
        )
        .checking("only someone other than the proposer (four eyes)"),
        Route::post(
            "/massnahmen/{id}/veroeffentlichung/zuruecknehmen",
            Permission::Publish,
            publication::withdraw,
        ),
        Route::post("/massnahmen/{id}/folgen", P, supports::follow)
            .checking("anyone who sees the measure"),
        Route::post("/massnahmen/{id}/nicht-mehr-folgen", P, supports::unfollow)
            .checking("anyone who sees the measure"),
        Route::post("/massnahmen/{id}/kommentare", P, comments::create)
            .checking("anyone who sees the measure; internal notes by officers only"),
        Route::get(
            "/massnahmen/{id}/kommentare/{comment}/bearbeiten",
            P,
            comments::edit_form,
        )
        .checking("the comment's author, within 15 minutes"),
        Route::post(
            "/massnahmen/{id}/kommentare/{comment}/bearbeiten",
            P,
            comments::correct,
        )
        .checking("the comment's author, within 15 minutes"),
        Route::post(
            "/massnahmen/{id}/kommentare/{comment}/loeschen",
            P,
            comments::delete,
        )
        .checking("the comment's author or an officer for the measure"),
        Route::post("/massnahmen/{id}/umsetzung", P, implementation::set_row)
            .checking("a district officer for their own office, the central officer for any"),
        Route::post(
            "/massnahmen/{id}/fortschritt",
            P,
            implementation::set_progress,
        )
        .checking("an officer for the measure (its lead office, or central)"),
        Route::post("/massnahmen/{id}/status", P, show::change_status)
            .checking("the lifecycle: author submits, officers for the measure review"),
    ]
}
