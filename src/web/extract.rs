//! Request extractors: the signed-in user (every protected handler takes one, and asks it
//! for a permission) and who is asking (client address and browser); and the middleware
//! that reads the session once per request for all of them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;

use crate::domain::roles::Permission;
use crate::error::AppError;
use crate::services::auth::{self, ActiveSession, Client, SESSION_COOKIE};
use crate::state::AppState;

/// A signed-in user with a live session. Missing or expired sessions redirect to the login
/// page.
pub struct CurrentUser(pub ActiveSession);

impl CurrentUser {
    /// The server-side permission check: every handler that changes or shows something
    /// role-bound calls this first.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.0.user.roles.may(permission) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    pub fn id(&self) -> i64 {
        self.0.user.id
    }

    pub fn actor(&self) -> crate::db::audit::Actor {
        crate::db::audit::Actor::user(self.0.user.id, &self.0.user.username)
    }

    /// The account's time zone (read with the session), for the times on a page.
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.0.policy.time_zone
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match OptionalUser::from_request_parts(parts, state).await?.0 {
            Some(session) => Ok(CurrentUser(session)),
            None => {
                let next = (parts.method == axum::http::Method::GET)
                    .then(|| parts.uri.path_and_query().map(|p| p.to_string()))
                    .flatten();
                Err(AppError::Unauthenticated(next))
            }
        }
    }
}

/// The signed-in user if there is one.
pub struct OptionalUser(pub Option<ActiveSession>);

impl FromRequestParts<AppState> for OptionalUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(ResolvedSession(session)) = parts.extensions.get::<ResolvedSession>() {
            return Ok(OptionalUser(session.clone()));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Ok(OptionalUser(None));
        };
        Ok(OptionalUser(auth::resolve(state, cookie.value()).await?))
    }
}

/// The session behind this request's cookie, as [`resolve_session`] found it.
#[derive(Clone)]
pub struct ResolvedSession(pub Option<ActiveSession>);

/// Reads the session once, before everything else: the language middleware needs the
/// user's stored language, the page its user and unread count. A failed read is left to the
/// extractors, which read again and answer with the error page.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let resolved = match jar.get(SESSION_COOKIE) {
        None => Some(None),
        Some(cookie) => auth::resolve(&state, cookie.value())
            .await
            .inspect_err(|e| tracing::warn!(error = ?e, "could not read the session"))
            .ok(),
    };
    if let Some(session) = resolved {
        request.extensions_mut().insert(ResolvedSession(session));
    }
    next.run(request).await
}

/// Who is asking: the client address and the browser (its `User-Agent`, cut short).
///
/// The address is the connection's peer, or, when `trust_forwarded_for` is set because a
/// reverse proxy is the only peer, the last `X-Forwarded-For` entry (the one the proxy
/// added; entries before it are whatever the client sent). Without that, behind a proxy
/// every client would share the proxy's address and its sign-in throttle.
pub struct ClientInfo(pub Client);

fn forwarded_for(parts: &Parts) -> Option<IpAddr> {
    let header = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?;
    let value = header.to_str().ok()?;
    // Bounded: only the last entry is read, and only if it is short.
    let last = value.rsplit(',').next()?.trim();
    (last.len() <= 45).then(|| last.parse().ok()).flatten()
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let addr = match state.settings.trust_forwarded_for {
            true => forwarded_for(parts).unwrap_or(peer),
            false => peer,
        };
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .map(|v| {
                crate::domain::device::stored_user_agent(&String::from_utf8_lossy(v.as_bytes()))
            })
            .unwrap_or_default();
        Ok(ClientInfo(Client { addr, user_agent }))
    }
}
