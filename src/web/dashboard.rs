//! `GET /`: what needs the signed-in person next: a short to-do list in words ("2 drafts
//! wait for your review", "Your draft “X” needs a test send"), drafts waiting for their
//! review, their own drafts and where each stands, and what changed recently; until the
//! first send, the first-day path, which `POST /first-day/hide` hides for the person.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::db;
use crate::db::drafts::{DashboardWants, DraftRow};
use crate::domain::first_day::{self, StepKind};
use crate::domain::gate::Rule;
use crate::domain::incident;

use crate::domain::revision::DraftKind;
use crate::error::AppResult;
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::draft_view;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render};
use crate::web::views::DraftLine;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(show))
        .route("/first-day/hide", post(hide_first_day))
}

/// Hides the first-day path from the signed-in person's own dashboard. Anyone signed in may
/// hide it for themselves; it changes nothing for anyone else.
async fn hide_first_day(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    db::first_day::hide(&state.pool, user.id(), state.clock.now()).await?;
    Ok(redirect_with(
        "/",
        "The first-send guide is hidden. Friends, testers, segments and drafts are all in the menu.",
    ))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    is_admin: bool,
    is_marketer: bool,
    is_reviewer: bool,
    /// What needs this person next, in words, most urgent first.
    next_steps: Vec<NextStep>,
    /// The oldest drafts waiting for this reviewer, at most [`WAITING_SHOWN`].
    waiting: Vec<DraftLine>,
    /// More than [`WAITING_SHOWN`] wait.
    waiting_more: bool,
    mine: Vec<DraftLine>,
    recent: Vec<DraftLine>,
    /// Correction drafts not sent yet, pinned on top until they are.
    corrections: Vec<PinnedCorrection>,
    /// Immediate releases still in their undo window (issue #16).
    undo: UndoWindows,
    /// The path to a first send, until the first release is sent.
    first_day: Option<FirstDay>,
}

/// The releases that can still be cancelled before they start, with their countdowns.
struct UndoWindows {
    releases: Vec<UndoWindow>,
    /// The countdown's sentence around its number.
    countdown: (String, String),
    can_cancel: bool,
}

struct UndoWindow {
    id: i64,
    draft_id: i64,
    title: String,
    seconds: i64,
    at: String,
    recipients: i64,
}

/// How many releases in their undo window the dashboard lists.
const UNDO_SHOWN: i64 = 10;

/// The immediate releases in their undo window, for anyone who may read drafts.
async fn undo_windows(
    conn: &mut sqlx::SqliteConnection,
    now: chrono::DateTime<chrono::Utc>,
    roles: crate::domain::roles::Roles,
    tz: chrono_tz::Tz,
) -> AppResult<UndoWindows> {
    use crate::domain::roles::Permission;
    let releases = if roles.may(Permission::ReadDrafts) {
        db::releases::in_undo_window(&mut *conn, UNDO_SHOWN).await?
    } else {
        Vec::new()
    };
    Ok(UndoWindows {
        releases: releases
            .into_iter()
            .map(|r| UndoWindow {
                id: r.id,
                draft_id: r.draft_id,
                title: r.title,
                seconds: (r.send_at - now).num_seconds().max(0),
                at: crate::web::views::local_time(r.send_at, tz),
                recipients: r.recipients,
            })
            .collect(),
        countdown: crate::web::releases::around_number("Sending starts in {n} seconds"),
        can_cancel: roles.may(Permission::WriteDrafts),
    })
}

/// The first-day path as shown: each step with where it is done.
struct FirstDay {
    steps: Vec<FirstDayStep>,
}

struct FirstDayStep {
    /// `friends`, `tester`, `segment`, `draft`, `reviewers`.
    id: &'static str,
    title: String,
    help: String,
    /// Where the step is done; `None` when this person cannot do it (reviewers, for a
    /// non-admin: an admin adds them).
    href: Option<&'static str>,
    link_text: String,
    done: bool,
    next: bool,
}

fn first_day_path(
    facts: &first_day::FirstDayFacts,
    required: i64,
    is_admin: bool,
) -> Option<FirstDay> {
    let path = first_day::path(facts, required)?;
    let next = first_day::next(&path);
    let steps = path
        .iter()
        .map(|s| {
            let (title, help, href, link_text) = match s.kind {
                StepKind::Friends => (
                    t("Friends").to_string(),
                    t("Friends arrive from LINE when they add the account (the webhook set in the LINE Developers Console), or from a CSV file you import.").to_string(),
                    Some("/friends"),
                    t("Import friends from a CSV file").to_string(),
                ),
                StepKind::TesterPhone => (
                    t("Your tester phone").to_string(),
                    t("Test sends go only to the phones of your team. Pair your own LINE account: send the code shown from your phone to the official account.").to_string(),
                    Some("/testers"),
                    t("Pair my phone").to_string(),
                ),
                StepKind::Segment => (
                    t("A segment").to_string(),
                    t("Who a segment send goes to: tags, attributes and follow date, with a live count. A broadcast to all friends needs none.").to_string(),
                    Some("/segments/new"),
                    t("New segment").to_string(),
                ),
                StepKind::FirstDraft => (
                    t("A first draft").to_string(),
                    t("Write the message, submit it for review, send it to your tester phone, preview its audience and release it.").to_string(),
                    Some("/drafts/new"),
                    t("New draft").to_string(),
                ),
                StepKind::Reviewers => (
                    tf("{n} reviewers", &[&required]),
                    if is_admin {
                        t("People with the reviewer role approve each draft; nobody approves what they wrote.").to_string()
                    } else {
                        t("People with the reviewer role approve each draft; nobody approves what they wrote. An administrator adds them.").to_string()
                    },
                    is_admin.then_some("/admin/users/new"),
                    t("Add a user").to_string(),
                ),
            };
            FirstDayStep {
                id: s.kind.as_str(),
                title,
                help,
                href,
                link_text,
                done: s.done,
                next: next == Some(s.kind),
            }
        })
        .collect();
    Some(FirstDay { steps })
}

pub struct PinnedCorrection {
    pub incident_id: i64,
    pub draft_id: i64,
    pub title: String,
    pub state: String,
    pub since_mistake: String,
}

struct NextStep {
    text: String,
    href: String,
}

/// How many drafts waiting for review the dashboard lists, oldest first; the drafts list
/// has them all.
const WAITING_SHOWN: i64 = 10;

/// How many of the person's own drafts, and of everyone's recent drafts, are listed.
const LIST_SHOWN: i64 = 10;

/// How many of the person's own drafts in review get their next move worked out (the
/// newest matter most); all of them are read together.
const NEXT_STEPS_IN_REVIEW: usize = 3;

/// Where each of the person's own open drafts stands, as the next thing to do about it.
async fn own_draft_steps(
    conn: &mut sqlx::SqliteConnection,
    now: chrono::DateTime<chrono::Utc>,
    rules: &crate::services::gate::Rules<'_>,
    mine: &[DraftRow],
) -> AppResult<Vec<NextStep>> {
    let in_review: Vec<&DraftRow> = mine
        .iter()
        .filter(|d| d.state == "in_review")
        .take(NEXT_STEPS_IN_REVIEW)
        .collect();
    let summaries = if in_review.is_empty() {
        Vec::new()
    } else {
        draft_view::gate_summaries(conn, now, rules, &in_review).await?
    };
    // The active greeting's draft is done with until someone edits it.
    let active_greeting = if in_review
        .iter()
        .any(|d| d.kind == DraftKind::Greeting.as_str())
    {
        db::greetings::active(&mut *conn)
            .await?
            .map(|a| (a.draft_id, a.revision_number))
    } else {
        None
    };
    let mut steps = Vec::new();
    for d in mine {
        let mut href = format!("/drafts/{}", d.id);
        let text = match d.state.as_str() {
            "draft" => tf(
                "Your draft “{title}” is not submitted for review yet",
                &[&d.title],
            ),
            "in_review" => {
                let Some(gate) = in_review
                    .iter()
                    .position(|r| r.id == d.id)
                    .map(|i| &summaries[i])
                else {
                    continue;
                };
                // The author's own next move first (test send, preview), then what waits
                // on others (approvals).
                if gate.kind == DraftKind::Greeting
                    && active_greeting == Some((d.id, d.current_revision))
                {
                    continue;
                } else if gate.ready() && gate.kind == DraftKind::Greeting {
                    href = format!("/greeting/{}/activate", d.id);
                    tf(
                        "Your greeting message “{title}” is ready to be activated",
                        &[&d.title],
                    )
                } else if gate.ready() {
                    tf("Your draft “{title}” is ready to release", &[&d.title])
                } else if !gate.ok(Rule::TestSend) {
                    tf("Your draft “{title}” needs a test send", &[&d.title])
                } else if !gate.ok(Rule::Preview) {
                    tf(
                        "Your draft “{title}” needs an audience preview",
                        &[&d.title],
                    )
                } else if !gate.ok(Rule::Approvals) {
                    tf(
                        "Your draft “{title}” has {count} of {required} approvals",
                        &[&d.title, &gate.approvals, &gate.required],
                    )
                } else {
                    tf(
                        "Your draft “{title}” needs attention before release",
                        &[&d.title],
                    )
                }
            }
            _ => continue,
        };
        steps.push(NextStep { text, href });
    }
    Ok(steps)
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    let roles = session.user.roles;
    let now = state.clock.now();
    // One connection for the whole page: each checkout from the pool costs a hand-off.
    let mut conn = state.pool.acquire().await?;
    let conn = &mut *conn;
    let policy = &session.policy;
    let tz = policy.time_zone;
    let lines = |rows: Vec<DraftRow>| {
        rows.into_iter()
            .map(|d| DraftLine::new(d, tz))
            .collect::<Vec<_>>()
    };
    // One more waiting than is shown, to know whether there are more.
    let shown = |wanted: bool, n: i64| if wanted { n } else { 0 };
    let lists = db::drafts::dashboard_lists(
        &mut *conn,
        DashboardWants {
            user_id: session.user.id,
            waiting: shown(roles.reviewer, WAITING_SHOWN + 1),
            mine: shown(roles.marketer, LIST_SHOWN),
            recent: shown(roles.marketer || roles.reviewer || roles.admin, LIST_SHOWN),
            corrections: roles.reviewer || roles.marketer,
        },
    )
    .await?;
    let mut waiting = lines(lists.waiting);
    let waiting_more = waiting.len() as i64 > WAITING_SHOWN;
    waiting.truncate(WAITING_SHOWN as usize);
    let media_base = state.settings.public_url();
    let rules = crate::services::gate::Rules {
        policy,
        media_base: &media_base,
    };
    let own_steps = own_draft_steps(conn, now, &rules, &lists.mine).await?;
    let undo = undo_windows(conn, now, roles, tz).await?;
    let mine = lines(lists.mine);
    let recent = lines(lists.recent);
    let corrections = lists
        .corrections
        .into_iter()
        .map(|c| PinnedCorrection {
            incident_id: c.incident_id,
            draft_id: c.draft_id,
            title: c.title,
            state: c.draft_state,
            since_mistake: crate::web::views::duration(incident::minutes_between(c.sent_at, now)),
        })
        .collect();
    let mut next_steps = Vec::new();
    match waiting.len() {
        0 => {}
        n if waiting_more => next_steps.push(NextStep {
            text: tf("More than {n} drafts wait for your review", &[&n]),
            href: "#waiting-for-review".into(),
        }),
        1 => next_steps.push(NextStep {
            text: tf("1 draft waits for your review", &[]),
            href: format!("/drafts/{}", waiting[0].id),
        }),
        n => next_steps.push(NextStep {
            text: tf("{n} drafts wait for your review", &[&n]),
            href: "#waiting-for-review".into(),
        }),
    }
    next_steps.extend(own_steps);
    let first_day = if roles.admin || roles.marketer || roles.reviewer {
        let facts = db::first_day::facts(&mut *conn, session.user.id).await?;
        first_day_path(&facts, policy.required_approvals, roles.admin)
    } else {
        None
    };
    Ok(render(&DashboardPage {
        corrections,
        undo,
        first_day,
        layout: Layout::for_user(&session, "Dashboard", "/", flash),
        is_admin: roles.admin,
        is_marketer: roles.marketer,
        is_reviewer: roles.reviewer,
        next_steps,
        waiting,
        waiting_more,
        mine,
        recent,
    }))
}
