//! Test sends and their per-tester results.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

#[derive(Debug, Clone)]
pub struct TestSendRow {
    pub id: i64,
    pub draft_id: i64,
    pub revision_number: i64,
    pub content_hash: String,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    pub confirmed_by_name: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct RecipientRow {
    pub test_send_id: i64,
    pub user_id: String,
    pub display_name: String,
    pub retry_key: String,
    pub status: String,
    pub error: Option<String>,
}

/// A new test send for one click (`click` is unique per revision: a second insert of the
/// same click is a unique violation).
pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    revision_number: i64,
    content_hash: &str,
    by: i64,
    now: DateTime<Utc>,
    click: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO test_sends (draft_id, revision_number, content_hash, requested_by, requested_at, click_token)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        draft_id,
        revision_number,
        content_hash,
        by,
        now,
        click
    )
    .fetch_one(ex)
    .await
}

/// The test send already made for this click of this revision, if any.
pub async fn for_click(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    revision_number: i64,
    click: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!: i64" FROM test_sends
           WHERE draft_id = ? AND revision_number = ? AND click_token = ?"#,
        draft_id,
        revision_number,
        click
    )
    .fetch_optional(ex)
    .await
}

pub async fn add_recipient(
    ex: impl SqliteExecutor<'_>,
    test_send_id: i64,
    user_id: &str,
    display_name: &str,
    retry_key: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO test_send_recipients (test_send_id, user_id, display_name, retry_key) VALUES (?, ?, ?, ?)",
        test_send_id,
        user_id,
        display_name,
        retry_key
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_result(
    ex: impl SqliteExecutor<'_>,
    test_send_id: i64,
    user_id: &str,
    status: &str,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE test_send_recipients SET status = ?, error = ? WHERE test_send_id = ? AND user_id = ?",
        status,
        error,
        test_send_id,
        user_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn recipients(
    ex: impl SqliteExecutor<'_>,
    test_send_id: i64,
) -> Result<Vec<RecipientRow>, sqlx::Error> {
    sqlx::query_as!(
        RecipientRow,
        r#"SELECT test_send_id AS "test_send_id!: i64", user_id, display_name, retry_key, status, error
           FROM test_send_recipients WHERE test_send_id = ? ORDER BY display_name, user_id"#,
        test_send_id
    )
    .fetch_all(ex)
    .await
}

/// The testers of every test send of one revision, in one read (the draft page groups them
/// by `test_send_id`).
pub async fn recipients_of_revision(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    revision_number: i64,
) -> Result<Vec<RecipientRow>, sqlx::Error> {
    sqlx::query_as!(
        RecipientRow,
        r#"SELECT x.test_send_id AS "test_send_id!: i64", x.user_id, x.display_name, x.retry_key,
                  x.status, x.error
           FROM test_sends t JOIN test_send_recipients x ON x.test_send_id = t.id
           WHERE t.draft_id = ? AND t.revision_number = ?
           ORDER BY x.display_name, x.user_id"#,
        draft_id,
        revision_number
    )
    .fetch_all(ex)
    .await
}

pub async fn find(
    ex: impl SqliteExecutor<'_>,
    id: i64,
) -> Result<Option<TestSendRow>, sqlx::Error> {
    sqlx::query_as!(
        TestSendRow,
        r#"SELECT t.id AS "id!: i64", t.draft_id AS "draft_id!: i64", t.revision_number AS "revision_number!: i64",
                  t.content_hash, r.display_name AS requested_by_name,
                  t.requested_at AS "requested_at: DateTime<Utc>",
                  c.display_name AS "confirmed_by_name?: String",
                  t.confirmed_at AS "confirmed_at: DateTime<Utc>"
           FROM test_sends t JOIN users r ON r.id = t.requested_by LEFT JOIN users c ON c.id = t.confirmed_by
           WHERE t.id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

/// Test sends of one revision, newest first.
pub async fn for_revision(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    revision_number: i64,
) -> Result<Vec<TestSendRow>, sqlx::Error> {
    sqlx::query_as!(
        TestSendRow,
        r#"SELECT t.id AS "id!: i64", t.draft_id AS "draft_id!: i64", t.revision_number AS "revision_number!: i64",
                  t.content_hash, r.display_name AS requested_by_name,
                  t.requested_at AS "requested_at: DateTime<Utc>",
                  c.display_name AS "confirmed_by_name?: String",
                  t.confirmed_at AS "confirmed_at: DateTime<Utc>"
           FROM test_sends t JOIN users r ON r.id = t.requested_by LEFT JOIN users c ON c.id = t.confirmed_by
           WHERE t.draft_id = ? AND t.revision_number = ? ORDER BY t.id DESC"#,
        draft_id,
        revision_number
    )
    .fetch_all(ex)
    .await
}

/// What the gate needs of a test send: the content it carried, for how many testers the
/// provider accepted it, and who confirmed it arrived.
#[derive(Debug, serde::Deserialize)]
pub struct TestSendOutcome {
    pub draft_id: i64,
    pub content_hash: String,
    pub accepted: i64,
    pub confirmed_by_name: Option<String>,
}

pub async fn confirm(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE test_sends SET confirmed_by = ?, confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL",
        by,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}
