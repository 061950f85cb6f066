//! One-time pairing codes: a signed-in person asks for one, sends it from LINE, and the
//! webhook's message event links that LINE account to them as a tester. Only the code's
//! SHA-256 is stored.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

#[derive(Debug, Clone)]
pub struct PairingRow {
    pub id: i64,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub friend_user_id: Option<String>,
    pub refusal: Option<String>,
}

/// A new code for `user_id`; their earlier unused codes stop working.
pub async fn insert(
    conn: &mut sqlx::SqliteConnection,
    user_id: i64,
    code_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query!(
        "UPDATE tester_pairings SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
        now,
        user_id,
        now
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar!(
        r#"INSERT INTO tester_pairings (user_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)
           RETURNING id AS "id!: i64""#,
        user_id,
        code_hash,
        now,
        expires_at
    )
    .fetch_one(&mut *conn)
    .await
}

/// The unused, unexpired code with this hash.
pub async fn find_active(
    ex: impl SqliteExecutor<'_>,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<PairingRow>, sqlx::Error> {
    sqlx::query_as!(
        PairingRow,
        r#"SELECT id AS "id!: i64", user_id AS "user_id!: i64", created_at AS "created_at: DateTime<Utc>",
                  expires_at AS "expires_at: DateTime<Utc>", used_at AS "used_at: DateTime<Utc>",
                  friend_user_id, refusal
           FROM tester_pairings WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?"#,
        code_hash,
        now
    )
    .fetch_optional(ex)
    .await
}

/// The code was sent from `friend_user_id`: used, paired or refused with a reason.
pub async fn mark_used(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    friend_user_id: &str,
    refusal: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE tester_pairings SET used_at = ?, friend_user_id = ?, refusal = ? WHERE id = ?",
        now,
        friend_user_id,
        refusal,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// The person's newest code, to show where their pairing stands.
pub async fn latest_for_user(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> Result<Option<PairingRow>, sqlx::Error> {
    sqlx::query_as!(
        PairingRow,
        r#"SELECT id AS "id!: i64", user_id AS "user_id!: i64", created_at AS "created_at: DateTime<Utc>",
                  expires_at AS "expires_at: DateTime<Utc>", used_at AS "used_at: DateTime<Utc>",
                  friend_user_id, refusal
           FROM tester_pairings WHERE user_id = ? ORDER BY id DESC LIMIT 1"#,
        user_id
    )
    .fetch_optional(ex)
    .await
}
