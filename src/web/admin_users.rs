//! `/admin/users...`: list (with who signs in with a second factor), create, rename, set
//! roles, disable and enable, reset passwords and second factors. Admins only; every
//! change goes through `services::users` and is audited there. Creating a user, changing
//! roles and resetting a password or a second factor need a fresh proof of who the admin
//! is (`web::reauth`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::db;
use crate::db::users::UserRow;
use crate::domain::roles::{Permission, Role, Roles};
use crate::error::{AppError, AppResult};
use crate::services::users::{self, NewUserInput};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::reauth::{Confirmed, NoFields, ReauthField};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/new", get(new_form))
        .route("/admin/users/{id}", get(edit))
        .route("/admin/users/{id}/name", post(rename))
        .route("/admin/users/{id}/roles", post(set_roles))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/two-factor/reset", post(reset_two_factor))
}

pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub active: bool,
    pub created: String,
    /// Signs in with a second factor.
    pub totp: bool,
}

pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    crate::web::views::local_time(at, tz)
}

impl UserView {
    fn new(u: &UserRow, tz: Tz, totp: bool) -> Self {
        Self {
            totp,
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: crate::web::pages::role_names(u.roles),
            active: u.is_active(),
            created: local_time(u.created_at, tz),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserView>,
    totp_required: bool,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let tz = user.time_zone();
    let users = db::users::list(&state.pool).await?;
    let enrolled = db::two_factor::enrolled_user_ids(&state.pool).await?;
    Ok(render(&UsersPage {
        layout: Layout::for_user(&user.0, "Users", "/admin/users", flash),
        users: users
            .iter()
            .map(|u| UserView::new(u, tz, enrolled.contains(&u.id)))
            .collect(),
        totp_required: user.0.policy.totp_required_for_admins
            || user.0.policy.totp_required_for_releasers,
    }))
}

/// Role checkboxes as the form sends them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoleChoice {
    pub admin: bool,
    pub marketer: bool,
    pub reviewer: bool,
}

impl From<Roles> for RoleChoice {
    fn from(r: Roles) -> Self {
        Self {
            admin: r.admin,
            marketer: r.marketer,
            reviewer: r.reviewer,
        }
    }
}

fn roles_from(list: &[String]) -> Roles {
    Roles::from_list(
        &list
            .iter()
            .filter_map(|r| Role::parse(r))
            .collect::<Vec<_>>(),
    )
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
struct NewUserPage {
    layout: Layout,
    username: String,
    display_name: String,
    roles: RoleChoice,
    errors: FormErrors,
    reauth: ReauthField,
}

async fn new_form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    Ok(render(&NewUserPage {
        layout: Layout::for_user(&user.0, "New user", "/admin/users", None),
        username: String::new(),
        display_name: String::new(),
        roles: RoleChoice::default(),
        errors: FormErrors::default(),
        reauth: ReauthField::for_session(&user.0, state.clock.now()),
    }))
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    roles: Vec<String>,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    confirmed: Confirmed<NewUserForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let form = &confirmed.form;
    let roles = roles_from(&form.roles);
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        roles,
    };
    let actor = user.actor();
    let created = users::create(&state.pool, state.clock.now(), &actor, &input);
    match confirmed.audited(created).await {
        // Back to the list, where the new person stands among the others.
        Ok(_) => Ok(redirect_with(
            "/admin/users",
            &format!(
                "Created {}. Give them their password in person or by phone, not in the same message as the user name.",
                input.username.trim().to_lowercase()
            ),
        )),
        Err(AppError::Invalid(errors)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewUserPage {
                layout: Layout::for_user(&user.0, "New user", "/admin/users", None),
                username: form.username.clone(),
                display_name: form.display_name.clone(),
                roles: roles.into(),
                errors: FormErrors(errors),
                reauth: ReauthField::for_session(&user.0, state.clock.now()),
            },
        )),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "admin/user_edit.html")]
struct EditUserPage {
    layout: Layout,
    user: UserView,
    display_name: String,
    roles: RoleChoice,
    is_self: bool,
    errors: FormErrors,
    problem: Option<String>,
    reauth: ReauthField,
}

async fn edit_page(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
    flash: Option<String>,
    status: StatusCode,
    errors: FormErrors,
    problem: Option<String>,
) -> AppResult<Response> {
    let tz = current.time_zone();
    let target = db::users::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let totp = db::two_factor::enrolled_user_ids(&state.pool)
        .await?
        .contains(&target.id);
    Ok(render_with_status(
        status,
        &EditUserPage {
            layout: Layout::for_user(&current.0, &target.username, "/admin/users", flash),
            display_name: target.display_name.clone(),
            roles: target.roles.into(),
            is_self: target.id == current.id(),
            user: UserView::new(&target, tz, totp),
            errors,
            problem,
            reauth: ReauthField::for_session(&current.0, state.clock.now()),
        },
    ))
}

async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    edit_page(
        &state,
        &user,
        id,
        flash,
        StatusCode::OK,
        FormErrors::default(),
        None,
    )
    .await
}

/// Turns a refused or invalid change into the edit page with the reason shown on it.
async fn after_change(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    result: AppResult<()>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(redirect_with(&format!("/admin/users/{id}"), done)),
        Err(AppError::Invalid(errors)) => {
            edit_page(
                state,
                user,
                id,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormErrors(errors),
                None,
            )
            .await
        }
        Err(AppError::Conflict(why)) => {
            edit_page(
                state,
                user,
                id,
                None,
                StatusCode::CONFLICT,
                FormErrors::default(),
                Some(why),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    display_name: String,
}

async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<NameForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let r = users::rename(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        id,
        &form.display_name,
    )
    .await;
    after_change(&state, &user, id, r, "Display name saved.").await
}

#[derive(Deserialize)]
struct RolesForm {
    #[serde(default)]
    roles: Vec<String>,
}

async fn set_roles(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    confirmed: Confirmed<RolesForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let roles = roles_from(&confirmed.form.roles);
    let actor = user.actor();
    let r = confirmed
        .audited(users::set_roles(
            &state.pool,
            state.clock.now(),
            &actor,
            id,
            roles,
        ))
        .await;
    let message = crate::i18n::tf("Roles saved: {roles}.", &[&roles]);
    after_change(&state, &user, id, r, &message).await
}

async fn disable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let r = users::disable(&state.pool, state.clock.now(), &user.actor(), id).await;
    if r.is_ok() && id == user.id() {
        // Disabling yourself ends your own session too.
        return Ok(
            redirect_with("/login", "Your account is disabled and you are signed out.")
                .into_response(),
        );
    }
    after_change(
        &state,
        &user,
        id,
        r,
        "Account disabled; its sessions have ended.",
    )
    .await
}

async fn enable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let r = users::enable(&state.pool, state.clock.now(), &user.actor(), id).await;
    after_change(&state, &user, id, r, "Account enabled.").await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    confirmed: Confirmed<PasswordForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let actor = user.actor();
    let r = confirmed
        .audited(users::reset_password(
            &state.pool,
            state.clock.now(),
            &actor,
            id,
            &confirmed.form.password,
        ))
        .await;
    if r.is_ok() && id == user.id() {
        return Ok(redirect_with(
            "/login",
            "Your password was changed; sign in with the new one.",
        ));
    }
    after_change(
        &state,
        &user,
        id,
        r,
        "Password reset; the user's sessions have ended.",
    )
    .await
}

/// Resets someone's second factor (a lost phone); their sessions end.
async fn reset_two_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    confirmed: Confirmed<NoFields>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let actor = user.actor();
    let r = confirmed
        .audited(crate::services::two_factor::reset(
            &state.pool,
            state.clock.now(),
            &actor,
            id,
        ))
        .await;
    if r.is_ok() && id == user.id() {
        return Ok(redirect_with(
            "/login",
            "Your two-factor sign-in was reset; sign in again and set it up.",
        ));
    }
    after_change(
        &state,
        &user,
        id,
        r,
        "Two-factor sign-in reset; the user's sessions have ended.",
    )
    .await
}
