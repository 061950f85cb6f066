//! Step scenarios (issue #7): creating a scenario and its steps (each a draft of kind
//! `step`, reviewed and test-sent like any draft), the impact preview, activation (the
//! scenario's release: gate rules 1, 2, 3 and 5 for every step's current revision, checked
//! inside the write transaction that marks those revisions live), pause, resume and
//! deactivation, what happens to held messages, and who enters on a follow. Each change is
//! audited in its transaction.

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use crate::db::{self, audit::Actor, scenarios::StepRow};
use crate::domain::FieldError;
use crate::domain::audience::SegmentRules;
use crate::domain::gate::{Moment, evaluate};
use crate::domain::message::MessageInput;
use crate::domain::policy::ReleasePolicy;
use crate::domain::scenario::{
    self, Action, ActivationFacts, Delay, DueRange, Enrollment, HeldOutcome, ScenarioState,
    StepReadiness, Trigger,
};
use crate::error::{AppError, AppResult};
use crate::services::drafts::{self, Current, DraftInput, load_current};
use crate::services::gate;
use crate::services::previews::frozen_rules;
use crate::state::AppState;

pub const MAX_NAME_CHARS: usize = 100;

/// Why a step draft cannot go through `/drafts/{id}/release`: its scenario sends it.
pub async fn step_release_refusal(
    ex: impl sqlx::SqliteExecutor<'_>,
    draft_id: i64,
) -> AppResult<AppError> {
    let at = match db::scenarios::scenario_of_draft(ex, draft_id).await? {
        Some(id) => format!("activate its scenario at /scenarios/{id}"),
        None => "add it to a scenario at /scenarios".to_string(),
    };
    Ok(AppError::Conflict(format!(
        "A step message is not released on its own: it is sent by its scenario once the scenario is activated; {at}."
    )))
}

pub fn state_of(row: &db::scenarios::ScenarioRow) -> AppResult<ScenarioState> {
    ScenarioState::parse(&row.state)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown scenario state {}", row.state)))
}

pub fn delay_of(step: &StepRow) -> Delay {
    Delay::from_parts(step.delay_days, step.delay_minutes)
}

async fn load(conn: &mut SqliteConnection, id: i64) -> AppResult<db::scenarios::ScenarioRow> {
    db::scenarios::find(&mut *conn, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    name: &str,
    trigger: &str,
) -> AppResult<i64> {
    let by = actor.user_id()?;
    let name = name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new(
            "name",
            format!("Give the scenario a name of 1 to {MAX_NAME_CHARS} characters."),
        ));
    }
    let trigger = Trigger::parse(trigger);
    if trigger.is_none() {
        errors.push(FieldError::new(
            "trigger",
            "Choose what starts the scenario.",
        ));
    }
    let Some(trigger) = trigger.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = db::begin_write(&state.pool).await?;
    let id = match db::scenarios::insert(&mut *tx, name, trigger.as_str(), by, now).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(AppError::invalid(
                "name",
                "A scenario with this name exists already; choose another name.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    db::audit::append(
        &mut tx,
        now,
        actor,
        "scenario.created",
        &format!("scenario:{id}"),
        &json!({ "name": name, "trigger": trigger.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The add-step form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StepInput {
    #[serde(default)]
    pub delay_days: String,
    #[serde(default)]
    pub delay_minutes: String,
    #[serde(default)]
    pub delay_at: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub segment_id: Option<i64>,
}

/// Adds a step with a new draft of kind `step` holding its first message; returns the
/// draft id. Steps are added before the first activation only.
pub async fn add_step(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    scenario_id: i64,
    input: &StepInput,
) -> AppResult<i64> {
    let delay = Delay::parse(&input.delay_days, &input.delay_minutes, &input.delay_at);
    let content = drafts::parse_input(
        &state.pool,
        &DraftInput {
            kind: "step".into(),
            title: input.title.clone(),
            notification_disabled: false,
            segment_id: input.segment_id,
            send_at_local: String::new(),
            messages: vec![MessageInput::text(input.text.clone())],
        },
    )
    .await;
    // A step at a time of day in quiet hours would wake every friend it reaches.
    let quiet = db::policy::get(&state.pool).await?.quiet_hours;
    let delay = delay.and_then(|d| match d {
        Delay::DayAt { at, .. } if quiet.contains_local(at) => Err(vec![FieldError::new(
            "delay_at",
            format!(
                "{} is in quiet hours ({} to {}); choose another time of day.",
                at.format("%H:%M"),
                quiet.start.format("%H:%M"),
                quiet.end.format("%H:%M")
            ),
        )]),
        d => Ok(d),
    });
    let (delay, content) = match (delay, content) {
        (Ok(d), Ok(c)) => (d, c),
        (d, c) => {
            let mut errors = d.err().unwrap_or_default();
            match c {
                Err(AppError::Invalid(mut e)) => errors.append(&mut e),
                Err(e) => return Err(e),
                Ok(_) => {}
            }
            return Err(AppError::Invalid(errors));
        }
    };
    let mut tx = db::begin_write(&state.pool).await?;
    let scenario = load(&mut tx, scenario_id).await?;
    if !state_of(&scenario)?.steps_editable() {
        return Err(AppError::Conflict(
            "Steps can be added only before the scenario is first activated; edit a step's message instead.".into(),
        ));
    }
    let draft_id = drafts::create_in(&mut tx, now, actor, &content).await?;
    let (days, minutes) = delay.parts();
    let step_id =
        db::scenarios::insert_step(&mut *tx, scenario_id, days, minutes, draft_id).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "scenario.step_added",
        &format!("scenario:{scenario_id}"),
        &json!({ "step": step_id, "draft": draft_id, "delay": delay.describe() }),
    )
    .await?;
    tx.commit().await?;
    Ok(draft_id)
}

/// What identifies the exact steps a preview or an activation is about.
pub async fn fingerprint(conn: &mut SqliteConnection, steps: &[StepRow]) -> AppResult<String> {
    let mut h = Sha256::new();
    for s in steps {
        let hash = db::drafts::revision(&mut *conn, s.draft_id, s.current_revision)
            .await?
            .map(|r| r.content_hash)
            .unwrap_or_default();
        h.update(format!(
            "{}:{}:{}:{}:{}:{hash};",
            s.id, s.position, s.delay_days, s.delay_minutes, s.current_revision
        ));
    }
    Ok(hex::encode(h.finalize()))
}

/// The step's audience: the segment its current revision froze, or everyone in it.
pub async fn step_rules(
    conn: &mut SqliteConnection,
    step: &StepRow,
    revision: i64,
) -> AppResult<Option<SegmentRules>> {
    let row = db::drafts::revision(&mut *conn, step.draft_id, revision)
        .await?
        .ok_or(AppError::NotFound)?;
    let content = crate::domain::revision::RevisionContent::from_json(&row.content)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(match content.segment() {
        Some(_) => Some(frozen_rules(&content)?),
        None => None,
    })
}

/// How many following friends in the scenario the step reaches in `(from, to]`.
pub async fn count_due(
    conn: &mut SqliteConnection,
    step: &StepRow,
    rules: Option<&SegmentRules>,
    from: i64,
    to: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> AppResult<i64> {
    let audience = db::scenarios::StepAudience {
        rules,
        window: rules.map(|r| r.follow_window(now, tz)).unwrap_or_default(),
    };
    Ok(match scenario::due_range(delay_of(step), from, to, tz) {
        None => 0,
        Some(DueRange::EnteredBetween(a, b)) => {
            db::scenarios::count_due(
                &mut *conn,
                step.scenario_id,
                db::scenarios::Range::Entered(a, b),
                &audience,
            )
            .await?
        }
        Some(DueRange::LocalDays(lo, hi)) => {
            let mut n = 0;
            for d in lo..=hi {
                n += db::scenarios::count_due(
                    &mut *conn,
                    step.scenario_id,
                    db::scenarios::Range::Day(d),
                    &audience,
                )
                .await?;
            }
            n
        }
    })
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StepImpact {
    pub position: i64,
    pub day: i64,
    pub week: i64,
    pub month: i64,
}

/// Takes the impact preview: per step, who receives it in the next 24 h, 7 and 30 days.
pub async fn take_preview(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    scenario_id: i64,
) -> AppResult<i64> {
    let by = actor.user_id()?;
    let quota = state.provider.quota().await.ok();
    let mut tx = db::begin_write(&state.pool).await?;
    let scenario = load(&mut tx, scenario_id).await?;
    if state_of(&scenario)? == ScenarioState::Deactivated {
        return Err(AppError::Conflict("This scenario was deactivated.".into()));
    }
    let tz = db::policy::get(&mut *tx).await?.time_zone;
    let steps = db::scenarios::steps(&mut *tx, scenario_id).await?;
    if steps.is_empty() {
        return Err(AppError::Conflict(
            "Add a step before taking an impact preview.".into(),
        ));
    }
    let t = now.timestamp();
    let mut impacts = Vec::new();
    for s in &steps {
        let rules = step_rules(&mut tx, s, s.current_revision).await?;
        let mut n = [0i64; 3];
        for (i, days) in [1i64, 7, 30].into_iter().enumerate() {
            n[i] = count_due(&mut tx, s, rules.as_ref(), t, t + days * 86_400, now, tz).await?;
        }
        impacts.push(StepImpact {
            position: s.position,
            day: n[0],
            week: n[1],
            month: n[2],
        });
    }
    let print = fingerprint(&mut tx, &steps).await?;
    let counts = serde_json::to_string(&impacts).map_err(|e| AppError::Internal(e.into()))?;
    let id = db::scenarios::insert_preview(
        &mut *tx,
        scenario_id,
        &print,
        &counts,
        quota.and_then(|q| q.limit),
        quota.map(|q| q.used),
        by,
        now,
    )
    .await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "scenario.previewed",
        &format!("scenario:{scenario_id}"),
        &json!({ "preview": id, "steps": impacts }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn acknowledge_preview(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    scenario_id: i64,
    preview_id: i64,
) -> AppResult<()> {
    let by = actor.user_id()?;
    let mut tx = db::begin_write(&state.pool).await?;
    if !db::scenarios::acknowledge_preview(&mut *tx, preview_id, scenario_id, by, now).await? {
        return Err(AppError::Conflict(
            "This preview was already acknowledged or does not belong to this scenario.".into(),
        ));
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "scenario.preview_acknowledged",
        &format!("scenario:{scenario_id}"),
        &json!({ "preview": preview_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The gate at [`Moment::Activation`] (rules 1, 2, 3 and 5) for one step's current
/// revision. `acks` are the warning keys acknowledged on the activation page
/// (`Finding::key()` prefixed with `step{id}:`); `None` when only showing the state.
pub async fn readiness(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    rules: &gate::Rules<'_>,
    step: &StepRow,
    acks: Option<&[String]>,
) -> AppResult<(StepReadiness, Vec<crate::domain::checks::Finding>)> {
    let policy = rules.policy;
    let Current {
        draft,
        revision,
        content,
    } = load_current(tx, step.draft_id, "a step must stay editable").await?;
    let facts = gate::collect(tx, now, &draft, &revision, &content, rules).await?;
    let acknowledged = step_acks(step, acks.unwrap_or_default());
    let mut f = facts.facts(&revision, &content, policy, now);
    f.acknowledged_warnings = &acknowledged;
    f.acknowledging = acks.is_some();
    let report = evaluate(Moment::Activation, &f);
    let failing = report
        .failing()
        .map(|c| (c.rule.label().to_string(), c.reason.clone()))
        .collect();
    Ok((
        StepReadiness {
            position: step.position,
            failing,
        },
        facts.findings,
    ))
}

/// The acknowledged warning keys of one step, from the activation form's `step{id}:` keys.
fn step_acks(step: &StepRow, acks: &[String]) -> Vec<String> {
    let prefix = format!("step{}:", step.id);
    acks.iter()
        .filter_map(|k| k.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

pub struct ActivationRequest {
    pub typed_name: String,
    pub read_warning: bool,
    pub acknowledged_warnings: Vec<String>,
}

/// Activates (or re-activates after an edit) the scenario: every step's current revision
/// must pass rules 1, 2, 3 and 5 and the impact preview must be acknowledged, checked in
/// the transaction that marks those revisions live. Held messages then follow the policy.
pub async fn activate(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    scenario_id: i64,
    request: &ActivationRequest,
) -> AppResult<()> {
    let mut tx = db::begin_write(&state.pool).await?;
    let scenario = load(&mut tx, scenario_id).await?;
    let from = state_of(&scenario)?;
    let policy = db::policy::get(&mut *tx).await?;
    let media_base = state.settings.public_url();
    let rules = gate::Rules {
        policy: &policy,
        media_base: &media_base,
    };
    let steps = db::scenarios::steps(&mut *tx, scenario_id).await?;
    let mut ready = Vec::new();
    for s in &steps {
        ready.push(
            readiness(
                &mut tx,
                now,
                &rules,
                s,
                Some(&request.acknowledged_warnings),
            )
            .await?
            .0,
        );
    }
    let print = fingerprint(&mut tx, &steps).await?;
    let preview = db::scenarios::latest_preview(&mut *tx, scenario_id).await?;
    let preview_problem = scenario::preview_problem(
        preview
            .as_ref()
            .map(|p| scenario::PreviewFacts {
                fingerprint: &p.fingerprint,
                taken_at: p.taken_at,
                acknowledged: p.acknowledged_at.is_some(),
            })
            .as_ref(),
        &print,
        now,
        policy.preview_max_age_minutes,
    );
    if let Err(reasons) = scenario::activation(&ActivationFacts {
        state: from,
        steps: &ready,
        preview_problem,
        name: &scenario.name,
        typed_name: &request.typed_name,
        read_warning: request.read_warning,
    }) {
        return Err(AppError::Conflict(format!(
            "Not activated. {}",
            reasons.join(" ")
        )));
    }
    let t = now.timestamp();
    let mut live = Vec::new();
    for s in &steps {
        // Each hand-off of this step asks the gate with the warnings acknowledged now.
        let acknowledged = serde_json::to_string(&step_acks(s, &request.acknowledged_warnings))
            .map_err(|e| AppError::Internal(e.into()))?;
        db::scenarios::set_live(&mut *tx, s.id, s.current_revision, &acknowledged, t).await?;
        live.push(json!({ "step": s.id, "position": s.position, "revision": s.current_revision }));
    }
    // A paused scenario stays paused: activation re-approves its steps, resume restarts it.
    let to = if from == ScenarioState::Paused {
        ScenarioState::Paused
    } else {
        ScenarioState::Active
    };
    db::scenarios::set_state(&mut *tx, scenario_id, to.as_str(), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "scenario.activated",
        &format!("scenario:{scenario_id}"),
        &json!({ "from": from.as_str(), "steps": live, "preview": preview.map(|p| p.id), "typed_name": request.typed_name.trim() }),
    )
    .await?;
    if to == ScenarioState::Active {
        settle_held(&mut tx, now, actor, scenario_id, &policy).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Held messages of the now-live steps go out or are skipped, as the policy says; each
/// decision is audited.
async fn settle_held(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    scenario_id: i64,
    policy: &ReleasePolicy,
) -> AppResult<()> {
    let steps = db::scenarios::steps(&mut **tx, scenario_id).await?;
    for row in db::scenarios::held_of_live_steps(&mut **tx, scenario_id).await? {
        let revision = steps
            .iter()
            .find(|s| s.id == row.step_id)
            .and_then(|s| s.live_revision)
            .unwrap_or_default();
        let outcome = if row.blocked {
            HeldOutcome::Skip
        } else {
            scenario::held_outcome(policy.held_messages, row.due_at, now.timestamp())
        };
        let (action, reason) = match outcome {
            HeldOutcome::Send => {
                db::scenarios::release_held(&mut **tx, row.id, revision).await?;
                ("scenario.held_sent", None)
            }
            HeldOutcome::Skip => {
                let why = if row.blocked {
                    "blocked the account while held"
                } else {
                    "held past the policy's limit"
                };
                db::scenarios::skip(&mut **tx, row.id, why).await?;
                ("scenario.held_skipped", Some(why))
            }
        };
        db::audit::append(
            tx,
            now,
            actor,
            action,
            &format!("scenario:{scenario_id}"),
            &json!({ "step": row.step_id, "friend": row.user_id, "due_at": row.due_at, "policy": policy.held_messages.as_str(), "reason": reason }),
        )
        .await?;
    }
    Ok(())
}

/// Pause, resume, deactivate.
pub async fn change(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    scenario_id: i64,
    action: Action,
) -> AppResult<()> {
    let mut tx = db::begin_write(&state.pool).await?;
    let scenario = load(&mut tx, scenario_id).await?;
    let from = state_of(&scenario)?;
    let to = scenario::transition(from, action).map_err(AppError::Conflict)?;
    db::scenarios::set_state(&mut *tx, scenario_id, to.as_str(), now).await?;
    let skipped = if to == ScenarioState::Deactivated {
        db::scenarios::skip_unsent(&mut *tx, scenario_id, "the scenario was deactivated").await?
    } else {
        0
    };
    db::audit::append(
        &mut tx,
        now,
        actor,
        &format!("scenario.{}", action.as_str()),
        &format!("scenario:{scenario_id}"),
        &json!({ "from": from.as_str(), "to": to.as_str(), "skipped": skipped }),
    )
    .await?;
    if to == ScenarioState::Active {
        let policy = db::policy::get(&mut *tx).await?;
        settle_held(&mut tx, now, actor, scenario_id, &policy).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A follow from the webhook: the friend enters (or restarts) every running scenario
/// whose trigger says so, at `now`.
pub async fn on_follow(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    user_id: &str,
    new_friend: bool,
) -> Result<(), sqlx::Error> {
    let running = db::scenarios::enrolling(&mut **tx).await?;
    if running.is_empty() {
        return Ok(());
    }
    let Some(friend) = db::friends::find_by_user_id(&mut **tx, user_id).await? else {
        return Ok(());
    };
    let tz = db::policy::get(&mut **tx).await?.time_zone;
    let t = now.timestamp();
    for (scenario_id, trigger) in running {
        let Some(trigger) = Trigger::parse(&trigger) else {
            continue;
        };
        let round = db::scenarios::round_of(&mut **tx, scenario_id, friend.id).await?;
        let (round, action) = match scenario::on_follow(trigger, new_friend, round) {
            Enrollment::Stay => continue,
            Enrollment::Enter => (1, "scenario.entered"),
            Enrollment::Restart(n) => (n, "scenario.restarted"),
        };
        db::scenarios::enroll(
            &mut **tx,
            scenario_id,
            friend.id,
            round,
            t,
            scenario::local_day(t, tz),
        )
        .await?;
        db::audit::append(
            tx,
            now,
            actor,
            action,
            &format!("scenario:{scenario_id}"),
            &json!({ "friend": user_id, "round": round }),
        )
        .await?;
    }
    Ok(())
}
