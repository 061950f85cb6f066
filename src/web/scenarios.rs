//! `/scenarios`: step scenarios (issue #7). The list and new form, a scenario's page (steps
//! with their delay, review standing and per-step counts, the impact preview, pause, resume
//! and deactivate), the activation page (the scenario's release: the irreversibility
//! warning and the typed name), and `/friends/{id}`, where a friend is in each scenario.
//! Handlers only extract, authorize, call `services::scenarios` and render.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::db;
use crate::domain::roles::Permission;
use crate::domain::scenario::{Action, Delay, ScenarioState, Trigger};
use crate::error::{AppError, AppResult};
use crate::i18n::{t, tf, tr};
use crate::services::scenarios::{self, ActivationRequest, StepImpact, StepInput, delay_of};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::reauth::{Confirmed, ReauthField};
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/scenarios", get(list).post(create))
        .route("/scenarios/{id}", get(show))
        .route("/scenarios/{id}/steps", post(add_step))
        .route("/scenarios/{id}/previews", post(take_preview))
        .route(
            "/scenarios/{id}/previews/{p}/acknowledge",
            post(acknowledge_preview),
        )
        .route("/scenarios/{id}/activate", get(activation).post(activate))
        .route("/scenarios/{id}/pause", post(pause))
        .route("/scenarios/{id}/resume", post(resume))
        .route("/scenarios/{id}/deactivate", post(deactivate))
        .route("/friends/{id}", get(friend))
}

pub struct TriggerOption {
    pub value: &'static str,
    pub label: &'static str,
}

fn trigger_options() -> Vec<TriggerOption> {
    Trigger::ALL
        .iter()
        .map(|t| TriggerOption {
            value: t.as_str(),
            label: t.label(),
        })
        .collect()
}

pub struct ScenarioItem {
    pub id: i64,
    pub name: String,
    pub state: String,
    pub trigger: String,
}

#[derive(Template)]
#[template(path = "scenarios/list.html")]
struct ListPage {
    layout: Layout,
    scenarios: Vec<ScenarioItem>,
    triggers: Vec<TriggerOption>,
    name: String,
    errors: FormErrors,
    can_write: bool,
}

fn trigger_label(s: &str) -> String {
    Trigger::parse(s)
        .map(|t| t.label().to_string())
        .unwrap_or_else(|| s.to_string())
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    flash: Option<String>,
    name: String,
    errors: FormErrors,
) -> AppResult<ListPage> {
    let scenarios = db::scenarios::list(&state.pool)
        .await?
        .into_iter()
        .map(|s| ScenarioItem {
            id: s.id,
            trigger: trigger_label(&s.trigger_kind),
            name: s.name,
            state: s.state,
        })
        .collect();
    Ok(ListPage {
        layout: Layout::for_user(&user.0, "Step scenarios", "/scenarios", flash),
        scenarios,
        triggers: trigger_options(),
        name,
        errors,
        can_write: user.0.user.roles.may(Permission::WriteDrafts),
    })
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    Ok(render(
        &list_page(&state, &user, flash, String::new(), FormErrors::default()).await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewForm {
    name: String,
    trigger: String,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    match scenarios::create(
        &state,
        state.clock.now(),
        &user.actor(),
        &form.name,
        &form.trigger,
    )
    .await
    {
        Ok(id) => Ok(redirect_with(
            &format!("/scenarios/{id}"),
            "Scenario created. Add its steps.",
        )),
        Err(AppError::Invalid(errors)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &list_page(&state, &user, None, form.name, FormErrors(errors)).await?,
        )),
        Err(e) => Err(e),
    }
}

pub struct StepView {
    pub position: i64,
    pub delay: String,
    pub draft_id: i64,
    pub title: String,
    pub current_revision: i64,
    pub live: String,
    pub sending: bool,
    pub sent: i64,
    pub due_soon: i64,
    pub held: i64,
    pub skipped: i64,
    pub failed: i64,
    pub standing: Vec<String>,
}

pub struct ImpactView {
    pub id: i64,
    pub taken: String,
    pub taken_by: String,
    pub acknowledged: Option<String>,
    pub current: bool,
    pub steps: Vec<StepImpact>,
    pub month_total: i64,
    pub quota_line: String,
}

#[derive(Template)]
#[template(path = "scenarios/show.html")]
struct ShowPage {
    layout: Layout,
    id: i64,
    name: String,
    state: String,
    trigger: String,
    entered: i64,
    steps: Vec<StepView>,
    preview: Option<ImpactView>,
    steps_editable: bool,
    can_write: bool,
    can_pause: bool,
    can_resume: bool,
    can_deactivate: bool,
    can_activate: bool,
    form: StepInput,
    errors: FormErrors,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    flash: Option<String>,
    form: StepInput,
    errors: FormErrors,
) -> AppResult<ShowPage> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let scenario = db::scenarios::find(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let st = scenarios::state_of(&scenario)?;
    let policy = db::policy::get(&mut *tx).await?;
    let media_base = state.settings.public_url();
    let gate_rules = crate::services::gate::Rules {
        policy: &policy,
        media_base: &media_base,
    };
    let tz = policy.time_zone;
    let rows = db::scenarios::steps(&mut *tx, id).await?;
    let from = now.timestamp();
    let mut steps = Vec::new();
    for s in &rows {
        let counts = db::scenarios::step_counts(&mut *tx, s.id).await?;
        let rules = scenarios::step_rules(&mut tx, s, s.current_revision).await?;
        let upcoming = if st == ScenarioState::Active && s.is_live() {
            scenarios::count_due(&mut tx, s, rules.as_ref(), from, from + 86_400, now, tz).await?
        } else {
            0
        };
        let (ready, _) = scenarios::readiness(&mut tx, now, &gate_rules, s, None).await?;
        steps.push(StepView {
            position: s.position,
            delay: describe_delay(delay_of(s)),
            draft_id: s.draft_id,
            title: s.title.clone(),
            current_revision: s.current_revision,
            live: match (s.live_revision, &s.hold_reason) {
                (Some(r), Some(why)) => {
                    let reasons: Vec<db::releases::HoldReason> =
                        serde_json::from_str(why).unwrap_or_default();
                    let reasons: Vec<String> = reasons.iter().map(|h| tr(&h.reason)).collect();
                    format!(
                        "{} {}",
                        tf(
                            "revision {r} was held at its send time and sends nothing until the scenario is activated again:",
                            &[&r]
                        ),
                        reasons.join(" ")
                    )
                }
                (None, _) => t("not activated yet").to_string(),
                (Some(r), None) if r == s.current_revision => tf("revision {r} is live", &[&r]),
                (Some(r), None) => tf(
                    "revision {r} was approved; revision {current} waits for approval, a test and re-activation, so this step is not sending",
                    &[&r, &s.current_revision],
                ),
            },
            sending: st == ScenarioState::Active && s.is_live(),
            sent: counts.sent,
            due_soon: counts.queued + upcoming,
            held: counts.held,
            skipped: counts.skipped,
            failed: counts.failed,
            standing: ready
                .failing
                .iter()
                .map(|(rule, why)| format!("{}: {}", tr(rule), tr(why)))
                .collect(),
        });
    }
    let print = scenarios::fingerprint(&mut tx, &rows).await?;
    let preview = db::scenarios::latest_preview(&mut *tx, id).await?.map(|p| {
        let impacts: Vec<StepImpact> = serde_json::from_str(&p.counts).unwrap_or_default();
        let month_total = impacts.iter().map(|i| i.month).sum();
        ImpactView {
            id: p.id,
            taken: local_time(p.taken_at, tz),
            taken_by: p.taken_by_name.clone(),
            acknowledged: p.acknowledged_at.map(|at| {
                tf(
                    "Acknowledged by {who} at {time}.",
                    &[
                        &p.acknowledged_by_name.clone().unwrap_or_default(),
                        &local_time(at, tz),
                    ],
                )
            }),
            current: p.fingerprint == print,
            quota_line: match (p.quota_limit, p.quota_used) {
                (Some(l), Some(u)) => tf(
                    "about {total} messages in the next 30 days; {left} of {limit} left this month",
                    &[
                        &crate::i18n::format_number(month_total),
                        &crate::i18n::format_number((l - u).max(0)),
                        &crate::i18n::format_number(l),
                    ],
                ),
                _ => tf(
                    "about {total} messages in the next 30 days; the plan has no monthly limit",
                    &[&crate::i18n::format_number(month_total)],
                ),
            },
            steps: impacts,
            month_total,
        }
    });
    let entered = db::scenarios::enrolled_count(&mut *tx, id).await?;
    drop(tx);
    let can_write = user.0.user.roles.may(Permission::WriteDrafts);
    Ok(ShowPage {
        layout: Layout::for_user(&user.0, &scenario.name, "/scenarios", flash),
        id,
        name: scenario.name.clone(),
        state: scenario.state.clone(),
        trigger: trigger_label(&scenario.trigger_kind),
        entered,
        steps,
        preview,
        steps_editable: st.steps_editable(),
        can_write,
        can_pause: can_write && st == ScenarioState::Active,
        can_resume: can_write && st == ScenarioState::Paused,
        can_deactivate: can_write && matches!(st, ScenarioState::Active | ScenarioState::Paused),
        can_activate: can_write && st != ScenarioState::Deactivated,
        form,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    Ok(render(
        &show_page(
            &state,
            &user,
            id,
            flash,
            StepInput::default(),
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn add_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<StepInput>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    match scenarios::add_step(&state, state.clock.now(), &user.actor(), id, &form).await {
        Ok(draft) => Ok(redirect_with(
            &format!("/scenarios/{id}"),
            &format!("Step added as draft {draft}: submit it for review, then test-send it."),
        )),
        Err(AppError::Invalid(errors)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &show_page(&state, &user, id, None, form, FormErrors(errors)).await?,
        )),
        Err(e) => Err(e),
    }
}

async fn take_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    scenarios::take_preview(&state, state.clock.now(), &user.actor(), id).await?;
    Ok(redirect_with(
        &format!("/scenarios/{id}#impact"),
        "Impact preview taken. Read it, then acknowledge it.",
    ))
}

async fn acknowledge_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, p)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    scenarios::acknowledge_preview(&state, state.clock.now(), &user.actor(), id, p).await?;
    Ok(redirect_with(
        &format!("/scenarios/{id}#impact"),
        "Impact preview acknowledged.",
    ))
}

pub struct WarningView {
    pub key: String,
    pub message: String,
    /// Ticked in the form that came back refused.
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "scenarios/activate.html")]
struct ActivatePage {
    layout: Layout,
    id: i64,
    name: String,
    steps: Vec<StepView>,
    warnings: Vec<WarningView>,
    problem: Option<String>,
    ready: bool,
    /// The typed-name label around the name, which the template shows in bold.
    name_label: (String, String),
    reauth: ReauthField,
    /// What was typed and ticked, kept when a refused form comes back.
    typed: String,
    read_warning: bool,
    /// The typed name was wrong: said beside the field.
    confirm_error: Option<String>,
}

/// "Type the scenario's name, {name}, to confirm" in the page's language, split at the name.
fn name_label() -> (String, String) {
    let label = t("Type the scenario's name, {name}, to confirm");
    match label.split_once("{name}") {
        Some((before, after)) => (before.to_string(), after.to_string()),
        None => (label.to_string(), String::new()),
    }
}

/// A step's delay in words, in the page's language: "day 1 at 10:00".
fn describe_delay(delay: Delay) -> String {
    match delay {
        Delay::MinutesAfter(0) => t("as soon as the friend is added").to_string(),
        Delay::MinutesAfter(m) => tf("{m} minutes after the friend is added", &[&m]),
        Delay::DayAt { days, at } => tf("day {days} at {time}", &[&days, &at.format("%H:%M")]),
    }
}

/// The activation refusal ("Not activated. " and every reason) in the page's language,
/// one reason at a time.
fn translate_refusal(why: &str) -> String {
    if crate::i18n::current() == crate::i18n::Lang::En {
        return why.to_string();
    }
    let Some(reasons) = why.strip_prefix("Not activated. ") else {
        return tr(why);
    };
    let starts = [
        " Step ",
        " Impact preview: ",
        " Confirm that you read",
        " Type the scenario's name",
        " Add at least one step",
    ];
    let mut parts = Vec::new();
    let mut rest = reasons;
    loop {
        let next = starts
            .iter()
            .filter_map(|s| rest.get(1..).and_then(|r| r.find(s)).map(|i| i + 1))
            .filter(|&i| {
                // " Step " starts a reason only as "Step N: ".
                let tail = &rest[i + 1..];
                !tail.starts_with("Step ")
                    || tail[5..]
                        .split_once(": ")
                        .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
            })
            .min();
        match next {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => {
                parts.push(rest);
                break;
            }
        }
    }
    let parts: Vec<String> = parts.iter().map(|p| translate_reason(p)).collect();
    tf("Not activated. {reasons}", &[&parts.join(" ")])
}

/// One activation reason: "Step 2: Approvals: 1 of 2 approvals." has its rule and reason
/// translated apart; "Impact preview: …" its problem.
fn translate_reason(reason: &str) -> String {
    if let Some(rest) = reason.strip_prefix("Step ")
        && let Some((n, rest)) = rest.split_once(": ")
        && n.chars().all(|c| c.is_ascii_digit())
    {
        let translated = match rest.split_once(": ") {
            Some((rule, why)) => format!("{}: {}", tr(rule), tr(why)),
            None => tr(rest),
        };
        return tf("Step {n}: {message}", &[&n, &translated]);
    }
    if let Some(p) = reason.strip_prefix("Impact preview: ") {
        return tf("Impact preview: {problem}", &[&tr(p)]);
    }
    tr(reason)
}

async fn activation_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    problem: Option<String>,
    submitted: Option<&ActivateForm>,
) -> AppResult<ActivatePage> {
    let now = state.clock.now();
    let page = show_page(
        state,
        user,
        id,
        None,
        StepInput::default(),
        FormErrors::default(),
    )
    .await?;
    let mut tx = state.pool.begin().await?;
    let policy = db::policy::get(&mut *tx).await?;
    let media_base = state.settings.public_url();
    let gate_rules = crate::services::gate::Rules {
        policy: &policy,
        media_base: &media_base,
    };
    let mut warnings = Vec::new();
    for s in db::scenarios::steps(&mut *tx, id).await? {
        let (_, findings) = scenarios::readiness(&mut tx, now, &gate_rules, &s, None).await?;
        for f in findings.iter().filter(|f| !f.is_error()) {
            let key = format!("step{}:{}", s.id, f.key());
            warnings.push(WarningView {
                checked: submitted.is_some_and(|form| form.ack.contains(&key)),
                key,
                message: tf("Step {n}: {message}", &[&s.position, &tr(&f.message)]),
            });
        }
    }
    drop(tx);
    let ready = page.steps.iter().all(|s| s.standing.is_empty()) && !page.steps.is_empty();
    // The domain's refusal names a wrong typed name; the page says it beside the field.
    let confirm_error = submitted
        .filter(|f| problem.is_some() && f.typed_name.trim() != page.name.trim())
        .map(|_| {
            tf(
                "Type the scenario's name exactly ({name}) to activate it.",
                &[&page.name],
            )
        });
    Ok(ActivatePage {
        layout: Layout::for_user(
            &user.0,
            &tf("Activate {name}", &[&page.name]),
            "/scenarios",
            None,
        ),
        name_label: name_label(),
        id,
        name: page.name,
        steps: page.steps,
        warnings,
        problem,
        ready,
        reauth: ReauthField::for_session(&user.0, now),
        typed: submitted.map(|f| f.typed_name.clone()).unwrap_or_default(),
        read_warning: submitted.is_some_and(|f| f.read_warning.is_some()),
        confirm_error,
    })
}

async fn activation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    Ok(render(
        &activation_page(&state, &user, id, None, None).await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActivateForm {
    typed_name: String,
    read_warning: Option<String>,
    ack: Vec<String>,
}

async fn activate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    confirmed: Confirmed<ActivateForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let form = &confirmed.form;
    let request = ActivationRequest {
        typed_name: form.typed_name.clone(),
        read_warning: form.read_warning.is_some(),
        acknowledged_warnings: form.ack.clone(),
    };
    let actor = user.actor();
    let activated = scenarios::activate(&state, state.clock.now(), &actor, id, &request);
    match confirmed.audited(activated).await {
        Ok(()) => Ok(redirect_with(
            &format!("/scenarios/{id}"),
            "Activated. Step messages cannot be taken back once sent.",
        )),
        Err(AppError::Conflict(why)) => Ok(render_with_status(
            StatusCode::CONFLICT,
            &activation_page(&state, &user, id, Some(translate_refusal(&why)), Some(form)).await?,
        )),
        Err(e) => Err(e),
    }
}

async fn act(state: &AppState, user: &CurrentUser, id: i64, action: Action) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    scenarios::change(state, state.clock.now(), &user.actor(), id, action).await?;
    let said = match action {
        Action::Pause => "Paused. Friends who reach a step meanwhile are held.",
        Action::Resume => "Resumed.",
        Action::Deactivate => "Deactivated. Nothing more is sent from this scenario.",
    };
    Ok(redirect_with(&format!("/scenarios/{id}"), said))
}

async fn pause(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    act(&state, &user, id, Action::Pause).await
}

async fn resume(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    act(&state, &user, id, Action::Resume).await
}

async fn deactivate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    act(&state, &user, id, Action::Deactivate).await
}

pub struct FriendScenarioView {
    pub scenario_id: i64,
    pub name: String,
    pub state: String,
    pub round: i64,
    pub entered: String,
    pub steps: Vec<FriendStepView>,
}

pub struct FriendStepView {
    pub position: i64,
    pub state: String,
    pub due: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "friends/show.html")]
struct FriendPage {
    layout: Layout,
    user_id: String,
    display_name: String,
    status: String,
    followed: String,
    scenarios: Vec<FriendScenarioView>,
}

async fn friend(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let pool = &state.pool;
    let tz = user.time_zone();
    let row = sqlx::query!(
        r#"SELECT user_id, display_name, followed_at AS "followed_at!: i64", blocked AS "blocked!: bool"
           FROM friends WHERE id = ?"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let at = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| local_time(d, tz))
            .unwrap_or_default()
    };
    let steps = db::scenarios::deliveries_of_friend(pool, id).await?;
    let scenarios = db::scenarios::enrollments_of_friend(pool, id)
        .await?
        .into_iter()
        .map(|e| FriendScenarioView {
            scenario_id: e.scenario_id,
            steps: steps
                .iter()
                .filter(|s| s.scenario_id == e.scenario_id && s.round == e.round)
                .map(|s| FriendStepView {
                    position: s.position,
                    state: s.state.clone(),
                    due: at(s.due_at),
                    reason: s.reason.clone().unwrap_or_default(),
                })
                .collect(),
            name: e.name,
            state: e.state,
            round: e.round,
            entered: at(e.enrolled_at),
        })
        .collect();
    Ok(render(&FriendPage {
        layout: Layout::for_user(&user.0, &row.user_id, "/friends", None),
        display_name: row.display_name,
        status: if row.blocked { "blocked" } else { "following" }.into(),
        followed: at(row.followed_at),
        user_id: row.user_id,
        scenarios,
    }))
}
