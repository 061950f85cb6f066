//! `GET,POST /login`, `GET,POST /login/two-factor` (the second factor) and `POST /logout`.
//! Everything here is reachable signed out, so its bodies are capped small; the page to
//! return to is only ever a path on this site.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::{CookieJar, Form};
use serde::Deserialize;

use crate::domain::input::same_site_path;
use crate::error::AppResult;
use crate::services::auth::{self, CHALLENGE_COOKIE, LoginError, SESSION_COOKIE, SignIn};
use crate::services::setup;
use crate::state::AppState;
use crate::web::extract::{ClientInfo, CurrentUser, OptionalUser};
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render, render_with_status};

/// The largest body a signed-out client may send: a sign-in form is a few hundred bytes.
pub const SIGNED_OUT_BODY_LIMIT: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/login/two-factor", get(show_second).post(submit_second))
        .route("/logout", post(logout))
        .layer(DefaultBodyLimit::max(SIGNED_OUT_BODY_LIMIT))
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
    next.and_then(same_site_path)
        .unwrap_or_else(|| "/".to_string())
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

fn challenge_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{CHALLENGE_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .expect("token is URL-safe base64")
}

/// The answer to a refused sign-in step, in the person's words.
fn refusal(e: &LoginError) -> (StatusCode, String) {
    match e {
        LoginError::Invalid => (
            StatusCode::UNAUTHORIZED,
            "The user name or password is not right.".to_string(),
        ),
        LoginError::Disabled => (
            StatusCode::FORBIDDEN,
            "This account is disabled. Ask an administrator to enable it.".to_string(),
        ),
        LoginError::Throttled { minutes } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins. Wait {minutes} minute{} and try again, or ask an administrator to reset your password.",
                if *minutes == 1 { "" } else { "s" }
            ),
        ),
        LoginError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many people are signing in at this moment. Try again in a few seconds."
                .to_string(),
        ),
        LoginError::ChallengeOver => (
            StatusCode::UNAUTHORIZED,
            "The time for the code is over. Sign in again with your password.".to_string(),
        ),
        LoginError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, String::new()),
    }
}

async fn submit(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let error = match auth::login(&state, &form.username, &form.password, &client, &next).await {
        Ok(SignIn::Session(session)) => {
            let mut response = Redirect::to(&next).into_response();
            response
                .headers_mut()
                .append(SET_COOKIE, session_cookie(&state, &session.token));
            return response;
        }
        Ok(SignIn::SecondFactor { challenge }) => {
            let mut response = Redirect::to("/login/two-factor").into_response();
            let lifetime = auth::CHALLENGE_LIFETIME.num_seconds();
            response
                .headers_mut()
                .append(SET_COOKIE, challenge_cookie(&state, &challenge, lifetime));
            return response;
        }
        Err(LoginError::Internal(e)) => return e.into_response(),
        Err(e) => e,
    };
    let (status, message) = refusal(&error);
    render_with_status(
        status,
        &LoginPage {
            layout: Layout::anonymous("Sign in", None),
            // Shown again as typed, but never more of it than a name can be.
            username: crate::domain::input::excerpt(form.username.trim(), 64),
            next,
            error: Some(message),
            setup_open: setup::is_open(&state),
        },
    )
}

#[derive(Template)]
#[template(path = "login_two_factor.html")]
struct SecondFactorPage {
    layout: Layout,
    error: Option<String>,
}

async fn show_second(
    State(state): State<AppState>,
    jar: CookieJar,
    Flash(flash): Flash,
) -> AppResult<Response> {
    let open = match jar.get(CHALLENGE_COOKIE) {
        Some(c) => auth::open_challenge(&state, c.value()).await?,
        None => None,
    };
    if open.is_none() {
        return Ok(redirect_with(
            "/login",
            "The time for the code is over. Sign in again with your password.",
        ));
    }
    Ok(render(&SecondFactorPage {
        layout: Layout::anonymous("Two-factor sign-in", flash),
        error: None,
    }))
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn submit_second(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    jar: CookieJar,
    Form(form): Form<CodeForm>,
) -> Response {
    let challenge = jar
        .get(CHALLENGE_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let error = match auth::complete_second_factor(&state, &challenge, &form.code, &client).await {
        Ok((session, next)) => {
            let next = safe_next(Some(&next));
            let mut response = Redirect::to(&next).into_response();
            let headers = response.headers_mut();
            headers.append(SET_COOKIE, session_cookie(&state, &session.token));
            headers.append(SET_COOKIE, challenge_cookie(&state, "", 0));
            return response;
        }
        Err(LoginError::Internal(e)) => return e.into_response(),
        Err(LoginError::ChallengeOver) => {
            let mut response = redirect_with(
                "/login",
                "The time for the code is over. Sign in again with your password.",
            );
            response
                .headers_mut()
                .append(SET_COOKIE, challenge_cookie(&state, "", 0));
            return response;
        }
        Err(e) => e,
    };
    let (status, message) = match error {
        LoginError::Invalid => (
            StatusCode::UNAUTHORIZED,
            "That code is not right. Enter the code your app shows now, or one of your recovery codes."
                .to_string(),
        ),
        other => refusal(&other),
    };
    render_with_status(
        status,
        &SecondFactorPage {
            layout: Layout::anonymous("Two-factor sign-in", None),
            error: Some(message),
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
