//! Errors and error pages.
//!
//! Handlers return `Result<_, AppError>`. Use `AppError::NotFound` for anything a person can ask
//! for that is not there (unknown or malformed id); let database and internal errors convert with
//! `?`. A 5xx is logged once, at ERROR, with its cause, inside the request's span (which carries
//! the request id); the person sees a German page with that id as a reference and never the
//! cause. A 5xx without a logged cause gets its one line in [`render_error_pages`]. Every other error status without an HTML
//! body (405 from the router, 408 from the timeout, a panic) gets its German page in
//! [`render_error_pages`].

use std::any::Any;

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::layout::Shell;
use super::visitor::Visitor;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Too much at once (a full hashing queue): try again after this long (503).
    #[error("busy")]
    Busy(std::time::Duration),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::Database(sqlx::Error::RowNotFound) => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Marks a 5xx response whose cause was logged where it happened (at ERROR, inside the
/// request's span, which carries the request id that the error page shows as reference), so
/// that nothing logs it a second time.
#[derive(Debug, Clone, Copy)]
pub struct CauseLogged;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        match &self {
            Self::Busy(wait) => {
                // No body: `render_error_pages` turns the status into the German page.
                let mut response = status.into_response();
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(wait.as_secs().max(1)),
                );
                return response;
            }
            _ if !status.is_server_error() => return status.into_response(),
            Self::Database(cause) => tracing::error!(error = %cause, "request failed"),
            other => tracing::error!(error = format!("{other:#}"), "request failed"),
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(CauseLogged);
        response
    }
}

/// The router's fallback: no route matched.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// A handler panicked: log it (inside the request's span) and answer with a plain 500.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "handler panicked");
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(CauseLogged);
    response
}

/// The error page: what happened in German, what to do, and for 5xx a reference.
#[derive(Debug, Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub shell: Shell,
    pub status: u16,
    pub heading: &'static str,
    pub explanation: &'static str,
    pub reference: Option<String>,
}

impl ErrorPage {
    pub fn new(status: StatusCode, request_id: &str, visitor: Visitor) -> Self {
        let (heading, explanation) = match status {
            StatusCode::UNAUTHORIZED => (
                "Anmeldung erforderlich",
                "Bitte melden Sie sich an, um fortzufahren.",
            ),
            StatusCode::FORBIDDEN => (
                "Keine Berechtigung",
                "Für diese Seite oder Aktion fehlt Ihnen die Berechtigung, oder die \
                 Sicherheitsprüfung des Formulars ist fehlgeschlagen. Bitte laden Sie die \
                 vorige Seite neu und versuchen Sie es erneut.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "Eingabe zu groß",
                "Die gesendeten Daten sind zu umfangreich.",
            ),
            StatusCode::NOT_FOUND => (
                "Seite nicht gefunden",
                "Die aufgerufene Adresse gibt es nicht (mehr). Vielleicht wurde der Link \
                 falsch übernommen oder der Inhalt wurde verschoben.",
            ),
            StatusCode::CONFLICT => (
                "Schon gesendet",
                "Dieses Formular wurde bereits gesendet und ausgeführt (zum Beispiel durch einen \
                 Doppelklick oder nach dem Zurückgehen im Browser); es wird nicht ein zweites Mal \
                 ausgeführt. Bitte laden Sie die Seite neu, um den aktuellen Stand zu sehen.",
            ),
            StatusCode::METHOD_NOT_ALLOWED => (
                "Aktion nicht möglich",
                "Diese Adresse kann so nicht aufgerufen werden. Bitte nutzen Sie die Links und \
                 Schaltflächen der Anwendung.",
            ),
            StatusCode::BAD_REQUEST => (
                "Eingabe nicht verwendbar",
                "Die gesendeten Daten enthalten Zeichen, die PriMa nicht speichern kann, zum \
                 Beispiel unsichtbare Steuerzeichen aus einem kopierten Text. Bitte gehen Sie \
                 zurück (Ihre Eingaben sind dort noch vorhanden), entfernen Sie diese Zeichen \
                 und senden Sie das Formular erneut.",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                "Gerade stark ausgelastet",
                "PriMa bearbeitet gerade sehr viele gleichartige Anfragen. Bitte versuchen Sie \
                 es in einem Moment erneut.",
            ),
            StatusCode::TOO_MANY_REQUESTS => (
                "Zu viele Abrufe",
                "Zu viele Abrufe in kurzer Zeit. Bitte versuchen Sie es in einigen Sekunden \
                 erneut (die Antwort nennt im Kopf „Retry-After“ die Wartezeit). Die offenen \
                 Daten ändern sich selten: Mit If-None-Match oder If-Modified-Since erfahren Sie \
                 ohne erneuten Download, ob es Neues gibt.",
            ),
            StatusCode::REQUEST_TIMEOUT => (
                "Zeitüberschreitung",
                "Die Anfrage hat zu lange gedauert. Bitte versuchen Sie es in einem Moment \
                 erneut.",
            ),
            status if status.is_server_error() => (
                "Ein Fehler ist aufgetreten",
                "Bei der Bearbeitung Ihrer Anfrage ist ein unerwarteter Fehler aufgetreten. \
                 Bitte versuchen Sie es in einigen Minuten erneut.",
            ),
            _ => (
                "Anfrage nicht möglich",
                "Die Anfrage konnte nicht bearbeitet werden.",
            ),
        };
        let reference = (status.is_server_error()
            && status != StatusCode::SERVICE_UNAVAILABLE
            && !request_id.is_empty())
        .then(|| request_id.to_owned());
        Self {
            shell: Shell::new(visitor, heading),
            status: status.as_u16(),
            heading,
            explanation,
            reference,
        }
    }
}

/// Replaces the body of every error response that is not already an HTML page with the German
/// error page, keeping status and headers (such as `Allow` on a 405).
pub async fn render_error_pages(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let visitor = Visitor::from_extensions(request.extensions());
    let response = next.run(request).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return response;
    }
    let cause_logged = response.extensions().get::<CauseLogged>().is_some();
    if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE && !cause_logged {
        // A 5xx nobody explained (a timeout layer, a status returned bare): the one line.
        tracing::error!(reference = %request_id, status = status.as_u16(), "answered with the error page");
    }
    let (parts, _) = response.into_parts();
    with_error_page(parts, &request_id, visitor)
}

/// A response with the German error page for `parts.status`, keeping the other headers.
pub fn with_error_page(
    mut parts: axum::http::response::Parts,
    request_id: &str,
    visitor: Visitor,
) -> Response {
    let body = ErrorPage::new(parts.status, request_id, visitor)
        .render()
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not render the error page");
            FALLBACK_PAGE.to_owned()
        });
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

const FALLBACK_PAGE: &str = "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\">\
    <title>Fehler – PriMa</title></head><body><main><h1>Ein Fehler ist aufgetreten</h1>\
    <p>Bitte versuchen Sie es später erneut.</p></main></body></html>";
