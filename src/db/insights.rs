//! LINE's statistics of sent releases: each release's unit name and the decision to use
//! one, the readings of LINE's figures (every attempt, kept with its time), and "refresh"
//! requests waiting for the reader.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

/// This database's part of every unit name (six hex digits, random, made by migration 0013).
pub async fn unit_tag(ex: impl SqliteExecutor<'_>) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT unit_tag AS "tag!: String" FROM installation WHERE id = 1"#)
        .fetch_one(ex)
        .await
}

/// A release's unit name, and when it was decided (`None`: not yet). A decision without a
/// name means the month's names were used up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDecision {
    pub unit: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub async fn unit_decision(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Option<UnitDecision>, sqlx::Error> {
    sqlx::query_as!(
        UnitDecision,
        r#"SELECT aggregation_unit AS unit,
                  aggregation_unit_decided_at AS "decided_at: DateTime<Utc>"
           FROM releases WHERE id = ?"#,
        release_id
    )
    .fetch_optional(ex)
    .await
}

/// Unit names decided since `since` (the start of LINE's month).
pub async fn units_used_since(
    ex: impl SqliteExecutor<'_>,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM releases
           WHERE aggregation_unit IS NOT NULL AND aggregation_unit_decided_at >= ?"#,
        since
    )
    .fetch_one(ex)
    .await
}

/// Records a release's unit name (or that it has none); false when it was decided already.
pub async fn decide_unit(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    unit: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE releases SET aggregation_unit = ?, aggregation_unit_decided_at = ?
         WHERE id = ? AND aggregation_unit_decided_at IS NULL",
        unit,
        now,
        release_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A sent release whose statistics may be read, with what the reader needs to decide.
#[derive(Debug, Clone)]
pub struct Readable {
    pub id: i64,
    pub kind: String,
    pub sent_at: DateTime<Utc>,
    pub aggregation_unit: Option<String>,
    pub unit_decided: bool,
    /// The request id LINE accepted the first sent batch under (a broadcast has one).
    pub request_id: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_retryable: bool,
    pub refresh_requested: bool,
}

/// Releases that reached someone and were sent since `sent_since`, or whose figures
/// someone asked for: refresh requests first, then oldest first.
pub async fn readable(
    ex: impl SqliteExecutor<'_>,
    sent_since: DateTime<Utc>,
) -> Result<Vec<Readable>, sqlx::Error> {
    sqlx::query_as!(
        Readable,
        r#"SELECT r.id AS "id!: i64", r.kind,
                  r.finished_at AS "sent_at!: DateTime<Utc>",
                  r.aggregation_unit,
                  (r.aggregation_unit_decided_at IS NOT NULL) AS "unit_decided!: bool",
                  (SELECT d.request_id FROM deliveries d
                   WHERE d.release_id = r.id AND d.state = 'sent' AND d.request_id IS NOT NULL
                   ORDER BY d.id LIMIT 1) AS "request_id?: String",
                  (SELECT i.read_at FROM insight_readings i WHERE i.release_id = r.id
                   ORDER BY i.id DESC LIMIT 1) AS "last_attempt_at?: DateTime<Utc>",
                  COALESCE((SELECT i.retryable FROM insight_readings i WHERE i.release_id = r.id
                            ORDER BY i.id DESC LIMIT 1), 0) AS "last_attempt_retryable!: bool",
                  (q.release_id IS NOT NULL) AS "refresh_requested!: bool"
           FROM releases r
           LEFT JOIN insight_refresh_requests q ON q.release_id = r.id
           WHERE r.state IN ('sent', 'failed') AND r.finished_at IS NOT NULL
             AND (r.finished_at >= ?1 OR q.release_id IS NOT NULL)
             AND EXISTS (SELECT 1 FROM deliveries d WHERE d.release_id = r.id AND d.state = 'sent')
           ORDER BY q.release_id IS NULL, r.id"#,
        sent_since
    )
    .fetch_all(ex)
    .await
}

/// One attempt at reading: the figures (JSON of `domain::insight::Figures`) or LINE's error.
pub struct NewReading<'a> {
    pub release_id: i64,
    pub read_at: DateTime<Utc>,
    pub trigger: &'a str,
    pub figures: Option<&'a str>,
    pub error: Option<&'a str>,
    pub retryable: bool,
}

pub async fn insert_reading(
    ex: impl SqliteExecutor<'_>,
    r: &NewReading<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO insight_readings (release_id, read_at, trigger, figures, error, retryable)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        r.release_id,
        r.read_at,
        r.trigger,
        r.figures,
        r.error,
        r.retryable
    )
    .fetch_one(ex)
    .await
}

#[derive(Debug, Clone)]
pub struct ReadingRow {
    pub id: i64,
    pub read_at: DateTime<Utc>,
    pub trigger: String,
    pub figures: Option<String>,
    pub error: Option<String>,
}

/// Every attempt at reading a release's figures, oldest first.
pub async fn readings(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Vec<ReadingRow>, sqlx::Error> {
    sqlx::query_as!(
        ReadingRow,
        r#"SELECT id AS "id!: i64", read_at AS "read_at: DateTime<Utc>", trigger, figures, error
           FROM insight_readings WHERE release_id = ? ORDER BY id"#,
        release_id
    )
    .fetch_all(ex)
    .await
}

/// Asks the reader for fresh figures; false when a request is already waiting.
pub async fn request_refresh(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "INSERT INTO insight_refresh_requests (release_id, requested_at, requested_by)
         VALUES (?, ?, ?) ON CONFLICT (release_id) DO NOTHING",
        release_id,
        now,
        by
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// When fresh figures were asked for, if a request is waiting.
pub async fn refresh_requested_at(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT requested_at AS "at!: DateTime<Utc>" FROM insight_refresh_requests WHERE release_id = ?"#,
        release_id
    )
    .fetch_optional(ex)
    .await
}

pub async fn clear_refresh(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM insight_refresh_requests WHERE release_id = ?",
        release_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// The request id LINE accepted a release's first sent batch under (a broadcast's is
/// what its statistics are read by).
pub async fn request_id(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT request_id AS "id!: String" FROM deliveries
           WHERE release_id = ? AND state = 'sent' AND request_id IS NOT NULL
           ORDER BY id LIMIT 1"#,
        release_id
    )
    .fetch_optional(ex)
    .await
}
