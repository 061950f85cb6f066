//! The `sessions` table. Rows are keyed by the SHA-256 of the cookie token, never the
//! token itself; a random handle names a session in its owner's sessions page.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use crate::db::policy::PolicyColumns;
use crate::db::users::UserRow;
use crate::domain::policy::ReleasePolicy;
use crate::domain::roles::Roles;

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user_id: i64,
    pub handle: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// When its owner last proved who they are, and how (`password`, `totp`, ...).
    pub proved_at: Option<DateTime<Utc>>,
    pub proof: Option<String>,
}

/// A session about to be written: who, from where, proved how.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub handle: &'a str,
    pub user_id: i64,
    /// Already cut to a bounded length by the caller.
    pub user_agent: &'a str,
    pub address: &'a str,
    pub proof: &'a str,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    s: &NewSession<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO sessions (token_hash, handle, user_id, created_at, last_seen_at, user_agent,
                               address, proved_at, proof)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        s.token_hash,
        s.handle,
        s.user_id,
        now,
        now,
        s.user_agent,
        s.address,
        now,
        s.proof
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Ends the oldest sessions of a user beyond the `keep` newest; returns how many.
pub async fn keep_newest(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    keep: i64,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash NOT IN (
             SELECT token_hash FROM sessions WHERE user_id = ?1
             ORDER BY created_at DESC, token_hash LIMIT ?2)",
        user_id,
        keep
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

/// One of a person's sessions, as their sessions page lists it.
#[derive(Debug, Clone)]
pub struct SessionListing {
    pub handle: String,
    pub user_agent: String,
    pub address: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn list_for_user(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> Result<Vec<SessionListing>, sqlx::Error> {
    sqlx::query_as!(
        SessionListing,
        r#"SELECT handle AS "handle!: String", user_agent, address,
                  created_at AS "created_at: DateTime<Utc>",
                  last_seen_at AS "last_seen_at: DateTime<Utc>"
           FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC, handle"#,
        user_id
    )
    .fetch_all(ex)
    .await
}

/// Ends one of a user's own sessions by its handle; false when there is none.
pub async fn delete_by_handle(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    handle: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "DELETE FROM sessions WHERE user_id = ? AND handle = ?",
        user_id,
        handle
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Ends every session of a user but one; returns how many.
pub async fn delete_others(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    keep_token_hash: &str,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
        user_id,
        keep_token_hash
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

/// Records a fresh proof of who the session's owner is.
pub async fn set_proved(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    proof: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE sessions SET proved_at = ?, proof = ? WHERE token_hash = ?",
        now,
        proof,
        token_hash
    )
    .execute(ex)
    .await?;
    Ok(())
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
    /// Whether the user signs in with a second factor.
    pub totp: bool,
}

pub async fn find_signed_in(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> Result<Option<SignedInRow>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT s.created_at AS "session_created_at: DateTime<Utc>",
                  s.last_seen_at AS "last_seen_at: DateTime<Utc>",
                  s.handle AS "handle!: String",
                  s.proved_at AS "proved_at: DateTime<Utc>", s.proof,
                  EXISTS (SELECT 1 FROM user_totp t
                          WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS "totp!: bool",
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
                  p.release_hold_seconds AS "release_hold_seconds!: i64",
                  p.reauth_minutes AS "reauth_minutes!: i64",
                  p.session_idle_minutes AS "session_idle_minutes!: i64",
                  p.totp_required_for_admins AS "totp_required_for_admins!: bool",
                  p.totp_required_for_releasers AS "totp_required_for_releasers!: bool",
                  p.greet_refollows AS "greet_refollows!: bool", p.greeting_fallback,
                  p.greeting_reply_deadline_seconds AS "greeting_reply_deadline_seconds!: i64"
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
            handle: r.handle,
            created_at: r.session_created_at,
            last_seen_at: r.last_seen_at,
            proved_at: r.proved_at,
            proof: r.proof,
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
            reauth_minutes: r.reauth_minutes,
            session_idle_minutes: r.session_idle_minutes,
            totp_required_for_admins: r.totp_required_for_admins,
            totp_required_for_releasers: r.totp_required_for_releasers,
            greet_refollows: r.greet_refollows,
            greeting_fallback: r.greeting_fallback,
            greeting_reply_deadline_seconds: r.greeting_reply_deadline_seconds,
        }
        .parse(),
        totp: r.totp,
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
