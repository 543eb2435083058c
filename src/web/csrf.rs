//! Cross-site request forgery: every unsafe request must come from our own origin (Origin, else
//! Referer) and carry the form's token, the session's or, before login, the visitor's cookie's.
//! Failing either is a 403 that changes nothing.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::session::constant_time_eq;
use super::visitor::Visitor;

/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";

/// Forms are small (an import's preview with thousands of decisions is the largest); anything
/// larger is refused before it is read whole.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

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
    let expected = Visitor::from_extensions(request.extensions()).csrf_token;
    let boundary = multipart_boundary(request.headers());
    let (parts, body) = request.into_parts();
    let limit = if boundary.is_some() {
        MAX_UPLOAD_BYTES
    } else {
        MAX_FORM_BYTES
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    let read = if declared.is_some_and(|length| length > limit) {
        None
    } else {
        to_bytes(body, limit).await.ok()
    };
    let Some(bytes) = read else {
        if boundary.is_some() && parts.uri.path() == UPLOAD_PATH {
            // Too large an upload: refused by its handler with the form, nothing read. Only
            // there: any other handler would act without a token.
            let mut request = Request::from_parts(parts, Body::empty());
            request.extensions_mut().insert(OversizeUpload);
            return next.run(request).await;
        }
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let sent = match boundary {
        Some(boundary) => multipart_token(bytes.clone(), boundary).await,
        None => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| {
                pairs
                    .into_iter()
                    .find(|(key, _)| key == FIELD)
                    .map(|(_, value)| value)
            }),
    };
    match sent {
        Some(sent) if !expected.is_empty() && constant_time_eq(&sent, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => {
            tracing::warn!(method = %parts.method, path = %parts.uri.path(), "refused a request without a valid CSRF token");
            StatusCode::FORBIDDEN.into_response()
        }
    }
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
