//! LINE's statistics of sent releases (issue #19): naming a release's unit when its first
//! multicast goes out, recording each reading of LINE's figures, and "refresh" requests.
//! Each change is one write transaction with its audit event.
//!
//! It guards LINE's rule of one unit name per release within 1,000 names a month: every
//! multicast of a release carries the same name (decided once, stored, reused by every
//! batch and every retry, so a retried request keeps its body), and past the month's
//! limit the release goes without one rather than being refused.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::db::{self, audit::Actor, releases::ReleaseRow};
use crate::delivery::{Audience, DeliveryError};
use crate::domain::insight::{self, AggregationUnit, Figures, Trigger};
use crate::error::{AppError, AppResult};

fn dispatcher() -> Actor {
    Actor {
        id: None,
        name: "dispatcher".into(),
    }
}

fn parse_stored(unit: Option<String>) -> anyhow::Result<Option<AggregationUnit>> {
    Ok(unit.as_deref().map(AggregationUnit::parse).transpose()?)
}

/// The unit name a batch of `release` carries: its release's name for a multicast (named
/// now if this is its first batch, within the month's limit), none for a broadcast.
pub async fn aggregation_unit(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    release: &ReleaseRow,
    audience: &Audience,
) -> anyhow::Result<Option<AggregationUnit>> {
    if !matches!(audience, Audience::Multicast { .. }) {
        return Ok(None);
    }
    // Every batch after the first only reads the decision.
    if let Some(d) = db::insights::unit_decision(pool, release.id).await?
        && d.decided_at.is_some()
    {
        return parse_stored(d.unit);
    }
    let mut tx = db::begin_write(pool).await?;
    // Another worker may have named it meanwhile.
    if let Some(d) = db::insights::unit_decision(&mut *tx, release.id).await?
        && d.decided_at.is_some()
    {
        return parse_stored(d.unit);
    }
    let used = db::insights::units_used_since(&mut *tx, insight::month_start(now)).await?;
    let unit = if insight::may_use_new_unit_name(used) {
        let tag = db::insights::unit_tag(&mut *tx).await?;
        Some(AggregationUnit::for_release(&tag, release.id)?)
    } else {
        None
    };
    db::insights::decide_unit(&mut *tx, release.id, unit.as_ref().map(|u| u.as_str()), now).await?;
    let (action, details) = match &unit {
        Some(u) => (
            "release.unit_named",
            json!({ "release": release.id, "unit": u.as_str() }),
        ),
        None => (
            "release.unit_limit_reached",
            json!({ "release": release.id, "names_used_this_month": used, "limit": insight::MONTHLY_UNIT_NAME_LIMIT }),
        ),
    };
    db::audit::append(
        &mut tx,
        now,
        &dispatcher(),
        action,
        &format!("draft:{}", release.draft_id),
        &details,
    )
    .await?;
    tx.commit().await?;
    if unit.is_none() {
        tracing::warn!(
            release = release.id,
            used,
            "this month's unit names are used up: the release is sent without one"
        );
    }
    Ok(unit)
}

/// Records one attempt at reading a release's figures, and answers its refresh request.
pub async fn record_reading(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    release_id: i64,
    trigger: Trigger,
    outcome: &Result<Figures, DeliveryError>,
) -> anyhow::Result<i64> {
    let figures = match outcome {
        Ok(f) => Some(serde_json::to_string(f)?),
        Err(_) => None,
    };
    let error = outcome.as_ref().err().map(DeliveryError::describe);
    let mut tx = db::begin_write(pool).await?;
    let id = db::insights::insert_reading(
        &mut *tx,
        &db::insights::NewReading {
            release_id,
            read_at: now,
            trigger: trigger.as_str(),
            figures: figures.as_deref(),
            error: error.as_deref(),
            retryable: matches!(outcome, Err(DeliveryError::Retryable(_))),
        },
    )
    .await?;
    db::insights::clear_refresh(&mut *tx, release_id).await?;
    tx.commit().await?;
    Ok(id)
}

/// What a release's statistics can be read by, or why LINE has none.
pub async fn availability(
    ex: &mut sqlx::SqliteConnection,
    release: &ReleaseRow,
) -> anyhow::Result<insight::Availability> {
    let decision = db::insights::unit_decision(&mut *ex, release.id).await?;
    let request_id = db::insights::request_id(&mut *ex, release.id).await?;
    let unit = parse_stored(decision.as_ref().and_then(|d| d.unit.clone()))?;
    Ok(insight::availability(
        release.kind == "broadcast",
        matches!(release.state.as_str(), "sent" | "failed") && request_id.is_some(),
        request_id.as_deref(),
        unit.as_ref(),
        decision.is_some_and(|d| d.decided_at.is_some()),
    ))
}

/// Asks for fresh figures of a sent release; the reader takes them at its next step.
/// Returns false when a request was already waiting.
pub async fn request_refresh(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    release_id: i64,
) -> AppResult<bool> {
    let by = actor.user_id()?;
    let mut tx = db::begin_write(pool).await?;
    let release = db::releases::find(&mut *tx, release_id)
        .await?
        .ok_or(AppError::NotFound)?;
    match availability(&mut tx, &release).await? {
        insight::Availability::ByRequest(_) | insight::Availability::ByUnit(_) => {}
        insight::Availability::NotSent => {
            return Err(AppError::Conflict(
                "LINE has statistics of a message once it was sent.".into(),
            ));
        }
        insight::Availability::UnitLimitReached | insight::Availability::NoUnit => {
            return Err(AppError::Conflict(
                "LINE has no statistics of this release: its messages went without a unit name."
                    .into(),
            ));
        }
    }
    let asked = db::insights::request_refresh(&mut *tx, release_id, by, now).await?;
    if asked {
        db::audit::append(
            &mut tx,
            now,
            actor,
            "insights.refresh_requested",
            &format!("draft:{}", release.draft_id),
            &json!({ "release": release_id }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(asked)
}
