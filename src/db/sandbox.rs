//! The sandbox provider's outbox: accepted batches (with the unit name they were counted
//! under) and who received each, and the reply tokens the sandbox issues for its stand-in
//! webhook events (single use, short-lived, like LINE's).

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

pub async fn batch_for_key(
    ex: impl SqliteExecutor<'_>,
    retry_key: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!: i64" FROM sandbox_batches WHERE retry_key = ?"#,
        retry_key
    )
    .fetch_optional(ex)
    .await
}

/// Messages delivered (recipients summed over batches) since `since`. Replies are free,
/// as on LINE.
pub async fn used_since(
    ex: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(SUM(recipients), 0) AS "n!: i64" FROM sandbox_batches
           WHERE sent_at >= ? AND method <> 'reply'"#,
        since
    )
    .fetch_one(ex)
    .await
}

/// Which of these user ids are friends who have not blocked the account.
pub async fn deliverable(
    conn: &mut SqliteConnection,
    user_ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut out = Vec::with_capacity(user_ids.len());
    for id in user_ids {
        let ok = sqlx::query_scalar!(
            r#"SELECT 1 AS "one!: i64" FROM friends WHERE user_id = ? AND blocked = 0"#,
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
        if ok.is_some() {
            out.push(id.clone());
        }
    }
    Ok(out)
}

pub struct NewBatch<'a> {
    pub retry_key: &'a str,
    pub method: &'a str,
    pub messages: &'a str,
    pub notification_disabled: bool,
    pub recipients: i64,
    pub aggregation_unit: Option<&'a str>,
}

pub async fn insert_batch(
    ex: impl SqliteExecutor<'_>,
    b: &NewBatch<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO sandbox_batches (retry_key, method, messages, notification_disabled, recipients,
                                        aggregation_unit, sent_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        b.retry_key,
        b.method,
        b.messages,
        b.notification_disabled,
        b.recipients,
        b.aggregation_unit,
        now
    )
    .fetch_one(ex)
    .await
}

pub async fn deliver_to(
    conn: &mut SqliteConnection,
    batch_id: i64,
    user_ids: &[String],
) -> Result<(), sqlx::Error> {
    for id in user_ids {
        sqlx::query!(
            "INSERT INTO sandbox_inbox (batch_id, user_id) VALUES (?, ?)",
            batch_id,
            id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A broadcast reaches every friend who has not blocked the account.
pub async fn deliver_to_all(
    ex: impl SqliteExecutor<'_>,
    batch_id: i64,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "INSERT INTO sandbox_inbox (batch_id, user_id) SELECT ?, user_id FROM friends WHERE blocked = 0",
        batch_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

#[derive(Debug, Clone)]
pub struct InboxMessage {
    pub user_id: String,
    pub display_name: String,
    pub method: String,
    pub messages: String,
    pub notification_disabled: bool,
    pub sent_at: DateTime<Utc>,
}

/// The newest deliveries, optionally for one recipient and for friends whose display name
/// contains `name` (any case), `limit` of them after skipping `offset`.
pub async fn inbox(
    ex: impl SqliteExecutor<'_>,
    user_id: Option<&str>,
    name: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<InboxMessage>, sqlx::Error> {
    sqlx::query_as!(
        InboxMessage,
        r#"SELECT i.user_id, COALESCE(f.display_name, '') AS "display_name!: String", b.method, b.messages,
                  b.notification_disabled AS "notification_disabled: bool",
                  b.sent_at AS "sent_at: DateTime<Utc>"
           FROM sandbox_inbox i
           JOIN sandbox_batches b ON b.id = i.batch_id
           LEFT JOIN friends f ON f.user_id = i.user_id
           WHERE (?1 IS NULL OR i.user_id = ?1)
             AND (?2 IS NULL OR instr(lower(COALESCE(f.display_name, '')), lower(?2)) > 0)
           ORDER BY b.id DESC, i.user_id
           LIMIT ?3 OFFSET ?4"#,
        user_id,
        name,
        limit,
        offset
    )
    .fetch_all(ex)
    .await
}

/// An accepted batch, as the sandbox's statistics need it.
#[derive(Debug, Clone)]
pub struct SentBatch {
    pub id: i64,
    pub method: String,
    pub messages: String,
    pub recipients: i64,
    pub sent_at: DateTime<Utc>,
}

pub async fn sent_batch(
    ex: impl SqliteExecutor<'_>,
    id: i64,
) -> Result<Option<SentBatch>, sqlx::Error> {
    sqlx::query_as!(
        SentBatch,
        r#"SELECT id AS "id!: i64", method, messages, recipients AS "recipients!: i64",
                  sent_at AS "sent_at: DateTime<Utc>"
           FROM sandbox_batches WHERE id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

/// The batches sent under `unit` from `from` (inclusive) to `until` (exclusive).
pub async fn sent_under_unit(
    ex: impl SqliteExecutor<'_>,
    unit: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<SentBatch>, sqlx::Error> {
    sqlx::query_as!(
        SentBatch,
        r#"SELECT id AS "id!: i64", method, messages, recipients AS "recipients!: i64",
                  sent_at AS "sent_at: DateTime<Utc>"
           FROM sandbox_batches WHERE aggregation_unit = ? AND sent_at >= ? AND sent_at < ?
           ORDER BY id"#,
        unit,
        from,
        until
    )
    .fetch_all(ex)
    .await
}

pub async fn insert_reply_token(
    ex: impl SqliteExecutor<'_>,
    token: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO sandbox_reply_tokens (token, user_id, issued_at) VALUES (?, ?, ?)",
        token,
        user_id,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Uses a reply token: the friend it was issued for, when it was issued after
/// `issued_after` and not used yet. One statement, so a token is never used twice.
pub async fn use_reply_token(
    ex: impl SqliteExecutor<'_>,
    token: &str,
    issued_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE sandbox_reply_tokens SET used_at = ?
           WHERE token = ? AND used_at IS NULL AND issued_at > ?
           RETURNING user_id AS "user_id!: String""#,
        now,
        token,
        issued_after
    )
    .fetch_optional(ex)
    .await
}
