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
use crate::delivery::Quota;
use crate::domain::gate::{
    Check, GateReport, Moment, QuotaFacts, Rule, Timing, evaluate, release_time,
};
use crate::domain::revision::DraftKind;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::i18n::{format_number, t, tf};
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

impl CheckView {
    pub fn of(c: &Check) -> Self {
        CheckView {
            label: c.rule.label(),
            ok: c.ok,
            reason: c.reason.clone(),
        }
    }
}

pub struct WarningView {
    pub key: String,
    pub message: String,
    /// Ticked when the form comes back after a refusal.
    pub checked: bool,
}

impl WarningView {
    /// The warnings among the gate's findings, ticked where `acknowledged` holds their key
    /// (the form as it comes back after a refusal).
    pub fn of_findings(facts: &gate::GateFacts, acknowledged: &[String]) -> Vec<Self> {
        facts
            .findings
            .iter()
            .filter(|f| !f.is_error())
            .map(|f| WarningView {
                checked: acknowledged.contains(&f.key()),
                key: f.key(),
                message: f.message.clone(),
            })
            .collect()
    }
}

/// A release the send-time gate held: when, and why.
pub struct HeldView {
    pub release_id: i64,
    pub at: String,
    pub reasons: Vec<(String, String)>,
}

impl HeldView {
    pub fn of(r: &db::releases::ReleaseRow, tz: chrono_tz::Tz) -> Option<Self> {
        (r.state == "held").then(|| HeldView {
            release_id: r.id,
            at: local_time(r.finished_at.unwrap_or(r.send_at), tz),
            reasons: r
                .hold_reasons()
                .into_iter()
                .map(|h| (rule_label(&h.rule), h.reason))
                .collect(),
        })
    }
}

/// A stored rule name as people read it ("Approvals"), or the name itself.
pub fn rule_label(rule: &str) -> String {
    Rule::parse(rule)
        .map(|r| r.label().to_string())
        .unwrap_or_else(|| rule.to_string())
}

/// Why the gate refused, in the page's language: `lead` ("Not released.") and each failing
/// rule with its reason.
pub fn refusal_text(lead: &str, report: &GateReport) -> String {
    let reasons: Vec<String> = report
        .failing()
        .map(|c| format!("{}: {}", t(c.rule.label()), crate::i18n::tr(&c.reason)))
        .collect();
    format!("{} {}", t(lead), reasons.join(" "))
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
    /// Why the last attempt was refused, when the form comes back.
    problem: Option<String>,
    /// What the person typed and ticked, kept when the form comes back.
    typed: String,
    read_warning: bool,
    /// The typed confirmation's own error, shown beside the field.
    confirm_error: Option<String>,
    held: Option<HeldView>,
    /// The password or code field, when the last proof of who this is has gone stale.
    reauth: ReauthField,
}

/// What the person submitted, kept when the page is shown again after a refusal.
#[derive(Default)]
struct Submitted {
    typed: String,
    read_warning: bool,
    acks: Vec<String>,
    refusal: Option<GateReport>,
    problem: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    submitted: Submitted,
) -> AppResult<ReleasePage> {
    let pool = &state.pool;
    let now = state.clock.now();
    let draft = db::drafts::find(pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if draft.kind == DraftKind::Step.as_str() {
        return Err(crate::services::scenarios::step_release_refusal(pool, id).await?);
    }
    if draft.kind == DraftKind::Greeting.as_str() {
        return Err(crate::services::greeting::release_refusal());
    }
    let policy = db::policy::get(pool).await?;
    let tz = policy.time_zone;
    let row = db::drafts::revision(pool, id, draft.current_revision)
        .await?
        .ok_or(AppError::NotFound)?;
    let revision = RevisionView::new(&row, tz)?;
    let mut conn = pool.acquire().await?;
    let media_base = state.settings.public_url();
    let rules = gate::Rules {
        policy: &policy,
        media_base: &media_base,
    };
    let facts = gate::collect(&mut conn, now, &draft, &row, &revision.content, &rules).await?;
    let held = match db::releases::latest_for_draft(&mut *conn, id).await? {
        Some(r) => db::releases::find(&mut *conn, r)
            .await?
            .and_then(|r| HeldView::of(&r, tz)),
        None => None,
    };
    drop(conn);
    let recipients = facts.recipients(revision.content.kind());
    // The quota as LINE reports it now, less what releases not yet sent reserved.
    let quota = QuotaFacts {
        needed: recipients,
        reading: Quota::reading(&state.provider.quota().await),
        reserved: facts.reserved,
    };
    let mut f = facts.facts(&row, &revision.content, &policy, now);
    f.quota = Some(quota);
    let report = evaluate(Moment::Release, &f);
    let in_review = drafts::state_of(&draft)? == crate::domain::review::DraftState::InReview;
    let quota_line = report
        .check(Rule::Quota)
        .map(|c| c.reason.clone())
        .unwrap_or_default();
    let timing = f.schedule.as_ref().map(|s| release_time(s, now));
    let (when, scheduled_at) = match timing {
        Some(Ok((at, Timing::At))) => (local_time(at, tz), Some(local_time(at, tz))),
        Some(Ok((at, Timing::QuietEnd))) => (
            tf(
                "{time}, when quiet hours end: released now, it waits until then and can be cancelled",
                &[&local_time(at, tz)],
            ),
            Some(local_time(at, tz)),
        ),
        Some(Ok((at, Timing::Now))) if policy.release_hold_seconds > 0 => (
            tf(
                "After a {n}-second undo window, at about {time}; until then it can be cancelled",
                &[&policy.release_hold_seconds, &local_time(at, tz)],
            ),
            None,
        ),
        Some(Ok((_, Timing::Now))) => (tf("now ({time})", &[&local_time(now, tz)]), None),
        Some(Err(why)) => (crate::i18n::tr(&why), None),
        None => (String::new(), None),
    };
    let button = button_label(
        crate::i18n::current(),
        scheduled_at.as_deref(),
        revision.content.kind() == DraftKind::Broadcast,
        recipients,
    );
    let refusal = submitted.refusal.as_ref();
    let confirm_error = refusal
        .and_then(|r| r.check(Rule::Confirmation))
        .filter(|c| !c.ok)
        .map(|c| c.reason.clone());
    let problem = submitted
        .problem
        .or_else(|| refusal.map(|r| refusal_text("Not released.", r)));
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
        // After a refusal the checks are the ones the release was refused on.
        checks: refusal
            .unwrap_or(&report)
            .checks
            .iter()
            .map(CheckView::of)
            .collect(),
        warnings: WarningView::of_findings(&facts, &submitted.acks),
        recipients,
        phrase: expected_phrase(recipients),
        quota_line,
        when,
        button,
        problem,
        typed: submitted.typed,
        read_warning: submitted.read_warning,
        confirm_error,
        held,
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
    Ok(render(
        &page(&state, &user, id, Submitted::default()).await?,
    ))
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
    let submitted = |refusal, problem| Submitted {
        typed: form.typed_phrase.clone(),
        read_warning: form.read_warning.is_some(),
        acks: form.ack.clone(),
        refusal,
        problem,
    };
    let actor = user.actor();
    let released = releases::release(&state, state.clock.now(), &actor, id, &request);
    match confirmed.audited(released).await {
        Ok(Ok(r)) => Ok(redirect_with(
            &format!("/releases/{r}"),
            "Released. It cannot be taken back.",
        )),
        Ok(Err(report)) => {
            let page = page(&state, &user, id, submitted(Some(report), None)).await?;
            Ok(render_with_status(StatusCode::CONFLICT, &page))
        }
        Err(AppError::Conflict(why)) => {
            let page = page(&state, &user, id, submitted(None, Some(why))).await?;
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
        "The release was cancelled; nothing was sent.",
    ))
}

/// Batches of a release that did not reach anyone, grouped by what happened, in LINE's
/// words.
pub struct FailureView {
    pub refused: bool,
    pub batches: i64,
    pub recipients: i64,
    pub error: String,
}

/// The batches of a release that reached nobody, for a page.
pub async fn failure_views(
    ex: impl sqlx::SqliteExecutor<'_>,
    release_id: i64,
) -> AppResult<Vec<FailureView>> {
    Ok(db::releases::failures(ex, release_id)
        .await?
        .into_iter()
        .map(|f| FailureView {
            refused: f.state == "failed",
            batches: f.batches,
            recipients: f.recipients,
            error: f.error,
        })
        .collect())
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
    failures: Vec<FailureView>,
    held: Option<HeldView>,
    /// Seconds until a scheduled release may start, while it can still be cancelled.
    starts_in: Option<i64>,
    /// The countdown's sentence around its number.
    countdown: (String, String),
    can_cancel: bool,
    insights: crate::web::insights::InsightsView,
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
    let failures = failure_views(&state.pool, id).await?;
    let tz = user.time_zone();
    let now = state.clock.now();
    let approvers: Vec<String> = serde_json::from_str(&r.approvers).unwrap_or_default();
    // The cancel button acts on the draft's newest release: only that one offers it.
    let newest = db::releases::latest_for_draft(&state.pool, r.draft_id).await? == Some(r.id);
    let insights =
        crate::web::insights::view(&state, &user, &r, None, &format!("/releases/{id}")).await?;
    Ok(render(&ProgressPage {
        insights,
        layout: Layout::for_user(&user.0, &tf("Release #{id}", &[&id]), "/drafts", flash),
        running: matches!(r.state.as_str(), "scheduled" | "sending"),
        send_at: local_time(r.send_at, tz),
        approvers: approvers.join(", "),
        failures,
        held: HeldView::of(&r, tz),
        starts_in: (r.state == "scheduled").then(|| (r.send_at - now).num_seconds().max(0)),
        countdown: around_number("Sending starts in {n} seconds"),
        can_cancel: user.0.user.roles.may(Permission::WriteDrafts)
            && newest
            && (r.state == "scheduled" || r.state == "held"),
        r,
        p,
    }))
}

/// A sentence with one `{n}` in the request's language, split around the number, so a page
/// can put a live number in its place.
pub fn around_number(key: &str) -> (String, String) {
    let filled = tf(key, &[&'\u{1}']);
    match filled.split_once('\u{1}') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (filled, String::new()),
    }
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
