//! The outgoing chat webhook sender (issue #8). Events queue chat messages in
//! `webhook_outbox` inside their own transaction; [`deliver_one`] claims one due message,
//! posts the Slack-compatible `{"text": ...}` body with a short timeout, and records the
//! outcome: failures retry with exponential backoff and the last error is kept for
//! /admin/notifications. [`run`] loops around it next to the dispatcher, under the same
//! switch. Nothing here is ever awaited by a request, so a dead receiver slows nobody.
//!
//! Outbound rules (issue #18): only `https://` URLs are posted to (checked again when
//! posting, for URLs saved before the rule), redirects are never followed, and no more of
//! a receiver's answer than a short excerpt is kept. Once a day the audit log's head is
//! posted too ([`anchor_audit_head`]), so its newest events cannot be deleted unnoticed
//! even by someone who can change both the database and the head file.

use std::sync::OnceLock;
use std::time::Duration;

use crate::db;
use crate::domain::notification::{
    chat_body, response_excerpt, validate_webhook_url, webhook_retry_delay_seconds,
};
use crate::state::AppState;

/// How often the audit head is posted to the chat webhook.
pub const AUDIT_HEAD_EVERY: chrono::Duration = chrono::Duration::hours(24);

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
            // A receiver that redirects is refused: the message goes where the admin said.
            .redirect(reqwest::redirect::Policy::none())
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
    let outcome = match validate_webhook_url(&row.url, state.settings.allow_http_loopback_webhook) {
        Err(e) => Err(format!("not posted: {}", e.message)),
        Ok(_) => post(&row.url, &body).await,
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

/// Posts one body; a failure says why, with at most a short excerpt of the answer.
async fn post(url: &str, body: &serde_json::Value) -> Result<(), String> {
    match client().post(url).json(body).send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) if r.status().is_redirection() => Err(format!(
            "the receiver answered {} (a redirect, which is not followed)",
            r.status()
        )),
        Ok(mut r) => {
            let status = r.status();
            // Read no more of the answer than the excerpt needs.
            let mut head = Vec::new();
            while head.len() < 4 * crate::domain::notification::RESPONSE_EXCERPT_CHARS {
                match r.chunk().await {
                    Ok(Some(chunk)) => head.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            let excerpt = response_excerpt(&head);
            Err(if excerpt.is_empty() {
                format!("the receiver answered {status}")
            } else {
                format!("the receiver answered {status}: {excerpt}")
            })
        }
        Err(e) if e.is_timeout() => Err(format!("no answer within {} s", POST_TIMEOUT.as_secs())),
        Err(e) => Err(format!("could not post: {}", root_cause(&e))),
    }
}

/// Queues the audit log's head (event count and newest seal) for the chat webhook when a
/// webhook is set and the last such message is a day old; returns whether it queued one.
pub async fn anchor_audit_head(state: &AppState) -> anyhow::Result<bool> {
    let now = state.clock.now();
    let hook = db::notifications::webhook_settings(&state.pool).await?;
    if hook.webhook_url.is_empty() {
        return Ok(false);
    }
    let last = db::notifications::last_enqueued(&state.pool, "audit_head").await?;
    if last.is_some_and(|t| now - t < AUDIT_HEAD_EVERY) {
        return Ok(false);
    }
    let Some(line) = crate::services::audit::head_line(&state.pool).await? else {
        return Ok(false);
    };
    db::notifications::enqueue(
        &state.pool,
        "audit_head",
        &line,
        "/audit",
        &hook.webhook_url,
        now,
    )
    .await?;
    Ok(true)
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
    let mut head_checked: Option<std::time::Instant> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        // The audit head is due once a day; asking once a minute is plenty.
        if head_checked.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
            head_checked = Some(std::time::Instant::now());
            if let Err(e) = anchor_audit_head(&state).await {
                tracing::warn!(error = %e, "could not queue the audit head for the chat webhook");
            }
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
