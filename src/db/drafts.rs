//! The `drafts` and `revisions` tables. Revisions are only ever inserted (triggers refuse
//! updates and deletes); a draft row points at its current revision.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use crate::db::incidents::PendingCorrection;
use crate::domain::revision::RevisionContent;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct DraftRow {
    pub id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub state: String,
    pub kind: String,
    pub title: String,
    pub current_revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The incident this draft corrects, when it is a correction draft (a correction has
    /// its own number of approvals).
    pub correction_of: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub draft_id: i64,
    pub number: i64,
    pub author_id: i64,
    pub author_name: String,
    pub content: String,
    pub content_hash: String,
    pub created_at: DateTime<Utc>,
}

impl RevisionRow {
    /// The stored content, parsed. It was validated when written, so a failure is a bug or
    /// a hand-edited database, reported as such.
    pub fn parsed(&self) -> anyhow::Result<RevisionContent> {
        use anyhow::Context;
        RevisionContent::from_json(&self.content)
            .with_context(|| format!("revision {}/{} does not parse", self.draft_id, self.number))
    }
}

pub struct NewRevision<'a> {
    pub author_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub content: &'a str,
    pub content_hash: &'a str,
}

/// Creates a draft with its first revision; returns the draft id.
pub async fn insert(
    conn: &mut sqlx::SqliteConnection,
    rev: &NewRevision<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar!(
        r#"INSERT INTO drafts (author_id, kind, title, current_revision, created_at, updated_at)
           VALUES (?, ?, ?, 1, ?, ?) RETURNING id AS "id!: i64""#,
        rev.author_id,
        rev.kind,
        rev.title,
        now,
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    insert_revision(conn, id, 1, rev, now).await?;
    Ok(id)
}

async fn insert_revision(
    conn: &mut sqlx::SqliteConnection,
    draft_id: i64,
    number: i64,
    rev: &NewRevision<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO revisions (draft_id, number, author_id, content, content_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
        draft_id,
        number,
        rev.author_id,
        rev.content,
        rev.content_hash,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends revision `number` and makes it current.
pub async fn add_revision(
    conn: &mut sqlx::SqliteConnection,
    draft_id: i64,
    number: i64,
    rev: &NewRevision<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    insert_revision(conn, draft_id, number, rev, now).await?;
    sqlx::query!(
        "UPDATE drafts SET current_revision = ?, kind = ?, title = ?, updated_at = ? WHERE id = ?",
        number,
        rev.kind,
        rev.title,
        now,
        draft_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_state(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    state: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE drafts SET state = ?, updated_at = ? WHERE id = ?",
        state,
        now,
        draft_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find(ex: impl SqliteExecutor<'_>, id: i64) -> Result<Option<DraftRow>, sqlx::Error> {
    sqlx::query_as!(
        DraftRow,
        r#"SELECT d.id AS "id!: i64", d.author_id AS "author_id!: i64", u.display_name AS author_name,
                  d.state, d.kind, d.title, d.current_revision AS "current_revision!: i64",
                  d.created_at AS "created_at: DateTime<Utc>", d.updated_at AS "updated_at: DateTime<Utc>",
                  (SELECT i.id FROM incidents i WHERE i.correction_draft_id = d.id) AS "correction_of: i64"
           FROM drafts d JOIN users u ON u.id = d.author_id
           WHERE d.id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

pub async fn revision(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    number: i64,
) -> Result<Option<RevisionRow>, sqlx::Error> {
    sqlx::query_as!(
        RevisionRow,
        r#"SELECT r.draft_id AS "draft_id!: i64", r.number AS "number!: i64", r.author_id AS "author_id!: i64",
                  u.display_name AS author_name, r.content, r.content_hash,
                  r.created_at AS "created_at: DateTime<Utc>"
           FROM revisions r JOIN users u ON u.id = r.author_id
           WHERE r.draft_id = ? AND r.number = ?"#,
        draft_id,
        number
    )
    .fetch_optional(ex)
    .await
}

/// Every revision of a draft, oldest first, without their content.
pub async fn revisions(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Vec<RevisionRow>, sqlx::Error> {
    sqlx::query_as!(
        RevisionRow,
        r#"SELECT r.draft_id AS "draft_id!: i64", r.number AS "number!: i64", r.author_id AS "author_id!: i64",
                  u.display_name AS author_name, '' AS "content!: String", r.content_hash,
                  r.created_at AS "created_at: DateTime<Utc>"
           FROM revisions r JOIN users u ON u.id = r.author_id
           WHERE r.draft_id = ? ORDER BY r.number"#,
        draft_id
    )
    .fetch_all(ex)
    .await
}

/// Everyone who wrote a revision of the draft, by id: none of them may approve it.
pub async fn contributors(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT DISTINCT author_id AS "author_id!: i64" FROM revisions WHERE draft_id = ? ORDER BY author_id"#,
        draft_id
    )
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, Default)]
pub struct DraftFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub author_id: Option<i64>,
}

/// Newest-changed first, filtered, one page at `offset`.
pub async fn list(
    ex: impl SqliteExecutor<'_>,
    f: &DraftFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<DraftRow>, sqlx::Error> {
    sqlx::query_as!(
        DraftRow,
        r#"SELECT d.id AS "id!: i64", d.author_id AS "author_id!: i64", u.display_name AS author_name,
                  d.state, d.kind, d.title, d.current_revision AS "current_revision!: i64",
                  d.created_at AS "created_at: DateTime<Utc>", d.updated_at AS "updated_at: DateTime<Utc>",
                  (SELECT i.id FROM incidents i WHERE i.correction_draft_id = d.id) AS "correction_of: i64"
           FROM drafts d JOIN users u ON u.id = d.author_id
           WHERE (?1 IS NULL OR d.state = ?1)
             AND (?2 IS NULL OR d.kind = ?2)
             AND (?3 IS NULL OR d.author_id = ?3)
           ORDER BY d.updated_at DESC, d.id DESC
           LIMIT ?4 OFFSET ?5"#,
        f.state,
        f.kind,
        f.author_id,
        limit,
        offset
    )
    .fetch_all(ex)
    .await
}

/// What the dashboard lists for one person; a limit of 0 leaves a list out.
#[derive(Debug, Clone, Copy)]
pub struct DashboardWants {
    pub user_id: i64,
    pub waiting: i64,
    pub mine: i64,
    pub recent: i64,
    /// The correction drafts not sent yet (pinned for reviewers and marketers).
    pub corrections: bool,
}

/// The dashboard's lists.
#[derive(Debug, Default)]
pub struct DashboardLists {
    /// Drafts in review whose current revision the person may review and has not yet
    /// given a verdict on, oldest change first.
    pub waiting: Vec<DraftRow>,
    /// The person's own drafts, newest change first.
    pub mine: Vec<DraftRow>,
    /// Everyone's drafts, newest change first.
    pub recent: Vec<DraftRow>,
    /// Correction drafts not sent yet, oldest incident first.
    pub corrections: Vec<PendingCorrection>,
}

/// The dashboard's three lists in one read: each list picks its ids with its own index, and the
/// rows are read once. (One read per list cost a round trip to the connection's thread
/// each; on the busiest page that was a tenth of its time.)
///
/// The rows come back as one JSON value built by SQLite, as the gate's read does: sqlx
/// hands each result row from the connection's thread to the page's task on its own,
/// copying every value, and a dashboard lists up to 31 drafts.
///
/// The pinned corrections come with them, as a subquery of their own: as a fourth list of
/// ids the planner walked every draft to find the few corrections (3.8 ms a page on the
/// benchmark's 10,000 drafts); a subquery is planned alone and starts from the incidents.
pub async fn dashboard_lists(
    ex: impl SqliteExecutor<'_>,
    wants: DashboardWants,
) -> Result<DashboardLists, sqlx::Error> {
    let read = sqlx::query!(
        r#"WITH waiting (id) AS (
               SELECT d.id FROM drafts d
               JOIN revisions r ON r.draft_id = d.id AND r.number = d.current_revision
               WHERE d.state = 'in_review' AND d.author_id <> ?1 AND r.author_id <> ?1
                 AND NOT EXISTS (
                     SELECT 1 FROM reviews v
                     WHERE v.draft_id = d.id AND v.revision_number = d.current_revision
                       AND v.reviewer_id = ?1 AND v.verdict IN ('approve', 'request_changes'))
               ORDER BY d.updated_at, d.id LIMIT ?2),
           mine (id) AS (
               SELECT d.id FROM drafts d WHERE d.author_id = ?1
               ORDER BY d.updated_at DESC, d.id DESC LIMIT ?3),
           -- What is already listed above is not listed again under "recently changed".
           recent (id) AS (
               SELECT d.id FROM drafts d
               WHERE d.id NOT IN (SELECT id FROM waiting) AND d.id NOT IN (SELECT id FROM mine)
               ORDER BY d.updated_at DESC, d.id DESC LIMIT ?4),
           picked (list, id) AS (
               SELECT 'waiting', id FROM waiting
               UNION ALL SELECT 'mine', id FROM mine
               UNION ALL SELECT 'recent', id FROM recent)
           SELECT json_group_array(json_array(p.list, json_object(
                      'id', d.id, 'author_id', d.author_id, 'author_name', u.display_name,
                      'state', d.state, 'kind', d.kind, 'title', d.title,
                      'current_revision', d.current_revision,
                      'created_at', d.created_at, 'updated_at', d.updated_at,
                      'correction_of',
                          (SELECT i.id FROM incidents i WHERE i.correction_draft_id = d.id))))
                  AS "listed!: String",
                  CASE WHEN ?5 THEN (
                      SELECT json_group_array(json_object(
                                 'incident_id', i.id, 'draft_id', c.id, 'title', c.title,
                                 'draft_state', c.state,
                                 'sent_at', COALESCE(r.finished_at, r.send_at))
                                 ORDER BY i.id)
                      FROM incidents i
                      JOIN drafts c ON c.id = i.correction_draft_id
                      JOIN releases r ON r.id = i.release_id
                      WHERE c.state NOT IN ('sent', 'failed', 'cancelled'))
                  ELSE '[]' END AS "corrections!: String"
           FROM picked p JOIN drafts d ON d.id = p.id JOIN users u ON u.id = d.author_id"#,
        wants.user_id,
        wants.waiting,
        wants.mine,
        wants.recent,
        wants.corrections
    )
    .fetch_one(ex)
    .await?;
    let listed: Vec<(String, DraftRow)> = super::from_json(&read.listed)?;
    let mut lists = DashboardLists {
        corrections: super::from_json(&read.corrections)?,
        ..DashboardLists::default()
    };
    for (list, draft) in listed {
        match list.as_str() {
            "waiting" => lists.waiting.push(draft),
            "mine" => lists.mine.push(draft),
            _ => lists.recent.push(draft),
        }
    }
    // A join keeps no order: each list gets its own back.
    let key = |d: &DraftRow| (d.updated_at, d.id);
    lists.waiting.sort_by_key(key);
    lists.mine.sort_by_key(|d| std::cmp::Reverse(key(d)));
    lists.recent.sort_by_key(|d| std::cmp::Reverse(key(d)));
    Ok(lists)
}

/// Marks the draft as changed now, so lists sort it to the top after a review.
pub async fn touch(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE drafts SET updated_at = ? WHERE id = ?",
        now,
        draft_id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// One event of a draft's history besides its revisions and reviews: a submission or
/// withdrawal, a test send and its confirmation, an audience preview and its
/// acknowledgement.
#[derive(Debug, Clone)]
pub struct HistoryEvent {
    pub at: DateTime<Utc>,
    /// `submitted`, `withdrawn`, `test_sent`, `test_confirmed`, `preview_taken`,
    /// `preview_acknowledged`.
    pub kind: String,
    pub who: String,
    pub revision: i64,
    /// A preview's recipient count; 0 otherwise.
    pub recipients: i64,
}

/// The draft's submissions, test sends and previews with who did each, in one read.
pub async fn history_events(
    ex: impl SqliteExecutor<'_>,
    draft_id: i64,
) -> Result<Vec<HistoryEvent>, sqlx::Error> {
    let subject = format!("draft:{draft_id}");
    sqlx::query_as!(
        HistoryEvent,
        r#"SELECT at AS "at!: DateTime<Utc>", kind AS "kind!: String", who AS "who!: String",
                  revision AS "revision!: i64", recipients AS "recipients!: i64"
           FROM (
               SELECT a.at AS at,
                      CASE a.action WHEN 'draft.submitted' THEN 'submitted' ELSE 'withdrawn' END AS kind,
                      COALESCE(NULLIF(u.display_name, ''), a.actor_name) AS who,
                      COALESCE(json_extract(a.details, '$.revision'), 0) AS revision,
                      0 AS recipients
               FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id
               WHERE a.action IN ('draft.submitted', 'draft.withdrawn') AND a.subject = ?2
               UNION ALL
               SELECT t.requested_at, 'test_sent', COALESCE(NULLIF(u.display_name, ''), u.username),
                      t.revision_number, 0
               FROM test_sends t JOIN users u ON u.id = t.requested_by
               WHERE t.draft_id = ?1
               UNION ALL
               SELECT t.confirmed_at, 'test_confirmed', COALESCE(NULLIF(u.display_name, ''), u.username),
                      t.revision_number, 0
               FROM test_sends t JOIN users u ON u.id = t.confirmed_by
               WHERE t.draft_id = ?1 AND t.confirmed_at IS NOT NULL
               UNION ALL
               SELECT p.taken_at, 'preview_taken', COALESCE(NULLIF(u.display_name, ''), u.username),
                      p.revision_number, p.recipient_count
               FROM previews p JOIN users u ON u.id = p.taken_by
               WHERE p.draft_id = ?1
               UNION ALL
               SELECT p.acknowledged_at, 'preview_acknowledged', COALESCE(NULLIF(u.display_name, ''), u.username),
                      p.revision_number, p.recipient_count
               FROM previews p JOIN users u ON u.id = p.acknowledged_by
               WHERE p.draft_id = ?1 AND p.acknowledged_at IS NOT NULL)
           ORDER BY at"#,
        draft_id,
        subject
    )
    .fetch_all(ex)
    .await
}
