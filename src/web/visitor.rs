//! Who is asking: the signed-in person of a request, or a visitor without an account with the
//! CSRF token of their forms. `session::load` puts them into the request; handlers and pages
//! take them from here.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::domain::user::User;

/// The signed-in person of a request (an extension set by `session::load`).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub session_id: uuid::Uuid,
    pub user: User,
    pub csrf_token: String,
    /// Unread notifications when the request came in.
    pub unread: i64,
    /// The content generation when the request came in (see `web::cache`).
    pub generation: i64,
    /// Signed in with a one-time password: only the account page (to choose one's own) and
    /// signing out are open until then (`web::session::load`).
    pub must_change_password: bool,
}

/// The CSRF token of a visitor without a session.
#[derive(Debug, Clone)]
pub struct AnonymousCsrf(pub String);

/// Who is asking: the signed-in person if any, and the CSRF token for the page's forms.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub user: Option<CurrentUser>,
    pub csrf_token: String,
}

impl Visitor {
    /// The content generation the request saw, if it has a session (see `web::cache`).
    pub fn generation(&self) -> Option<i64> {
        self.user.as_ref().map(|user| user.generation)
    }

    pub fn from_extensions(extensions: &axum::http::Extensions) -> Self {
        let user = extensions.get::<CurrentUser>().cloned();
        let csrf_token = match &user {
            Some(user) => user.csrf_token.clone(),
            None => extensions
                .get::<AnonymousCsrf>()
                .map(|csrf| csrf.0.clone())
                .unwrap_or_default(),
        };
        Self { user, csrf_token }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_extensions(&parts.extensions))
    }
}

/// The signed-in person; routes that use it require a session in the route table, so its
/// absence is a programming error answered with 401, never a panic.
impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = axum::http::StatusCode;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(axum::http::StatusCode::UNAUTHORIZED)
    }
}
