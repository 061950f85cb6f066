//! The outgoing chat webhook sender (issue #8). Events queue chat messages in
//! `webhook_outbox` inside their own transaction; [`deliver_one`] claims one due message,
//! posts the Slack-compatible `{"text": ...}` body with a short timeout, and records the
//! outcome: failures retry with exponential backoff and the last error is kept for
//! /admin/notifications. [`run`] loops around it next to the dispatcher, under the same
//! switch. Nothing here is ever awaited by a request, so a dead receiver slows nobody.

use std::sync::OnceLock;
use std::time::Duration;

use crate::db;
use crate::domain::notification::{chat_body, webhook_retry_delay_seconds};
use crate::state::AppState;

/// How long one post may take before it counts as failed.
pub const POST_TIMEOUT: Duration = Duration::from_secs(5);

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyStep {
    Idle,
    Posted(i64),
    Retrying(i64),
    GaveUp(i64),
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(POST_TIMEOUT)
            .connect_timeout(POST_TIMEOUT)
            .build()
            .expect("the webhook HTTP client builds")
    })
}

/// Posts the oldest due chat message, if any.
pub async fn deliver_one(state: &AppState) -> anyhow::Result<NotifyStep> {
    let now = state.clock.now();
    // The lease covers the post's timeout: a crash mid-post retries after it.
    let lease = now + chrono::Duration::seconds(60);
    let Some(row) = db::notifications::claim_due(&state.pool, now, lease).await? else {
        return Ok(NotifyStep::Idle);
    };
    let body = chat_body(&row.text, &state.settings.public_url(), &row.link);
    let outcome = match client().post(&row.url).json(&body).send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("the receiver answered {}", r.status())),
        Err(e) if e.is_timeout() => Err(format!("no answer within {} s", POST_TIMEOUT.as_secs())),
        Err(e) => Err(format!("could not post: {}", root_cause(&e))),
    };
    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    let step = match outcome {
        Ok(()) => {
            db::notifications::mark_posted(&mut tx, row.id, now).await?;
            NotifyStep::Posted(row.id)
        }
        Err(error) => {
            let attempts = row.attempts + 1;
            let next =
                webhook_retry_delay_seconds(attempts).map(|s| now + chrono::Duration::seconds(s));
            tracing::warn!(outbox = row.id, attempts, %error, "chat webhook post failed");
            db::notifications::mark_attempt_failed(&mut tx, row.id, &error, next, now).await?;
            if next.is_some() {
                NotifyStep::Retrying(row.id)
            } else {
                NotifyStep::GaveUp(row.id)
            }
        }
    };
    tx.commit().await?;
    Ok(step)
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Steps until `shutdown` turns true, resting a second whenever nothing is due.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let rest = match deliver_one(&state).await {
            Ok(NotifyStep::Idle) => Duration::from_secs(1),
            Ok(_) => Duration::ZERO,
            Err(e) => {
                tracing::error!(error = %e, "notifier step failed");
                Duration::from_secs(5)
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
