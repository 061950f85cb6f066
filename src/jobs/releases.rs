//! The background sender (DESIGN section 6). [`dispatch_one`] does one step: ask the
//! send-time gate of each release whose time has come and start it, hold it, or let it
//! wait; claim one delivery row atomically, hand it to the provider with its stored retry
//! key, and record the outcome. [`run`] loops around it. After a crash the rows left in
//! flight go back to pending with their keys, so LINE answers "already accepted" for
//! anything it took, and nobody gets a message twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::db;
use crate::delivery::{Audience, Batch, DeliveryError, Quota};
use crate::domain::audience::SnapshotHasher;
use crate::domain::gate::{Decision, decide};
use crate::domain::review::DraftState;
use crate::domain::revision::RevisionContent;
use crate::jobs::system;
use crate::services::notifications::{self, Event};
use crate::services::send_gate;
use crate::state::AppState;

/// Attempts per row for temporary failures before the row is given up.
pub const MAX_ATTEMPTS: i64 = 12;

fn backoff(attempts: i64) -> chrono::Duration {
    chrono::Duration::seconds((1i64 << attempts.clamp(0, 8)).min(300))
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Idle,
    /// Releases that started (the send-time gate was green) and that were held.
    Started(usize),
    Held(usize),
    Sent {
        release_id: i64,
    },
    Retrying {
        release_id: i64,
    },
    Failed {
        release_id: i64,
    },
}

/// Puts rows a crash left in flight back to pending. Call once at start.
pub async fn resume(state: &AppState) -> anyhow::Result<u64> {
    Ok(db::releases::reset_in_flight(&state.pool).await?)
}

pub async fn dispatch_one(state: &AppState) -> anyhow::Result<Step> {
    let now = state.clock.now();
    if !db::releases::has_due_work(&state.pool, now).await? {
        return Ok(Step::Idle);
    }
    let due = db::releases::due_scheduled(&state.pool, now).await?;
    // LINE's quota is read before the write lock is taken, once for all that start now.
    let quota = if due.is_empty() {
        None
    } else {
        Some(Quota::reading(&state.provider.quota().await))
    };
    let mut tx = db::begin_write(&state.pool).await?;
    let (mut started, mut held) = (0, 0);
    for (release_id, _) in &due {
        let media_base = state.settings.public_url();
        let quota = quota.expect("read above");
        match start_or_hold(&mut tx, now, *release_id, quota, &media_base).await? {
            Some(true) => started += 1,
            Some(false) => held += 1,
            None => {}
        }
    }
    let claimed = db::releases::claim_next(&mut *tx, now).await?;
    tx.commit().await?;
    let Some(row) = claimed else {
        return Ok(match (started, held) {
            (0, 0) => Step::Idle,
            (0, held) => Step::Held(held),
            (started, _) => Step::Started(started),
        });
    };
    let release = db::releases::find(&state.pool, row.release_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("delivery {} has no release", row.id))?;
    let revision = db::drafts::revision(&state.pool, release.draft_id, release.revision_number)
        .await?
        .ok_or_else(|| anyhow::anyhow!("release {} lost its revision", release.id))?;
    let content = RevisionContent::from_json(&revision.content)?;
    let audience = match (
        row.method.as_str(),
        release.preview_id,
        &row.first_user_id,
        &row.last_user_id,
    ) {
        ("broadcast", ..) => Audience::Broadcast,
        (_, Some(p), Some(first), Some(last)) => Audience::Multicast {
            to: db::previews::snapshot_range(&state.pool, p, first, last).await?,
        },
        _ => anyhow::bail!("delivery {} has no recipients", row.id),
    };
    let unit =
        crate::services::insights::aggregation_unit(&state.pool, now, &release, &audience).await?;
    let batch = Batch::of(&content, audience, row.retry_key.parse()?).with_aggregation_unit(unit);
    state.pacer.acquire(batch.audience.method()).await;
    let result = state.provider.send(&batch).await;

    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    let step = match result {
        Ok(accepted) => {
            db::releases::mark_sent(&mut *tx, row.id, accepted.request_id.as_deref()).await?;
            Step::Sent {
                release_id: release.id,
            }
        }
        Err(DeliveryError::Retryable(why)) if row.attempts < MAX_ATTEMPTS => {
            db::releases::mark_retry(&mut *tx, row.id, now + backoff(row.attempts), &why).await?;
            Step::Retrying {
                release_id: release.id,
            }
        }
        Err(DeliveryError::QuotaExceeded(why)) => {
            // The rest cannot go either: stop them all now rather than claim a partial
            // success. They were not attempted; this row was refused, in LINE's words.
            db::releases::mark_failed(&mut *tx, row.id, &why).await?;
            db::releases::stop_unsent(&mut *tx, release.id, &why).await?;
            Step::Failed {
                release_id: release.id,
            }
        }
        Err(e) => {
            db::releases::mark_failed(&mut *tx, row.id, &e.describe()).await?;
            Step::Failed {
                release_id: release.id,
            }
        }
    };
    if db::releases::unfinished(&mut *tx, release.id).await? == 0 {
        finish(&mut tx, now, &release).await?;
    }
    tx.commit().await?;
    Ok(step)
}

/// Asks the send-time gate of one due release inside the dispatcher's transaction and
/// acts on it: `Some(true)` started, `Some(false)` held, `None` waits (or was cancelled
/// meanwhile).
async fn start_or_hold(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    release_id: i64,
    quota: crate::domain::gate::QuotaReading,
    media_base: &str,
) -> anyhow::Result<Option<bool>> {
    let Some(release) = db::releases::find(&mut **tx, release_id).await? else {
        return Ok(None);
    };
    if release.state != "scheduled" {
        return Ok(None);
    }
    let report = send_gate::release_at_dispatch(tx, now, &release, quota, media_base).await?;
    let subject = format!("draft:{}", release.draft_id);
    match decide(&report) {
        Decision::Send => {
            if !db::releases::start(&mut **tx, release.id).await? {
                return Ok(None);
            }
            db::drafts::set_state(
                &mut **tx,
                release.draft_id,
                DraftState::Sending.as_str(),
                now,
            )
            .await?;
            db::audit::append(
                tx,
                now,
                &system(),
                "release.started",
                &subject,
                &json!({ "release": release.id, "gate": "green" }),
            )
            .await?;
            Ok(Some(true))
        }
        Decision::Wait { until } => {
            db::releases::recheck_at(&mut **tx, release.id, until).await?;
            Ok(None)
        }
        Decision::Hold { .. } => {
            let reasons = send_gate::hold_reasons(&report);
            if !db::releases::hold(tx, release.id, &reasons, now).await? {
                return Ok(None);
            }
            // Nothing went out: the draft is back in review, to be fixed and released
            // again, or cancelled.
            db::drafts::set_state(
                &mut **tx,
                release.draft_id,
                DraftState::InReview.as_str(),
                now,
            )
            .await?;
            db::audit::append(
                tx,
                now,
                &system(),
                "release.held",
                &subject,
                &json!({ "release": release.id, "reasons": reasons }),
            )
            .await?;
            let draft = db::drafts::find(&mut **tx, release.draft_id).await?;
            let approver_ids =
                db::reviews::approver_ids(&mut **tx, release.draft_id, release.revision_number)
                    .await?;
            if let Some(draft) = draft {
                notifications::record(
                    tx,
                    now,
                    &Event::ReleaseHeld {
                        draft_id: release.draft_id,
                        release_id: release.id,
                        title: draft.title,
                        author_id: draft.author_id,
                        released_by: release.released_by,
                        approver_ids,
                        reason: reasons
                            .first()
                            .map(|r| r.reason.clone())
                            .unwrap_or_default(),
                    },
                )
                .await?;
            }
            Ok(Some(false))
        }
    }
}

async fn finish(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    release: &db::releases::ReleaseRow,
) -> anyhow::Result<()> {
    let progress = db::releases::progress(&mut **tx, release.id).await?;
    let stopped = progress.batches_failed + progress.batches_not_attempted;
    let (state, error) = if stopped == 0 {
        ("sent", None)
    } else {
        (
            "failed",
            Some(format!(
                "{} of {} batches were refused by LINE and {} were not attempted; {} recipients were reached.",
                progress.batches_failed,
                progress.batches,
                progress.batches_not_attempted,
                progress.recipients_reached
            )),
        )
    };
    // Who LINE accepted: a correction of this release must reach exactly them.
    let accepted_hash = accepted_hash(tx, release, &progress).await?;
    if !db::releases::finish(
        &mut **tx,
        release.id,
        state,
        error.as_deref(),
        progress.recipients_reached,
        accepted_hash.as_deref(),
        now,
    )
    .await?
    {
        return Ok(());
    }
    db::drafts::set_state(&mut **tx, release.draft_id, state, now).await?;
    db::audit::append(
        tx,
        now,
        &system(),
        if state == "sent" { "release.sent" } else { "release.failed" },
        &format!("draft:{}", release.draft_id),
        &json!({ "release": release.id, "batches": progress.batches, "failed": progress.batches_failed, "not_attempted": progress.batches_not_attempted, "reached": progress.recipients_reached }),
    )
    .await?;
    crate::services::notifications::release_finished(tx, now, release.id, state != "sent").await?;
    Ok(())
}

/// The hash of the recipients LINE accepted (as a snapshot's hash is computed), for a
/// segment release; the snapshot's own hash when every batch went. `None` for a broadcast,
/// whose recipients LINE picked.
async fn accepted_hash(
    tx: &mut db::Tx,
    release: &db::releases::ReleaseRow,
    progress: &db::releases::Progress,
) -> anyhow::Result<Option<String>> {
    let Some(preview_id) = release.preview_id.filter(|_| release.kind != "broadcast") else {
        return Ok(None);
    };
    if progress.batches_done == progress.batches {
        return Ok(release.snapshot_hash.clone());
    }
    let mut hasher = SnapshotHasher::new();
    let mut after = String::new();
    loop {
        let page =
            db::incidents::accepted_recipients(&mut **tx, release.id, preview_id, &after, 5_000)
                .await?;
        let Some(last) = page.last() else { break };
        after = last.user_id.clone();
        page.iter().for_each(|r| hasher.add(&r.user_id));
    }
    Ok(Some(hasher.finish()))
}

/// How many batches may be in flight at once. The provider's rate limit, not this, sets
/// the pace; a few workers keep the database round trips of one batch from idling the
/// connection while another waits for LINE.
pub const WORKERS: usize = 4;

/// Resumes what a crash left in flight, then runs [`WORKERS`] workers until `shutdown`
/// resolves; each finishes its batch in flight before it stops.
pub async fn run(state: AppState, shutdown: tokio::sync::watch::Receiver<bool>) {
    if let Err(e) = resume(&state).await {
        tracing::error!(error = %e, "dispatcher could not resume in-flight deliveries");
    }
    crate::jobs::steps::resume_logged(&state).await;
    let workers: Vec<_> = (0..WORKERS)
        .map(|i| tokio::spawn(work(state.clone(), shutdown.clone(), i == 0)))
        .collect();
    for w in workers {
        let _ = w.await;
    }
}

/// One worker: steps, resting briefly whenever there is nothing to do. The first worker
/// also sends due step-scenario messages.
async fn work(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>, with_steps: bool) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Step scenarios send from their own rows (src/jobs/steps.rs).
        let steps_busy = with_steps && crate::jobs::steps::tick(&state).await;
        let rest = match dispatch_one(&state).await {
            _ if steps_busy => Duration::ZERO,
            Ok(Step::Idle) | Ok(Step::Retrying { .. }) | Ok(Step::Held(_)) => {
                Duration::from_millis(250)
            }
            Ok(_) => Duration::ZERO,
            Err(e) => {
                tracing::error!(error = ?e, "dispatcher step failed");
                Duration::from_secs(1)
            }
        };
        if !rest.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(rest) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
