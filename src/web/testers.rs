//! `/testers`: whose phone each tester is; `POST /testers/pair` shows the signed-in person a
//! one-time code to send from their own LINE account; admins add (`POST /testers`) and
//! anyone removes their own phone (`POST /testers/remove`). Test sends reach only these
//! phones (issue #15).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::db;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::services::testers::{self, ShownCode};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/testers", get(show).post(add))
        .route("/testers/pair", post(pair))
        .route("/testers/remove", post(remove))
}

pub struct TesterView {
    pub user_id: String,
    pub display_name: String,
    /// Whose phone it is; empty for a tester from before testers were staff phones.
    pub owner: String,
    pub via: &'static str,
    pub since: String,
    pub blocked: bool,
    pub eligible: bool,
    pub can_remove: bool,
}

/// Where the signed-in person's own pairing stands.
pub struct PairingView {
    pub state: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "friends/testers.html")]
struct TestersPage {
    layout: Layout,
    testers: Vec<TesterView>,
    count: usize,
    max: i64,
    /// The code just made, shown once.
    code: Option<ShownCode>,
    code_expires: String,
    pairing: Option<PairingView>,
    is_admin: bool,
    staff: Vec<(i64, String)>,
    errors: FormErrors,
    user_id: String,
    owner: i64,
    sandbox: bool,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    flash: Option<String>,
    code: Option<ShownCode>,
    errors: FormErrors,
    form: (String, i64),
) -> AppResult<TestersPage> {
    let tz = user.time_zone();
    let me = user.0.user.id;
    let is_admin = user.0.user.roles.may(Permission::ManageTesters);
    let mut conn = state.pool.acquire().await?;
    let rows = db::friends::testers(&mut *conn).await?;
    let testers: Vec<TesterView> = rows
        .into_iter()
        .map(|r| TesterView {
            eligible: r.candidate().is_eligible(),
            can_remove: is_admin || r.owner_id == Some(me),
            owner: r.owner_name.clone().unwrap_or_default(),
            via: match r.via.as_deref() {
                Some("pairing") => "paired from their phone",
                Some("admin") => "added by an admin",
                _ => "not paired to anyone",
            },
            since: r.since.map(|at| local_time(at, tz)).unwrap_or_default(),
            user_id: r.user_id,
            display_name: r.display_name,
            blocked: r.blocked,
        })
        .collect();
    let pairing = if code.is_some() {
        None
    } else {
        db::testers::latest_for_user(&mut *conn, me)
            .await?
            .map(|p| match (p.used_at, p.refusal) {
                (Some(at), None) => PairingView {
                    state: "ok",
                    text: crate::i18n::tf(
                        "Your phone was paired at {time}; test sends now reach it.",
                        &[&local_time(at, tz)],
                    ),
                },
                (Some(_), Some(why)) => PairingView {
                    state: "refused",
                    text: format!(
                        "{} {}",
                        t("Your last code was sent from LINE but could not pair:"),
                        crate::i18n::tr(&why)
                    ),
                },
                (None, _) if p.expires_at > state.clock.now() => PairingView {
                    state: "waiting",
                    text: crate::i18n::tf(
                        "Waiting for your code from LINE (it works until {time}).",
                        &[&local_time(p.expires_at, tz)],
                    ),
                },
                (None, _) => PairingView {
                    state: "expired",
                    text: t("Your last code expired before it was sent; show a new one.")
                        .to_string(),
                },
            })
    };
    let staff = if is_admin {
        db::users::list(&mut *conn)
            .await?
            .into_iter()
            .filter(|u| u.is_active())
            .map(|u| (u.id, u.display_name))
            .collect()
    } else {
        Vec::new()
    };
    let policy = &user.0.policy;
    Ok(TestersPage {
        layout: Layout::for_user(&user.0, "Testers", "/testers", flash),
        count: testers.len(),
        testers,
        max: policy.max_testers,
        code_expires: code
            .as_ref()
            .map(|c| local_time(c.expires_at, tz))
            .unwrap_or_default(),
        code,
        pairing,
        is_admin,
        staff,
        errors,
        user_id: form.0,
        owner: form.1,
        sandbox: state.provider.name() == "sandbox",
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let page = page(
        &state,
        &user,
        flash,
        None,
        FormErrors::default(),
        (String::new(), 0),
    )
    .await?;
    Ok(render(&page))
}

/// A new code for the signed-in person's own phone, shown once on the page.
async fn pair(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let code = testers::start_pairing(&state.pool, state.clock.now(), &user.actor()).await?;
    let page = page(
        &state,
        &user,
        None,
        Some(code),
        FormErrors::default(),
        (String::new(), 0),
    )
    .await?;
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddForm {
    user_id: String,
    owner: String,
}

async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageTesters)?;
    let owner = form.owner.trim().parse::<i64>().unwrap_or(0);
    match testers::add_by_admin(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        &form.user_id,
        owner,
    )
    .await
    {
        Ok(()) => Ok(redirect_with(
            "/testers",
            &crate::i18n::tf(
                "{id} is a tester: test sends go to that phone.",
                &[&form.user_id.trim()],
            ),
        )),
        Err(AppError::Invalid(errors)) => {
            let page = page(
                &state,
                &user,
                None,
                None,
                FormErrors(errors),
                (form.user_id, owner),
            )
            .await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RemoveForm {
    user_id: String,
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    testers::remove(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        user.0.user.roles,
        &form.user_id,
    )
    .await?;
    Ok(redirect_with(
        "/testers",
        &crate::i18n::tf("{id} is no longer a tester.", &[&form.user_id.trim()]),
    ))
}
