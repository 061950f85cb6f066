//! One error type for the whole app. Services return it; as a response it renders the
//! error page with the right status (DESIGN section 10): 403 forbidden, 404 not found,
//! 409 a refused transition with its reason, 422 bad input, 500 with the cause logged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in; carries the page to return to after signing in (GET requests only).
    #[error("not signed in")]
    Unauthenticated(Option<String>),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    /// A refused transition; the text says why, in words for the person who tried.
    #[error("{0}")]
    Conflict(String),
    /// Bad input. Form handlers catch this and re-render the form with the messages.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

impl AppError {
    pub fn forbidden() -> Self {
        AppError::Forbidden("Your role does not allow this.".into())
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated(_) => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Unauthenticated(next) = &self {
            let to = match next.as_deref() {
                Some(path) if path != "/" => format!("/login?next={}", urlencode(path)),
                _ => "/login".to_string(),
            };
            return Redirect::to(&to).into_response();
        }
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = self.status();
        let (title, detail) = match &self {
            AppError::Forbidden(why) => ("You cannot do this", why.clone()),
            AppError::NotFound => (
                "Page not found",
                "There is nothing at this address. It may have been moved or never existed."
                    .to_string(),
            ),
            AppError::Conflict(why) => ("This cannot be done now", why.clone()),
            AppError::Invalid(errors) => (
                "Please check what you entered",
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            AppError::Internal(_) => (
                "Something went wrong",
                "The problem was logged. Nothing was half-saved: try again, and if it keeps happening tell your administrator."
                    .to_string(),
            ),
            AppError::Unauthenticated(_) => unreachable!("handled above"),
        };
        crate::web::pages::error_page(status, title, &detail)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Percent-encodes everything but unreserved characters (RFC 3986), for query values.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
