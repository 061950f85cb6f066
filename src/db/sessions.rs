//! The `sessions` table. Rows are keyed by the SHA-256 of the cookie token, never the
//! token itself.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use crate::db::policy::PolicyColumns;
use crate::db::users::UserRow;
use crate::domain::policy::ReleasePolicy;
use crate::domain::roles::Roles;

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

/// A session with its user, the user's interface language and unread notifications, and
/// the account's release policy (every page shows times in its zone): everything a request
/// needs to know about who is asking, in one query.
#[derive(Debug, Clone)]
pub struct SignedInRow {
    pub session: SessionRow,
    pub user: UserRow,
    pub language: Option<String>,
    pub unread: i64,
    pub policy: ReleasePolicy,
}

pub async fn find_signed_in(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> Result<Option<SignedInRow>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT s.created_at AS "session_created_at: DateTime<Utc>",
                  s.last_seen_at AS "last_seen_at: DateTime<Utc>",
                  u.id AS "id!: i64", u.username, u.display_name, u.password_hash,
                  u.is_admin AS "is_admin: bool", u.is_marketer AS "is_marketer: bool",
                  u.is_reviewer AS "is_reviewer: bool",
                  u.disabled_at AS "disabled_at: DateTime<Utc>",
                  u.created_at AS "created_at: DateTime<Utc>",
                  u.language AS "language?: String",
                  (SELECT COUNT(*) FROM notifications n
                   WHERE n.user_id = u.id AND n.read_at IS NULL) AS "unread!: i64",
                  p.required_approvals AS "required_approvals!: i64",
                  p.correction_required_approvals AS "correction_required_approvals!: i64",
                  p.large_audience_threshold AS "large_audience_threshold!: i64",
                  p.preview_max_age_minutes AS "preview_max_age_minutes!: i64",
                  p.max_drift_percent AS "max_drift_percent!: i64",
                  p.quiet_hours_start, p.quiet_hours_end, p.time_zone, p.link_allow_list,
                  p.held_messages, p.max_testers AS "max_testers!: i64",
                  p.release_hold_seconds AS "release_hold_seconds!: i64"
           FROM sessions s JOIN users u ON u.id = s.user_id
           JOIN release_policy p ON p.id = 1
           WHERE s.token_hash = ?"#,
        token_hash
    )
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|r| SignedInRow {
        session: SessionRow {
            user_id: r.id,
            created_at: r.session_created_at,
            last_seen_at: r.last_seen_at,
        },
        user: UserRow {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            password_hash: r.password_hash,
            roles: Roles {
                admin: r.is_admin,
                marketer: r.is_marketer,
                reviewer: r.is_reviewer,
            },
            disabled_at: r.disabled_at,
            created_at: r.created_at,
        },
        language: r.language,
        unread: r.unread,
        policy: PolicyColumns {
            required_approvals: r.required_approvals,
            correction_required_approvals: r.correction_required_approvals,
            large_audience_threshold: r.large_audience_threshold,
            preview_max_age_minutes: r.preview_max_age_minutes,
            max_drift_percent: r.max_drift_percent,
            quiet_hours_start: r.quiet_hours_start,
            quiet_hours_end: r.quiet_hours_end,
            time_zone: r.time_zone,
            link_allow_list: r.link_allow_list,
            held_messages: r.held_messages,
            max_testers: r.max_testers,
            release_hold_seconds: r.release_hold_seconds,
        }
        .parse(),
    }))
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
