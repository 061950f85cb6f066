//! Releasing (DESIGN sections 2 and 6): every gate rule is evaluated again inside the write
//! transaction that records the release, together with its delivery rows and their retry
//! keys. Nothing else in sendgate creates delivery rows, so no path sends around the gate;
//! the dispatcher asks the gate once more when it comes to start the release
//! ([`crate::services::send_gate`]).
//!
//! An immediate release waits out the undo window (`release_hold_seconds`) as scheduled,
//! and one made during quiet hours waits for their end, without a new revision: the
//! revision was approved for "when released".

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::{self, audit::Actor};
use crate::delivery::{Audience, Quota};
use crate::domain::gate::{Confirmation, GateReport, Moment, QuotaFacts, evaluate, release_time};
use crate::domain::review::{self, DraftState};
use crate::domain::revision::DraftKind;
use crate::error::{AppError, AppResult};
use crate::services::drafts::{Current, load_current, state_of};
use crate::services::gate;
use crate::services::notifications::{self, Event};
use crate::state::AppState;

/// LINE's multicast takes at most 500 user ids.
pub const BATCH_SIZE: i64 = 500;

pub struct ReleaseRequest {
    pub typed_phrase: String,
    pub read_warning: bool,
    pub acknowledged_warnings: Vec<String>,
}

/// What the person must type: the number of recipients.
pub fn expected_phrase(recipients: i64) -> String {
    crate::i18n::format_number(recipients)
}

fn audience_of(kind: DraftKind) -> Audience {
    match kind {
        DraftKind::Broadcast => Audience::Broadcast,
        _ => Audience::Multicast { to: Vec::new() },
    }
}

/// Releases the draft's current revision: `Ok(Ok(release id))`, or `Ok(Err(report))` when
/// the gate is red (the report says which rules and why, for the release page).
pub async fn release(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
    request: &ReleaseRequest,
) -> AppResult<Result<i64, GateReport>> {
    let by = actor.user_id()?;
    let pool = &state.pool;
    // Network calls first, outside the write lock: LINE validates the messages and reports
    // the quota. Both are re-read facts, not decisions; the gate decides below.
    let (messages, audience) = {
        let mut tx = pool.begin().await?;
        let Current { content, .. } =
            load_current(&mut tx, draft_id, "it cannot be released again").await?;
        if content.kind() == DraftKind::Step {
            return Err(
                crate::services::scenarios::step_release_refusal(&mut *tx, draft_id).await?,
            );
        }
        if content.kind() == DraftKind::Greeting {
            return Err(crate::services::greeting::release_refusal());
        }
        let messages: Vec<Value> = content
            .messages()
            .iter()
            .map(|m| m.to_line_json())
            .collect();
        (messages, audience_of(content.kind()))
    };
    if let Err(e) = state.provider.validate(&audience, &messages).await {
        return Err(AppError::Conflict(format!(
            "LINE refused these messages: {}",
            e.describe()
        )));
    }
    let quota = Quota::reading(&state.provider.quota().await);

    let mut tx = db::begin_write(pool).await?;
    let Current {
        draft,
        revision,
        content,
    } = load_current(&mut tx, draft_id, "it cannot be released again").await?;
    let draft_state = state_of(&draft)?;
    if draft_state != DraftState::InReview {
        return Err(AppError::Conflict(match draft_state {
            DraftState::Scheduled | DraftState::Sending => {
                "This draft was already released.".to_string()
            }
            _ => review::release(draft_state)
                .err()
                .map(|e| e.reason)
                .unwrap_or_else(|| "This draft cannot be released now.".into()),
        }));
    }
    let policy = db::policy::get(&mut *tx).await?;
    let media_base = state.settings.public_url();
    let rules = gate::Rules {
        policy: &policy,
        media_base: &media_base,
    };
    let facts = gate::collect(&mut tx, now, &draft, &revision, &content, &rules).await?;
    let recipients = facts.recipients(content.kind());
    let expected = expected_phrase(recipients);
    let mut f = facts.facts(&revision, &content, &policy, now);
    f.acknowledged_warnings = &request.acknowledged_warnings;
    f.acknowledging = true;
    f.quota = Some(QuotaFacts {
        needed: recipients,
        reading: quota,
        reserved: facts.reserved,
    });
    f.confirmation = Some(Confirmation {
        typed: &request.typed_phrase,
        expected: &expected,
        read_warning: request.read_warning,
    });
    let report = evaluate(Moment::Release, &f);
    if !report.is_green() {
        return Ok(Err(report));
    }
    if recipients == 0 {
        return Err(AppError::Conflict(
            "Not released: nobody would receive it.".into(),
        ));
    }
    let (send_at, timing) = release_time(
        f.schedule
            .as_ref()
            .expect("the release gate was asked with a schedule"),
        now,
    )
    .map_err(AppError::Conflict)?;

    let preview = facts.latest_preview.as_ref();
    // A correction goes to exactly the original recipients: the same frozen snapshot for
    // a segment send, a broadcast for a broadcast. Checked again here, in the transaction.
    if let Some(target) =
        crate::services::incidents::correction_target(&mut tx, draft_id, &content).await?
        && target.kind == DraftKind::Segment
        && (preview.and_then(|p| p.snapshot_hash.clone()) != target.accepted_hash())
    {
        return Err(AppError::Conflict(format!(
            "Not released: this correction must reach exactly the {} recipients who received release #{}; take a new audience preview.",
            target.received(),
            target.release.id
        )));
    }
    let approvers: Vec<String> = facts
        .status
        .approvers
        .iter()
        .map(|id| facts.name_of(*id))
        .collect();
    let approvers_json =
        serde_json::to_string(&approvers).map_err(|e| AppError::Internal(e.into()))?;
    let release_id = match db::releases::insert(
        &mut *tx,
        &db::releases::NewRelease {
            draft_id,
            revision_number: revision.number,
            content_hash: &revision.content_hash,
            kind: content.kind().as_str(),
            preview_id: preview.map(|p| p.id),
            snapshot_hash: preview.and_then(|p| p.snapshot_hash.as_deref()),
            recipients,
            approvers: &approvers_json,
            released_by: by,
            typed_phrase: request.typed_phrase.trim(),
            send_at,
            acknowledged_warnings: &serde_json::to_string(&request.acknowledged_warnings)
                .map_err(|e| AppError::Internal(e.into()))?,
            timing: timing.as_str(),
        },
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(AppError::Conflict(
                "This draft was already released.".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let mut batches = 0;
    match (content.kind(), preview) {
        (DraftKind::Broadcast, _) => {
            db::releases::insert_delivery(
                &mut *tx,
                release_id,
                0,
                "broadcast",
                None,
                None,
                recipients,
                &Uuid::new_v4().to_string(),
            )
            .await?;
            batches = 1;
        }
        (_, Some(p)) => {
            let mut after = String::new();
            loop {
                let page = db::previews::snapshot_page(&mut *tx, p.id, &after, BATCH_SIZE).await?;
                let (Some(first), Some(last)) = (page.first(), page.last()) else {
                    break;
                };
                db::releases::insert_delivery(
                    &mut *tx,
                    release_id,
                    batches,
                    "multicast",
                    Some(first),
                    Some(last),
                    page.len() as i64,
                    &Uuid::new_v4().to_string(),
                )
                .await?;
                after = last.clone();
                batches += 1;
            }
        }
        (_, None) => {
            return Err(AppError::Conflict(
                "Not released: take an audience preview first.".into(),
            ));
        }
    }
    db::drafts::set_state(&mut *tx, draft_id, DraftState::Scheduled.as_str(), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "release.created",
        &format!("draft:{draft_id}"),
        &json!({
            "release": release_id,
            "revision": revision.number,
            "content_hash": revision.content_hash,
            "snapshot_hash": preview.and_then(|p| p.snapshot_hash.clone()),
            "recipients": recipients,
            "batches": batches,
            "approvers": approvers,
            "typed_phrase": request.typed_phrase.trim(),
            "send_at": send_at.to_rfc3339(),
            "timing": timing.as_str(),
            "acknowledged_warnings": request.acknowledged_warnings,
        }),
    )
    .await?;
    notifications::record(
        &mut tx,
        now,
        &Event::ReleaseScheduled {
            draft_id,
            release_id,
            title: draft.title.clone(),
            author_id: draft.author_id,
            approver_ids: facts.status.approvers.clone(),
            actor_id: by,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(release_id))
}

/// Cancels a scheduled release until the dispatcher starts handing it to LINE, or a
/// release the send-time gate held: the draft is then cancelled, and nothing was sent.
pub async fn cancel(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
) -> AppResult<()> {
    let mut tx = db::begin_write(&state.pool).await?;
    let draft = db::drafts::find(&mut *tx, draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let release = match db::releases::latest_for_draft(&mut *tx, draft_id).await? {
        Some(id) => db::releases::find(&mut *tx, id).await?,
        None => None,
    };
    let release = match release {
        Some(r) if r.state == "scheduled" => r,
        // A held release leaves its draft in review; cancelling gives the send up.
        Some(r) if r.state == "held" && state_of(&draft)? == DraftState::InReview => r,
        Some(r) if r.state == "sending" => {
            return Err(AppError::Conflict(
                "Sending has started, so this release can no longer be stopped.".into(),
            ));
        }
        _ => {
            return Err(AppError::Conflict(
                "This draft has no scheduled release to cancel.".into(),
            ));
        }
    };
    if !db::releases::cancel(&mut *tx, release.id, now).await? {
        return Err(AppError::Conflict(
            "Sending has started, so this release can no longer be stopped.".into(),
        ));
    }
    db::drafts::set_state(&mut *tx, draft_id, DraftState::Cancelled.as_str(), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "release.cancelled",
        &format!("draft:{draft_id}"),
        &json!({ "release": release.id, "was": release.state }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
