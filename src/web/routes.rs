//! The route table: every route with the permission it requires. The router is built from this
//! table and the permission test walks it, so a route cannot exist without a permission.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;

use super::AppState;
use super::visitor::CurrentUser;
use crate::domain::permissions::Permission;

/// A route: method, path, what it requires, and its handler.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    /// The rule the handler checks on the object itself, if any (named in docs/permissions.md).
    pub object_check: Option<&'static str>,
    pub handler: MethodRouter<AppState>,
}

/// What the permission test needs of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    pub object_check: Option<&'static str>,
}

impl Route {
    pub fn get<H, T>(path: &'static str, permission: Permission, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self {
            method: Method::GET,
            path,
            permission,
            object_check: None,
            handler: axum::routing::get(handler),
        }
    }

    pub fn post<H, T>(path: &'static str, permission: Permission, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Self {
            method: Method::POST,
            path,
            permission,
            object_check: None,
            handler: axum::routing::post(handler),
        }
    }

    /// Notes that the handler also checks the object (whose measure, which office).
    pub fn checking(mut self, rule: &'static str) -> Self {
        self.object_check = Some(rule);
        self
    }

    pub fn spec(&self) -> RouteSpec {
        RouteSpec {
            method: self.method.clone(),
            path: self.path,
            permission: self.permission,
            object_check: self.object_check,
        }
    }
}

/// Builds a router from routes, each behind its permission check.
pub fn router(routes: Vec<Route>) -> Router<AppState> {
    routes.into_iter().fold(Router::new(), |router, route| {
        let check = axum::middleware::from_fn_with_state(route.permission, require);
        router.route(route.path, route.handler.route_layer(check))
    })
}

/// Lets a request through if the signed-in person (or nobody) has the permission. Without an
/// account a page sends to the login, which sends back afterwards; with one it is 403.
async fn require(State(permission): State<Permission>, request: Request, next: Next) -> Response {
    let user = request.extensions().get::<CurrentUser>().cloned();
    let actor = user.as_ref().map(|user| user.user.actor());
    if permission.allows(actor.as_ref()) {
        // Responses for a session are marked `no-store` in `session::load`, for every status.
        return next.run(request).await;
    }
    match (user, request.method()) {
        (None, &Method::GET | &Method::HEAD) => {
            let wanted = request
                .uri()
                .path_and_query()
                .map_or("/", |path| path.as_str());
            let target = format!("/anmelden?weiter={}", super::links::encode_query(wanted));
            Redirect::to(&target).into_response()
        }
        (None, _) => StatusCode::UNAUTHORIZED.into_response(),
        (Some(_), _) => StatusCode::FORBIDDEN.into_response(),
    }
}
