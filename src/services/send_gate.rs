//! The gate at the moment of sending (DESIGN section 2, "At the moment of sending"). Each
//! sender calls here, inside its write transaction, right before it hands messages to
//! LINE: the release dispatcher for a scheduled release ([`release_at_dispatch`]), the
//! step dispatcher for each group of a step ([`step_at_send`]) and the greeting sender for
//! each new friend ([`greeting_at_send`]). Each reads the facts as they are now and asks
//! [`crate::domain::gate::evaluate`] with its moment; none keeps a rule of its own. The caller reads LINE's quota before its transaction (no network call is
//! made while the write lock is held) and passes it in.

use chrono::{DateTime, Utc};

use crate::db::{self, releases::HoldReason, releases::ReleaseRow};
use crate::domain::gate::{GateReport, Moment, QuotaFacts, QuotaReading, evaluate};
use crate::domain::revision::DraftKind;
use crate::error::{AppError, AppResult};
use crate::services::gate;

/// The gate at [`Moment::Dispatch`] for a scheduled release: approvers' standing and the
/// policy as they are now, the number actually sent (a broadcast's friends now, a segment's
/// snapshot) for the large-audience approval and the drift, the warnings acknowledged at
/// release, quiet hours now, and the quota less what releases ahead of it reserved.
pub async fn release_at_dispatch(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    release: &ReleaseRow,
    quota: QuotaReading,
    media_base: &str,
) -> AppResult<GateReport> {
    let draft = db::drafts::find(&mut **tx, release.draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = db::drafts::revision(&mut **tx, release.draft_id, release.revision_number)
        .await?
        .ok_or(AppError::NotFound)?;
    let content = row.parsed()?;
    let policy = db::policy::get(&mut **tx).await?;
    let preview = match release.preview_id {
        Some(id) => db::previews::find(&mut **tx, id).await?,
        None => None,
    };
    let rules = gate::Rules {
        policy: &policy,
        media_base,
    };
    let facts = gate::for_release(tx, now, &draft, &row, &content, &rules, preview).await?;
    let needed = match content.kind() {
        DraftKind::Broadcast => facts.recipients(DraftKind::Broadcast),
        _ => release.recipients,
    };
    let acknowledged = release.acknowledged();
    let mut f = facts.facts(&row, &content, &policy, now);
    f.acknowledged_warnings = &acknowledged;
    f.acknowledging = true;
    f.quota = Some(QuotaFacts {
        needed,
        reading: quota,
        reserved: db::releases::reserved_ahead_of(&mut **tx, release.id).await?,
    });
    Ok(evaluate(Moment::Dispatch, &f))
}

/// The gate at [`Moment::Step`] for `recipients` friends of a step's live revision: its
/// approvals as they stand now, the warnings acknowledged at activation, quiet hours now,
/// and the quota less what releases not yet sent reserved.
pub async fn step_at_send(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    step_id: i64,
    revision: i64,
    recipients: i64,
    quota: QuotaReading,
    media_base: &str,
) -> AppResult<GateReport> {
    let step = db::scenarios::step(&mut **tx, step_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let draft = db::drafts::find(&mut **tx, step.draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = db::drafts::revision(&mut **tx, step.draft_id, revision)
        .await?
        .ok_or(AppError::NotFound)?;
    let content = row.parsed()?;
    let policy = db::policy::get(&mut **tx).await?;
    let rules = gate::Rules {
        policy: &policy,
        media_base,
    };
    let facts = gate::collect(tx, now, &draft, &row, &content, &rules).await?;
    let acknowledged: Vec<String> =
        serde_json::from_str(&step.live_acknowledged).unwrap_or_default();
    let mut f = facts.facts(&row, &content, &policy, now);
    f.acknowledged_warnings = &acknowledged;
    f.acknowledging = true;
    f.quota = Some(QuotaFacts {
        needed: recipients,
        reading: quota,
        reserved: db::releases::reserved(&mut **tx).await?,
    });
    Ok(evaluate(Moment::Step, &f))
}

/// The gate at [`Moment::GreetingReply`] (or [`Moment::GreetingPush`] when `push` carries
/// the quota reading) for the active greeting's revision: its approvals as they stand now
/// (read as of that revision: a newer one in review does not count against it), the
/// warnings acknowledged at activation, and for a push the quota less what releases not
/// yet sent reserved. No quiet hours: the friend has just added the account.
pub async fn greeting_at_send(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    activation: &db::greetings::ActivationRow,
    push: Option<QuotaReading>,
    media_base: &str,
) -> AppResult<GateReport> {
    let draft = db::drafts::find(&mut **tx, activation.draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = db::drafts::revision(&mut **tx, activation.draft_id, activation.revision_number)
        .await?
        .ok_or(AppError::NotFound)?;
    let content = row.parsed()?;
    let policy = db::policy::get(&mut **tx).await?;
    let rules = gate::Rules {
        policy: &policy,
        media_base,
    };
    let facts = gate::for_live_revision(tx, now, &draft, &row, &content, &rules).await?;
    let acknowledged = activation.acknowledged();
    let mut f = facts.facts(&row, &content, &policy, now);
    f.acknowledged_warnings = &acknowledged;
    f.acknowledging = true;
    let moment = match push {
        None => Moment::GreetingReply,
        Some(reading) => {
            f.quota = Some(QuotaFacts {
                needed: 1,
                reading,
                reserved: db::releases::reserved(&mut **tx).await?,
            });
            Moment::GreetingPush
        }
    };
    Ok(evaluate(moment, &f))
}

/// The failing checks of a report, as a held release or step records them.
pub fn hold_reasons(report: &GateReport) -> Vec<HoldReason> {
    report
        .failing()
        .map(|c| HoldReason {
            rule: c.rule.as_str().to_string(),
            reason: c.reason.clone(),
        })
        .collect()
}
