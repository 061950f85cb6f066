//! The greeting sender (issue #19). The webhook queues one row per new friend (in the
//! transaction that applies the follow); [`send_next`] does one step: claim the oldest due
//! row, decide how to answer it ([`crate::domain::greeting::plan`]: a free reply while the
//! token is young enough, else the policy's fallback), ask the send-time gate for the active
//! greeting's revision ([`crate::services::send_gate::greeting_at_send`]: no quiet hours,
//! the quota only for a push), and hand it to LINE: `reply` with the event's token, or a
//! push whose retry key was stored before the call. Every outcome is recorded on the row
//! and audited. A red gate holds the greeting (nothing is sent, for this friend or the
//! next ones, until a greeting is activated again) and tells the people concerned once.
//! [`run`] loops around it; after a crash [`resume`] puts rows in flight back, a reply
//! marked uncertain (LINE may have taken it, so it is never followed by a push) and a push
//! with its stored key.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::db::{self, audit::Actor, greetings::SendRow};
use crate::delivery::{Audience, Batch, DeliveryError, Reply, ReplyError};
use crate::domain::gate::{Decision, GateReport, decide};
use crate::domain::greeting::{
    self, Attempt, Fallback, NO_ACTIVE_GREETING, Plan, TokenProblem, retry_delay_ms, token_unusable,
};
use crate::domain::revision::RevisionContent;
use crate::jobs::releases::MAX_ATTEMPTS;
use crate::services::notifications::{self, Event};
use crate::services::send_gate;
use crate::state::AppState;

/// What one step did, for the row it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GreetingStep {
    Idle,
    Replied(i64),
    Pushed(i64),
    NotGreeted(i64),
    Held(i64),
    Unknown(i64),
    /// Tried again later (LINE busy; or a reply refused, to be pushed next).
    Retrying(i64),
    /// The push waits for a quota LINE did not report.
    Waiting(i64),
}

fn system() -> Actor {
    Actor {
        id: None,
        name: "greeting-sender".into(),
    }
}

/// Puts greetings a crash left in flight back to pending.
pub async fn resume(state: &AppState) -> anyhow::Result<u64> {
    Ok(db::greetings::reset_in_flight(&state.pool).await?)
}

/// One step: claim the oldest greeting due now and settle or send it.
pub async fn send_next(state: &AppState) -> anyhow::Result<GreetingStep> {
    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    let Some(row) = db::greetings::claim_next(&mut *tx, now.timestamp_millis()).await? else {
        tx.commit().await?;
        return Ok(GreetingStep::Idle);
    };
    // The greeting sent is the one active now, whatever was active when the friend followed.
    let active = sendable(&mut tx, now, &row).await?;
    tx.commit().await?;
    let policy = db::policy::get(&state.pool).await?;
    let active = match active {
        Ok(a) => a,
        Err(step) => return Ok(step),
    };
    let plan = greeting::plan(&Attempt {
        reply_token: row.reply_token.as_deref(),
        token_age_ms: now.timestamp_millis() - row.followed_at_ms,
        deadline_seconds: policy.greeting_reply_deadline_seconds,
        fallback: policy.greeting_fallback,
        reply_uncertain: row.reply_uncertain,
        pushing: row.method.as_deref() == Some("push"),
    });
    let push = match plan {
        Plan::Reply => false,
        Plan::Instead(Fallback::Push) => true,
        Plan::Instead(other) => return instead(state, &row, active.id, other).await,
    };

    // The gate at the moment of sending, with a push's quota read outside the write lock.
    let quota = if push {
        Some(state.quota.reading(state.provider.as_ref(), now).await)
    } else {
        None
    };
    let mut tx = db::begin_write(&state.pool).await?;
    // Another person may have activated or deactivated a greeting meanwhile: the gate is
    // asked of what is active inside this transaction.
    let active = match sendable(&mut tx, now, &row).await? {
        Ok(a) => a,
        Err(step) => {
            tx.commit().await?;
            return Ok(step);
        }
    };
    let report =
        send_gate::greeting_at_send(&mut tx, now, &active, quota, &state.settings.public_url())
            .await?;
    match decide(&report) {
        Decision::Send => {}
        Decision::Wait { until } => {
            db::greetings::retry(&mut *tx, row.id, until.timestamp_millis(), None, false).await?;
            tx.commit().await?;
            return Ok(GreetingStep::Waiting(row.id));
        }
        Decision::Hold { .. } => {
            hold(&mut tx, now, &row, &active, &report).await?;
            tx.commit().await?;
            return Ok(GreetingStep::Held(row.id));
        }
    }
    // Stored before the call: a retried push carries the same key, so it reaches the friend
    // once; a reply is recorded as in flight, so a crash now never leads to a push as well.
    let key = push.then(|| {
        row.retry_key
            .clone()
            .unwrap_or_else(|| Uuid::new_v4().to_string())
    });
    let method = if push { "push" } else { "reply" };
    db::greetings::set_method(&mut *tx, row.id, method, key.as_deref(), active.id).await?;
    tx.commit().await?;

    let revision = db::drafts::revision(&state.pool, active.draft_id, active.revision_number)
        .await?
        .ok_or_else(|| anyhow::anyhow!("greeting {} lost its revision", active.id))?;
    let content = RevisionContent::from_json(&revision.content)?;
    if let Some(key) = key {
        let batch = Batch::of(
            &content,
            Audience::Push {
                to: row.user_id.clone(),
            },
            key.parse()?,
        );
        state.pacer.acquire(batch.audience.method()).await;
        let result = state.provider.send(&batch).await;
        return after_push(state, &row, active.id, result).await;
    }
    let token = row.reply_token.clone().unwrap_or_default();
    let result = state.provider.reply(&Reply::of(&content, token)).await;
    after_reply(state, &row, active.id, policy.greeting_fallback, result).await
}

/// The reply cannot be made: push at the next step (which asks the gate again, with the
/// quota), or record the friend as not greeted or the outcome as unknown.
async fn instead(
    state: &AppState,
    row: &SendRow,
    activation: i64,
    fallback: Fallback,
) -> anyhow::Result<GreetingStep> {
    match fallback {
        Fallback::Push => {
            let now = state.clock.now();
            let key = Uuid::new_v4().to_string();
            let mut tx = db::begin_write(&state.pool).await?;
            db::greetings::set_method(&mut *tx, row.id, "push", Some(&key), activation).await?;
            db::greetings::retry(&mut *tx, row.id, now.timestamp_millis(), None, false).await?;
            tx.commit().await?;
            Ok(GreetingStep::Retrying(row.id))
        }
        Fallback::NotGreeted(why) => {
            settle(state, row, Some(activation), Settled::NotGreeted(why)).await?;
            Ok(GreetingStep::NotGreeted(row.id))
        }
        Fallback::Unknown(why) => {
            settle(state, row, Some(activation), Settled::Unknown(why)).await?;
            Ok(GreetingStep::Unknown(row.id))
        }
    }
}

/// The active greeting when one can be sent now; otherwise what is recorded for this
/// friend instead (none is active: not greeted; the active one is held: held too).
async fn sendable(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    row: &SendRow,
) -> anyhow::Result<Result<db::greetings::ActivationRow, GreetingStep>> {
    match db::greetings::active(&mut **tx).await? {
        None => {
            let why = Settled::NotGreeted(NO_ACTIVE_GREETING.into());
            settle_in(tx, now, row, None, &why).await?;
            Ok(Err(GreetingStep::NotGreeted(row.id)))
        }
        Some(a) if a.held_at.is_some() => {
            record_held(tx, now, row, a.id, &a.hold_reasons()).await?;
            Ok(Err(GreetingStep::Held(row.id)))
        }
        Some(a) => Ok(Ok(a)),
    }
}

/// What was decided about one friend without (another) call to LINE.
enum Settled {
    Replied(Option<String>),
    Pushed(Option<String>),
    NotGreeted(String),
    Unknown(String),
}

async fn settle(
    state: &AppState,
    row: &SendRow,
    activation: Option<i64>,
    settled: Settled,
) -> anyhow::Result<()> {
    let mut tx = db::begin_write(&state.pool).await?;
    settle_in(&mut tx, state.clock.now(), row, activation, &settled).await?;
    tx.commit().await?;
    Ok(())
}

/// Records one friend's outcome and its audit event in `tx`.
async fn settle_in(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    row: &SendRow,
    activation: Option<i64>,
    settled: &Settled,
) -> anyhow::Result<()> {
    let (outcome, action, reason, request_id) = match settled {
        Settled::Replied(id) => ("replied", "greeting.replied", None, id.as_deref()),
        Settled::Pushed(id) => ("pushed", "greeting.pushed", None, id.as_deref()),
        Settled::NotGreeted(why) => ("not_greeted", "greeting.not_greeted", Some(why), None),
        Settled::Unknown(why) => ("unknown", "greeting.outcome_unknown", Some(why), None),
    };
    db::greetings::finish(
        &mut **tx,
        row.id,
        &db::greetings::Outcome {
            state: outcome,
            reason: reason.map(String::as_str),
            hold_reasons: None,
            request_id,
            activation_id: activation,
        },
        now,
    )
    .await?;
    db::audit::append(
        tx,
        now,
        &system(),
        action,
        &format!("friend:{}", row.user_id),
        &json!({ "greeting": row.id, "activation": activation, "method": row.method, "attempts": row.attempts, "request_id": request_id, "reason": reason }),
    )
    .await?;
    Ok(())
}

async fn after_reply(
    state: &AppState,
    row: &SendRow,
    activation: i64,
    fallback: crate::domain::policy::GreetingFallback,
    result: Result<crate::delivery::Replied, ReplyError>,
) -> anyhow::Result<GreetingStep> {
    let now = state.clock.now();
    match result {
        Ok(replied) => {
            settle(
                state,
                row,
                Some(activation),
                Settled::Replied(replied.request_id),
            )
            .await?;
            Ok(GreetingStep::Replied(row.id))
        }
        Err(ReplyError::TokenUnusable(line)) => {
            let fallback =
                token_unusable(TokenProblem::Refused(line), row.reply_uncertain, fallback);
            instead(state, row, activation, fallback).await
        }
        Err(ReplyError::Delivery(DeliveryError::Retryable(why))) => {
            // LINE may have taken it: try the same token again while it is young (LINE
            // refuses a used one); never push after this.
            let mut tx = db::begin_write(&state.pool).await?;
            db::greetings::retry(
                &mut *tx,
                row.id,
                now.timestamp_millis() + retry_delay_ms(row.attempts),
                Some(&why),
                true,
            )
            .await?;
            tx.commit().await?;
            Ok(GreetingStep::Retrying(row.id))
        }
        Err(ReplyError::Delivery(e)) => {
            let why = format!("LINE refused the reply: {}", e.describe());
            settle(state, row, Some(activation), Settled::NotGreeted(why)).await?;
            Ok(GreetingStep::NotGreeted(row.id))
        }
    }
}

async fn after_push(
    state: &AppState,
    row: &SendRow,
    activation: i64,
    result: Result<crate::delivery::Accepted, DeliveryError>,
) -> anyhow::Result<GreetingStep> {
    let now = state.clock.now();
    match result {
        Ok(accepted) => {
            state.quota.note_sent(1);
            settle(
                state,
                row,
                Some(activation),
                Settled::Pushed(accepted.request_id),
            )
            .await?;
            Ok(GreetingStep::Pushed(row.id))
        }
        Err(DeliveryError::Retryable(why)) if row.attempts < MAX_ATTEMPTS => {
            let mut tx = db::begin_write(&state.pool).await?;
            db::greetings::retry(
                &mut *tx,
                row.id,
                now.timestamp_millis() + retry_delay_ms(row.attempts),
                Some(&why),
                false,
            )
            .await?;
            tx.commit().await?;
            Ok(GreetingStep::Retrying(row.id))
        }
        Err(e) => {
            let why = format!("LINE refused the push: {}", e.describe());
            settle(state, row, Some(activation), Settled::NotGreeted(why)).await?;
            Ok(GreetingStep::NotGreeted(row.id))
        }
    }
}

/// The send-time gate was red: this friend's greeting is held, and so is the active
/// greeting (the next friends' too) until someone activates one again. The people
/// concerned are told the first time.
async fn hold(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    row: &SendRow,
    active: &db::greetings::ActivationRow,
    report: &GateReport,
) -> anyhow::Result<()> {
    let reasons = send_gate::hold_reasons(report);
    record_held(tx, now, row, active.id, &reasons).await?;
    if !db::greetings::hold_activation(&mut **tx, active.id, &reasons, now).await? {
        return Ok(());
    }
    db::audit::append(
        tx,
        now,
        &system(),
        "greeting.activation_held",
        &format!("draft:{}", active.draft_id),
        &json!({ "activation": active.id, "revision": active.revision_number, "reasons": reasons }),
    )
    .await?;
    let draft = db::drafts::find(&mut **tx, active.draft_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("greeting {} lost its draft", active.id))?;
    let approver_ids =
        db::reviews::approver_ids(&mut **tx, active.draft_id, active.revision_number).await?;
    notifications::record(
        tx,
        now,
        &Event::GreetingHeld {
            title: draft.title,
            author_id: draft.author_id,
            activated_by: active.activated_by,
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

/// One friend's greeting held, with the gate's reasons, audited.
async fn record_held(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    row: &SendRow,
    activation: i64,
    reasons: &[db::releases::HoldReason],
) -> anyhow::Result<()> {
    db::greetings::finish(
        &mut **tx,
        row.id,
        &db::greetings::Outcome {
            state: "held",
            reason: None,
            hold_reasons: Some(reasons),
            request_id: None,
            activation_id: Some(activation),
        },
        now,
    )
    .await?;
    db::audit::append(
        tx,
        now,
        &system(),
        "greeting.held",
        &format!("friend:{}", row.user_id),
        &json!({ "greeting": row.id, "activation": activation, "reasons": reasons }),
    )
    .await?;
    Ok(())
}

/// The background loop's call: one step; true when it did something (the loop does not
/// rest then).
pub async fn tick(state: &AppState) -> bool {
    match send_next(state).await {
        Ok(GreetingStep::Idle) => false,
        Ok(_) => true,
        Err(e) => {
            tracing::error!(error = ?e, "greeting sender step failed");
            false
        }
    }
}

/// How long the loop rests when nothing is due: a new friend is answered within this.
pub const IDLE_REST: Duration = Duration::from_millis(250);

/// Resumes what a crash left in flight, then steps until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    if let Err(e) = resume(&state).await {
        tracing::error!(error = ?e, "greeting sender could not resume greetings in flight");
    }
    loop {
        if *shutdown.borrow() {
            return;
        }
        if !tick(&state).await {
            tokio::select! {
                _ = tokio::time::sleep(IDLE_REST) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
