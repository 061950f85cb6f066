//! The `notifications` table: one row per person told about an event, read or unread.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

#[derive(Debug, Clone)]
pub struct NotificationRow {
    pub id: i64,
    pub event: String,
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    event: &str,
    text: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notifications (user_id, event, text, link, created_at) VALUES (?, ?, ?, ?, ?)",
        user_id,
        event,
        text,
        link,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn unread_count(ex: impl SqliteExecutor<'_>, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM notifications WHERE user_id = ? AND read_at IS NULL"#,
        user_id
    )
    .fetch_one(ex)
    .await
}

/// A person's newest notifications.
pub async fn for_user(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    limit: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    sqlx::query_as!(
        NotificationRow,
        r#"SELECT id AS "id!: i64", event, text, link, created_at AS "created_at: DateTime<Utc>",
                  read_at AS "read_at: DateTime<Utc>"
           FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?"#,
        user_id,
        limit
    )
    .fetch_all(ex)
    .await
}

/// Marks one of the person's notifications read; returns its link.
pub async fn mark_read(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ? RETURNING link",
        now,
        id,
        user_id
    )
    .fetch_optional(ex)
    .await
}

pub async fn mark_all_read(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
        now,
        user_id
    )
    .execute(ex)
    .await?
    .rows_affected())
}

pub struct ReleasePeople {
    pub draft_id: i64,
    pub title: String,
    pub author_id: i64,
    pub released_by: i64,
}

/// The draft, its author and the releaser of a release: who hears how it went.
pub async fn release_people(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Option<ReleasePeople>, sqlx::Error> {
    sqlx::query_as!(
        ReleasePeople,
        r#"SELECT d.id AS "draft_id!: i64", d.title, d.author_id AS "author_id!: i64",
                  r.released_by AS "released_by!: i64"
           FROM releases r JOIN drafts d ON d.id = r.draft_id WHERE r.id = ?"#,
        release_id
    )
    .fetch_optional(ex)
    .await
}

/// The outgoing chat webhook's settings and its last outcome.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub webhook_url: String,
    pub webhook_events: String,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

impl WebhookSettings {
    /// Whether events of `kind` are posted to the chat tool.
    pub fn posts(&self, kind: &str) -> bool {
        !self.webhook_url.is_empty() && self.webhook_events.split(',').any(|k| k == kind)
    }
}

pub async fn webhook_settings(ex: impl SqliteExecutor<'_>) -> Result<WebhookSettings, sqlx::Error> {
    sqlx::query_as!(
        WebhookSettings,
        r#"SELECT webhook_url, webhook_events, last_error,
                  last_error_at AS "last_error_at: DateTime<Utc>",
                  last_success_at AS "last_success_at: DateTime<Utc>"
           FROM notification_settings WHERE id = 1"#
    )
    .fetch_one(ex)
    .await
}

pub async fn set_webhook(
    ex: impl SqliteExecutor<'_>,
    url: &str,
    events: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE notification_settings SET webhook_url = ?, webhook_events = ?, updated_by = ?, updated_at = ?
         WHERE id = 1",
        url,
        events,
        by,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn enqueue(
    ex: impl SqliteExecutor<'_>,
    event: &str,
    text: &str,
    link: &str,
    url: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO webhook_outbox (event, text, link, url, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
        event,
        text,
        link,
        url,
        now,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub url: String,
    pub attempts: i64,
}

/// Claims the oldest due message by pushing its next attempt past `lease_until`, so two
/// workers never post it at once and a crash retries it after the lease.
pub async fn claim_due(
    ex: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<OutboxRow>, sqlx::Error> {
    sqlx::query_as!(
        OutboxRow,
        r#"UPDATE webhook_outbox SET next_attempt_at = ?
           WHERE id = (SELECT id FROM webhook_outbox WHERE state = 'pending' AND next_attempt_at <= ?
                       ORDER BY next_attempt_at, id LIMIT 1)
           RETURNING id AS "id!: i64", text, link, url, attempts AS "attempts!: i64""#,
        lease_until,
        now
    )
    .fetch_optional(ex)
    .await
}

pub async fn mark_posted(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE webhook_outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
        now,
        id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE notification_settings SET last_success_at = ? WHERE id = 1",
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried at `next` or, when `next` is `None`, given up.
pub async fn mark_attempt_failed(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    error: &str,
    next: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let state = if next.is_some() { "pending" } else { "failed" };
    let next = next.unwrap_or(now);
    sqlx::query!(
        "UPDATE webhook_outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?
         WHERE id = ?",
        state,
        next,
        error,
        id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE notification_settings SET last_error = ?, last_error_at = ? WHERE id = 1",
        error,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn outbox_counts(ex: impl SqliteExecutor<'_>) -> Result<OutboxCounts, sqlx::Error> {
    sqlx::query_as!(
        OutboxCounts,
        r#"SELECT COALESCE(SUM(state = 'pending'), 0) AS "pending!: i64",
                  COALESCE(SUM(state = 'sent'), 0) AS "sent!: i64",
                  COALESCE(SUM(state = 'failed'), 0) AS "failed!: i64"
           FROM webhook_outbox"#
    )
    .fetch_one(ex)
    .await
}

/// When a chat message of `event` was last queued, if ever.
pub async fn last_enqueued(
    ex: impl SqliteExecutor<'_>,
    event: &str,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT MAX(created_at) AS "at: DateTime<Utc>" FROM webhook_outbox WHERE event = ?"#,
        event
    )
    .fetch_one(ex)
    .await
}
