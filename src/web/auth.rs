//! `GET,POST /login` and `POST /logout`.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::error::AppResult;
use crate::services::auth::{self, LoginError, SESSION_COOKIE};
use crate::services::setup;
use crate::state::AppState;
use crate::web::extract::{ClientAddr, CurrentUser, OptionalUser};
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render, render_with_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: Option<String>,
    setup_open: bool,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the login form cannot be used to send people elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

async fn show(
    State(state): State<AppState>,
    OptionalUser(user): OptionalUser,
    Flash(flash): Flash,
    Query(q): Query<NextQuery>,
) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    render(&LoginPage {
        layout: Layout::anonymous("Sign in", flash),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
        setup_open: setup::is_open(&state),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.settings.session_absolute.num_seconds();
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .expect("token is URL-safe base64")
}

async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let (status, message) = match auth::login(&state, &form.username, &form.password, addr).await {
        Ok(session) => {
            let mut response = Redirect::to(&next).into_response();
            response
                .headers_mut()
                .append(SET_COOKIE, session_cookie(&state, &session.token));
            return response;
        }
        Err(LoginError::Invalid) => (
            StatusCode::UNAUTHORIZED,
            "The user name or password is not right.".to_string(),
        ),
        Err(LoginError::Disabled) => (
            StatusCode::FORBIDDEN,
            "This account is disabled. Ask an administrator to enable it.".to_string(),
        ),
        Err(LoginError::Throttled { minutes }) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins. Wait {minutes} minute{} and try again, or ask an administrator to reset your password.",
                if minutes == 1 { "" } else { "s" }
            ),
        ),
        Err(LoginError::Internal(e)) => return e.into_response(),
    };
    render_with_status(
        status,
        &LoginPage {
            layout: Layout::anonymous("Sign in", None),
            username: form.username,
            next,
            error: Some(message),
            setup_open: setup::is_open(&state),
        },
    )
}

async fn logout(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> AppResult<Response> {
    auth::logout(&state, &session).await?;
    let mut response = redirect_with("/login", "You are signed out.");
    response.headers_mut().append(
        SET_COOKIE,
        HeaderValue::from_static("sendgate_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(response)
}
