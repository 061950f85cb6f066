//! The `login_throttle` and `login_audit_budget` tables: sign-in counts shared by every
//! process on this database (issue #18).

use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteExecutor;

use crate::domain::throttle::KeyState;

pub async fn get(ex: impl SqliteExecutor<'_>, key: &str) -> Result<Option<KeyState>, sqlx::Error> {
    sqlx::query_as!(
        KeyState,
        r#"SELECT failures AS "failures!: i64",
                  window_started_at AS "window_started_at: DateTime<Utc>",
                  lockouts AS "lockouts!: i64",
                  locked_until AS "locked_until: DateTime<Utc>"
           FROM login_throttle WHERE key = ?"#,
        key
    )
    .fetch_optional(ex)
    .await
}

pub async fn put(
    ex: impl SqliteExecutor<'_>,
    key: &str,
    s: &KeyState,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_throttle (key, failures, window_started_at, lockouts, locked_until, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
            window_started_at = excluded.window_started_at, lockouts = excluded.lockouts,
            locked_until = excluded.locked_until, updated_at = excluded.updated_at",
        key,
        s.failures,
        s.window_started_at,
        s.lockouts,
        s.locked_until,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn delete(ex: impl SqliteExecutor<'_>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM login_throttle WHERE key = ?", key)
        .execute(ex)
        .await?;
    Ok(())
}

/// Forgets every count of one account: from everywhere and from each address.
pub async fn clear_account(
    ex: impl SqliteExecutor<'_>,
    account_key: &str,
    pair_prefix: &str,
) -> Result<u64, sqlx::Error> {
    // substr, not LIKE: user names may hold `_`, a LIKE wildcard.
    let r = sqlx::query!(
        "DELETE FROM login_throttle WHERE key = ? OR substr(key, 1, length(?2)) = ?2",
        account_key,
        pair_prefix
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

/// Drops keys nobody has tried for a day and that are not locked.
pub async fn sweep(ex: impl SqliteExecutor<'_>, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let quiet_since = now - Duration::hours(24);
    let r = sqlx::query!(
        "DELETE FROM login_throttle
         WHERE updated_at < ? AND (locked_until IS NULL OR locked_until < ?)",
        quiet_since,
        now
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

/// Whether one more failed sign-in may be written to the audit log this minute, and how
/// many were only counted in the minute before, if that minute is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub log: bool,
    pub unlogged_before: Option<(i64, DateTime<Utc>)>,
}

pub async fn take_audit_budget(
    conn: &mut sqlx::SqliteConnection,
    now: DateTime<Utc>,
    per_minute: i64,
) -> Result<Budget, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT window_started_at AS "window_started_at: DateTime<Utc>",
                  logged AS "logged!: i64", suppressed AS "suppressed!: i64"
           FROM login_audit_budget WHERE id = 1"#
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (mut start, mut logged, mut suppressed) = row
        .map(|r| (r.window_started_at, r.logged, r.suppressed))
        .unwrap_or((now, 0, 0));
    let mut unlogged_before = None;
    if start + Duration::minutes(1) <= now {
        if suppressed > 0 {
            unlogged_before = Some((suppressed, start));
        }
        (start, logged, suppressed) = (now, 0, 0);
    }
    let log = logged < per_minute;
    if log {
        logged += 1;
    } else {
        suppressed += 1;
    }
    sqlx::query!(
        "INSERT INTO login_audit_budget (id, window_started_at, logged, suppressed) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET window_started_at = excluded.window_started_at,
            logged = excluded.logged, suppressed = excluded.suppressed",
        start,
        logged,
        suppressed
    )
    .execute(&mut *conn)
    .await?;
    Ok(Budget {
        log,
        unlogged_before,
    })
}
