//! `GET,POST /admin/notifications`: the outgoing chat webhook (URL, on/off per event) and
//! how its deliveries are going (queued, posted, given up, the last error). Admins only.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::db;
use crate::domain::notification::EVENT_KINDS;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/notifications", get(show).post(save))
}

pub struct EventSwitch {
    pub kind: &'static str,
    pub label: &'static str,
    pub on: bool,
}

#[derive(Template)]
#[template(path = "admin/notifications.html")]
struct SettingsPage {
    layout: Layout,
    url: String,
    events: Vec<EventSwitch>,
    last_error: Option<String>,
    last_error_at: String,
    last_success_at: String,
    counts: db::notifications::OutboxCounts,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsForm {
    webhook_url: String,
    event: Vec<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    flash: Option<String>,
    form: Option<(SettingsForm, FormErrors)>,
) -> AppResult<SettingsPage> {
    let s = db::notifications::webhook_settings(&state.pool).await?;
    let tz = user.time_zone();
    let (url, chosen, errors) = match form {
        Some((f, e)) => (f.webhook_url, f.event, e),
        None => (
            s.webhook_url.clone(),
            s.webhook_events.split(',').map(str::to_string).collect(),
            FormErrors::default(),
        ),
    };
    Ok(SettingsPage {
        layout: Layout::for_user(&user.0, "Notifications", "/admin/notifications", flash),
        url,
        events: EVENT_KINDS
            .iter()
            .map(|(kind, label)| EventSwitch {
                kind,
                label,
                on: chosen.iter().any(|c| c == kind),
            })
            .collect(),
        last_error: s.last_error,
        last_error_at: s
            .last_error_at
            .map(|t| local_time(t, tz))
            .unwrap_or_default(),
        last_success_at: s
            .last_success_at
            .map(|t| local_time(t, tz))
            .unwrap_or_else(|| crate::i18n::t("never").into()),
        counts: db::notifications::outbox_counts(&state.pool).await?,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ManagePolicy)?;
    Ok(render(&page(&state, &user, flash, None).await?))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    user.require(Permission::ManagePolicy)?;
    match services::notifications::update_webhook(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        &form.webhook_url,
        &form.event,
        state.settings.allow_http_loopback_webhook,
    )
    .await
    {
        Ok(()) => Ok(redirect_with(
            "/admin/notifications",
            "Notification settings saved.",
        )),
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &user, None, Some((form, FormErrors(errors)))).await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}
