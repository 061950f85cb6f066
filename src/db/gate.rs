//! What the gate reads about revisions, in one query: the revision itself, everyone who
//! wrote a revision of its draft, its draft's reviews, its newest audience preview and its
//! test sends, the recipients reserved by releases not yet sent, earlier releases of the
//! same messages that reached an overlapping audience in the last 7 days, and (when asked)
//! how many friends follow now.
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
    /// Everyone who wrote a revision of the draft.
    pub contributors: Vec<i64>,
    /// Recipients of releases (of any draft) not yet handed to LINE.
    pub reserved: i64,
    /// Releases of other drafts with the same messages, sent in the last 7 days to an
    /// audience that overlaps this revision's.
    pub duplicates: Vec<DuplicateSend>,
    /// For a correction draft: the messages of the release it corrects (JSON array).
    pub original_messages: Option<String>,
    /// Every review of the draft (of any revision), oldest first.
    pub reviews: Vec<ReviewRow>,
    /// The newest audience preview of this revision.
    pub latest_preview: Option<PreviewRow>,
    /// The test sends of this revision, newest first.
    pub test_sends: Vec<TestSendOutcome>,
}

/// An earlier release of the same messages (the duplicate-send warning of DESIGN section 5).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct DuplicateSend {
    pub release_id: i64,
    pub draft_id: i64,
    pub title: String,
    pub sent_at: DateTime<Utc>,
}

/// The gate's reads for the given revisions (`json_revisions` pairs) that exist.
/// `count_friends` reads the following friends too (only a broadcast needs them, and on a
/// large account counting them is the dearest part). Releases since `recent_since` are
/// compared for the duplicate-send warning.
pub async fn for_revisions(
    ex: impl SqliteExecutor<'_>,
    revisions: &str,
    count_friends: bool,
    recent_since: DateTime<Utc>,
) -> Result<Vec<GateRead>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT r.draft_id AS "draft_id!: i64", r.number AS "number!: i64",
                  r.author_id AS "author_id!: i64", w.display_name AS author_name, r.content,
                  r.content_hash, r.created_at AS "created_at: DateTime<Utc>",
                  CASE WHEN ?2 THEN (SELECT COUNT(*) FROM friends WHERE blocked = 0) END
                      AS "friends_now: i64",
                  (SELECT json_group_array(DISTINCT c.author_id) FROM revisions c
                   WHERE c.draft_id = r.draft_id) AS "contributors!: String",
                  (SELECT COALESCE(SUM(d.recipients), 0)
                   FROM releases x JOIN deliveries d ON d.release_id = x.id
                   WHERE x.state IN ('scheduled', 'sending') AND d.state IN ('pending', 'sending'))
                      AS "reserved!: i64",
                  (SELECT json_group_array(json_object(
                              'release_id', x.id, 'draft_id', x.draft_id, 'title', xd.title,
                              'sent_at', COALESCE(x.finished_at, x.send_at)) ORDER BY x.id)
                   FROM releases x
                   JOIN revisions xr ON xr.draft_id = x.draft_id AND xr.number = x.revision_number
                   JOIN drafts xd ON xd.id = x.draft_id
                   WHERE x.state IN ('sending', 'sent', 'failed') AND x.send_at >= ?3
                     AND x.draft_id <> r.draft_id
                     AND xr.content ->> '$.messages' = r.content ->> '$.messages'
                     -- A broadcast overlaps every audience; two segment sends overlap when
                     -- the earlier snapshot shares someone with this revision's newest one.
                     AND (x.kind = 'broadcast' OR r.content ->> '$.kind' = 'broadcast'
                          OR EXISTS (SELECT 1 FROM preview_recipients a
                                     JOIN preview_recipients b ON b.user_id = a.user_id
                                     WHERE a.preview_id = x.preview_id
                                       AND b.preview_id = (SELECT MAX(q.id) FROM previews q
                                                           WHERE q.draft_id = r.draft_id
                                                             AND q.revision_number = r.number))))
                      AS "duplicates!: String",
                  (SELECT xr.content ->> '$.messages' FROM incidents i
                   JOIN releases x ON x.id = i.release_id
                   JOIN revisions xr ON xr.draft_id = x.draft_id AND xr.number = x.revision_number
                   WHERE i.correction_draft_id = r.draft_id) AS "original_messages: String",
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
        count_friends,
        recent_since
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
                contributors: from_json(&r.contributors)?,
                reserved: r.reserved,
                duplicates: from_json(&r.duplicates)?,
                original_messages: r.original_messages,
                reviews: from_json(&r.reviews)?,
                latest_preview: r.latest_preview.as_deref().map(from_json).transpose()?,
                test_sends: from_json(&r.test_sends)?,
            })
        })
        .collect()
}
