//! `GET,POST /admin/policy`: the release policy values of DESIGN section 2. Admins only.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::Form;

use crate::db;
use crate::domain::policy::PolicyInput;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/policy", get(show).post(save))
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
struct PolicyPage {
    layout: Layout,
    form: PolicyInput,
    errors: FormErrors,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ManagePolicy)?;
    let policy = db::policy::get(&state.pool).await?;
    Ok(render(&PolicyPage {
        layout: Layout::for_user(&user.0, "Release policy", "/admin/policy", flash),
        form: PolicyInput::from_policy(&policy),
        errors: FormErrors::default(),
    }))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PolicyInput>,
) -> AppResult<Response> {
    user.require(Permission::ManagePolicy)?;
    match services::policy::update(&state.pool, state.clock.now(), &user.actor(), &form).await {
        Ok(_) => Ok(redirect_with("/admin/policy", "Release policy saved.")),
        Err(AppError::Invalid(errors)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PolicyPage {
                layout: Layout::for_user(&user.0, "Release policy", "/admin/policy", None),
                form,
                errors: FormErrors(errors),
            },
        )),
        Err(e) => Err(e),
    }
}
