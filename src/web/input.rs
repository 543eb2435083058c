//! Input that no person types and PostgreSQL cannot store: control characters. Checked once,
//! for every query string and every form, before any handler sees them; newline, carriage
//! return and tab pass (multi-line fields), the rest of Unicode's control characters (U+0000 to
//! U+001F, U+007F to U+009F) are answered with 400 and a German page that says what to do.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::csrf::MAX_FORM_BYTES;

/// Whether `c` may not appear in any text PriMa takes in.
pub fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// Whether any key or value of an `application/x-www-form-urlencoded` text holds a refused
/// character once decoded.
fn holds_refused(encoded: &[u8]) -> bool {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded).is_ok_and(|pairs| {
        pairs
            .iter()
            .any(|(key, value)| key.chars().chain(value.chars()).any(is_refused))
    })
}

pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    if request
        .uri()
        .query()
        .is_some_and(|query| holds_refused(query.as_bytes()))
    {
        tracing::info!(path = %request.uri().path(), "refused control characters in the query");
        return StatusCode::BAD_REQUEST.into_response();
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if holds_refused(&bytes) {
        tracing::info!(path = %parts.uri.path(), "refused control characters in a form");
        return StatusCode::BAD_REQUEST.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_tabs_pass_and_other_control_characters_do_not() {
        assert!(!holds_refused(
            b"body=Zeile+1%0D%0AZeile+2%09Ende&title=Gr%C3%BC%C3%9Fe"
        ));
        for refused in [
            &b"suche=%00"[..],
            b"schlagwort=a%00",
            b"title=a%07b",
            b"x%1B=1",
            b"text=%7F",
            b"text=%C2%85",
            b"a=1&b=%1F",
        ] {
            assert!(
                holds_refused(refused),
                "{}",
                String::from_utf8_lossy(refused)
            );
        }
    }
}
