//! Releases and their delivery rows. The dispatcher claims one row at a time with an atomic
//! `UPDATE ... RETURNING`, so a row is never sent by two workers, and a row left 'sending'
//! by a crash is put back to 'pending' at start and resent with its stored retry key.

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

#[derive(Debug, Clone)]
pub struct ReleaseRow {
    pub id: i64,
    pub draft_id: i64,
    pub revision_number: i64,
    pub content_hash: String,
    pub kind: String,
    pub preview_id: Option<i64>,
    pub snapshot_hash: Option<String>,
    pub recipients: i64,
    pub approvers: String,
    pub released_by_name: String,
    pub typed_phrase: String,
    pub send_at: DateTime<Utc>,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

pub struct NewRelease<'a> {
    pub draft_id: i64,
    pub revision_number: i64,
    pub content_hash: &'a str,
    pub kind: &'a str,
    pub preview_id: Option<i64>,
    pub snapshot_hash: Option<&'a str>,
    pub recipients: i64,
    pub approvers: &'a str,
    pub released_by: i64,
    pub typed_phrase: &'a str,
    pub send_at: DateTime<Utc>,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    r: &NewRelease<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO releases (draft_id, revision_number, content_hash, kind, preview_id, snapshot_hash,
                                 recipients, approvers, released_by, typed_phrase, send_at, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?) RETURNING id AS "id!: i64""#,
        r.draft_id,
        r.revision_number,
        r.content_hash,
        r.kind,
        r.preview_id,
        r.snapshot_hash,
        r.recipients,
        r.approvers,
        r.released_by,
        r.typed_phrase,
        r.send_at,
        now
    )
    .fetch_one(ex)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_delivery(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    seq: i64,
    method: &str,
    first_user_id: Option<&str>,
    last_user_id: Option<&str>,
    recipients: i64,
    retry_key: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO deliveries (release_id, seq, method, first_user_id, last_user_id, recipients, retry_key)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        release_id,
        seq,
        method,
        first_user_id,
        last_user_id,
        recipients,
        retry_key
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find(ex: impl SqliteExecutor<'_>, id: i64) -> Result<Option<ReleaseRow>, sqlx::Error> {
    sqlx::query_as!(
        ReleaseRow,
        r#"SELECT r.id AS "id!: i64", r.draft_id AS "draft_id!: i64", r.revision_number AS "revision_number!: i64",
                  r.content_hash, r.kind, r.preview_id AS "preview_id: i64", r.snapshot_hash,
                  r.recipients AS "recipients!: i64", r.approvers, u.display_name AS released_by_name,
                  r.typed_phrase, r.send_at AS "send_at: DateTime<Utc>", r.state,
                  r.created_at AS "created_at: DateTime<Utc>", r.finished_at AS "finished_at: DateTime<Utc>", r.error
           FROM releases r JOIN users u ON u.id = r.released_by WHERE r.id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

/// The live (not cancelled) release of a draft, if any.
pub async fn live_for_draft(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!: i64" FROM releases WHERE draft_id = ? AND state <> 'cancelled'"#,
        draft_id
    )
    .fetch_optional(ex)
    .await
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub batches: i64,
    pub batches_done: i64,
    pub batches_failed: i64,
    pub recipients_reached: i64,
}

pub async fn progress(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Progress, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT COUNT(*) AS "batches!: i64",
                  COALESCE(SUM(state = 'sent'), 0) AS "done!: i64",
                  COALESCE(SUM(state = 'failed'), 0) AS "failed!: i64",
                  COALESCE(SUM(CASE WHEN state = 'sent' THEN recipients ELSE 0 END), 0) AS "reached!: i64"
           FROM deliveries WHERE release_id = ?"#,
        release_id
    )
    .fetch_one(ex)
    .await?;
    Ok(Progress {
        batches: r.batches,
        batches_done: r.done,
        batches_failed: r.failed,
        recipients_reached: r.reached,
    })
}

/// Scheduled releases whose time has come start sending. Returns their (id, draft_id).
pub async fn promote_due(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"UPDATE releases SET state = 'sending' WHERE state = 'scheduled' AND send_at <= ?
           RETURNING id AS "id!: i64", draft_id AS "draft_id!: i64""#,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.draft_id)).collect())
}

/// Rows a crash left in flight go back to pending; they keep their retry keys.
pub async fn reset_in_flight(ex: impl SqliteExecutor<'_>) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("UPDATE deliveries SET state = 'pending' WHERE state = 'sending'")
            .execute(ex)
            .await?
            .rows_affected(),
    )
}

#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub release_id: i64,
    pub method: String,
    pub first_user_id: Option<String>,
    pub last_user_id: Option<String>,
    pub retry_key: String,
    pub attempts: i64,
}

/// Atomically takes the next due row of a sending release.
pub async fn claim_next(
    ex: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<Option<ClaimedDelivery>, sqlx::Error> {
    sqlx::query_as!(
        ClaimedDelivery,
        r#"UPDATE deliveries SET state = 'sending', attempts = attempts + 1
           WHERE id = (
               SELECT d.id FROM deliveries d JOIN releases r ON r.id = d.release_id
               WHERE d.state = 'pending' AND r.state = 'sending'
                 AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?1)
               ORDER BY d.id LIMIT 1)
           RETURNING id AS "id!: i64", release_id AS "release_id!: i64", method,
                     first_user_id, last_user_id, retry_key, attempts AS "attempts!: i64""#,
        now
    )
    .fetch_optional(ex)
    .await
}

pub async fn mark_sent(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    request_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE deliveries SET state = 'sent', request_id = ?, error = NULL WHERE id = ?",
        request_id,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn mark_retry(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = ?, error = ? WHERE id = ?",
        next_attempt_at,
        error,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn mark_failed(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE deliveries SET state = 'failed', error = ? WHERE id = ?",
        error,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Fails every row not yet handed over (the monthly quota is gone: the rest cannot go
/// either). Rows another worker has in flight record their own outcome.
pub async fn fail_unsent(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE deliveries SET state = 'failed', error = ? WHERE release_id = ? AND state = 'pending'",
        error,
        release_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn unfinished(ex: impl SqliteExecutor<'_>, release_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM deliveries WHERE release_id = ? AND state IN ('pending', 'sending')"#,
        release_id
    )
    .fetch_one(ex)
    .await
}

/// Records the final state of a sending release. False when it was already finished.
pub async fn finish(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    state: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE releases SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state = 'sending'",
        state,
        error,
        now,
        release_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether the dispatcher has anything to do now: a scheduled release that is due, or a
/// pending row of a sending release whose time has come. A read, so an idle dispatcher
/// never takes the write lock.
pub async fn has_due_work(
    ex: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT (EXISTS (SELECT 1 FROM releases WHERE state = 'scheduled' AND send_at <= ?1)
                OR EXISTS (SELECT 1 FROM deliveries d JOIN releases r ON r.id = d.release_id
                           WHERE d.state = 'pending' AND r.state = 'sending'
                             AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?1)))
           AS "due!: bool""#,
        now
    )
    .fetch_one(ex)
    .await
}

/// Cancels a release that has not started sending. False when it already started.
pub async fn cancel(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE releases SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'scheduled'",
        now,
        release_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}
