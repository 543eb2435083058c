//! Security headers on every response, errors and static files included, and a clean request id.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// No inline script, no foreign origin, no framing: every page works without JavaScript, so the
/// policy can be this strict.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

const HEADERS: [(HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// Keeps a request id only from a trusted reverse proxy (`PRIMA_TRUST_PROXY`), and only if it
/// is a plain token: it is shown on error pages and written to the log, so a client must not
/// choose it, nor make it carry markup or line breaks. Otherwise PriMa makes its own.
pub async fn sanitize_request_id(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if !state.settings.trust_proxy {
        request.headers_mut().remove("x-request-id");
        return next.run(request).await;
    }
    let acceptable = request.headers().get("x-request-id").map(|value| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 64
            && bytes
                .iter()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
    });
    if acceptable == Some(false) {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// Adds the headers a handler has not set itself, and HSTS where PriMa is served over https.
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.settings.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    for (name, value) in HEADERS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
