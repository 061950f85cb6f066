//! `GET,POST /drafts/{id}/release` (the release page), `POST /drafts/{id}/cancel` and
//! `GET /releases/{id}` (delivery progress, refreshing itself while it runs).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::db;
use crate::domain::gate::evaluate;
use crate::domain::revision::DraftKind;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::i18n::{format_number, tf};
use crate::services::releases::{self, ReleaseRequest, expected_phrase};
use crate::services::{drafts, gate};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render, render_with_status};
use crate::web::reauth::{Confirmed, ReauthField};
use crate::web::views::{RevisionView, local_time};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/drafts/{id}/release", get(show).post(release))
        .route("/drafts/{id}/cancel", post(cancel))
        .route("/releases/{id}", get(progress))
}

pub struct CheckView {
    pub label: &'static str,
    pub ok: bool,
    pub reason: String,
}

pub struct WarningView {
    pub key: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "releases/release.html")]
struct ReleasePage {
    layout: Layout,
    draft_id: i64,
    title: String,
    revision: RevisionView,
    checks: Vec<CheckView>,
    warnings: Vec<WarningView>,
    ready: bool,
    recipients: i64,
    phrase: String,
    quota_line: String,
    when: String,
    button: String,
    problem: Option<String>,
    reauth: ReauthField,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    problem: Option<String>,
) -> AppResult<ReleasePage> {
    let pool = &state.pool;
    let now = state.clock.now();
    let draft = db::drafts::find(pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if draft.kind == DraftKind::Step.as_str() {
        return Err(crate::services::scenarios::step_release_refusal(pool, id).await?);
    }
    let policy = db::policy::get(pool).await?;
    let tz = policy.time_zone;
    let row = db::drafts::revision(pool, id, draft.current_revision)
        .await?
        .ok_or(AppError::NotFound)?;
    let revision = RevisionView::new(&row, tz)?;
    let mut conn = pool.acquire().await?;
    let facts = gate::collect(&mut conn, now, &draft, &row, &revision.content, &policy).await?;
    drop(conn);
    let report = evaluate(&facts.release_facts(&row, &revision.content, &policy, now));
    let recipients = facts.recipients(revision.content.kind());
    let in_review = drafts::state_of(&draft)? == crate::domain::review::DraftState::InReview;
    let n = format_number(recipients);
    let quota_line = match state.provider.quota().await {
        Ok(q) => match q.remaining() {
            Some(left) => tf(
                "Uses {n} of the {left} messages left this month ({used} used).",
                &[&n, &format_number(left), &format_number(q.used)],
            ),
            None => tf(
                "Uses {n} messages; no monthly limit is set ({used} used).",
                &[&n, &format_number(q.used)],
            ),
        },
        Err(e) => tf(
            "The quota could not be read ({problem}); it is checked again when you release.",
            &[&e.describe()],
        ),
    };
    let when = revision
        .content
        .send_at()
        .map(|t| local_time(t, tz))
        .unwrap_or_else(|| tf("now ({time})", &[&local_time(now, tz)]));
    let button = button_label(
        crate::i18n::current(),
        revision
            .content
            .send_at()
            .map(|t| local_time(t, tz))
            .as_deref(),
        revision.content.kind() == DraftKind::Broadcast,
        recipients,
    );
    Ok(ReleasePage {
        layout: Layout::for_user(
            &user.0,
            &tf("Release {title}", &[&draft.title]),
            "/drafts",
            None,
        ),
        draft_id: id,
        title: draft.title,
        ready: report.is_green() && in_review,
        checks: report
            .checks
            .iter()
            .map(|c| CheckView {
                label: c.rule.label(),
                ok: c.ok,
                reason: c.reason.clone(),
            })
            .collect(),
        warnings: facts
            .findings
            .iter()
            .filter(|f| !f.is_error())
            .map(|f| WarningView {
                key: f.key(),
                message: f.message.clone(),
            })
            .collect(),
        recipients,
        phrase: expected_phrase(recipients),
        quota_line,
        when,
        button,
        problem,
        revision,
        reauth: ReauthField::for_session(&user.0, now),
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    Ok(render(&page(&state, &user, id, None).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReleaseForm {
    typed_phrase: String,
    read_warning: Option<String>,
    ack: Vec<String>,
}

async fn release(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    confirmed: Confirmed<ReleaseForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let form = &confirmed.form;
    let request = ReleaseRequest {
        typed_phrase: form.typed_phrase.clone(),
        read_warning: form.read_warning.is_some(),
        acknowledged_warnings: form.ack.clone(),
    };
    let actor = user.actor();
    let released = releases::release(&state, state.clock.now(), &actor, id, &request);
    match confirmed.audited(released).await {
        Ok(r) => Ok(redirect_with(
            &format!("/releases/{r}"),
            "Released. It cannot be taken back.",
        )),
        Err(AppError::Conflict(why)) => {
            let page = page(&state, &user, id, Some(why)).await?;
            Ok(render_with_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e),
    }
}

async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    releases::cancel(&state, state.clock.now(), &user.actor(), id).await?;
    Ok(redirect_with(
        &format!("/drafts/{id}"),
        "The scheduled release was cancelled; nothing was sent.",
    ))
}

#[derive(Template)]
#[template(path = "releases/progress.html")]
struct ProgressPage {
    layout: Layout,
    r: db::releases::ReleaseRow,
    p: db::releases::Progress,
    running: bool,
    send_at: String,
    approvers: String,
}

async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let r = db::releases::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = db::releases::progress(&state.pool, id).await?;
    let tz = user.time_zone();
    let approvers: Vec<String> = serde_json::from_str(&r.approvers).unwrap_or_default();
    Ok(render(&ProgressPage {
        layout: Layout::for_user(&user.0, &tf("Release #{id}", &[&id]), "/drafts", flash),
        running: matches!(r.state.as_str(), "scheduled" | "sending"),
        send_at: local_time(r.send_at, tz),
        approvers: approvers.join(", "),
        r,
        p,
    }))
}

/// The release button says what will happen, in the words of DESIGN section 4: to how
/// many, now or at what time, and that it cannot be retracted.
pub fn button_label(
    lang: crate::i18n::Lang,
    scheduled_at: Option<&str>,
    broadcast: bool,
    recipients: i64,
) -> String {
    let n = format_number(recipients);
    match scheduled_at {
        Some(time) => crate::i18n::tf_in(
            lang,
            "Schedule for {time} to {n} recipients — cannot be retracted",
            &[&time, &n],
        ),
        None if broadcast => {
            crate::i18n::tf_in(lang, "Send to {n} friends now — cannot be retracted", &[&n])
        }
        None => crate::i18n::tf_in(
            lang,
            "Send to {n} recipients now — cannot be retracted",
            &[&n],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::button_label;
    use crate::i18n::Lang;

    #[test]
    fn the_release_button_names_the_count_the_time_and_that_it_is_final_in_both_languages() {
        assert_eq!(
            button_label(Lang::En, None, true, 12_340),
            "Send to 12,340 friends now — cannot be retracted"
        );
        assert_eq!(
            button_label(Lang::Ja, None, true, 12_340),
            "12,340人に今すぐ送信 — 取り消しできません"
        );
        assert_eq!(
            button_label(Lang::En, Some("1 Dec 2026 10:00 JST (+09:00)"), false, 500),
            "Schedule for 1 Dec 2026 10:00 JST (+09:00) to 500 recipients — cannot be retracted"
        );
        assert_eq!(
            button_label(
                Lang::Ja,
                Some("2026年12月1日 10:00 JST (+09:00)"),
                false,
                500
            ),
            "2026年12月1日 10:00 JST (+09:00)に500人へ予約送信 — 取り消しできません"
        );
    }
}
