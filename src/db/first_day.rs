//! What a new account has done on its way to a first send, read in one query for the
//! dashboard's first-day path: friends, the person's own tester phone, a segment, a draft,
//! enough active reviewers, whether any release was sent yet and whether the person hid the
//! path; and hiding it.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

pub use crate::domain::first_day::FirstDayFacts;

pub async fn facts(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> Result<FirstDayFacts, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM friends) AS "has_friends!: bool",
                  EXISTS (SELECT 1 FROM friends WHERE is_tester = 1 AND tester_user_id = ?1)
                      AS "has_own_tester!: bool",
                  EXISTS (SELECT 1 FROM segments) AS "has_segment!: bool",
                  EXISTS (SELECT 1 FROM drafts WHERE kind <> 'greeting') AS "has_draft!: bool",
                  (SELECT COUNT(*) FROM users WHERE is_reviewer = 1 AND disabled_at IS NULL)
                      AS "reviewers!: i64",
                  EXISTS (SELECT 1 FROM releases WHERE state = 'sent') AS "anything_sent!: bool",
                  EXISTS (SELECT 1 FROM users WHERE id = ?1 AND first_day_hidden_at IS NOT NULL)
                      AS "hidden!: bool""#,
        user_id
    )
    .fetch_one(ex)
    .await?;
    Ok(FirstDayFacts {
        has_friends: row.has_friends,
        has_own_tester: row.has_own_tester,
        has_segment: row.has_segment,
        has_draft: row.has_draft,
        reviewers: row.reviewers,
        anything_sent: row.anything_sent,
        hidden: row.hidden,
    })
}

/// Hides the first-day path from this person's dashboard (kept at the first time).
pub async fn hide(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET first_day_hidden_at = COALESCE(first_day_hidden_at, ?) WHERE id = ?",
        now,
        user_id
    )
    .execute(ex)
    .await?;
    Ok(())
}
