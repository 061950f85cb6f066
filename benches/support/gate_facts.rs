//! What the send-time gate asks of a revision a benchmark sends, written directly: two
//! approvals by reviewers who did not write it and a confirmed test send that a tester's
//! phone accepted. The gate itself is tested in tests/api; benchmarks measure sending.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

pub async fn approve_and_test(
    conn: &mut SqliteConnection,
    draft: i64,
    content_hash: &str,
    author: i64,
    reviewers: [i64; 2],
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    for reviewer in reviewers {
        sqlx::query(
            "INSERT INTO reviews (draft_id, revision_number, reviewer_id, verdict, created_at)
             VALUES (?, 1, ?, 'approve', ?)",
        )
        .bind(draft)
        .bind(reviewer)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    let test: i64 = sqlx::query_scalar(
        "INSERT INTO test_sends (draft_id, revision_number, content_hash, requested_by, requested_at,
                                 confirmed_by, confirmed_at)
         VALUES (?, 1, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(draft)
    .bind(content_hash)
    .bind(author)
    .bind(at)
    .bind(reviewers[0])
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO test_send_recipients (test_send_id, user_id, display_name, retry_key, status)
         VALUES (?, 'U00000000000000000000000000000001', 'Tester', ?, 'accepted')",
    )
    .bind(test)
    .bind(uuid::Uuid::new_v4().to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
