//! `GET,POST /admin/policy`: the release policy values of DESIGN section 2 and the trust
//! settings of issue #18 (re-authentication, idle sessions, required second factor).
//! Admins only; saving needs a fresh proof of who the admin is.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::db;
use crate::domain::policy::PolicyInput;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::reauth::{Confirmed, ReauthField};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/policy", get(show).post(save))
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
struct PolicyPage {
    layout: Layout,
    form: PolicyInput,
    errors: FormErrors,
    reauth: ReauthField,
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
        reauth: ReauthField::for_session(&user.0, state.clock.now()),
    }))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    confirmed: Confirmed<PolicyInput>,
) -> AppResult<Response> {
    user.require(Permission::ManagePolicy)?;
    let actor = user.actor();
    let form = &confirmed.form;
    let saved = services::policy::update(&state.pool, state.clock.now(), &actor, form);
    match confirmed.audited(saved).await {
        Ok(_) => Ok(redirect_with("/admin/policy", "Release policy saved.")),
        Err(AppError::Invalid(errors)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PolicyPage {
                layout: Layout::for_user(&user.0, "Release policy", "/admin/policy", None),
                form: form.clone(),
                errors: FormErrors(errors),
                reauth: ReauthField::for_session(&user.0, state.clock.now()),
            },
        )),
        Err(e) => Err(e),
    }
}
