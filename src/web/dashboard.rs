//! `GET /`: what needs the signed-in person next: drafts waiting for their review, their
//! own drafts and where each stands, and what changed recently.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::db;
use crate::db::drafts::{DraftFilter, DraftRow};
use crate::domain::incident;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::Flash;
use crate::web::pages::{Layout, render};
use crate::web::views::DraftLine;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(show))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    is_admin: bool,
    is_marketer: bool,
    is_reviewer: bool,
    waiting: Vec<DraftLine>,
    mine: Vec<DraftLine>,
    recent: Vec<DraftLine>,
    /// Correction drafts not sent yet, pinned on top until they are.
    corrections: Vec<PinnedCorrection>,
}

pub struct PinnedCorrection {
    pub incident_id: i64,
    pub draft_id: i64,
    pub title: String,
    pub state: String,
    pub since_mistake: String,
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    let roles = session.user.roles;
    let tz = db::policy::get(&state.pool).await?.time_zone;
    let lines = |rows: Vec<DraftRow>| {
        rows.into_iter()
            .map(|d| DraftLine::new(d, tz))
            .collect::<Vec<_>>()
    };
    let waiting = if roles.reviewer {
        lines(db::drafts::waiting_for_review_by(&state.pool, session.user.id, 20).await?)
    } else {
        Vec::new()
    };
    let mine = if roles.marketer {
        let filter = DraftFilter {
            author_id: Some(session.user.id),
            ..DraftFilter::default()
        };
        lines(db::drafts::list(&state.pool, &filter, 10, 0).await?)
    } else {
        Vec::new()
    };
    let recent = if roles.marketer || roles.reviewer || roles.admin {
        lines(db::drafts::list(&state.pool, &DraftFilter::default(), 10, 0).await?)
    } else {
        Vec::new()
    };
    let corrections = if roles.reviewer || roles.marketer {
        let now = state.clock.now();
        db::incidents::pending_corrections(&state.pool)
            .await?
            .into_iter()
            .map(|c| PinnedCorrection {
                incident_id: c.incident_id,
                draft_id: c.draft_id,
                title: c.title,
                state: c.draft_state,
                since_mistake: incident::human_minutes(incident::minutes_between(c.sent_at, now)),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(&DashboardPage {
        corrections,
        layout: Layout::for_user(&session, "Dashboard", "/", flash),
        is_admin: roles.admin,
        is_marketer: roles.marketer,
        is_reviewer: roles.reviewer,
        waiting,
        mine,
        recent,
    }))
}
