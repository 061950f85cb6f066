//! The greeting message (あいさつメッセージ) behind the gate (issue #19): greeting drafts
//! (kind `greeting`, reviewed and test-sent like any draft), their activation (gate rules
//! 1, 2, 3, 5 and 7 at [`Moment::Greeting`], with the account's name as the typed phrase,
//! checked inside the write transaction that makes the revision active), deactivation, and
//! queueing a greeting for each new friend from the webhook's follow. Every change is
//! audited in its transaction. Sending is the greeting sender's (`crate::jobs::greetings`),
//! which asks the send-time gate before each reply.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::{self, audit::Actor};
use crate::delivery::Audience;
use crate::domain::gate::{Confirmation, GateReport, Moment, evaluate};
use crate::domain::greeting::{self, OnFollow};
use crate::domain::message::MessageInput;
use crate::domain::review::DraftState;
use crate::domain::revision::DraftKind;
use crate::error::{AppError, AppResult};
use crate::services::drafts::{self, Current, DraftInput, load_current};
use crate::services::gate;
use crate::state::AppState;

/// How many greetings the greeting page lists.
pub const RECENT: i64 = 50;

/// Why a greeting draft cannot go through `/drafts/{id}/release`: it is activated.
pub fn release_refusal() -> AppError {
    AppError::Conflict(
        "A greeting message is not released: it is activated on the greeting page (/greeting), and from then on each new friend receives it."
            .into(),
    )
}

/// Refuses anything but a greeting draft.
fn ensure_greeting(draft: &db::drafts::DraftRow) -> AppResult<()> {
    if draft.kind == DraftKind::Greeting.as_str() {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "Only a greeting message can be activated as the greeting; this draft is released from its own page."
                .into(),
        ))
    }
}

/// A new greeting draft with its first message; returns the draft id.
pub async fn create_draft(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    title: &str,
    text: &str,
) -> AppResult<i64> {
    let content = drafts::parse_input(
        pool,
        &DraftInput {
            kind: DraftKind::Greeting.as_str().into(),
            title: title.into(),
            messages: vec![MessageInput::text(text)],
            ..DraftInput::default()
        },
    )
    .await?;
    drafts::create(pool, now, actor, &content).await
}

/// What the person activating typed and ticked.
#[derive(Debug, Clone, Default)]
pub struct ActivationRequest {
    pub typed_name: String,
    pub read_warning: bool,
    pub acknowledged_warnings: Vec<String>,
}

/// The gate at [`Moment::Greeting`] for the draft's current revision: as the activation
/// page shows it (`request` None: no warning acknowledged, nothing typed yet), or as the
/// activation asks it.
pub async fn activation_gate(
    conn: &mut sqlx::SqliteConnection,
    now: DateTime<Utc>,
    account_name: &str,
    media_base: &str,
    current: &Current,
    request: Option<&ActivationRequest>,
) -> AppResult<(GateReport, gate::GateFacts)> {
    let policy = db::policy::get(&mut *conn).await?;
    let rules = gate::Rules {
        policy: &policy,
        media_base,
    };
    let facts = gate::collect(
        conn,
        now,
        &current.draft,
        &current.revision,
        &current.content,
        &rules,
    )
    .await?;
    let mut f = facts.facts(&current.revision, &current.content, &policy, now);
    if let Some(r) = request {
        f.acknowledged_warnings = &r.acknowledged_warnings;
        f.acknowledging = true;
        f.confirmation = Some(Confirmation {
            typed: &r.typed_name,
            expected: account_name,
            read_warning: r.read_warning,
        });
    }
    let report = evaluate(Moment::Greeting, &f);
    Ok((report, facts))
}

/// Activates the greeting draft's current revision: from then on every new friend gets
/// it. `Ok(Err(report))` when the gate is red (the report says which rules and why). The
/// greeting active before (another draft, or an older revision of this one) keeps being
/// sent until this very transaction replaces it.
pub async fn activate(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
    request: &ActivationRequest,
) -> AppResult<Result<i64, GateReport>> {
    let by = actor.user_id()?;
    let pool = &state.pool;
    // LINE validates the messages first, outside the write lock (a network call). The push
    // endpoint's rules are the stricter of the two a greeting may be sent by.
    let messages = {
        let mut tx = pool.begin().await?;
        let current = load_current(&mut tx, draft_id, "it cannot be activated").await?;
        ensure_greeting(&current.draft)?;
        current
            .content
            .messages()
            .iter()
            .map(|m| m.to_line_json())
            .collect::<Vec<_>>()
    };
    let audience = Audience::Push { to: String::new() };
    if let Err(e) = state.provider.validate(&audience, &messages).await {
        return Err(AppError::Conflict(format!(
            "LINE refused these messages: {}",
            e.describe()
        )));
    }

    let mut tx = db::begin_write(pool).await?;
    let current = load_current(&mut tx, draft_id, "it cannot be activated").await?;
    ensure_greeting(&current.draft)?;
    if drafts::state_of(&current.draft)? != DraftState::InReview {
        return Err(AppError::Conflict(
            "Submit the greeting message for review first: it is activated once reviewers have approved it."
                .into(),
        ));
    }
    let account = state.settings.account_name.clone();
    let (report, facts) = activation_gate(
        &mut tx,
        now,
        &account,
        &state.settings.public_url(),
        &current,
        Some(request),
    )
    .await?;
    if !report.is_green() {
        return Ok(Err(report));
    }
    let active = db::greetings::active(&mut *tx).await?;
    if let Some(a) = &active
        && a.draft_id == draft_id
        && a.revision_number == current.revision.number
        && a.held_at.is_none()
    {
        return Err(AppError::Conflict(format!(
            "Revision {} is already the active greeting message.",
            a.revision_number
        )));
    }
    let replaced = db::greetings::end_active(&mut *tx, "replaced", Some(by), now).await?;
    let approvers: Vec<String> = facts
        .status
        .approvers
        .iter()
        .map(|id| facts.name_of(*id))
        .collect();
    let approvers_json = json!(approvers).to_string();
    let acknowledged = json!(request.acknowledged_warnings).to_string();
    let id = db::greetings::insert_activation(
        &mut *tx,
        &db::greetings::NewActivation {
            draft_id,
            revision_number: current.revision.number,
            content_hash: &current.revision.content_hash,
            approvers: &approvers_json,
            acknowledged_warnings: &acknowledged,
            typed_name: request.typed_name.trim(),
            activated_by: by,
        },
        now,
    )
    .await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "greeting.activated",
        &format!("draft:{draft_id}"),
        &json!({
            "activation": id,
            "revision": current.revision.number,
            "content_hash": current.revision.content_hash,
            "approvers": approvers,
            "acknowledged": request.acknowledged_warnings,
            "typed_name": request.typed_name.trim(),
            "replaced": replaced,
            "replaced_draft": active.as_ref().map(|a| a.draft_id),
            "replaced_revision": active.as_ref().map(|a| a.revision_number),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Deactivates the active greeting: new friends get none from sendgate until one is
/// activated again. Greetings queued and not yet sent are recorded as not greeted.
pub async fn deactivate(pool: &SqlitePool, now: DateTime<Utc>, actor: &Actor) -> AppResult<()> {
    let by = actor.user_id()?;
    let mut tx = db::begin_write(pool).await?;
    let Some(active) = db::greetings::active(&mut *tx).await? else {
        return Err(AppError::Conflict(
            "No greeting message is active, so there is nothing to deactivate.".into(),
        ));
    };
    db::greetings::end_active(&mut *tx, "deactivated", Some(by), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "greeting.deactivated",
        &format!("draft:{}", active.draft_id),
        &json!({ "activation": active.id, "revision": active.revision_number, "held": active.held_at.is_some() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A follow from the webhook, inside its transaction: while a greeting is active, the
/// friend's greeting is queued with the event's reply token, once per event and friend (a
/// redelivered follow queues nothing). A re-follow the policy does not greet is recorded
/// as not greeted. `at_ms` is LINE's event time.
#[allow(clippy::too_many_arguments)]
pub async fn on_follow(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    event_key: &str,
    user_id: &str,
    at_ms: i64,
    refollow: bool,
    reply_token: Option<&str>,
) -> Result<(), sqlx::Error> {
    let Some(active) = db::greetings::active(&mut **tx).await? else {
        return Ok(());
    };
    let Some(friend) = db::friends::find_by_user_id(&mut **tx, user_id).await? else {
        return Ok(());
    };
    let policy = db::policy::get(&mut **tx).await?;
    let (state, reason) = match greeting::on_follow(refollow, policy.greet_refollows) {
        OnFollow::Greet => ("pending", None),
        OnFollow::Skip(why) => ("not_greeted", Some(why)),
    };
    let queued = db::greetings::queue(
        &mut **tx,
        &db::greetings::NewSend {
            event_key,
            friend_id: friend.id,
            user_id,
            reply_token,
            followed_at_ms: greeting::token_issued_at_ms(at_ms, now.timestamp_millis()),
            refollow,
            state,
            reason,
            activation_id: Some(active.id),
        },
        now,
    )
    .await?;
    if queued {
        db::audit::append(
            tx,
            now,
            actor,
            if reason.is_none() {
                "greeting.queued"
            } else {
                "greeting.not_greeted"
            },
            &format!("friend:{user_id}"),
            &json!({ "activation": active.id, "event": event_key, "refollow": refollow, "reason": reason }),
        )
        .await?;
    }
    Ok(())
}
