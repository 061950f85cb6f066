//! Sending step messages (issue #7). [`dispatch_due_steps`] does one step: it writes a
//! delivery row for every (friend, step) pair that came due since the last look (one
//! indexed query per step and window, `OR IGNORE` on the unique pair, each row with its own
//! retry key) and holds the rows of steps that stopped, then claims one group of rows due in
//! the same minute, stores the call's retry key on them, and hands them to the provider
//! (push for one friend, multicast for up to 500) once the send-time gate is green for
//! them ([`crate::services::send_gate::step_at_send`]): in quiet hours the group waits for
//! their end, and when an approver left or the quota ran out the step is held until its
//! scenario is activated again. After a crash [`resume`] puts the rows in flight back
//! with their stored key, so LINE answers "already accepted" for anything it took, and
//! nobody gets a step twice.

use serde_json::json;
use uuid::Uuid;

use crate::db::{self, scenarios::Range};
use crate::delivery::{Audience, Batch, DeliveryError};
use crate::domain::gate::{Decision, decide};
use crate::domain::revision::RevisionContent;
use crate::domain::scenario::{self, DueRange};
use crate::jobs::releases::MAX_ATTEMPTS;
use crate::jobs::system;
use crate::services::notifications::{self, Event};
use crate::services::scenarios::{delay_of, step_rules};
use crate::services::send_gate;
use crate::state::AppState;

/// How far back each look at a day-0 step reaches again, so a friend whose entry committed
/// just after a look is still found (the unique pair keeps the overlap harmless).
pub const LOOKBACK_SECONDS: i64 = 600;
/// LINE's multicast takes at most 500 user ids.
pub const GROUP_SIZE: i64 = 500;

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepSend {
    Idle,
    Sent {
        step_id: i64,
        recipients: usize,
    },
    Retrying {
        step_id: i64,
    },
    Failed {
        step_id: i64,
    },
    /// The send-time gate asked the group to wait (quiet hours).
    Waiting {
        step_id: i64,
    },
    /// The send-time gate held the step: nothing was sent.
    Held {
        step_id: i64,
    },
}

/// Puts rows a crash left in flight back to pending, keeping their call's retry key.
pub async fn resume(state: &AppState) -> anyhow::Result<u64> {
    Ok(db::scenarios::reset_in_flight(&state.pool).await?)
}

/// Writes rows for every pair due up to now; returns how many are ready to send.
pub async fn queue_due(state: &AppState) -> anyhow::Result<u64> {
    let now = state.clock.now();
    let t = now.timestamp();
    let mut tx = db::begin_write(&state.pool).await?;
    let tz = db::policy::get(&mut *tx).await?.time_zone;
    let mut queued = 0;
    for (step, scenario_state) in db::scenarios::running_steps(&mut *tx).await? {
        let (Some(revision), Some(scanned)) = (step.live_revision, step.scanned_until) else {
            continue;
        };
        let state_for_match = if scenario_state == "active" && step.is_live() {
            "pending"
        } else {
            // Stopped: what was queued and not yet claimed waits too.
            db::scenarios::hold_step(&mut *tx, step.id).await?;
            "held"
        };
        let rules = step_rules(&mut tx, &step, revision)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let audience = db::scenarios::StepAudience {
            rules: rules.as_ref(),
            window: rules
                .as_ref()
                .map(|r| r.follow_window(now, tz))
                .unwrap_or_default(),
        };
        let delay = delay_of(&step);
        // Only day-0 steps can be due for an entry that commits late; later days are due
        // tomorrow at the earliest, so their days are looked at once.
        let from = match delay {
            scenario::Delay::MinutesAfter(_) => scanned - LOOKBACK_SECONDS,
            scenario::Delay::DayAt { .. } => scanned,
        };
        match scenario::due_range(delay, from, t, tz) {
            None => {}
            Some(DueRange::EnteredBetween(a, b)) => {
                let (_, minutes) = delay.parts();
                queued += db::scenarios::queue_due(
                    &mut tx,
                    step.scenario_id,
                    step.id,
                    revision,
                    Range::Entered(a, b),
                    minutes * 60,
                    0,
                    &audience,
                    state_for_match,
                )
                .await?;
            }
            Some(DueRange::LocalDays(lo, hi)) => {
                for day in lo..=hi {
                    // Everyone who followed on `day` is due at the same moment.
                    let due = scenario::due_for_day(delay, day, tz);
                    queued += db::scenarios::queue_due(
                        &mut tx,
                        step.scenario_id,
                        step.id,
                        revision,
                        Range::Day(day),
                        0,
                        due,
                        &audience,
                        state_for_match,
                    )
                    .await?;
                }
            }
        }
        db::scenarios::set_scanned(&mut *tx, step.id, t).await?;
    }
    tx.commit().await?;
    Ok(queued)
}

/// One step: queue what came due, then send one group.
pub async fn dispatch_due_steps(state: &AppState) -> anyhow::Result<StepSend> {
    queue_due(state).await?;
    send_next(state).await
}

/// Claims and sends one group of due rows.
pub async fn send_next(state: &AppState) -> anyhow::Result<StepSend> {
    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    let new_key = Uuid::new_v4().to_string();
    let claimed = db::scenarios::claim_next(&mut tx, now.timestamp(), GROUP_SIZE, &new_key).await?;
    tx.commit().await?;
    let Some(group) = claimed else {
        return Ok(StepSend::Idle);
    };
    // The gate at the moment of sending, with the quota read outside the write lock.
    let quota = state.quota.reading(state.provider.as_ref(), now).await;
    let mut tx = db::begin_write(&state.pool).await?;
    let report = send_gate::step_at_send(
        &mut tx,
        now,
        group.step_id,
        group.revision_number,
        group.user_ids.len() as i64,
        quota,
        &state.settings.public_url(),
    )
    .await?;
    match decide(&report) {
        Decision::Send => {}
        Decision::Wait { until } => {
            db::scenarios::defer(&mut *tx, &group.key, until.timestamp()).await?;
            tx.commit().await?;
            return Ok(StepSend::Waiting {
                step_id: group.step_id,
            });
        }
        Decision::Hold { .. } => {
            hold_step(&mut tx, now, &group, &report).await?;
            tx.commit().await?;
            return Ok(StepSend::Held {
                step_id: group.step_id,
            });
        }
    }
    tx.commit().await?;
    let draft_id = sqlx::query_scalar!(
        r#"SELECT draft_id AS "d!: i64" FROM scenario_steps WHERE id = ?"#,
        group.step_id
    )
    .fetch_one(&state.pool)
    .await?;
    let revision = db::drafts::revision(&state.pool, draft_id, group.revision_number)
        .await?
        .ok_or_else(|| anyhow::anyhow!("step {} lost its revision", group.step_id))?;
    let content = RevisionContent::from_json(&revision.content)?;
    let audience = match group.user_ids.as_slice() {
        [one] => Audience::Push { to: one.clone() },
        many => Audience::Multicast { to: many.to_vec() },
    };
    let batch = Batch::of(&content, audience, group.key.parse()?);
    state.pacer.acquire(batch.audience.method()).await;
    let result = state.provider.send(&batch).await;

    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    let outcome = match result {
        Ok(_) => {
            state.quota.note_sent(group.user_ids.len() as i64);
            db::scenarios::mark_sent(&mut *tx, &group.key, now).await?;
            StepSend::Sent {
                step_id: group.step_id,
                recipients: group.user_ids.len(),
            }
        }
        Err(DeliveryError::Retryable(why)) if group.attempts < MAX_ATTEMPTS => {
            let wait = (1i64 << group.attempts.clamp(0, 8)).min(300);
            db::scenarios::mark_retry(&mut *tx, &group.key, now.timestamp() + wait, &why).await?;
            StepSend::Retrying {
                step_id: group.step_id,
            }
        }
        Err(e) => {
            let why = e.describe();
            db::scenarios::mark_failed(&mut *tx, &group.key, &why).await?;
            db::audit::append(
                &mut tx,
                now,
                &system(),
                "scenario.step_failed",
                &format!("step:{}", group.step_id),
                &json!({ "retry_key": group.key, "recipients": group.user_ids.len(), "error": why }),
            )
            .await?;
            StepSend::Failed {
                step_id: group.step_id,
            }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// The send-time gate was red for a step: it is held (with what was waiting) until its
/// scenario is activated again, audited, and its author and approvers are told why.
async fn hold_step(
    tx: &mut db::Tx,
    now: chrono::DateTime<chrono::Utc>,
    group: &db::scenarios::ClaimedBatch,
    report: &crate::domain::gate::GateReport,
) -> anyhow::Result<()> {
    let reasons = send_gate::hold_reasons(report);
    let held =
        db::scenarios::hold_by_gate(tx, group.step_id, &serde_json::to_string(&reasons)?).await?;
    let step = db::scenarios::step(&mut **tx, group.step_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("step {} is gone", group.step_id))?;
    db::audit::append(
        tx,
        now,
        &system(),
        "scenario.step_held",
        &format!("scenario:{}", step.scenario_id),
        &json!({ "step": step.id, "revision": group.revision_number, "held": held, "reasons": reasons }),
    )
    .await?;
    let draft = db::drafts::find(&mut **tx, step.draft_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("step {} lost its draft", step.id))?;
    let approver_ids =
        db::reviews::approver_ids(&mut **tx, step.draft_id, group.revision_number).await?;
    notifications::record(
        tx,
        now,
        &Event::StepHeld {
            scenario_id: step.scenario_id,
            title: draft.title,
            author_id: draft.author_id,
            approver_ids,
            reason: reasons
                .first()
                .map(|r| r.reason.clone())
                .unwrap_or_default(),
        },
    )
    .await?;
    Ok(())
}

/// [`resume`] for the background loop, which logs instead of stopping.
pub async fn resume_logged(state: &AppState) {
    if let Err(e) = resume(state).await {
        tracing::error!(error = ?e, "could not resume step deliveries in flight");
    }
}

/// The background loop's call: one step. True when it did something (the loop does not
/// rest then).
pub async fn tick(state: &AppState) -> bool {
    match dispatch_due_steps(state).await {
        Ok(StepSend::Idle) | Ok(StepSend::Retrying { .. }) => false,
        // A group that waits or was held: look at the next one at once.
        Ok(StepSend::Waiting { .. }) | Ok(StepSend::Held { .. }) => true,
        Ok(_) => true,
        Err(e) => {
            tracing::error!(error = ?e, "step dispatcher step failed");
            false
        }
    }
}
