//! The `sessions` table. Rows are keyed by the SHA-256 of the cookie token, never the
//! token itself.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
        token_hash,
        user_id,
        now,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        r#"SELECT user_id AS "user_id!: i64",
                  created_at AS "created_at: DateTime<Utc>",
                  last_seen_at AS "last_seen_at: DateTime<Utc>"
           FROM sessions WHERE token_hash = ?"#,
        token_hash
    )
    .fetch_optional(ex)
    .await
}

pub async fn touch(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
        now,
        token_hash
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn delete(ex: impl SqliteExecutor<'_>, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM sessions WHERE token_hash = ?", token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Ends every session of a user; returns how many there were.
pub async fn delete_for_user(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!("DELETE FROM sessions WHERE user_id = ?", user_id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected())
}

/// Removes sessions that can no longer be used, so the table does not grow forever.
pub async fn delete_expired(
    ex: impl SqliteExecutor<'_>,
    idle_before: DateTime<Utc>,
    created_before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
        idle_before,
        created_before
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}
