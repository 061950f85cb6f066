//! Two-factor sign-in (issue #18): `user_totp` (the TOTP secret, pending until its first
//! code), `recovery_codes` (hashed, one use each) and `login_challenges` (a right password
//! waiting for its second factor).

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

#[derive(Debug, Clone)]
pub struct TotpRow {
    pub secret: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: i64,
}

pub async fn totp(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> Result<Option<TotpRow>, sqlx::Error> {
    sqlx::query_as!(
        TotpRow,
        r#"SELECT secret, confirmed_at AS "confirmed_at: DateTime<Utc>",
                  last_step AS "last_step!: i64"
           FROM user_totp WHERE user_id = ?"#,
        user_id
    )
    .fetch_optional(ex)
    .await
}

/// Every stored secret with its user (the one-time sealing of secrets written in plain).
pub async fn all_secrets(ex: impl SqliteExecutor<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    Ok(
        sqlx::query!(
            r#"SELECT user_id AS "user_id!: i64", secret FROM user_totp ORDER BY user_id"#
        )
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.secret))
        .collect(),
    )
}

/// Replaces the stored form of a user's secret, if it is still `was` (the secret itself,
/// its confirmation and its last step are unchanged).
pub async fn replace_stored_secret(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    was: &str,
    now_stored: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE user_totp SET secret = ? WHERE user_id = ? AND secret = ?",
        now_stored,
        user_id,
        was
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Starts (or restarts) enrolment with a new secret; any earlier enrolment is replaced.
pub async fn start_enrolment(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO user_totp (user_id, secret, confirmed_at, last_step, created_at)
         VALUES (?, ?, NULL, 0, ?)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, confirmed_at = NULL,
            last_step = 0, created_at = excluded.created_at",
        user_id,
        secret,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn confirm(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    step: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE user_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ?",
        now,
        step,
        user_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Records the step a code was accepted for, only if it is newer than the last one: false
/// when the code was already used (a replay, or two requests racing with one code).
pub async fn use_step(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE user_totp SET last_step = ?1 WHERE user_id = ?2 AND last_step < ?1
           AND confirmed_at IS NOT NULL",
        step,
        user_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Turns two-factor sign-in off for a user: the secret and the recovery codes go.
pub async fn remove(ex: &mut sqlx::SqliteConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!("DELETE FROM user_totp WHERE user_id = ?", user_id)
        .execute(&mut *ex)
        .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = ?", user_id)
        .execute(&mut *ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Users who sign in with a second factor, for the users page.
pub async fn enrolled_user_ids(ex: impl SqliteExecutor<'_>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT user_id AS "user_id!: i64" FROM user_totp WHERE confirmed_at IS NOT NULL"#
    )
    .fetch_all(ex)
    .await
}

/// Replaces a user's recovery codes with these hashes.
pub async fn set_recovery_codes(
    ex: &mut sqlx::SqliteConnection,
    user_id: i64,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = ?", user_id)
        .execute(&mut *ex)
        .await?;
    for h in hashes {
        sqlx::query!(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
            user_id,
            h
        )
        .execute(&mut *ex)
        .await?;
    }
    Ok(())
}

/// Uses up one recovery code; false when it is not one of the user's unused codes.
pub async fn use_recovery_code(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
        now,
        user_id,
        hash
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn unused_recovery_codes(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM recovery_codes WHERE user_id = ? AND used_at IS NULL"#,
        user_id
    )
    .fetch_one(ex)
    .await
}

#[derive(Debug, Clone)]
pub struct ChallengeRow {
    pub user_id: i64,
    pub next: String,
    pub address: String,
    pub user_agent: String,
    pub attempts: i64,
    pub expires_at: DateTime<Utc>,
}

pub struct NewChallenge<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub next: &'a str,
    pub address: &'a str,
    pub user_agent: &'a str,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_challenge(
    ex: &mut sqlx::SqliteConnection,
    c: &NewChallenge<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // Expired challenges are dropped whenever a new one is made: the table stays small.
    sqlx::query!("DELETE FROM login_challenges WHERE expires_at <= ?", now)
        .execute(&mut *ex)
        .await?;
    sqlx::query!(
        "INSERT INTO login_challenges (token_hash, user_id, next, address, user_agent, attempts, expires_at)
         VALUES (?, ?, ?, ?, ?, 0, ?)",
        c.token_hash,
        c.user_id,
        c.next,
        c.address,
        c.user_agent,
        c.expires_at
    )
    .execute(&mut *ex)
    .await?;
    Ok(())
}

pub async fn challenge(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> Result<Option<ChallengeRow>, sqlx::Error> {
    sqlx::query_as!(
        ChallengeRow,
        r#"SELECT user_id AS "user_id!: i64", next, address, user_agent,
                  attempts AS "attempts!: i64", expires_at AS "expires_at: DateTime<Utc>"
           FROM login_challenges WHERE token_hash = ?"#,
        token_hash
    )
    .fetch_optional(ex)
    .await
}

/// Counts a code tried against the challenge; returns the attempts so far.
pub async fn count_challenge_attempt(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = ?
           RETURNING attempts AS "attempts!: i64""#,
        token_hash
    )
    .fetch_one(ex)
    .await
}

pub async fn delete_challenge(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM login_challenges WHERE token_hash = ?",
        token_hash
    )
    .execute(ex)
    .await?;
    Ok(())
}
