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
    pub released_by: i64,
    pub released_by_name: String,
    pub typed_phrase: String,
    pub send_at: DateTime<Utc>,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// JSON array of the warning keys acknowledged at release.
    pub acknowledged_warnings: String,
    /// `domain::gate::Timing` as stored.
    pub timing: String,
    /// JSON array of `HoldReason`s, when the send-time gate held it.
    pub hold_reasons: Option<String>,
    /// How many recipients LINE accepted, once finished.
    pub accepted: Option<i64>,
    pub accepted_hash: Option<String>,
}

/// Why the send-time gate held a release: one failing rule in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HoldReason {
    pub rule: String,
    pub reason: String,
}

impl ReleaseRow {
    pub fn hold_reasons(&self) -> Vec<HoldReason> {
        self.hold_reasons
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    pub fn acknowledged(&self) -> Vec<String> {
        serde_json::from_str(&self.acknowledged_warnings).unwrap_or_default()
    }
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
    pub acknowledged_warnings: &'a str,
    pub timing: &'a str,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    r: &NewRelease<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO releases (draft_id, revision_number, content_hash, kind, preview_id, snapshot_hash,
                                 recipients, approvers, released_by, typed_phrase, send_at, state, created_at,
                                 acknowledged_warnings, timing)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?) RETURNING id AS "id!: i64""#,
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
        now,
        r.acknowledged_warnings,
        r.timing
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
                  r.recipients AS "recipients!: i64", r.approvers, r.released_by AS "released_by!: i64",
                  u.display_name AS released_by_name,
                  r.typed_phrase, r.send_at AS "send_at: DateTime<Utc>", r.state,
                  r.created_at AS "created_at: DateTime<Utc>", r.finished_at AS "finished_at: DateTime<Utc>", r.error,
                  r.acknowledged_warnings, r.timing, r.hold_reasons, r.accepted, r.accepted_hash
           FROM releases r JOIN users u ON u.id = r.released_by WHERE r.id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

/// The live (not cancelled, not held) release of a draft, if any.
pub async fn live_for_draft(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!: i64" FROM releases WHERE draft_id = ? AND state NOT IN ('cancelled', 'held')"#,
        draft_id
    )
    .fetch_optional(ex)
    .await
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub batches: i64,
    pub batches_done: i64,
    /// Refused by LINE.
    pub batches_failed: i64,
    /// Never handed to LINE: the send stopped first.
    pub batches_not_attempted: i64,
    pub recipients_reached: i64,
    pub recipients_refused: i64,
    pub recipients_not_attempted: i64,
}

pub async fn progress(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Progress, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT COUNT(*) AS "batches!: i64",
                  COALESCE(SUM(state = 'sent'), 0) AS "done!: i64",
                  COALESCE(SUM(state = 'failed'), 0) AS "failed!: i64",
                  COALESCE(SUM(state = 'not_attempted'), 0) AS "not_attempted!: i64",
                  COALESCE(SUM(CASE WHEN state = 'sent' THEN recipients ELSE 0 END), 0) AS "reached!: i64",
                  COALESCE(SUM(CASE WHEN state = 'failed' THEN recipients ELSE 0 END), 0) AS "refused!: i64",
                  COALESCE(SUM(CASE WHEN state = 'not_attempted' THEN recipients ELSE 0 END), 0) AS "skipped!: i64"
           FROM deliveries WHERE release_id = ?"#,
        release_id
    )
    .fetch_one(ex)
    .await?;
    Ok(Progress {
        batches: r.batches,
        batches_done: r.done,
        batches_failed: r.failed,
        batches_not_attempted: r.not_attempted,
        recipients_reached: r.reached,
        recipients_refused: r.refused,
        recipients_not_attempted: r.skipped,
    })
}

/// Scheduled releases whose time has come, first due first: the dispatcher asks the
/// send-time gate of each before it starts it. `(id, draft_id)`.
pub async fn due_scheduled(
    ex: impl SqliteExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!: i64", draft_id AS "draft_id!: i64" FROM releases
           WHERE state = 'scheduled' AND send_at <= ?1 AND (recheck_at IS NULL OR recheck_at <= ?1)
           ORDER BY send_at, id"#,
        now
    )
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.draft_id)).collect())
}

/// Scheduled -> sending. False when it is no longer scheduled (cancelled meanwhile).
pub async fn start(ex: impl SqliteExecutor<'_>, release_id: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE releases SET state = 'sending', recheck_at = NULL WHERE id = ? AND state = 'scheduled'",
        release_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The send-time gate could not be asked fully (LINE's quota): look again at `at`.
pub async fn recheck_at(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE releases SET recheck_at = ? WHERE id = ? AND state = 'scheduled'",
        at,
        release_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Scheduled -> held: nothing of it was sent, and its rows will never be. False when it is
/// no longer scheduled.
pub async fn hold(
    conn: &mut SqliteConnection,
    release_id: i64,
    reasons: &[HoldReason],
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let reasons = serde_json::to_string(reasons).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let r = sqlx::query!(
        "UPDATE releases SET state = 'held', hold_reasons = ?, finished_at = ? WHERE id = ? AND state = 'scheduled'",
        reasons,
        now,
        release_id
    )
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE deliveries SET state = 'not_attempted', error = 'held before sending' WHERE release_id = ? AND state = 'pending'",
        release_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Recipients that releases other than `release_id` still hold against this month's
/// quota and that go out before it: every release already sending, and scheduled ones due
/// earlier (or at the same time and released first).
pub async fn reserved_ahead_of(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(SUM(d.recipients), 0) AS "n!: i64"
           FROM releases me, releases x JOIN deliveries d ON d.release_id = x.id
           WHERE me.id = ?1 AND x.id <> me.id AND d.state IN ('pending', 'sending')
             AND (x.state = 'sending'
                  OR (x.state = 'scheduled' AND (x.send_at < me.send_at
                                                 OR (x.send_at = me.send_at AND x.id < me.id))))"#,
        release_id
    )
    .fetch_one(ex)
    .await
}

/// Recipients every release not yet sent holds against this month's quota.
pub async fn reserved(ex: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(SUM(d.recipients), 0) AS "n!: i64"
           FROM releases x JOIN deliveries d ON d.release_id = x.id
           WHERE x.state IN ('scheduled', 'sending') AND d.state IN ('pending', 'sending')"#
    )
    .fetch_one(ex)
    .await
}

/// The newest release of a draft (held, cancelled or live), if any.
pub async fn latest_for_draft(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT MAX(id) AS "id: i64" FROM releases WHERE draft_id = ?"#,
        draft_id
    )
    .fetch_one(ex)
    .await
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

/// Gives up every row not yet handed over (the monthly quota is gone: the rest cannot go
/// either); they are recorded as not attempted, apart from the rows LINE refused. Rows
/// another worker has in flight record their own outcome.
pub async fn stop_unsent(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE deliveries SET state = 'not_attempted', error = ? WHERE release_id = ? AND state = 'pending'",
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

/// Records the final state of a sending release, with how many recipients LINE accepted
/// and the hash of who they are. False when it was already finished.
pub async fn finish(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    state: &str,
    error: Option<&str>,
    accepted: i64,
    accepted_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE releases SET state = ?, error = ?, finished_at = ?, accepted = ?, accepted_hash = ?
         WHERE id = ? AND state = 'sending'",
        state,
        error,
        now,
        accepted,
        accepted_hash,
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
        r#"SELECT (EXISTS (SELECT 1 FROM releases WHERE state = 'scheduled' AND send_at <= ?1
                                                  AND (recheck_at IS NULL OR recheck_at <= ?1))
                OR EXISTS (SELECT 1 FROM deliveries d JOIN releases r ON r.id = d.release_id
                           WHERE d.state = 'pending' AND r.state = 'sending'
                             AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?1)))
           AS "due!: bool""#,
        now
    )
    .fetch_one(ex)
    .await
}

/// Cancels a release that has not started sending (scheduled, or held by the send-time
/// gate). False when it already started.
pub async fn cancel(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE releases SET state = 'cancelled', finished_at = ? WHERE id = ? AND state IN ('scheduled', 'held')",
        now,
        release_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Batches that reached nobody, grouped by what happened (`failed`: LINE refused them;
/// `not_attempted`: the send stopped first) and LINE's words.
#[derive(Debug, Clone)]
pub struct FailureGroup {
    pub state: String,
    pub error: String,
    pub batches: i64,
    pub recipients: i64,
}

pub async fn failures(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Vec<FailureGroup>, sqlx::Error> {
    sqlx::query_as!(
        FailureGroup,
        r#"SELECT state AS "state!: String", COALESCE(error, '') AS "error!: String", COUNT(*) AS "batches!: i64",
                  SUM(recipients) AS "recipients!: i64"
           FROM deliveries WHERE release_id = ? AND state IN ('failed', 'not_attempted')
           GROUP BY state, error ORDER BY state, MIN(seq)"#,
        release_id
    )
    .fetch_all(ex)
    .await
}

/// A release released "now" that waits out its undo window (`release_hold_seconds`): the
/// dashboard lists it with its countdown and a cancel button.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UndoWindowRow {
    pub id: i64,
    pub draft_id: i64,
    pub title: String,
    pub send_at: DateTime<Utc>,
    pub recipients: i64,
}

/// Every immediate release not started yet (`scheduled` with timing `now`), soonest first,
/// at most `limit`.
pub async fn in_undo_window(
    ex: impl SqliteExecutor<'_>,
    limit: i64,
) -> Result<Vec<UndoWindowRow>, sqlx::Error> {
    sqlx::query_as::<_, UndoWindowRow>(
        "SELECT r.id, r.draft_id, d.title, r.send_at, r.recipients
           FROM releases r JOIN drafts d ON d.id = r.draft_id
          WHERE r.state = 'scheduled' AND r.timing = 'now'
          ORDER BY r.send_at, r.id
          LIMIT ?1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await
}
