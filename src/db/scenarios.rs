//! Step scenarios: scenarios, their steps, who entered them (enrollments), one delivery
//! row per (step, friend, round) and impact previews. Due pairs come from indexed ranges
//! of enrollments (entry time for day 0, local follow day after that) and are written in
//! one `INSERT ... SELECT` each, with `OR IGNORE` on the unique pair so nothing is ever
//! queued twice. The dispatcher claims a group of rows atomically, storing the retry key
//! of its call on them before the call, like `db::releases::claim_next`.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqliteExecutor};

use crate::domain::audience::{FollowWindow, SegmentRules};

#[derive(Debug, Clone)]
pub struct ScenarioRow {
    pub id: i64,
    pub name: String,
    pub trigger_kind: String,
    pub state: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    name: &str,
    trigger: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO scenarios (name, trigger_kind, created_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        name,
        trigger,
        by,
        now,
        now
    )
    .fetch_one(ex)
    .await
}

pub async fn find(
    ex: impl SqliteExecutor<'_>,
    id: i64,
) -> Result<Option<ScenarioRow>, sqlx::Error> {
    sqlx::query_as!(
        ScenarioRow,
        r#"SELECT id AS "id!: i64", name, trigger_kind, state, created_by AS "created_by!: i64",
                  created_at AS "created_at: DateTime<Utc>", activated_at AS "activated_at: DateTime<Utc>"
           FROM scenarios WHERE id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

pub async fn list(ex: impl SqliteExecutor<'_>) -> Result<Vec<ScenarioRow>, sqlx::Error> {
    sqlx::query_as!(
        ScenarioRow,
        r#"SELECT id AS "id!: i64", name, trigger_kind, state, created_by AS "created_by!: i64",
                  created_at AS "created_at: DateTime<Utc>", activated_at AS "activated_at: DateTime<Utc>"
           FROM scenarios ORDER BY id DESC"#
    )
    .fetch_all(ex)
    .await
}

/// Scenarios new friends enter (active or paused), with their triggers.
pub async fn enrolling(ex: impl SqliteExecutor<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!: i64", trigger_kind FROM scenarios WHERE state IN ('active', 'paused')"#
    )
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.trigger_kind)).collect())
}

pub async fn set_state(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    state: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE scenarios SET state = ?, updated_at = ?,
             activated_at = CASE WHEN ? = 'active' THEN ? ELSE activated_at END
         WHERE id = ?",
        state,
        now,
        state,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct StepRow {
    pub id: i64,
    pub scenario_id: i64,
    pub position: i64,
    pub delay_days: i64,
    pub delay_minutes: i64,
    pub draft_id: i64,
    pub live_revision: Option<i64>,
    pub scanned_until: Option<i64>,
    pub current_revision: i64,
    pub title: String,
    pub draft_state: String,
    /// Why the send-time gate stopped this step (JSON array of `releases::HoldReason`),
    /// until the scenario is activated again.
    pub hold_reason: Option<String>,
    /// JSON array of the warning keys acknowledged when the live revision was activated.
    pub live_acknowledged: String,
}

impl StepRow {
    /// The step sends only while the revision its activation approved is still current.
    /// Sending: its current revision is the one activated, and the send-time gate has not
    /// stopped it since.
    pub fn is_live(&self) -> bool {
        self.live_revision == Some(self.current_revision) && self.hold_reason.is_none()
    }
}

pub async fn steps(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
) -> Result<Vec<StepRow>, sqlx::Error> {
    sqlx::query_as!(
        StepRow,
        r#"SELECT s.id AS "id!: i64", s.scenario_id AS "scenario_id!: i64", s.position AS "position!: i64",
                  s.delay_days AS "delay_days!: i64", s.delay_minutes AS "delay_minutes!: i64",
                  s.draft_id AS "draft_id!: i64", s.live_revision AS "live_revision: i64",
                  s.scanned_until AS "scanned_until: i64", d.current_revision AS "current_revision!: i64",
                  d.title, d.state AS draft_state, s.hold_reason, s.live_acknowledged
           FROM scenario_steps s JOIN drafts d ON d.id = s.draft_id
           WHERE s.scenario_id = ? ORDER BY s.position"#,
        scenario_id
    )
    .fetch_all(ex)
    .await
}

pub async fn step(
    ex: impl SqliteExecutor<'_>,
    step_id: i64,
) -> Result<Option<StepRow>, sqlx::Error> {
    sqlx::query_as!(
        StepRow,
        r#"SELECT s.id AS "id!: i64", s.scenario_id AS "scenario_id!: i64", s.position AS "position!: i64",
                  s.delay_days AS "delay_days!: i64", s.delay_minutes AS "delay_minutes!: i64",
                  s.draft_id AS "draft_id!: i64", s.live_revision AS "live_revision: i64",
                  s.scanned_until AS "scanned_until: i64", d.current_revision AS "current_revision!: i64",
                  d.title, d.state AS draft_state, s.hold_reason, s.live_acknowledged
           FROM scenario_steps s JOIN drafts d ON d.id = s.draft_id
           WHERE s.id = ?"#,
        step_id
    )
    .fetch_optional(ex)
    .await
}

/// The send-time gate stopped a step: it sends nothing until the scenario is activated
/// again, and what was waiting (including the group being handed over) is held.
pub async fn hold_by_gate(
    conn: &mut SqliteConnection,
    step_id: i64,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        "UPDATE scenario_steps SET hold_reason = ? WHERE id = ?",
        reason,
        step_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query!(
        // Rows keep their call's retry key: a row whose earlier attempt LINE may have taken
        // is answered "already accepted" when it is sent after all.
        "UPDATE step_deliveries SET state = 'held', reason = ?
         WHERE step_id = ? AND state IN ('pending', 'sending')",
        reason,
        step_id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// A claimed group waits (quiet hours, a quota LINE could not report): back to pending
/// under the same key, not to be claimed again before `until` (Unix seconds).
pub async fn defer(
    ex: impl SqliteExecutor<'_>,
    batch_key: &str,
    until: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE step_deliveries SET state = 'pending', attempts = MAX(attempts - 1, 0), next_attempt_at = ?
         WHERE batch_key = ? AND state = 'sending'",
        until,
        batch_key
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Steps of every active or paused scenario, with their scenario's state.
pub async fn running_steps(
    ex: impl SqliteExecutor<'_>,
) -> Result<Vec<(StepRow, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id!: i64", s.scenario_id AS "scenario_id!: i64", s.position AS "position!: i64",
                  s.delay_days AS "delay_days!: i64", s.delay_minutes AS "delay_minutes!: i64",
                  s.draft_id AS "draft_id!: i64", s.live_revision AS "live_revision: i64",
                  s.scanned_until AS "scanned_until: i64", d.current_revision AS "current_revision!: i64",
                  d.title, d.state AS draft_state, s.hold_reason, s.live_acknowledged,
                  sc.state AS scenario_state
           FROM scenario_steps s JOIN drafts d ON d.id = s.draft_id
           JOIN scenarios sc ON sc.id = s.scenario_id
           WHERE sc.state IN ('active', 'paused') ORDER BY s.id"#
    )
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                StepRow {
                    id: r.id,
                    scenario_id: r.scenario_id,
                    position: r.position,
                    delay_days: r.delay_days,
                    delay_minutes: r.delay_minutes,
                    draft_id: r.draft_id,
                    live_revision: r.live_revision,
                    scanned_until: r.scanned_until,
                    current_revision: r.current_revision,
                    title: r.title,
                    draft_state: r.draft_state,
                    hold_reason: r.hold_reason,
                    live_acknowledged: r.live_acknowledged,
                },
                r.scenario_state,
            )
        })
        .collect())
}

pub async fn insert_step(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
    delay_days: i64,
    delay_minutes: i64,
    draft_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO scenario_steps (scenario_id, position, delay_days, delay_minutes, draft_id)
           VALUES (?1, (SELECT COALESCE(MAX(position), 0) + 1 FROM scenario_steps WHERE scenario_id = ?1), ?2, ?3, ?4)
           RETURNING id AS "id!: i64""#,
        scenario_id,
        delay_days,
        delay_minutes,
        draft_id
    )
    .fetch_one(ex)
    .await
}

/// The scenario a step draft belongs to, if any.
pub async fn scenario_of_draft(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT scenario_id AS "scenario_id!: i64" FROM scenario_steps WHERE draft_id = ?"#,
        draft_id
    )
    .fetch_optional(ex)
    .await
}

/// Marks the step's current revision as the approved one; due pairs are looked for from
/// `scanned_from` on if the step was never scanned.
/// Activation: `revision` goes live with the warnings acknowledged for it, and whatever the
/// send-time gate had stopped is cleared.
pub async fn set_live(
    ex: impl SqliteExecutor<'_>,
    step_id: i64,
    revision: i64,
    acknowledged: &str,
    scanned_from: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE scenario_steps SET live_revision = ?, live_acknowledged = ?, hold_reason = NULL,
                scanned_until = COALESCE(scanned_until, ?) WHERE id = ?",
        revision,
        acknowledged,
        scanned_from,
        step_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_scanned(
    ex: impl SqliteExecutor<'_>,
    step_id: i64,
    until: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE scenario_steps SET scanned_until = ? WHERE id = ?",
        until,
        step_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// The friend's round in the scenario, if they entered it.
pub async fn round_of(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
    friend_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT round AS "round!: i64" FROM scenario_enrollments WHERE scenario_id = ? AND friend_id = ?"#,
        scenario_id,
        friend_id
    )
    .fetch_optional(ex)
    .await
}

pub async fn enroll(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
    friend_id: i64,
    round: i64,
    at: i64,
    local_day: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO scenario_enrollments (scenario_id, friend_id, round, enrolled_at, local_day)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scenario_id, friend_id) DO UPDATE SET round = excluded.round,
             enrolled_at = excluded.enrolled_at, local_day = excluded.local_day",
        scenario_id,
        friend_id,
        round,
        at,
        local_day
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Which enrollments a due query looks at.
#[derive(Debug, Clone, Copy)]
pub enum Range {
    /// Entered in `[from, to]` (Unix seconds).
    Entered(i64, i64),
    /// Followed on this local day.
    Day(i64),
}

fn push_range(qb: &mut QueryBuilder<Sqlite>, scenario_id: i64, range: Range) {
    qb.push(
        " FROM scenario_enrollments e JOIN friends f ON f.id = e.friend_id WHERE e.scenario_id = ",
    )
    .push_bind(scenario_id);
    match range {
        Range::Entered(from, to) => {
            qb.push(" AND e.enrolled_at BETWEEN ")
                .push_bind(from)
                .push(" AND ")
                .push_bind(to);
        }
        Range::Day(d) => {
            qb.push(" AND e.local_day = ").push_bind(d);
        }
    }
}

/// A step's audience condition, from the segment its revision names (as it was saved).
pub struct StepAudience<'a> {
    pub rules: Option<&'a SegmentRules>,
    pub window: FollowWindow,
}

fn push_due_at(qb: &mut QueryBuilder<Sqlite>, range: Range, delay_seconds: i64, due: i64) {
    match range {
        Range::Entered(..) => {
            qb.push("e.enrolled_at + ").push_bind(delay_seconds);
        }
        Range::Day(_) => {
            qb.push_bind(due);
        }
    }
}

/// A fresh UUID v4 per row, made by SQLite, for rows written by `INSERT ... SELECT`.
const SQL_UUID: &str = "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/// Writes a row for every friend of `range` due for the step: `state` ('pending' or
/// 'held') for those who follow and match the step's segment, 'skipped' with the reason
/// for the others. Rows that exist already are left alone. `due` is the due moment for a
/// `Range::Day`; for `Range::Entered` it is entry time plus `delay_seconds`.
#[allow(clippy::too_many_arguments)]
pub async fn queue_due(
    conn: &mut SqliteConnection,
    scenario_id: i64,
    step_id: i64,
    revision: i64,
    range: Range,
    delay_seconds: i64,
    due: i64,
    audience: &StepAudience<'_>,
    state: &str,
) -> Result<u64, sqlx::Error> {
    let mut qb = QueryBuilder::new(
        "INSERT OR IGNORE INTO step_deliveries (step_id, friend_id, round, due_at, revision_number, retry_key, state) SELECT ",
    );
    qb.push_bind(step_id).push(", e.friend_id, e.round, ");
    push_due_at(&mut qb, range, delay_seconds, due);
    qb.push(", ")
        .push_bind(revision)
        .push(format!(", {SQL_UUID}, "))
        .push_bind(state);
    push_range(&mut qb, scenario_id, range);
    qb.push(" AND f.blocked = 0");
    if let Some(rules) = audience.rules {
        crate::db::friends::push_segment_conditions(&mut qb, rules, audience.window);
    }
    let queued = qb.build().execute(&mut *conn).await?.rows_affected();

    let mut qb = QueryBuilder::new(
        "INSERT OR IGNORE INTO step_deliveries (step_id, friend_id, round, due_at, revision_number, retry_key, state, reason) SELECT ",
    );
    qb.push_bind(step_id).push(", e.friend_id, e.round, ");
    push_due_at(&mut qb, range, delay_seconds, due);
    qb.push(", ").push_bind(revision).push(format!(
        ", {SQL_UUID}, 'skipped', CASE WHEN f.blocked = 1 THEN 'blocked the account' ELSE 'outside the step''s segment' END"
    ));
    push_range(&mut qb, scenario_id, range);
    qb.build().execute(&mut *conn).await?;
    Ok(queued)
}

/// How many following friends in `range` match the step (impact preview).
pub async fn count_due(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
    range: Range,
    audience: &StepAudience<'_>,
) -> Result<i64, sqlx::Error> {
    let mut qb = QueryBuilder::new("SELECT COUNT(*)");
    push_range(&mut qb, scenario_id, range);
    qb.push(" AND f.blocked = 0");
    if let Some(rules) = audience.rules {
        crate::db::friends::push_segment_conditions(&mut qb, rules, audience.window);
    }
    qb.build_query_scalar::<i64>().fetch_one(ex).await
}

/// Not-yet-claimed rows of a step that stopped (edited, or its scenario paused) are held.
pub async fn hold_step(ex: impl SqliteExecutor<'_>, step_id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE step_deliveries SET state = 'held' WHERE step_id = ? AND state = 'pending' AND batch_key IS NULL",
        step_id
    )
    .execute(ex)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone)]
pub struct HeldRow {
    pub id: i64,
    pub step_id: i64,
    pub user_id: String,
    pub due_at: i64,
    pub blocked: bool,
}

/// Held rows of the live steps of a scenario.
pub async fn held_of_live_steps(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
) -> Result<Vec<HeldRow>, sqlx::Error> {
    sqlx::query_as!(
        HeldRow,
        r#"SELECT sd.id AS "id!: i64", sd.step_id AS "step_id!: i64", f.user_id, sd.due_at AS "due_at!: i64",
                  f.blocked AS "blocked!: bool"
           FROM step_deliveries sd JOIN scenario_steps s ON s.id = sd.step_id
           JOIN drafts d ON d.id = s.draft_id JOIN friends f ON f.id = sd.friend_id
           WHERE s.scenario_id = ? AND sd.state = 'held' AND d.current_revision = s.live_revision
             AND s.hold_reason IS NULL
           ORDER BY sd.id"#,
        scenario_id
    )
    .fetch_all(ex)
    .await
}

/// A held row goes out after all, with the step's live revision.
pub async fn release_held(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    revision: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE step_deliveries SET state = 'pending', revision_number = ? WHERE id = ? AND state = 'held'",
        revision,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn skip(ex: impl SqliteExecutor<'_>, id: i64, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE step_deliveries SET state = 'skipped', reason = ? WHERE id = ? AND state IN ('held', 'pending')",
        reason,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// A deactivated scenario sends nothing more: its unclaimed rows are skipped.
pub async fn skip_unsent(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE step_deliveries SET state = 'skipped', reason = ?
         WHERE state IN ('held', 'pending') AND batch_key IS NULL
           AND step_id IN (SELECT id FROM scenario_steps WHERE scenario_id = ?)",
        reason,
        scenario_id
    )
    .execute(ex)
    .await?
    .rows_affected())
}

/// Rows a crash left in flight go back to pending; they keep their batch and its key.
pub async fn reset_in_flight(ex: impl SqliteExecutor<'_>) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("UPDATE step_deliveries SET state = 'pending' WHERE state = 'sending'")
            .execute(ex)
            .await?
            .rows_affected(),
    )
}

#[derive(Debug, Clone)]
pub struct ClaimedBatch {
    /// The retry key of the call: a push uses the row's own key, a multicast a shared one.
    pub key: String,
    pub step_id: i64,
    pub revision_number: i64,
    pub attempts: i64,
    pub user_ids: Vec<String>,
}

/// Atomically takes the next call's rows: first a group that was claimed before (a retry,
/// or one a restart interrupted) with its stored key, else up to `max` rows of one live
/// step due in the same minute, storing a new key on them before anything is sent.
pub async fn claim_next(
    conn: &mut SqliteConnection,
    now: i64,
    max: i64,
    new_key: &str,
) -> Result<Option<ClaimedBatch>, sqlx::Error> {
    let again = sqlx::query_scalar!(
        r#"SELECT batch_key AS "batch_key!: String" FROM step_deliveries
           WHERE state = 'pending' AND due_at <= ?1 AND batch_key IS NOT NULL
             AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
           LIMIT 1"#,
        now
    )
    .fetch_optional(&mut *conn)
    .await?;
    let key = match again {
        Some(key) => {
            sqlx::query!(
                "UPDATE step_deliveries SET state = 'sending', attempts = attempts + 1 WHERE batch_key = ? AND state = 'pending'",
                key
            )
            .execute(&mut *conn)
            .await?;
            key
        }
        None => {
            let head = sqlx::query!(
                r#"SELECT sd.step_id AS "step_id!: i64", sd.due_at AS "due_at!: i64", sd.revision_number AS "revision_number!: i64"
                   FROM step_deliveries sd JOIN scenario_steps s ON s.id = sd.step_id
                   JOIN scenarios sc ON sc.id = s.scenario_id JOIN drafts d ON d.id = s.draft_id
                   WHERE sd.state = 'pending' AND sd.due_at <= ? AND sd.batch_key IS NULL
                     AND sc.state = 'active' AND d.current_revision = s.live_revision
                     AND sd.revision_number = s.live_revision AND s.hold_reason IS NULL
                   ORDER BY sd.due_at LIMIT 1"#,
                now
            )
            .fetch_optional(&mut *conn)
            .await?;
            let Some(head) = head else {
                return Ok(None);
            };
            let minute = crate::domain::scenario::minute_of(head.due_at) * 60;
            let last = (minute + 59).min(now);
            // `+step_id` keeps SQLite on the due-time index: the group is one minute of it,
            // while a step's rows can be millions.
            let ids = sqlx::query_scalar!(
                r#"UPDATE step_deliveries SET state = 'sending', attempts = attempts + 1, batch_key = ?1
                   WHERE id IN (SELECT id FROM step_deliveries
                                WHERE state = 'pending' AND batch_key IS NULL AND +step_id = ?2
                                  AND revision_number = ?3 AND due_at BETWEEN ?4 AND ?5
                                ORDER BY due_at LIMIT ?6)
                   RETURNING id AS "id!: i64""#,
                new_key,
                head.step_id,
                head.revision_number,
                minute,
                last,
                max
            )
            .fetch_all(&mut *conn)
            .await?;
            if let [only] = ids.as_slice() {
                // One recipient: a push, carrying the row's own key.
                sqlx::query_scalar!(
                    r#"UPDATE step_deliveries SET batch_key = retry_key WHERE id = ? RETURNING batch_key AS "k!: String""#,
                    only
                )
                .fetch_one(&mut *conn)
                .await?
            } else {
                new_key.to_string()
            }
        }
    };
    let rows = sqlx::query!(
        r#"SELECT sd.step_id AS "step_id!: i64", sd.revision_number AS "revision_number!: i64",
                  sd.attempts AS "attempts!: i64", f.user_id
           FROM step_deliveries sd JOIN friends f ON f.id = sd.friend_id
           WHERE sd.batch_key = ? AND sd.state = 'sending' ORDER BY sd.id"#,
        key
    )
    .fetch_all(&mut *conn)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(ClaimedBatch {
        key: key.clone(),
        step_id: first.step_id,
        revision_number: first.revision_number,
        attempts: first.attempts,
        user_ids: rows.iter().map(|r| r.user_id.clone()).collect(),
    }))
}

pub async fn mark_sent(
    ex: impl SqliteExecutor<'_>,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE step_deliveries SET state = 'sent', sent_at = ?, reason = NULL WHERE batch_key = ? AND state = 'sending'",
        now,
        key
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn mark_retry(
    ex: impl SqliteExecutor<'_>,
    key: &str,
    next_attempt_at: i64,
    why: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE step_deliveries SET state = 'pending', next_attempt_at = ?, reason = ? WHERE batch_key = ? AND state = 'sending'",
        next_attempt_at,
        why,
        key
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn mark_failed(
    ex: impl SqliteExecutor<'_>,
    key: &str,
    why: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE step_deliveries SET state = 'failed', reason = ? WHERE batch_key = ? AND state = 'sending'",
        why,
        key
    )
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
pub struct StepCounts {
    pub sent: i64,
    pub queued: i64,
    pub held: i64,
    pub skipped: i64,
    pub failed: i64,
}

pub async fn step_counts(
    ex: impl SqliteExecutor<'_>,
    step_id: i64,
) -> Result<StepCounts, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT COALESCE(SUM(state = 'sent'), 0) AS "sent!: i64",
                  COALESCE(SUM(state IN ('pending', 'sending')), 0) AS "queued!: i64",
                  COALESCE(SUM(state = 'held'), 0) AS "held!: i64",
                  COALESCE(SUM(state = 'skipped'), 0) AS "skipped!: i64",
                  COALESCE(SUM(state = 'failed'), 0) AS "failed!: i64"
           FROM step_deliveries WHERE step_id = ?"#,
        step_id
    )
    .fetch_one(ex)
    .await?;
    Ok(StepCounts {
        sent: r.sent,
        queued: r.queued,
        held: r.held,
        skipped: r.skipped,
        failed: r.failed,
    })
}

pub async fn enrolled_count(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM scenario_enrollments WHERE scenario_id = ?"#,
        scenario_id
    )
    .fetch_one(ex)
    .await
}

#[derive(Debug, Clone)]
pub struct Enrolled {
    pub scenario_id: i64,
    pub name: String,
    pub state: String,
    pub round: i64,
    pub enrolled_at: i64,
}

pub async fn enrollments_of_friend(
    ex: impl SqliteExecutor<'_>,
    friend_id: i64,
) -> Result<Vec<Enrolled>, sqlx::Error> {
    sqlx::query_as!(
        Enrolled,
        r#"SELECT sc.id AS "scenario_id!: i64", sc.name, sc.state, e.round AS "round!: i64",
                  e.enrolled_at AS "enrolled_at!: i64"
           FROM scenario_enrollments e JOIN scenarios sc ON sc.id = e.scenario_id
           WHERE e.friend_id = ? ORDER BY sc.id"#,
        friend_id
    )
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone)]
pub struct FriendStep {
    pub scenario_id: i64,
    pub position: i64,
    pub round: i64,
    pub state: String,
    pub due_at: i64,
    pub reason: Option<String>,
}

pub async fn deliveries_of_friend(
    ex: impl SqliteExecutor<'_>,
    friend_id: i64,
) -> Result<Vec<FriendStep>, sqlx::Error> {
    sqlx::query_as!(
        FriendStep,
        r#"SELECT s.scenario_id AS "scenario_id!: i64", s.position AS "position!: i64", sd.round AS "round!: i64",
                  sd.state, sd.due_at AS "due_at!: i64", sd.reason
           FROM step_deliveries sd JOIN scenario_steps s ON s.id = sd.step_id
           WHERE sd.friend_id = ? ORDER BY s.scenario_id, sd.round, s.position"#,
        friend_id
    )
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone)]
pub struct PreviewRow {
    pub id: i64,
    pub scenario_id: i64,
    pub fingerprint: String,
    pub counts: String,
    pub quota_limit: Option<i64>,
    pub quota_used: Option<i64>,
    pub taken_by_name: String,
    pub taken_at: DateTime<Utc>,
    pub acknowledged_by_name: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_preview(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
    fingerprint: &str,
    counts: &str,
    quota_limit: Option<i64>,
    quota_used: Option<i64>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO scenario_previews (scenario_id, fingerprint, counts, quota_limit, quota_used, taken_by, taken_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        scenario_id,
        fingerprint,
        counts,
        quota_limit,
        quota_used,
        by,
        now
    )
    .fetch_one(ex)
    .await
}

pub async fn latest_preview(
    ex: impl SqliteExecutor<'_>,
    scenario_id: i64,
) -> Result<Option<PreviewRow>, sqlx::Error> {
    sqlx::query_as!(
        PreviewRow,
        r#"SELECT p.id AS "id!: i64", p.scenario_id AS "scenario_id!: i64", p.fingerprint, p.counts,
                  p.quota_limit AS "quota_limit: i64", p.quota_used AS "quota_used: i64",
                  t.display_name AS taken_by_name, p.taken_at AS "taken_at: DateTime<Utc>",
                  a.display_name AS "acknowledged_by_name: String",
                  p.acknowledged_at AS "acknowledged_at: DateTime<Utc>"
           FROM scenario_previews p JOIN users t ON t.id = p.taken_by
           LEFT JOIN users a ON a.id = p.acknowledged_by
           WHERE p.scenario_id = ? ORDER BY p.id DESC LIMIT 1"#,
        scenario_id
    )
    .fetch_optional(ex)
    .await
}

pub async fn acknowledge_preview(
    ex: impl SqliteExecutor<'_>,
    preview_id: i64,
    scenario_id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE scenario_previews SET acknowledged_by = ?, acknowledged_at = ?
         WHERE id = ? AND scenario_id = ? AND acknowledged_at IS NULL",
        by,
        now,
        preview_id,
        scenario_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}
