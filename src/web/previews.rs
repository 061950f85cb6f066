//! `POST /drafts/{id}/previews` (take), `GET /drafts/{id}/previews/{p}` (look) and
//! `POST /drafts/{id}/previews/{p}/acknowledge`: gate rule 4.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::db;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services::previews;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render};
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/drafts/{id}/previews", post(take))
        .route("/drafts/{id}/previews/{p}", get(show))
        .route("/drafts/{id}/previews/{p}/acknowledge", post(acknowledge))
}

async fn take(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let p = previews::take(&state, state.clock.now(), &user.actor(), id).await?;
    Ok(redirect_with(
        &format!("/drafts/{id}/previews/{p}"),
        "Preview taken. Check who will receive this, then acknowledge it.",
    ))
}

pub struct SampleView {
    pub user_id: String,
    pub display_name: String,
}

#[derive(Template)]
#[template(path = "drafts/preview.html")]
struct PreviewPage {
    layout: Layout,
    draft_id: i64,
    draft_title: String,
    current_revision: i64,
    p: db::previews::PreviewRow,
    taken: String,
    acknowledged: String,
    share: String,
    quota_line: String,
    quota_exceeded: bool,
    sample: Vec<SampleView>,
    can_acknowledge: bool,
    is_segment: bool,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
    Path((id, p)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let draft = db::drafts::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let preview = db::previews::find(&state.pool, p)
        .await?
        .filter(|x| x.draft_id == id)
        .ok_or(AppError::NotFound)?;
    let tz = user.time_zone();
    let sample: Vec<serde_json::Value> = serde_json::from_str(&preview.sample).unwrap_or_default();
    let share = if preview.friend_count > 0 {
        format!(
            "{:.1}%",
            preview.recipient_count as f64 * 100.0 / preview.friend_count as f64
        )
    } else {
        "0%".into()
    };
    let (quota_line, quota_exceeded) = match (preview.quota_limit, preview.quota_used) {
        (Some(limit), Some(used)) => {
            let left = limit - used;
            (
                crate::i18n::tf(
                    "This send uses {n} of the {left} messages left this month (plan: {limit} per month, {used} used).",
                    &[
                        &crate::i18n::format_number(preview.recipient_count),
                        &crate::i18n::format_number(left.max(0)),
                        &crate::i18n::format_number(limit),
                        &crate::i18n::format_number(used),
                    ],
                ),
                preview.recipient_count > left,
            )
        }
        (None, Some(used)) => (
            crate::i18n::tf(
                "No monthly limit is set; {used} messages used this month.",
                &[&crate::i18n::format_number(used)],
            ),
            false,
        ),
        _ => (
            "The provider did not report the quota; it is checked again at release.".into(),
            false,
        ),
    };
    Ok(render(&PreviewPage {
        layout: Layout::for_user(
            &user.0,
            &crate::i18n::tf("{title} · audience preview", &[&draft.title]),
            "/drafts",
            flash,
        ),
        draft_id: id,
        current_revision: draft.current_revision,
        draft_title: draft.title,
        taken: local_time(preview.taken_at, tz),
        acknowledged: preview
            .acknowledged_at
            .map(|t| local_time(t, tz))
            .unwrap_or_default(),
        share,
        quota_line,
        quota_exceeded,
        sample: sample
            .iter()
            .map(|s| SampleView {
                user_id: s["user_id"].as_str().unwrap_or_default().to_string(),
                display_name: s["display_name"].as_str().unwrap_or_default().to_string(),
            })
            .collect(),
        can_acknowledge: user.0.user.roles.may(Permission::WriteDrafts)
            && preview.acknowledged_at.is_none()
            && preview.revision_number == draft.current_revision,
        is_segment: preview.kind == "segment",
        p: preview,
    }))
}

async fn acknowledge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, p)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    previews::acknowledge(&state, state.clock.now(), &user.actor(), id, p).await?;
    Ok(redirect_with(
        &format!("/drafts/{id}"),
        "Audience preview acknowledged.",
    ))
}
