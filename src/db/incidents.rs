//! The `incidents` and `apology_templates` tables, and the recipient queries an incident
//! needs: copying a release's frozen snapshot into a correction's preview, and paging the
//! original recipients for the CSV export.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use crate::domain::incident::IncidentReport;

#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub id: i64,
    pub release_id: i64,
    pub what_was_wrong: String,
    pub severity: String,
    pub noticed_by: String,
    pub noticed_at: DateTime<Utc>,
    pub reported_by: i64,
    pub reported_by_name: String,
    pub reported_at: DateTime<Utc>,
    pub correction_draft_id: Option<i64>,
    pub state: String,
    pub closing_note: Option<String>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    r: &IncidentReport,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let severity = r.severity.as_str();
    sqlx::query_scalar!(
        r#"INSERT INTO incidents (release_id, what_was_wrong, severity, noticed_by, noticed_at,
                                  reported_by, reported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        release_id,
        r.what_was_wrong,
        severity,
        r.noticed_by,
        r.noticed_at,
        by,
        now
    )
    .fetch_one(ex)
    .await
}

pub async fn find(
    ex: impl SqliteExecutor<'_>,
    id: i64,
) -> Result<Option<IncidentRow>, sqlx::Error> {
    sqlx::query_as!(
        IncidentRow,
        r#"SELECT i.id AS "id!: i64", i.release_id AS "release_id!: i64", i.what_was_wrong,
                  i.severity, i.noticed_by, i.noticed_at AS "noticed_at: DateTime<Utc>",
                  i.reported_by AS "reported_by!: i64", r.display_name AS reported_by_name,
                  i.reported_at AS "reported_at: DateTime<Utc>",
                  i.correction_draft_id AS "correction_draft_id: i64", i.state, i.closing_note,
                  c.display_name AS "closed_by_name?: String",
                  i.closed_at AS "closed_at: DateTime<Utc>"
           FROM incidents i JOIN users r ON r.id = i.reported_by LEFT JOIN users c ON c.id = i.closed_by
           WHERE i.id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

/// The incident a correction draft belongs to, if the draft is a correction.
pub async fn for_correction_draft(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!: i64" FROM incidents WHERE correction_draft_id = ?"#,
        draft_id
    )
    .fetch_optional(ex)
    .await
}

/// Links the correction draft; false when the incident already has one.
pub async fn set_correction_draft(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    draft_id: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE incidents SET correction_draft_id = ? WHERE id = ? AND correction_draft_id IS NULL",
        draft_id,
        id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Closes an open incident; false when it was already closed.
pub async fn close(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    note: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE incidents SET state = 'closed', closing_note = ?, closed_by = ?, closed_at = ?
         WHERE id = ? AND state = 'open'",
        note,
        by,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone)]
pub struct IncidentLine {
    pub id: i64,
    pub release_id: i64,
    pub draft_id: i64,
    pub title: String,
    pub severity: String,
    pub state: String,
    pub noticed_at: DateTime<Utc>,
    pub correction_draft_id: Option<i64>,
    pub correction_state: Option<String>,
    pub closing_note: Option<String>,
}

/// Every incident, open ones first, newest first.
pub async fn list(ex: impl SqliteExecutor<'_>) -> Result<Vec<IncidentLine>, sqlx::Error> {
    sqlx::query_as!(
        IncidentLine,
        r#"SELECT i.id AS "id!: i64", i.release_id AS "release_id!: i64",
                  r.draft_id AS "draft_id!: i64", d.title, i.severity, i.state,
                  i.noticed_at AS "noticed_at: DateTime<Utc>",
                  i.correction_draft_id AS "correction_draft_id: i64",
                  cd.state AS "correction_state?: String", i.closing_note
           FROM incidents i
           JOIN releases r ON r.id = i.release_id
           JOIN drafts d ON d.id = r.draft_id
           LEFT JOIN drafts cd ON cd.id = i.correction_draft_id
           ORDER BY i.state = 'closed', i.id DESC"#
    )
    .fetch_all(ex)
    .await
}

/// A correction draft not sent yet: pinned on reviewers' and marketers' dashboards (read
/// with the dashboard's lists, `drafts::dashboard_lists`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PendingCorrection {
    pub incident_id: i64,
    pub draft_id: i64,
    pub title: String,
    pub draft_state: String,
    pub sent_at: DateTime<Utc>,
}

/// When the correction draft's release finished sending, if it did.
pub async fn correction_sent_at(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT finished_at AS "finished_at!: DateTime<Utc>" FROM releases
           WHERE draft_id = ? AND state IN ('sent', 'failed') AND finished_at IS NOT NULL
           ORDER BY id LIMIT 1"#,
        draft_id
    )
    .fetch_optional(ex)
    .await
}

/// Copies the recipients LINE accepted for a release (its snapshot's users in the ranges
/// of its sent deliveries) into a new preview: the correction reaches exactly them, whatever
/// the segment says today.
pub async fn copy_accepted(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    from_preview: i64,
    to_preview: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "INSERT INTO preview_recipients (preview_id, user_id)
         SELECT ?1, p.user_id FROM preview_recipients p
         WHERE p.preview_id = ?2
           AND EXISTS (SELECT 1 FROM deliveries d
                       WHERE d.release_id = ?3 AND d.state = 'sent'
                         AND p.user_id BETWEEN d.first_user_id AND d.last_user_id)
         ORDER BY p.user_id",
        to_preview,
        from_preview,
        release_id
    )
    .execute(ex)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone)]
pub struct RecipientRow {
    pub user_id: String,
    pub display_name: String,
}

/// One page of the recipients LINE accepted for a segment release, in user-id order: the
/// snapshot's users inside the ranges of its sent deliveries, with the friends' names
/// (empty when the friend is gone). A correction must reach exactly them, and an
/// incident's recipient list shows them.
pub async fn accepted_recipients(
    ex: impl SqliteExecutor<'_>,
    release_id: i64,
    preview_id: i64,
    after_user_id: &str,
    limit: i64,
) -> Result<Vec<RecipientRow>, sqlx::Error> {
    sqlx::query_as!(
        RecipientRow,
        r#"SELECT p.user_id, COALESCE(f.display_name, '') AS "display_name!: String"
           FROM preview_recipients p LEFT JOIN friends f ON f.user_id = p.user_id
           WHERE p.preview_id = ?1 AND p.user_id > ?2
             AND EXISTS (SELECT 1 FROM deliveries d
                         WHERE d.release_id = ?3 AND d.state = 'sent'
                           AND p.user_id BETWEEN d.first_user_id AND d.last_user_id)
           ORDER BY p.user_id LIMIT ?4"#,
        preview_id,
        after_user_id,
        release_id,
        limit
    )
    .fetch_all(ex)
    .await
}

/// One page of the friends following now (the best list for a broadcast, whose recipients
/// LINE picked).
pub async fn following_recipients(
    ex: impl SqliteExecutor<'_>,
    after_user_id: &str,
    limit: i64,
) -> Result<Vec<RecipientRow>, sqlx::Error> {
    sqlx::query_as!(
        RecipientRow,
        r#"SELECT user_id, display_name FROM friends
           WHERE blocked = 0 AND user_id > ? ORDER BY user_id LIMIT ?"#,
        after_user_id,
        limit
    )
    .fetch_all(ex)
    .await
}

pub async fn apology_template(
    ex: impl SqliteExecutor<'_>,
    language: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT body FROM apology_templates WHERE language = ?",
        language
    )
    .fetch_optional(ex)
    .await
}

pub async fn set_apology_template(
    ex: impl SqliteExecutor<'_>,
    language: &str,
    body: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE apology_templates SET body = ?, updated_by = ?, updated_at = ? WHERE language = ?",
        body,
        by,
        now,
        language
    )
    .execute(ex)
    .await?;
    Ok(())
}
