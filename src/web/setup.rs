//! `GET,POST /setup`: the first-run page that creates the first admin, open only while no
//! user exists and only with the token printed on the console.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::error::AppError;
use crate::services::setup;
use crate::services::users::NewUserInput;
use crate::state::AppState;
use crate::web::auth::session_cookie;
use crate::web::flash::redirect_with;
use crate::web::pages::{FormErrors, Layout, render, render_with_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/setup", get(show).post(submit))
        // Reachable signed out: a setup form is small.
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::web::auth::SIGNED_OUT_BODY_LIMIT,
        ))
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    token: String,
    username: String,
    display_name: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn closed() -> AppError {
    // Once a user exists the page is gone for good.
    AppError::NotFound
}

async fn show(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    if !setup::is_open(&state) {
        return Err(closed());
    }
    let token = q.token.unwrap_or_default();
    if !setup::token_is_valid(&state, &token) {
        return Err(AppError::Forbidden(
            "Open the setup link exactly as sendgate printed it on the console when it started; it contains a one-time token.".into(),
        ));
    }
    Ok(render(&SetupPage {
        layout: Layout::anonymous("Set up sendgate", None),
        token,
        username: String::new(),
        display_name: String::new(),
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn submit(
    State(state): State<AppState>,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    if !setup::is_open(&state) {
        return Err(closed());
    }
    let rerender = |errors: Vec<crate::domain::FieldError>| {
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                layout: Layout::anonymous("Set up sendgate", None),
                token: form.token.clone(),
                username: form.username.clone(),
                display_name: form.display_name.clone(),
                errors: FormErrors(errors),
            },
        )
    };
    if form.password != form.password_confirm {
        return Ok(rerender(vec![crate::domain::FieldError::new(
            "password_confirm",
            "The two passwords are not the same.",
        )]));
    }
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        roles: Default::default(),
    };
    match setup::create_first_admin(&state, &form.token, &input, state.clock.now()).await {
        Ok(token) => {
            let mut response = redirect_with(
                "/admin/users",
                "Welcome! Your admin account is ready. Next, create the people who will write and review messages.",
            );
            response
                .headers_mut()
                .append(SET_COOKIE, session_cookie(&state, &token));
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => Ok(rerender(errors)),
        Err(e) => Ok(e.into_response()),
    }
}
