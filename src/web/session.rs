//! Server-side sessions in PostgreSQL. The cookie carries a random token; the database holds its
//! SHA-256, the person, the CSRF token and the times for the idle and absolute timeouts.
//! Visitors without a session get a CSRF cookie of their own for the login form.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::AppState;
use super::visitor::{AnonymousCsrf, CurrentUser, Visitor};
use crate::db;
use crate::db::sessions::ActiveSession;

/// Cookie names: the `__Host-` prefix (Secure, host-only, Path=/) where cookies are Secure.
#[derive(Debug, Clone, Copy)]
pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
}

impl CookieNames {
    pub fn new(secure: bool) -> Self {
        if secure {
            Self {
                session: "__Host-prima-session",
                csrf: "__Host-prima-csrf",
            }
        } else {
            Self {
                session: "prima-session",
                csrf: "prima-csrf",
            }
        }
    }
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Compares in time independent of where the first difference is.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value; `None` clears the cookie.
pub fn set_cookie(name: &str, value: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = match value {
        Some(value) => format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Creates a session for `user` and returns the token for its cookie.
pub async fn start(
    executor: impl sqlx::PgExecutor<'_>,
    user: crate::domain::ids::UserId,
    client_address: &str,
    user_agent: &str,
) -> sqlx::Result<String> {
    let token = random_token();
    db::sessions::create(
        executor,
        &db::sessions::NewSession {
            token_hash: &token_hash(&token),
            user_id: user,
            csrf_token: &random_token(),
            client_address,
            user_agent,
        },
    )
    .await?;
    Ok(token)
}

/// The response header that hands `token` to the browser.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    set_cookie(CookieNames::new(secure).session, Some(token), secure)
}

/// Touching the session on every request would write on every page; once a minute is enough
/// for a 30-minute idle timeout.
const TOUCH_AFTER_SECONDS: i64 = 60;

/// Finds the request's session and puts the person into the request; gives visitors without a
/// session their CSRF cookie.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let settings = &state.settings;
    let names = CookieNames::new(settings.secure_cookies);
    let token = cookie(request.headers(), names.session).map(str::to_owned);
    let mut clear_session_cookie = false;
    if let Some(token) = &token {
        match db::sessions::find_active(
            &state.db,
            &token_hash(token),
            settings.session_idle_seconds(),
            settings.session_absolute_seconds(),
        )
        .await
        {
            Ok(Some(session)) => {
                touch_if_due(&state, &session).await;
                request.extensions_mut().insert(CurrentUser {
                    session_id: session.id,
                    user: session.user,
                    csrf_token: session.csrf_token,
                    unread: session.unread,
                    generation: session.generation,
                    must_change_password: session.must_change_password,
                });
            }
            Ok(None) => clear_session_cookie = true,
            Err(error) => {
                // Without the session store nobody can be told who they are: an error page,
                // not a login form that could not work either.
                tracing::error!(%error, "could not load the session");
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let (parts, ()) = axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    .into_response()
                    .map(|_| ())
                    .into_parts();
                let visitor = Visitor {
                    user: None,
                    csrf_token: String::new(),
                };
                return super::errors::with_error_page(parts, &request_id, visitor);
            }
        }
    }
    let signed_in = request.extensions().get::<CurrentUser>().is_some();
    let must_change = request
        .extensions()
        .get::<CurrentUser>()
        .is_some_and(|current| current.must_change_password);
    if must_change && !open_before_own_password(request.method(), request.uri().path()) {
        let mut response = Redirect::to(OWN_PASSWORD_PAGE).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    let mut new_csrf = None;
    // The public pages and the open data have no form to protect: no cookie, so that they stay
    // cacheable and every reader gets the same bytes.
    if !signed_in && !super::public::is_public_path(request.uri().path()) {
        let existing = cookie(request.headers(), names.csrf)
            .filter(|value| value.len() == 64 && value.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .map(str::to_owned);
        let csrf = existing.unwrap_or_else(|| {
            let token = random_token();
            new_csrf = Some(token.clone());
            token
        });
        request.extensions_mut().insert(AnonymousCsrf(csrf));
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if clear_session_cookie && !headers.contains_key(header::SET_COOKIE) {
        headers.append(
            header::SET_COOKIE,
            set_cookie(names.session, None, settings.secure_cookies),
        );
    }
    if let Some(csrf) = new_csrf {
        headers.append(
            header::SET_COOKIE,
            set_cookie(names.csrf, Some(&csrf), settings.secure_cookies),
        );
    }
    // The one place that keeps personal responses out of shared and browser caches: whatever
    // was rendered for a session (pages, redirects, every error page with the person's name in
    // its header) and whatever hands out a cookie.
    if signed_in || headers.contains_key(header::SET_COOKIE) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Where someone signed in with a one-time password chooses their own.
pub const OWN_PASSWORD_PAGE: &str = "/konto#passwort-aendern";

/// What a person signed in with a one-time password may do before choosing their own: read
/// the account page, send its password form, sign out (and read the accessibility statement).
fn open_before_own_password(method: &axum::http::Method, path: &str) -> bool {
    use axum::http::Method;
    matches!(
        (method, path),
        (&Method::GET | &Method::HEAD, "/konto" | "/barrierefreiheit")
            | (&Method::POST, "/konto/passwort" | "/abmelden")
    )
}

async fn touch_if_due(state: &AppState, session: &ActiveSession) {
    let age = chrono::Utc::now() - session.last_seen_at;
    if age.num_seconds() >= TOUCH_AFTER_SECONDS
        && let Err(error) = db::sessions::touch(&state.db, session.id).await
    {
        tracing::warn!(%error, "could not mark the session as used");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_hex_digits_and_differ() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; prima-session=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, "prima-session"), Some("xyz"));
        assert_eq!(cookie(&headers, "prima"), None);
    }

    #[test]
    fn a_secure_cookie_has_every_flag() {
        let value = set_cookie("__Host-prima-session", Some("t"), true);
        assert_eq!(
            value.to_str().ok(),
            Some("__Host-prima-session=t; Path=/; HttpOnly; SameSite=Lax; Secure")
        );
    }

    #[test]
    fn comparison_needs_equal_strings() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
