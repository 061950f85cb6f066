//! Audience previews and their frozen recipient snapshots.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct PreviewRow {
    pub id: i64,
    pub draft_id: i64,
    pub revision_number: i64,
    pub content_hash: String,
    pub kind: String,
    pub recipient_count: i64,
    pub friend_count: i64,
    pub snapshot_hash: Option<String>,
    pub quota_limit: Option<i64>,
    pub quota_used: Option<i64>,
    pub sample: String,
    pub taken_by_name: String,
    pub taken_at: DateTime<Utc>,
    pub acknowledged_by_name: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl PreviewRow {
    /// What rule 4 of the gate needs of this preview.
    pub fn facts(&self) -> crate::domain::audience::PreviewFacts {
        crate::domain::audience::PreviewFacts {
            content_hash: self.content_hash.clone(),
            taken_at: self.taken_at,
            acknowledged: self.acknowledged_at.is_some(),
            is_broadcast: self.kind == "broadcast",
            friend_count: self.friend_count,
        }
    }

    /// The monthly quota as LINE reported it when the preview was taken.
    pub fn quota_reading(&self) -> crate::domain::gate::QuotaReading {
        use crate::domain::gate::QuotaReading;
        match (self.quota_limit, self.quota_used) {
            (Some(limit), Some(used)) => QuotaReading::Limited { limit, used },
            (None, Some(_)) => QuotaReading::Unlimited,
            _ => QuotaReading::Unknown,
        }
    }
}

pub struct NewPreview<'a> {
    pub draft_id: i64,
    pub revision_number: i64,
    pub content_hash: &'a str,
    pub kind: &'a str,
    pub recipient_count: i64,
    pub friend_count: i64,
    pub quota_limit: Option<i64>,
    pub quota_used: Option<i64>,
    pub sample: &'a str,
    pub taken_by: i64,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    p: &NewPreview<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO previews (draft_id, revision_number, content_hash, kind, recipient_count,
                                 friend_count, quota_limit, quota_used, sample, taken_by, taken_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        p.draft_id,
        p.revision_number,
        p.content_hash,
        p.kind,
        p.recipient_count,
        p.friend_count,
        p.quota_limit,
        p.quota_used,
        p.sample,
        p.taken_by,
        now
    )
    .fetch_one(ex)
    .await
}

pub async fn set_snapshot(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    recipient_count: i64,
    snapshot_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE previews SET recipient_count = ?, snapshot_hash = ? WHERE id = ?",
        recipient_count,
        snapshot_hash,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// One page of a snapshot in user-id order, for hashing it or sending it in batches.
pub async fn snapshot_page(
    ex: impl SqliteExecutor<'_>,
    preview_id: i64,
    after_user_id: &str,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT user_id FROM preview_recipients WHERE preview_id = ? AND user_id > ? ORDER BY user_id LIMIT ?",
        preview_id,
        after_user_id,
        limit
    )
    .fetch_all(ex)
    .await
}

pub async fn acknowledge(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE previews SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
        by,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn find(ex: impl SqliteExecutor<'_>, id: i64) -> Result<Option<PreviewRow>, sqlx::Error> {
    sqlx::query_as!(
        PreviewRow,
        r#"SELECT p.id AS "id!: i64", p.draft_id AS "draft_id!: i64", p.revision_number AS "revision_number!: i64",
                  p.content_hash, p.kind, p.recipient_count AS "recipient_count!: i64",
                  p.friend_count AS "friend_count!: i64", p.snapshot_hash,
                  p.quota_limit AS "quota_limit: i64", p.quota_used AS "quota_used: i64", p.sample,
                  t.display_name AS taken_by_name, p.taken_at AS "taken_at: DateTime<Utc>",
                  a.display_name AS "acknowledged_by_name?: String",
                  p.acknowledged_at AS "acknowledged_at: DateTime<Utc>"
           FROM previews p JOIN users t ON t.id = p.taken_by LEFT JOIN users a ON a.id = p.acknowledged_by
           WHERE p.id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

/// The snapshot's user ids from `first` to `last` inclusive, in order: one delivery batch.
pub async fn snapshot_range(
    ex: impl SqliteExecutor<'_>,
    preview_id: i64,
    first: &str,
    last: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT user_id FROM preview_recipients WHERE preview_id = ? AND user_id >= ? AND user_id <= ? ORDER BY user_id",
        preview_id,
        first,
        last
    )
    .fetch_all(ex)
    .await
}
