//! The greeting message's tables: its activations (the one not ended is active; a unique
//! index keeps it one) and the greetings sent to new friends, one row per friend and follow
//! event. The greeting sender claims one due row at a time with an atomic
//! `UPDATE ... RETURNING`; a row left 'sending' by a crash goes back to 'pending' at start,
//! a reply in flight then marked uncertain (LINE may have taken it) and a push keeping its
//! stored retry key.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use super::releases::HoldReason;

/// The active greeting: one activation of a greeting revision, not ended.
#[derive(Debug, Clone)]
pub struct ActivationRow {
    pub id: i64,
    pub draft_id: i64,
    pub revision_number: i64,
    pub content_hash: String,
    /// The draft's title now.
    pub title: String,
    /// JSON array of the approvers' names at activation.
    pub approvers: String,
    /// JSON array of the warning keys acknowledged at activation.
    pub acknowledged_warnings: String,
    pub typed_name: String,
    pub activated_by: i64,
    pub activated_by_name: String,
    pub activated_at: DateTime<Utc>,
    pub held_at: Option<DateTime<Utc>>,
    pub hold_reasons: Option<String>,
}

impl ActivationRow {
    pub fn acknowledged(&self) -> Vec<String> {
        serde_json::from_str(&self.acknowledged_warnings).unwrap_or_default()
    }

    pub fn approver_names(&self) -> Vec<String> {
        serde_json::from_str(&self.approvers).unwrap_or_default()
    }

    pub fn hold_reasons(&self) -> Vec<HoldReason> {
        self.hold_reasons
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
}

/// The active greeting, if one is.
pub async fn active(ex: impl SqliteExecutor<'_>) -> Result<Option<ActivationRow>, sqlx::Error> {
    sqlx::query_as!(
        ActivationRow,
        r#"SELECT a.id AS "id!: i64", a.draft_id AS "draft_id!: i64",
                  a.revision_number AS "revision_number!: i64", a.content_hash, d.title,
                  a.approvers, a.acknowledged_warnings, a.typed_name,
                  a.activated_by AS "activated_by!: i64", u.display_name AS activated_by_name,
                  a.activated_at AS "activated_at: DateTime<Utc>",
                  a.held_at AS "held_at: DateTime<Utc>", a.hold_reasons
           FROM greeting_activations a JOIN drafts d ON d.id = a.draft_id
           JOIN users u ON u.id = a.activated_by
           WHERE a.ended_at IS NULL"#
    )
    .fetch_optional(ex)
    .await
}

pub struct NewActivation<'a> {
    pub draft_id: i64,
    pub revision_number: i64,
    pub content_hash: &'a str,
    pub approvers: &'a str,
    pub acknowledged_warnings: &'a str,
    pub typed_name: &'a str,
    pub activated_by: i64,
}

pub async fn insert_activation(
    ex: impl SqliteExecutor<'_>,
    a: &NewActivation<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO greeting_activations (draft_id, revision_number, content_hash, approvers,
                                             acknowledged_warnings, typed_name, activated_by,
                                             activated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        a.draft_id,
        a.revision_number,
        a.content_hash,
        a.approvers,
        a.acknowledged_warnings,
        a.typed_name,
        a.activated_by,
        now
    )
    .fetch_one(ex)
    .await
}

/// Ends the active greeting (`replaced` or `deactivated`); returns its id, `None` when no
/// greeting was active.
pub async fn end_active(
    ex: impl SqliteExecutor<'_>,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE greeting_activations SET ended_at = ?, ended_by = ?, end_reason = ?
           WHERE ended_at IS NULL RETURNING id AS "id!: i64""#,
        now,
        by,
        reason
    )
    .fetch_optional(ex)
    .await
}

/// Marks the active greeting held by the send-time gate; true the first time (so the
/// people concerned are told once, not once per new friend).
pub async fn hold_activation(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    reasons: &[HoldReason],
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let reasons = serde_json::to_string(reasons).unwrap_or_else(|_| "[]".into());
    let r = sqlx::query!(
        "UPDATE greeting_activations SET held_at = ?, hold_reasons = ?
         WHERE id = ? AND held_at IS NULL AND ended_at IS NULL",
        now,
        reasons,
        id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One friend's greeting, as the sender reads it.
#[derive(Debug, Clone)]
pub struct SendRow {
    pub id: i64,
    pub user_id: String,
    pub reply_token: Option<String>,
    pub followed_at_ms: i64,
    /// `reply` or `push` once a hand-off was decided (a push's retry key is stored then).
    pub method: Option<String>,
    pub retry_key: Option<String>,
    pub attempts: i64,
    pub reply_uncertain: bool,
}

pub struct NewSend<'a> {
    pub event_key: &'a str,
    pub friend_id: i64,
    pub user_id: &'a str,
    pub reply_token: Option<&'a str>,
    pub followed_at_ms: i64,
    pub refollow: bool,
    /// `pending`, or `not_greeted` with `reason` (a re-follow the policy does not greet).
    pub state: &'a str,
    pub reason: Option<&'a str>,
    pub activation_id: Option<i64>,
}

/// Queues one friend's greeting for one follow event; false when that event already
/// queued one (a redelivery).
pub async fn queue(
    ex: impl SqliteExecutor<'_>,
    s: &NewSend<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let due = now.timestamp_millis();
    let finished = (s.state != "pending").then_some(now);
    let r = sqlx::query!(
        "INSERT INTO greeting_sends (event_key, friend_id, user_id, reply_token, followed_at_ms,
                                     received_at, refollow, state, reason, activation_id,
                                     next_attempt_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_key, friend_id) DO NOTHING",
        s.event_key,
        s.friend_id,
        s.user_id,
        s.reply_token,
        s.followed_at_ms,
        now,
        s.refollow,
        s.state,
        s.reason,
        s.activation_id,
        due,
        finished
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Claims the oldest greeting due by `now_ms`: it becomes 'sending', one more attempt.
pub async fn claim_next(
    ex: impl SqliteExecutor<'_>,
    now_ms: i64,
) -> Result<Option<SendRow>, sqlx::Error> {
    sqlx::query_as!(
        SendRow,
        r#"UPDATE greeting_sends SET state = 'sending', attempts = attempts + 1
           WHERE id = (SELECT id FROM greeting_sends
                       WHERE state = 'pending' AND next_attempt_at <= ?
                       ORDER BY next_attempt_at, id LIMIT 1)
           RETURNING id AS "id!: i64", user_id, reply_token,
                     followed_at_ms AS "followed_at_ms!: i64", method, retry_key,
                     attempts AS "attempts!: i64", reply_uncertain AS "reply_uncertain!: bool""#,
        now_ms
    )
    .fetch_optional(ex)
    .await
}

/// Puts greetings a crash left in flight back to pending: a reply LINE may have taken is
/// marked uncertain (never followed by a push); a push keeps its stored retry key.
pub async fn reset_in_flight(ex: impl SqliteExecutor<'_>) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE greeting_sends
         SET state = 'pending',
             reply_uncertain = CASE WHEN method = 'reply' THEN 1 ELSE reply_uncertain END
         WHERE state = 'sending'"
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

/// The hand-off about to be made, stored before the call: a reply, or a push with the
/// retry key every attempt of it carries.
pub async fn set_method(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    method: &str,
    retry_key: Option<&str>,
    activation_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE greeting_sends SET method = ?, retry_key = COALESCE(retry_key, ?), activation_id = ?
         WHERE id = ?",
        method,
        retry_key,
        activation_id,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Back to pending, to be tried at `next_at_ms`; `uncertain` when a reply may have got
/// through.
pub async fn retry(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    next_at_ms: i64,
    reason: Option<&str>,
    uncertain: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE greeting_sends SET state = 'pending', next_attempt_at = ?, reason = ?,
                reply_uncertain = MAX(reply_uncertain, ?)
         WHERE id = ?",
        next_at_ms,
        reason,
        uncertain,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// The outcome of one friend's greeting.
pub struct Outcome<'a> {
    /// `replied`, `pushed`, `not_greeted`, `held` or `unknown`.
    pub state: &'a str,
    pub reason: Option<&'a str>,
    pub hold_reasons: Option<&'a [HoldReason]>,
    pub request_id: Option<&'a str>,
    pub activation_id: Option<i64>,
}

/// Records the outcome; the reply token, single use, is dropped.
pub async fn finish(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    o: &Outcome<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let reasons = o
        .hold_reasons
        .map(|r| serde_json::to_string(r).unwrap_or_else(|_| "[]".into()));
    sqlx::query!(
        "UPDATE greeting_sends SET state = ?, reason = ?, hold_reasons = ?, request_id = ?,
                activation_id = COALESCE(?, activation_id), reply_token = NULL, finished_at = ?
         WHERE id = ?",
        o.state,
        o.reason,
        reasons,
        o.request_id,
        o.activation_id,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// One greeting as the greeting page lists it.
#[derive(Debug, Clone)]
pub struct RecentRow {
    pub id: i64,
    pub user_id: String,
    pub display_name: String,
    pub refollow: bool,
    pub received_at: DateTime<Utc>,
    pub state: String,
    pub method: Option<String>,
    pub reason: Option<String>,
    pub hold_reasons: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The greeting it was (or would have been) sent with.
    pub title: Option<String>,
    pub revision_number: Option<i64>,
}

impl RecentRow {
    pub fn hold_reasons(&self) -> Vec<HoldReason> {
        self.hold_reasons
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
}

/// The newest greetings, newest first.
pub async fn recent(
    ex: impl SqliteExecutor<'_>,
    limit: i64,
) -> Result<Vec<RecentRow>, sqlx::Error> {
    sqlx::query_as!(
        RecentRow,
        r#"SELECT g.id AS "id!: i64", g.user_id, f.display_name,
                  g.refollow AS "refollow!: bool",
                  g.received_at AS "received_at: DateTime<Utc>", g.state, g.method, g.reason,
                  g.hold_reasons, g.finished_at AS "finished_at: DateTime<Utc>",
                  d.title AS "title?: String", a.revision_number AS "revision_number?: i64"
           FROM greeting_sends g JOIN friends f ON f.id = g.friend_id
           LEFT JOIN greeting_activations a ON a.id = g.activation_id
           LEFT JOIN drafts d ON d.id = a.draft_id
           ORDER BY g.id DESC LIMIT ?"#,
        limit
    )
    .fetch_all(ex)
    .await
}
