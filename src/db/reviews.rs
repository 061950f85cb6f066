//! The `reviews` table: every verdict and comment, each on one revision.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

#[derive(Debug, Clone)]
pub struct ReviewRow {
    pub id: i64,
    pub draft_id: i64,
    pub revision_number: i64,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub verdict: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    revision_number: i64,
    reviewer_id: i64,
    verdict: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO reviews (draft_id, revision_number, reviewer_id, verdict, body, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        draft_id,
        revision_number,
        reviewer_id,
        verdict,
        body,
        now
    )
    .fetch_one(ex)
    .await
}

/// All reviews of several drafts (`json_ids`), oldest first.
pub async fn for_drafts(
    ex: impl SqliteExecutor<'_>,
    draft_ids: &str,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as!(
        ReviewRow,
        r#"SELECT v.id AS "id!: i64", v.draft_id AS "draft_id!: i64",
                  v.revision_number AS "revision_number!: i64", v.reviewer_id AS "reviewer_id!: i64",
                  u.display_name AS reviewer_name, v.verdict, v.body,
                  v.created_at AS "created_at: DateTime<Utc>"
           FROM reviews v JOIN users u ON u.id = v.reviewer_id
           WHERE v.draft_id IN (SELECT value FROM json_each(?1)) ORDER BY v.id"#,
        draft_ids
    )
    .fetch_all(ex)
    .await
}

/// All reviews of a draft, oldest first.
pub async fn for_draft(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    for_drafts(ex, &super::json_ids([draft_id])).await
}
