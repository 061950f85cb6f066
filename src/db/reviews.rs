//! The `reviews` table: every verdict and comment, each on one revision.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use crate::domain::review::{ReviewRecord, ReviewerStanding, Verdict};

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReviewRow {
    pub id: i64,
    pub draft_id: i64,
    pub revision_number: i64,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    /// The reviewer's standing now (not when they reviewed): a disabled reviewer, or one
    /// who is no longer a reviewer, does not count. Read with the review so the gate needs
    /// no separate read of the users.
    pub reviewer_active: bool,
    pub reviewer_is_reviewer: bool,
    pub verdict: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl ReviewRow {
    /// The review as the approval rules read it; `None` for a verdict this version does not
    /// know (it cannot count either way).
    pub fn record(&self) -> Option<ReviewRecord> {
        Verdict::parse(&self.verdict).map(|verdict| ReviewRecord {
            reviewer_id: self.reviewer_id,
            revision_number: self.revision_number,
            verdict,
            at: self.created_at,
        })
    }

    pub fn standing(&self) -> ReviewerStanding {
        ReviewerStanding {
            user_id: self.reviewer_id,
            active: self.reviewer_active,
            is_reviewer: self.reviewer_is_reviewer,
        }
    }
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

/// All reviews of a draft, oldest first.
pub async fn for_draft(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as!(
        ReviewRow,
        r#"SELECT v.id AS "id!: i64", v.draft_id AS "draft_id!: i64",
                  v.revision_number AS "revision_number!: i64", v.reviewer_id AS "reviewer_id!: i64",
                  u.display_name AS reviewer_name,
                  u.disabled_at IS NULL AS "reviewer_active!: bool",
                  u.is_reviewer AS "reviewer_is_reviewer!: bool", v.verdict, v.body,
                  v.created_at AS "created_at: DateTime<Utc>"
           FROM reviews v JOIN users u ON u.id = v.reviewer_id
           WHERE v.draft_id = ? ORDER BY v.id"#,
        draft_id
    )
    .fetch_all(ex)
    .await
}

/// Reviewers whose newest decision on this revision is an approval: the people a held
/// release's news concerns.
pub async fn approver_ids(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    revision: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT v.reviewer_id AS "id!: i64" FROM reviews v
           WHERE v.draft_id = ?1 AND v.revision_number = ?2 AND v.verdict = 'approve'
             AND v.id = (SELECT MAX(w.id) FROM reviews w
                         WHERE w.draft_id = ?1 AND w.revision_number = ?2
                           AND w.reviewer_id = v.reviewer_id AND w.verdict <> 'comment')
           ORDER BY v.reviewer_id"#,
        draft_id,
        revision
    )
    .fetch_all(ex)
    .await
}
