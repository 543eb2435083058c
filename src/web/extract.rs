//! Extractors shared by the areas.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::errors::AppError;

/// An id from the last path segment. A malformed id is a page that does not exist (404), not a
/// bad request: to the person who typed or followed the link, both mean "no such page".
#[derive(Debug, Clone, Copy)]
pub struct Id<T>(pub T);

impl<S, T> FromRequestParts<S> for Id<T>
where
    S: Send + Sync,
    T: FromStr + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        raw.parse().map(Id).map_err(|_| AppError::NotFound)
    }
}

/// The client's address: the connection's peer, or, when PriMa is configured to trust its
/// reverse proxy, the last X-Forwarded-For entry: the one that proxy appended. Entries before
/// it come from the client and can say anything.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<super::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.settings.trust_proxy
            && let Some(forwarded) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|value| value.trim().parse::<std::net::IpAddr>().ok())
        {
            return Ok(Self(forwarded.to_string()));
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string())
            .unwrap_or_default();
        Ok(Self(peer))
    }
}

/// The browser's self-description, shortened, for the session list.
#[derive(Debug, Clone)]
pub struct UserAgent(pub String);

impl<S: Send + Sync> FromRequestParts<S> for UserAgent {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        Ok(Self(agent))
    }
}

/// Two ids from the path (`/a/{id}/b/{other}`); malformed means "not found", as for [`Id`].
#[derive(Debug, Clone, Copy)]
pub struct TwoIds<A, B>(pub A, pub B);

impl<S, A, B> FromRequestParts<S> for TwoIds<A, B>
where
    S: Send + Sync,
    A: FromStr + Send,
    B: FromStr + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((first, second)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        match (first.parse(), second.parse()) {
            (Ok(first), Ok(second)) => Ok(Self(first, second)),
            _ => Err(AppError::NotFound),
        }
    }
}
