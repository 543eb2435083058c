//! Cross-site request forgery: every unsafe request must come from our own origin (Origin, else
//! Referer) and carry the form's token, the session's or, before login, the visitor's cookie's.
//! Failing either is a 403 that changes nothing.
//!
//! The token is in the body, so this is also where bodies are read, and read carefully: within
//! a time (a slow sender gets 408 instead of holding a connection and its buffer), within a
//! size (an upload's only on the upload route and only for who may import; a form's elsewhere),
//! and within a budget of bodies in flight per instance (503 with `Retry-After` beyond it).

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

use super::AppState;
use super::session::constant_time_eq;
use super::visitor::Visitor;
use crate::domain::permissions::Permission;

/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";

/// Forms are small (an import's preview with thousands of decisions is the largest); anything
/// larger is refused before it is read whole.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// How long reading a form's body may take by default (`Settings::body_read_time`); an
/// upload's may take six times as long.
pub const BODY_READ_TIME: Duration = Duration::from_secs(10);

/// The bodies being read and handled at once, in KiB: each takes its declared length (or its
/// limit), so at most four uploads or 24 full-size forms are in memory together.
pub const BODIES_IN_FLIGHT_KIB: usize = 48 * 1024;

/// How long a body waits for room in that budget before it gets 503.
const ROOM_WAIT: Duration = Duration::from_secs(5);

/// An uploaded file (10 MB) and the form around it.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024 + 256 * 1024;

/// The one route that takes uploads.
pub const UPLOAD_PATH: &str = "/massnahmen/import";

/// Marks an upload larger than [`MAX_UPLOAD_BYTES`]: its body was not read (nor its token),
/// so the handler may only answer with its form and the German message.
#[derive(Debug, Clone, Copy)]
pub struct OversizeUpload;

fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(content_type).ok()
}

/// The token field of a multipart body.
async fn multipart_token(bytes: Bytes, boundary: String) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

pub async fn verify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if !same_origin(request.headers(), state.settings.secure_cookies) {
        tracing::warn!(method = %request.method(), "refused a request from another origin");
        return StatusCode::FORBIDDEN.into_response();
    }
    let visitor = Visitor::from_extensions(request.extensions());
    let expected = visitor.csrf_token;
    let boundary = multipart_boundary(request.headers());
    let (parts, body) = request.into_parts();
    // Large bodies only where a file is taken, and only from who may take it there.
    let uploads = boundary.is_some()
        && parts.uri.path() == UPLOAD_PATH
        && visitor
            .user
            .as_ref()
            .is_some_and(|user| Permission::Assess.allows(Some(&user.user.actor())));
    let (limit, read_time) = if uploads {
        (MAX_UPLOAD_BYTES, state.settings.body_read_time * 6)
    } else {
        (MAX_FORM_BYTES, state.settings.body_read_time)
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return too_large(uploads, parts, next).await;
    }
    let kib = u32::try_from(declared.unwrap_or(limit).div_ceil(1024).max(1)).unwrap_or(u32::MAX);
    let room = tokio::time::timeout(ROOM_WAIT, state.bodies.acquire_many(kib)).await;
    let Ok(Ok(_room)) = room else {
        tracing::warn!(kib, "no room for another body");
        return super::errors::AppError::Busy(ROOM_WAIT).into_response();
    };
    let bytes = match tokio::time::timeout(read_time, to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return too_large(uploads, parts, next).await,
        Err(_) => {
            tracing::warn!(path = %parts.uri.path(), "a body came too slowly");
            return StatusCode::REQUEST_TIMEOUT.into_response();
        }
    };
    // The token, and a form's one-time key (`web::once`).
    let (sent, form_key) = match boundary {
        Some(boundary) => (multipart_token(bytes.clone(), boundary).await, None),
        None => {
            let pairs =
                serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default();
            let field = |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.clone())
            };
            let form_key = field(super::once::FIELD).and_then(|key| key.parse().ok());
            (field(FIELD), form_key)
        }
    };
    match sent {
        Some(sent) if !expected.is_empty() && constant_time_eq(&sent, &expected) => {
            let request = Request::from_parts(parts, Body::from(bytes));
            match (visitor.user, form_key) {
                (Some(current), Some(key)) => {
                    super::once::once(&state, current.user.id, key, request, next).await
                }
                _ => next.run(request).await,
            }
        }
        _ => {
            tracing::warn!(method = %parts.method, path = %parts.uri.path(), "refused a request without a valid CSRF token");
            StatusCode::FORBIDDEN.into_response()
        }
    }
}

/// A body over its limit: 413, except an upload's, which its handler refuses with the form.
async fn too_large(uploads: bool, parts: axum::http::request::Parts, next: Next) -> Response {
    if uploads {
        // Nothing was read (nor the token), so only the upload handler gets it, and only to
        // show its form with the German message: any other handler would act without a token.
        let mut request = Request::from_parts(parts, Body::empty());
        request.extensions_mut().insert(OversizeUpload);
        return next.run(request).await;
    }
    StatusCode::PAYLOAD_TOO_LARGE.into_response()
}

/// Whether Origin (or, without it, Referer) names this host.
fn same_origin(headers: &HeaderMap, secure: bool) -> bool {
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let scheme = if secure { "https" } else { "http" };
    let origin = format!("{scheme}://{host}");
    if let Some(sent) = headers.get(header::ORIGIN) {
        return sent.to_str().is_ok_and(|sent| sent == origin);
    }
    headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|referer| referer == origin || referer.starts_with(&format!("{origin}/")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn the_own_origin_passes_and_others_do_not() {
        let ok = headers(&[
            (header::HOST, "prima.example"),
            (header::ORIGIN, "https://prima.example"),
        ]);
        assert!(same_origin(&ok, true));
        assert!(!same_origin(&ok, false), "the scheme counts");
        let evil = headers(&[
            (header::HOST, "prima.example"),
            (header::ORIGIN, "https://evil.example"),
        ]);
        assert!(!same_origin(&evil, true));
        let lookalike = headers(&[
            (header::HOST, "prima.example"),
            (header::REFERER, "https://prima.example.evil.example/x"),
        ]);
        assert!(!same_origin(&lookalike, true));
        let referer = headers(&[
            (header::HOST, "prima.example"),
            (header::REFERER, "https://prima.example/konto"),
        ]);
        assert!(same_origin(&referer, true));
        assert!(!same_origin(
            &headers(&[(header::HOST, "prima.example")]),
            true
        ));
    }
}
