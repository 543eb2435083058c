//! Reports: the dashboard (`/berichte`) with charts drawn on the server as SVG, each with its
//! numbers as a table beside it; the strategy report and a report per district office, as
//! HTML pages with print styles and as PDF/UA documents.

pub mod charts;
pub mod dashboard;
pub mod office;
pub mod pdf;
pub mod strategy;

use crate::domain::permissions::Permission;
use crate::web::routes::Route;

pub fn routes() -> Vec<Route> {
    use Permission::SignedIn as P;
    vec![
        Route::get("/berichte", P, dashboard::show),
        Route::get("/berichte/strategie", P, strategy::show),
        Route::get("/berichte/bezirksaemter/{office}", P, office::show),
        Route::get("/berichte/bezirksaemter/{office}/pdf", P, office::pdf),
    ]
}
