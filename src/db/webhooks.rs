//! Webhook event ids already handled, so LINE's redeliveries change nothing.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// Records the event id; false when it was already there (a redelivery).
pub async fn remember(
    ex: impl SqliteExecutor<'_>,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "INSERT INTO webhook_events (event_id, received_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING",
        event_id,
        now
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}
