//! What the release gate reads about revisions, in one query: the revision itself, its
//! draft's reviews, its newest audience preview and its test sends, and (when asked) how
//! many friends follow now.
//!
//! One row per revision, its lists as JSON built by SQLite. Every read is a round trip to
//! the connection's thread, and the gate is read on the busiest pages (the dashboard's
//! next steps, the draft page), so four reads became one. The JSON field names are the
//! row types' field names; the gate tests exercise every one of them.

use sqlx::SqliteExecutor;

use chrono::{DateTime, Utc};

use super::drafts::RevisionRow;
use super::from_json;
use super::previews::PreviewRow;
use super::reviews::ReviewRow;
use super::test_sends::TestSendOutcome;

/// What the gate reads about one revision.
#[derive(Debug)]
pub struct GateRead {
    pub revision: RevisionRow,
    /// Following friends now, when asked for.
    pub friends_now: Option<i64>,
    /// Every review of the draft (of any revision), oldest first.
    pub reviews: Vec<ReviewRow>,
    /// The newest audience preview of this revision.
    pub latest_preview: Option<PreviewRow>,
    /// The test sends of this revision, newest first.
    pub test_sends: Vec<TestSendOutcome>,
}

/// The gate's reads for the given revisions (`json_revisions` pairs) that exist.
/// `count_friends` reads the following friends too (only a broadcast needs them, and on a
/// large account counting them is the dearest part).
pub async fn for_revisions(
    ex: impl SqliteExecutor<'_>,
    revisions: &str,
    count_friends: bool,
) -> Result<Vec<GateRead>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT r.draft_id AS "draft_id!: i64", r.number AS "number!: i64",
                  r.author_id AS "author_id!: i64", w.display_name AS author_name, r.content,
                  r.content_hash, r.created_at AS "created_at: DateTime<Utc>",
                  CASE WHEN ?2 THEN (SELECT COUNT(*) FROM friends WHERE blocked = 0) END
                      AS "friends_now: i64",
                  (SELECT json_group_array(json_object(
                              'id', v.id, 'draft_id', v.draft_id,
                              'revision_number', v.revision_number,
                              'reviewer_id', v.reviewer_id, 'reviewer_name', u.display_name,
                              'reviewer_active', json(iif(u.disabled_at IS NULL, 'true', 'false')),
                              'reviewer_is_reviewer', json(iif(u.is_reviewer, 'true', 'false')),
                              'verdict', v.verdict, 'body', v.body, 'created_at', v.created_at)
                              ORDER BY v.id)
                   FROM reviews v JOIN users u ON u.id = v.reviewer_id
                   WHERE v.draft_id = r.draft_id) AS "reviews!: String",
                  (SELECT json_object(
                              'id', p.id, 'draft_id', p.draft_id,
                              'revision_number', p.revision_number,
                              'content_hash', p.content_hash, 'kind', p.kind,
                              'recipient_count', p.recipient_count,
                              'friend_count', p.friend_count, 'snapshot_hash', p.snapshot_hash,
                              'quota_limit', p.quota_limit, 'quota_used', p.quota_used,
                              'sample', p.sample, 'taken_by_name', t.display_name,
                              'taken_at', p.taken_at, 'acknowledged_by_name', a.display_name,
                              'acknowledged_at', p.acknowledged_at)
                   FROM previews p JOIN users t ON t.id = p.taken_by
                   LEFT JOIN users a ON a.id = p.acknowledged_by
                   WHERE p.id = (SELECT MAX(q.id) FROM previews q
                                 WHERE q.draft_id = r.draft_id
                                   AND q.revision_number = r.number)) AS "latest_preview: String",
                  (SELECT json_group_array(json_object(
                              'draft_id', s.draft_id, 'content_hash', s.content_hash,
                              'accepted', (SELECT COUNT(*) FROM test_send_recipients x
                                           WHERE x.test_send_id = s.id AND x.status = 'accepted'),
                              'confirmed_by_name', c.display_name)
                              ORDER BY s.id DESC)
                   FROM test_sends s LEFT JOIN users c ON c.id = s.confirmed_by
                   WHERE s.draft_id = r.draft_id AND s.revision_number = r.number)
                      AS "test_sends!: String"
           FROM json_each(?1) j
           JOIN revisions r ON r.draft_id = j.value ->> 0 AND r.number = j.value ->> 1
           JOIN users w ON w.id = r.author_id"#,
        revisions,
        count_friends
    )
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(GateRead {
                revision: RevisionRow {
                    draft_id: r.draft_id,
                    number: r.number,
                    author_id: r.author_id,
                    author_name: r.author_name,
                    content: r.content,
                    content_hash: r.content_hash,
                    created_at: r.created_at,
                },
                friends_now: r.friends_now,
                reviews: from_json(&r.reviews)?,
                latest_preview: r.latest_preview.as_deref().map(from_json).transpose()?,
                test_sends: from_json(&r.test_sends)?,
            })
        })
        .collect()
}
