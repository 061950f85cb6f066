//! `/greeting...`: the greeting message (あいさつメッセージ). The page shows the active
//! greeting (and a newer revision waiting for the gate, while the active one keeps being
//! sent), the greeting drafts, the last greetings sent with their outcome, and the note to
//! turn off LINE Official Account Manager's own greeting. `POST /greeting` starts a
//! greeting draft; `GET,POST /greeting/{id}/activate` is the activation page (the gate at
//! `Moment::Greeting`, the irreversibility warning, the account's name typed);
//! `POST /greeting/deactivate` is one audited click. Every permission is checked here.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::db;
use crate::domain::gate::{GateReport, Rule};
use crate::domain::greeting::GreetingState;
use crate::domain::policy::GreetingFallback;
use crate::domain::revision::DraftKind;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, tf};
use crate::services::drafts::load_current;
use crate::services::greeting::{self, ActivationRequest};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::releases::{CheckView, WarningView, refusal_text, rule_label};
use crate::web::views::{RevisionView, local_time};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/greeting", get(show).post(create))
        .route("/greeting/deactivate", post(deactivate))
        .route("/greeting/{id}/activate", get(activation).post(activate))
}

/// The active greeting as the page shows it.
pub struct ActiveView {
    pub draft_id: i64,
    pub title: String,
    pub activated: String,
    pub activated_by: String,
    pub approvers: String,
    pub revision: RevisionView,
    /// When the send-time gate held it, and why (rule, reason).
    pub held: Option<(String, Vec<(String, String)>)>,
    /// A newer revision of its draft, not active yet: its number and whether its gate is
    /// green.
    pub newer: Option<(i64, bool)>,
}

pub struct GreetingDraftLine {
    pub id: i64,
    pub title: String,
    pub state_label: String,
    pub revision: i64,
    pub ready: bool,
    pub missing: String,
    /// This draft's revision that is the active greeting, if one is.
    pub active_revision: Option<i64>,
    /// Its current revision is green and not the active one already.
    pub can_activate: bool,
}

pub struct SentView {
    pub when: String,
    pub name: String,
    pub user_id: String,
    pub state: &'static str,
    pub outcome: &'static str,
    pub refollow: bool,
    /// Why (not greeted, held, unknown), each in words.
    pub details: Vec<String>,
    /// The greeting and revision it was sent (or would have been sent) with.
    pub greeting: String,
}

#[derive(Template)]
#[template(path = "greeting/show.html")]
struct GreetingPage {
    layout: Layout,
    active: Option<ActiveView>,
    drafts: Vec<GreetingDraftLine>,
    recent: Vec<SentView>,
    can_write: bool,
    can_manage_policy: bool,
    is_sandbox: bool,
    greet_refollows: bool,
    push_fallback: bool,
    deadline_seconds: i64,
    form_title: String,
    form_text: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewGreetingForm {
    title: String,
    text: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    flash: Option<String>,
    form: NewGreetingForm,
    errors: Vec<crate::domain::FieldError>,
) -> AppResult<GreetingPage> {
    let now = state.clock.now();
    let policy = &user.0.policy;
    let tz = policy.time_zone;
    let mut conn = state.pool.acquire().await?;
    let conn = &mut *conn;
    let active_row = db::greetings::active(&mut *conn).await?;
    let greeting_drafts = db::drafts::list(
        &mut *conn,
        &db::drafts::DraftFilter {
            kind: Some(DraftKind::Greeting.as_str().into()),
            ..db::drafts::DraftFilter::default()
        },
        100,
        0,
    )
    .await?;
    let open: Vec<&db::drafts::DraftRow> = greeting_drafts
        .iter()
        .filter(|d| crate::services::drafts::state_of(d).is_ok_and(|s| !s.is_read_only()))
        .collect();
    let media_base = state.settings.public_url();
    let rules = crate::services::gate::Rules {
        policy,
        media_base: &media_base,
    };
    let summaries = crate::web::draft_view::gate_summaries(conn, now, &rules, &open).await?;
    let drafts = greeting_drafts
        .iter()
        .map(|d| {
            let summary = open
                .iter()
                .position(|o| o.id == d.id)
                .map(|i| &summaries[i]);
            let missing: Vec<&str> = summary
                .map(|s| s.report.failing().map(|c| t(c.rule.label())).collect())
                .unwrap_or_default();
            let active_revision = active_row
                .as_ref()
                .filter(|a| a.draft_id == d.id)
                .map(|a| a.revision_number);
            let ready = summary.is_some_and(|s| s.ready());
            GreetingDraftLine {
                id: d.id,
                title: d.title.clone(),
                state_label: crate::services::drafts::state_of(d)
                    .map(|s| s.label().to_string())
                    .unwrap_or_else(|_| d.state.clone()),
                revision: d.current_revision,
                ready,
                missing: missing.join(t(", ")),
                can_activate: ready
                    && d.state == "in_review"
                    && active_revision != Some(d.current_revision),
                active_revision,
            }
        })
        .collect::<Vec<_>>();
    let active = match &active_row {
        Some(a) => {
            let row = db::drafts::revision(&mut *conn, a.draft_id, a.revision_number)
                .await?
                .ok_or(AppError::NotFound)?;
            let newer = greeting_drafts
                .iter()
                .find(|d| d.id == a.draft_id)
                .filter(|d| d.current_revision > a.revision_number)
                .map(|d| {
                    let ready = drafts
                        .iter()
                        .find(|l| l.id == d.id)
                        .is_some_and(|l| l.ready);
                    (d.current_revision, ready)
                });
            Some(ActiveView {
                draft_id: a.draft_id,
                title: a.title.clone(),
                activated: local_time(a.activated_at, tz),
                activated_by: a.activated_by_name.clone(),
                approvers: a.approver_names().join(t(", ")),
                revision: RevisionView::new(&row, tz)?,
                held: a.held_at.map(|at| {
                    (
                        local_time(at, tz),
                        a.hold_reasons()
                            .into_iter()
                            .map(|h| (rule_label(&h.rule), h.reason))
                            .collect(),
                    )
                }),
                newer,
            })
        }
        None => None,
    };
    let recent = db::greetings::recent(&mut *conn, greeting::RECENT)
        .await?
        .into_iter()
        .map(|r| {
            let state = GreetingState::parse(&r.state).unwrap_or(GreetingState::Pending);
            let mut details: Vec<String> = r
                .hold_reasons()
                .into_iter()
                .map(|h| {
                    format!(
                        "{}: {}",
                        t(&rule_label(&h.rule)),
                        crate::i18n::tr(&h.reason)
                    )
                })
                .collect();
            if let Some(reason) = r.reason.as_deref().filter(|_| !state.is_greeted()) {
                details.push(crate::i18n::tr(reason));
            }
            SentView {
                when: local_time(r.finished_at.unwrap_or(r.received_at), tz),
                name: if r.display_name.is_empty() {
                    t("(no name yet)").to_string()
                } else {
                    r.display_name
                },
                user_id: r.user_id,
                state: state.as_str(),
                outcome: state.label(),
                refollow: r.refollow,
                details,
                greeting: match (r.title, r.revision_number) {
                    (Some(title), Some(n)) => tf("“{title}”, revision {n}", &[&title, &n]),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let roles = user.0.user.roles;
    Ok(GreetingPage {
        layout: Layout::for_user(&user.0, "Greeting message", "/greeting", flash),
        active,
        drafts,
        recent,
        can_write: roles.may(Permission::WriteDrafts),
        can_manage_policy: roles.may(Permission::ManagePolicy),
        is_sandbox: state.provider.name() == "sandbox",
        greet_refollows: policy.greet_refollows,
        push_fallback: policy.greeting_fallback == GreetingFallback::Push,
        deadline_seconds: policy.greeting_reply_deadline_seconds,
        form_title: form.title,
        form_text: form.text,
        errors: FormErrors(errors),
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let page = page(&state, &user, flash, NewGreetingForm::default(), Vec::new()).await?;
    Ok(render(&page))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewGreetingForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    match greeting::create_draft(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        &form.title,
        &form.text,
    )
    .await
    {
        Ok(id) => Ok(redirect_with(
            &format!("/drafts/{id}"),
            "Greeting message saved as revision 1. Submit it for review; once approved and tested, activate it on the greeting page.",
        )),
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &user, None, form, errors).await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

async fn deactivate(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    greeting::deactivate(&state.pool, state.clock.now(), &user.actor()).await?;
    Ok(redirect_with(
        "/greeting",
        "The greeting message was deactivated: new friends get none from sendgate until one is activated again.",
    ))
}

#[derive(Template)]
#[template(path = "greeting/activate.html")]
struct ActivationPage {
    layout: Layout,
    draft_id: i64,
    title: String,
    revision: RevisionView,
    checks: Vec<CheckView>,
    warnings: Vec<WarningView>,
    ready: bool,
    /// What the person must type: the account's name.
    account_name: String,
    /// The sentence around the name, split so the name can be shown bold.
    name_label: (String, String),
    /// The greeting this replaces, if one is active: title and revision.
    replaces: Option<String>,
    problem: Option<String>,
    typed: String,
    read_warning: bool,
    confirm_error: Option<String>,
}

/// What the person submitted, kept when the page comes back after a refusal.
#[derive(Default)]
struct Submitted {
    request: Option<ActivationRequest>,
    refusal: Option<GateReport>,
    problem: Option<String>,
}

async fn activation_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    submitted: Submitted,
) -> AppResult<ActivationPage> {
    let now = state.clock.now();
    let tz = user.time_zone();
    let account = state.settings.account_name.clone();
    let mut tx = state.pool.begin().await?;
    let current = load_current(&mut tx, id, "it cannot be activated").await?;
    if current.draft.kind != DraftKind::Greeting.as_str() {
        return Err(AppError::Conflict(
            "Only a greeting message can be activated as the greeting; this draft is released from its own page.".into(),
        ));
    }
    let (report, facts) = greeting::activation_gate(
        &mut tx,
        now,
        &account,
        &state.settings.public_url(),
        &current,
        None,
    )
    .await?;
    let active = db::greetings::active(&mut *tx).await?;
    drop(tx);
    let in_review = crate::services::drafts::state_of(&current.draft)?
        == crate::domain::review::DraftState::InReview;
    let refusal = submitted.refusal.as_ref();
    let request = submitted.request.unwrap_or_default();
    let confirm_error = refusal
        .and_then(|r| r.check(Rule::Confirmation))
        .filter(|c| !c.ok)
        .map(|c| c.reason.clone());
    let problem = submitted
        .problem
        .or_else(|| refusal.map(|r| refusal_text("Not activated.", r)));
    let already_active = active.as_ref().is_some_and(|a| {
        a.draft_id == id && a.revision_number == current.revision.number && a.held_at.is_none()
    });
    let problem = problem.or_else(|| {
        already_active.then(|| {
            tf(
                "Revision {n} is already the active greeting message.",
                &[&current.revision.number],
            )
        })
    });
    let problem = problem.or_else(|| {
        (!in_review).then(|| {
            t("Submit the greeting message for review first: it is activated once reviewers have approved it.")
                .to_string()
        })
    });
    let name_label = crate::web::releases::around_number("Type the account's name to confirm: {n}");
    Ok(ActivationPage {
        layout: Layout::for_user(
            &user.0,
            &tf("Activate {title}", &[&current.draft.title]),
            "/greeting",
            None,
        ),
        draft_id: id,
        title: current.draft.title.clone(),
        checks: refusal
            .unwrap_or(&report)
            .checks
            .iter()
            .map(CheckView::of)
            .collect(),
        warnings: WarningView::of_findings(&facts, &request.acknowledged_warnings),
        ready: report.is_green() && in_review && !already_active,
        account_name: account,
        name_label,
        replaces: active.map(|a| tf("“{title}”, revision {n}", &[&a.title, &a.revision_number])),
        problem,
        typed: request.typed_name,
        read_warning: request.read_warning,
        confirm_error,
        revision: RevisionView::from_content(&current.revision, current.content, tz),
    })
}

async fn activation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let page = activation_page(&state, &user, id, Submitted::default()).await?;
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActivationForm {
    typed_name: String,
    read_warning: Option<String>,
    ack: Vec<String>,
}

async fn activate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ActivationForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let request = ActivationRequest {
        typed_name: form.typed_name,
        read_warning: form.read_warning.is_some(),
        acknowledged_warnings: form.ack,
    };
    match greeting::activate(&state, state.clock.now(), &user.actor(), id, &request).await {
        Ok(Ok(_)) => Ok(redirect_with(
            "/greeting",
            "Activated: from now on each new friend receives this greeting message. What is sent cannot be taken back.",
        )),
        Ok(Err(report)) => {
            let submitted = Submitted {
                request: Some(request),
                refusal: Some(report),
                problem: None,
            };
            let page = activation_page(&state, &user, id, submitted).await?;
            Ok(render_with_status(StatusCode::CONFLICT, &page))
        }
        Err(AppError::Conflict(why)) => {
            let submitted = Submitted {
                request: Some(request),
                refusal: None,
                problem: Some(why),
            };
            let page = activation_page(&state, &user, id, submitted).await?;
            Ok(render_with_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e),
    }
}
