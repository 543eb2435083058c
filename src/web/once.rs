//! One-time form keys: every form a signed-in person sends carries `form_key`, rendered fresh
//! with the form (`_macros.html`, `csrf`). The first request with a key acts; a second with the
//! same key (a double click, the back button, a reload of the answer) does not act again: it
//! waits for the first to finish and is sent where the first one led, or, if the first answered
//! with a page, gets a German page saying the form was already sent. A form refused with 4xx
//! gives its key back, so it can be corrected and sent again. The CSRF layer, which reads every
//! body, finds the key (`csrf::verify`).

use std::time::Duration;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use crate::db::submissions::{self, Claim};
use crate::domain::ids::UserId;

/// The form field that carries the key.
pub const FIELD: &str = "form_key";

/// How long a second request waits for the first one with its key.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// How long keys are kept (a day: nobody sends a form again after that by accident).
pub const KEEP: Duration = Duration::from_secs(24 * 3600);

/// A fresh key for a form.
pub fn fresh_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Runs `request` once per key: the first time through `next`, every later time as where the
/// first one led.
pub async fn once(
    state: &AppState,
    user: UserId,
    key: uuid::Uuid,
    request: Request,
    next: Next,
) -> Response {
    let mut claim = submissions::claim(&state.db, user, key).await;
    if matches!(claim, Ok(Claim::Running)) {
        claim = after_the_first(state, user, key).await;
    }
    match claim {
        Ok(Claim::New) => {
            let response = next.run(request).await;
            let status = response.status();
            let outcome = if status.is_redirection() {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|value| value.to_str().ok());
                submissions::finish(&state.db, user, key, location).await
            } else if status.is_success() {
                submissions::finish(&state.db, user, key, None).await
            } else {
                // Refused or failed: the same form may be sent again.
                submissions::release(&state.db, user, key).await
            };
            if let Err(error) = outcome {
                tracing::warn!(%error, "could not record a form key's outcome");
            }
            response
        }
        Ok(Claim::Running) => {
            tracing::info!("a form sent again while the first was still running");
            StatusCode::CONFLICT.into_response()
        }
        Ok(Claim::Finished(location)) => {
            tracing::info!(
                redirected = location.is_some(),
                "a form sent again was not acted on twice"
            );
            match location {
                Some(location) => Redirect::to(&location).into_response(),
                None => StatusCode::CONFLICT.into_response(),
            }
        }
        Err(error) => {
            tracing::error!(%error, "could not claim a form key");
            super::errors::AppError::from(error).into_response()
        }
    }
}

/// A second request while the first runs: waits for it to finish (or to give its key back, when
/// this one may act after all), at most [`WAIT`].
async fn after_the_first(state: &AppState, user: UserId, key: uuid::Uuid) -> sqlx::Result<Claim> {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
        match submissions::state(&state.db, user, key).await? {
            Some(Claim::Running) => {}
            Some(claim) => return Ok(claim),
            None => return submissions::claim(&state.db, user, key).await,
        }
    }
    Ok(Claim::Running)
}
