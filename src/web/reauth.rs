//! Re-authentication in the browser (issue #18), as one reusable piece:
//!
//! - [`Confirmed<T>`] replaces `Form<T>` in a handler whose action needs a fresh proof of
//!   who is asking (a release, an activation, a change of roles or policy). When the
//!   session's proof is fresh, or the form carries the right password or code in
//!   [`FIELD`], it hands over the form; otherwise it answers with the confirmation page
//!   itself: a clear message, the password or code field, and every other field the person
//!   filled in carried along, posting back to the same action, so nothing is lost.
//! - `templates/reauth.html` is the field, included in those forms; [`ReauthField`] says
//!   whether to show it (only when the proof is already stale as the page is drawn).
//!
//! The handler runs its service inside [`Confirmed::audited`], so the action's audit
//! events record how and when its actor was confirmed.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::services::auth::{ActiveSession, LoginError};
use crate::services::reauth;
use crate::state::AppState;
use crate::web::extract::{ClientInfo, CurrentUser};
use crate::web::pages::{Layout, render_with_status};

/// The form field that carries the password or code.
pub const FIELD: &str = "reauth_secret";

/// What `templates/reauth.html` needs: whether to ask, in which words, and what went wrong.
pub struct ReauthField {
    pub needed: bool,
    /// The user has an authenticator app: a code works as well as the password.
    pub totp: bool,
    pub error: Option<String>,
    pub reauth_minutes: i64,
}

impl ReauthField {
    /// For a page drawn now for `session`.
    pub fn for_session(session: &ActiveSession, now: DateTime<Utc>) -> Self {
        Self {
            needed: !reauth::is_fresh(session, now),
            totp: session.totp,
            error: None,
            reauth_minutes: session.policy.reauth_minutes,
        }
    }

    /// The field's label in English (the template translates it).
    pub fn label(&self) -> &'static str {
        if self.totp {
            "Your password, or the 6-digit code from your authenticator app"
        } else {
            "Your password"
        }
    }
}

/// The form of an action that has no fields but the proof (a reset, turning something off).
#[derive(serde::Deserialize, Default)]
pub struct NoFields {}

/// A form whose action is confirmed by a fresh proof of who sent it.
pub struct Confirmed<T> {
    pub form: T,
    confirmation: serde_json::Value,
}

impl<T> Confirmed<T> {
    /// Runs `action` with every audit event it appends recording this confirmation.
    pub async fn audited<F: Future>(&self, action: F) -> F::Output {
        crate::db::audit::with_confirmation(self.confirmation.clone(), action).await
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    layout: Layout,
    action: String,
    fields: Vec<(String, String)>,
    message: String,
    reauth: ReauthField,
}

fn bad_form(e: impl std::fmt::Display) -> Response {
    AppError::invalid(
        "form",
        format!("The form could not be read ({e}). Reload the page and try again."),
    )
    .into_response()
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Confirmed<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let ClientInfo(client) = ClientInfo::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_else(|never| match never {});
        let action = parts.uri.path().to_string();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form: T = serde_html_form::from_bytes(&bytes).map_err(bad_form)?;
        let mut fields: Vec<(String, String)> =
            serde_html_form::from_bytes(&bytes).map_err(bad_form)?;
        let typed = fields
            .iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        fields.retain(|(k, _)| k != FIELD);

        let session = &user.0;
        let now = state.clock.now();
        if reauth::is_fresh(session, now) {
            let at = session.proved_at.unwrap_or(now);
            let by = session.proof.as_deref().unwrap_or("password");
            return Ok(Confirmed {
                form,
                confirmation: reauth::confirmation(by, at, false),
            });
        }
        let ask = |status: StatusCode, message: &str, error: Option<&str>| {
            let mut reauth = ReauthField::for_session(session, now);
            reauth.needed = true;
            reauth.error = error.map(str::to_string);
            render_with_status(
                status,
                &ConfirmPage {
                    layout: Layout::for_user(session, "Confirm it is you", &action, None),
                    action: action.clone(),
                    fields: fields.clone(),
                    message: message.to_string(),
                    reauth,
                },
            )
        };
        if typed.is_empty() {
            return Err(ask(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This action needs a fresh proof that it is you. Enter it below and nothing you filled in is lost.",
                None,
            ));
        }
        let description = format!("POST {action}");
        match reauth::confirm(state, session, &typed, &client, &description).await {
            Ok(by) => Ok(Confirmed {
                form,
                confirmation: reauth::confirmation(by, now, true),
            }),
            Err(LoginError::Invalid) => Err(ask(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This action needs a fresh proof that it is you. Nothing was done yet.",
                Some("That password or code is not right."),
            )),
            Err(LoginError::Throttled { minutes }) => Err(ask(
                StatusCode::TOO_MANY_REQUESTS,
                &crate::i18n::tf(
                    "Too many wrong passwords or codes. Wait {minutes} minutes and try again. Nothing was done yet.",
                    &[&minutes],
                ),
                None,
            )),
            Err(LoginError::Busy) => Err(ask(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many people are signing in at this moment. Try again in a few seconds. Nothing was done yet.",
                None,
            )),
            Err(LoginError::Internal(e)) => Err(e.into_response()),
            Err(LoginError::Disabled | LoginError::ChallengeOver) => {
                Err(AppError::forbidden().into_response())
            }
        }
    }
}
