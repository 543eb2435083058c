//! The person's notifications: status changes and comments on their own or followed measures,
//! and merges of measures they support (with a way to support the target at once).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::errors::AppError;
use super::layout::Shell;
use super::routes::Route;
use super::visitor::{CurrentUser, Visitor};
use crate::db;
use crate::db::notifications::Notification;
use crate::domain::permissions::Permission;
use crate::web::format::filters;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/benachrichtigungen", Permission::SignedIn, list),
        Route::post(
            "/benachrichtigungen/gelesen",
            Permission::SignedIn,
            mark_read,
        ),
    ]
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub shell: Shell,
    pub notifications: Vec<Notification>,
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
) -> Result<NotificationsPage, AppError> {
    let notifications = db::notifications::for_user(&state.db, current.user.id).await?;
    Ok(NotificationsPage {
        shell: Shell::new(visitor, "Benachrichtigungen").here("Benachrichtigungen"),
        notifications,
    })
}

async fn mark_read(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    db::notifications::mark_all_read(&state.db, current.user.id).await?;
    Ok(Redirect::to("/benachrichtigungen").into_response())
}
