//! Reports: the dashboard (`/berichte`) with charts drawn on the server as SVG, each with its
//! numbers as a table beside it.

pub mod charts;
pub mod dashboard;

use crate::domain::permissions::Permission;
use crate::web::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![Route::get(
        "/berichte",
        Permission::SignedIn,
        dashboard::show,
    )]
}
