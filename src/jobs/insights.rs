//! The statistics reader (issue #19). [`read_one`] does one step: find the sent release
//! whose LINE statistics are due ([`crate::domain::insight::reading_due`]: 1 h, 6 h,
//! 24 h, 3 days and 7 days after sending, a retry after a temporary failure, or a
//! "refresh" someone asked for), read them from the provider by request id (broadcast)
//! or by unit name (segment sends), and store the reading with the time it was read.
//! [`run`] loops around it beside the dispatcher, under the same switch.
//!
//! LINE allows 60 statistics calls an hour, so every read waits on the shared pacer; a
//! page never calls LINE itself, it asks for a refresh and shows the reading when it lands.

use std::time::Duration;

use crate::db;
use crate::delivery::pacing::INSIGHT;
use crate::domain::insight::{self, Availability, LastAttempt};
use crate::services::insights;
use crate::state::AppState;

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadStep {
    Idle,
    Read { release_id: i64 },
    Failed { release_id: i64 },
}

enum Source {
    Request(String),
    Unit(insight::AggregationUnit),
}

/// What a release's statistics are read by; `None` when LINE has none of it (sent
/// without a unit name), so the reader never waits on it.
fn source_of(r: &db::insights::Readable) -> Option<Source> {
    let unit = r
        .aggregation_unit
        .as_deref()
        .and_then(|u| insight::AggregationUnit::parse(u).ok());
    match insight::availability(
        r.kind == "broadcast",
        true,
        r.request_id.as_deref(),
        unit.as_ref(),
        r.unit_decided,
    ) {
        Availability::ByRequest(id) => Some(Source::Request(id)),
        Availability::ByUnit(u) => Some(Source::Unit(u)),
        Availability::NotSent | Availability::UnitLimitReached | Availability::NoUnit => None,
    }
}

/// Reads the statistics of the first release that is due, if any.
pub async fn read_one(state: &AppState) -> anyhow::Result<ReadStep> {
    let now = state.clock.now();
    let candidates =
        db::insights::readable(&state.pool, insight::oldest_still_scheduled(now)).await?;
    let due = candidates.into_iter().find_map(|r| {
        let source = source_of(&r)?;
        let last = r.last_attempt_at.map(|at| LastAttempt {
            at,
            retryable_failure: r.last_attempt_retryable,
        });
        let trigger = insight::reading_due(r.sent_at, now, last, r.refresh_requested)?;
        Some((r, source, trigger))
    });
    let Some((release, source, trigger)) = due else {
        return Ok(ReadStep::Idle);
    };
    state.pacer.acquire(INSIGHT).await;
    let outcome = match &source {
        Source::Request(id) => state.provider.insight_by_request(id).await,
        Source::Unit(unit) => {
            let (from, to) = insight::aggregation_period(release.sent_at, now);
            state.provider.insight_by_unit(unit, from, to).await
        }
    };
    let failed = outcome.is_err();
    if let Err(e) = &outcome {
        tracing::warn!(release = release.id, error = %e.describe(), "LINE's statistics could not be read");
    }
    insights::record_reading(
        &state.pool,
        state.clock.now(),
        release.id,
        trigger,
        &outcome,
    )
    .await?;
    Ok(if failed {
        ReadStep::Failed {
            release_id: release.id,
        }
    } else {
        ReadStep::Read {
            release_id: release.id,
        }
    })
}

/// Steps until `shutdown` turns true, resting a few seconds whenever nothing is due. A
/// step waiting on the pacer (up to a minute at LINE's 60 an hour) is dropped at
/// shutdown: a reading only writes at its very end, in one transaction.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let step = tokio::select! {
            step = read_one(&state) => step,
            _ = shutdown.changed() => return,
        };
        let rest = match step {
            Ok(ReadStep::Idle) => Duration::from_secs(5),
            Ok(_) => Duration::ZERO,
            Err(e) => {
                tracing::error!(error = ?e, "statistics reader step failed");
                Duration::from_secs(30)
            }
        };
        if !rest.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(rest) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
