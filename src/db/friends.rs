//! Friends, their tags and attributes, and the SQL that applies a segment. Segment SQL is
//! built with `QueryBuilder` and bound values only. Tag conditions are written as
//! `f.id IN (SELECT friend_id FROM friend_tags ...)` so SQLite can drive the scan from the
//! tag's rows by rowid instead of visiting every friend.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqliteExecutor};

use crate::domain::audience::{
    AttributeOp, FollowWindow, FriendRecord, MAX_SEGMENT_CONDITIONS, SegmentRules,
};

/// Appends the segment's conditions to a query whose FROM is `friends f` and whose WHERE
/// already excludes blocked friends.
///
/// A segment within the cap on conditions (`MAX_SEGMENT_CONDITIONS`) gets one condition
/// per rule. One saved before the cap existed may hold a thousand: one condition each
/// would exceed SQLite's expression depth and bound-value limits and fail every page that
/// counts it (issue #18), so such a segment is written with each list as one JSON value
/// instead: a constant-size query, slower, that always runs.
pub fn push_segment_conditions(
    qb: &mut QueryBuilder<Sqlite>,
    rules: &SegmentRules,
    window: FollowWindow,
) {
    push_conditions(
        qb,
        rules,
        window,
        rules.condition_count() > MAX_SEGMENT_CONDITIONS,
    );
}

fn push_conditions(
    qb: &mut QueryBuilder<Sqlite>,
    rules: &SegmentRules,
    window: FollowWindow,
    large: bool,
) {
    if large {
        push_large_segment_conditions(qb, rules, window);
    } else {
        push_follow_window(qb, window);
        push_small_segment_conditions(qb, rules);
    }
}

fn push_follow_window(qb: &mut QueryBuilder<Sqlite>, window: FollowWindow) {
    if let Some(from) = window.from {
        qb.push(" AND f.followed_at >= ").push_bind(from);
    }
    if let Some(until) = window.until {
        qb.push(" AND f.followed_at < ").push_bind(until);
    }
}

fn push_small_segment_conditions(qb: &mut QueryBuilder<Sqlite>, rules: &SegmentRules) {
    if !rules.tags_any.is_empty() {
        qb.push(" AND f.id IN (SELECT ft.friend_id FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id WHERE t.name IN (");
        let mut sep = qb.separated(", ");
        for t in &rules.tags_any {
            sep.push_bind(t.as_str());
        }
        qb.push("))");
    }
    for t in &rules.tags_all {
        qb.push(" AND f.id IN (SELECT ft.friend_id FROM friend_tags ft WHERE ft.tag_id = (SELECT id FROM tags WHERE name = ")
            .push_bind(t.as_str())
            .push("))");
    }
    if !rules.tags_none.is_empty() {
        qb.push(" AND f.id NOT IN (SELECT ft.friend_id FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id WHERE t.name IN (");
        let mut sep = qb.separated(", ");
        for t in &rules.tags_none {
            sep.push_bind(t.as_str());
        }
        qb.push("))");
    }
    for a in &rules.attributes {
        match a.op {
            AttributeOp::Equals => {
                qb.push(" AND EXISTS (SELECT 1 FROM friend_attributes a WHERE a.friend_id = f.id AND a.key = ")
                    .push_bind(a.key.as_str())
                    .push(" AND a.value = ")
                    .push_bind(a.value.as_str())
                    .push(")");
            }
            AttributeOp::NotEquals => {
                qb.push(" AND NOT EXISTS (SELECT 1 FROM friend_attributes a WHERE a.friend_id = f.id AND a.key = ")
                    .push_bind(a.key.as_str())
                    .push(" AND a.value = ")
                    .push_bind(a.value.as_str())
                    .push(")");
            }
            AttributeOp::Exists => {
                qb.push(" AND EXISTS (SELECT 1 FROM friend_attributes a WHERE a.friend_id = f.id AND a.key = ")
                    .push_bind(a.key.as_str())
                    .push(")");
            }
        }
    }
}

/// The same conditions as [`push_small_segment_conditions`], each list bound once as JSON.
fn push_large_segment_conditions(
    qb: &mut QueryBuilder<Sqlite>,
    rules: &SegmentRules,
    window: FollowWindow,
) {
    push_follow_window(qb, window);
    let json = |v: &[String]| serde_json::Value::from(v.to_vec()).to_string();
    if !rules.tags_any.is_empty() {
        qb.push(" AND f.id IN (SELECT ft.friend_id FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id WHERE t.name IN (SELECT value FROM json_each(")
            .push_bind(json(&rules.tags_any))
            .push(")))");
    }
    if !rules.tags_all.is_empty() {
        // Friends holding as many of the tags as there are distinct tags: all of them.
        let tags = json(&rules.tags_all);
        qb.push(" AND f.id IN (SELECT ft.friend_id FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id WHERE t.name IN (SELECT value FROM json_each(")
            .push_bind(tags.clone())
            .push(")) GROUP BY ft.friend_id HAVING COUNT(DISTINCT t.id) = (SELECT COUNT(DISTINCT value) FROM json_each(")
            .push_bind(tags)
            .push(")))");
    }
    if !rules.tags_none.is_empty() {
        qb.push(" AND f.id NOT IN (SELECT ft.friend_id FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id WHERE t.name IN (SELECT value FROM json_each(")
            .push_bind(json(&rules.tags_none))
            .push(")))");
    }
    let pairs = |op: AttributeOp| {
        let v: Vec<serde_json::Value> = rules
            .attributes
            .iter()
            .filter(|a| a.op == op)
            .map(|a| serde_json::json!([a.key, a.value]))
            .collect();
        (!v.is_empty()).then(|| serde_json::Value::from(v).to_string())
    };
    if let Some(equals) = pairs(AttributeOp::Equals) {
        qb.push(" AND NOT EXISTS (SELECT 1 FROM json_each(")
            .push_bind(equals)
            .push(") r WHERE NOT EXISTS (SELECT 1 FROM friend_attributes a WHERE a.friend_id = f.id AND a.key = r.value ->> 0 AND a.value = r.value ->> 1))");
    }
    if let Some(not_equals) = pairs(AttributeOp::NotEquals) {
        qb.push(" AND NOT EXISTS (SELECT 1 FROM json_each(")
            .push_bind(not_equals)
            .push(") r JOIN friend_attributes a ON a.friend_id = f.id AND a.key = r.value ->> 0 AND a.value = r.value ->> 1)");
    }
    if let Some(exists) = pairs(AttributeOp::Exists) {
        qb.push(" AND NOT EXISTS (SELECT 1 FROM json_each(")
            .push_bind(exists)
            .push(") r WHERE NOT EXISTS (SELECT 1 FROM friend_attributes a WHERE a.friend_id = f.id AND a.key = r.value ->> 0))");
    }
}

/// How many friends match (blocked friends never do).
pub async fn segment_count(
    ex: impl SqliteExecutor<'_>,
    rules: &SegmentRules,
    window: FollowWindow,
) -> Result<i64, sqlx::Error> {
    let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM friends f WHERE f.blocked = 0");
    push_segment_conditions(&mut qb, rules, window);
    qb.build_query_scalar::<i64>().fetch_one(ex).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SampleRow {
    pub user_id: String,
    pub display_name: String,
}

/// Up to `n` matching friends, spread over the list rather than the first `n` by id.
pub async fn segment_sample(
    ex: impl SqliteExecutor<'_>,
    rules: &SegmentRules,
    window: FollowWindow,
    n: i64,
) -> Result<Vec<SampleRow>, sqlx::Error> {
    let mut qb =
        QueryBuilder::new("SELECT f.user_id, f.display_name FROM friends f WHERE f.blocked = 0");
    push_segment_conditions(&mut qb, rules, window);
    qb.push(" ORDER BY (f.id * 2654435761) % 4294967296 LIMIT ")
        .push_bind(n);
    qb.build_query_as::<SampleRow>().fetch_all(ex).await
}

/// Freezes the matching user ids into `preview_recipients` in one statement.
pub async fn snapshot_segment(
    ex: impl SqliteExecutor<'_>,
    preview_id: i64,
    rules: &SegmentRules,
    window: FollowWindow,
) -> Result<u64, sqlx::Error> {
    let mut qb = QueryBuilder::new("INSERT INTO preview_recipients (preview_id, user_id) SELECT ");
    qb.push_bind(preview_id)
        .push(", f.user_id FROM friends f WHERE f.blocked = 0");
    push_segment_conditions(&mut qb, rules, window);
    qb.push(" ORDER BY f.user_id");
    Ok(qb.build().execute(ex).await?.rows_affected())
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub total: i64,
    pub following: i64,
    pub blocked: i64,
    pub testers: i64,
}

pub async fn counts(ex: impl SqliteExecutor<'_>) -> Result<Counts, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT COUNT(*) AS "total!: i64",
                  COALESCE(SUM(blocked = 0), 0) AS "following!: i64",
                  COALESCE(SUM(blocked = 1), 0) AS "blocked!: i64",
                  COALESCE(SUM(is_tester = 1 AND blocked = 0), 0) AS "testers!: i64"
           FROM friends"#
    )
    .fetch_one(ex)
    .await?;
    Ok(Counts {
        total: r.total,
        following: r.following,
        blocked: r.blocked,
        testers: r.testers,
    })
}

pub async fn count_following(ex: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM friends WHERE blocked = 0"#)
        .fetch_one(ex)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FriendRow {
    pub id: i64,
    pub user_id: String,
    pub display_name: String,
    pub followed_at: i64,
    pub blocked: bool,
    pub is_tester: bool,
    pub tags: String,
}

#[derive(Debug, Clone, Default)]
pub struct FriendFilter {
    pub search: Option<String>,
    pub tag: Option<String>,
    /// `following`, `blocked` or `testers`.
    pub status: Option<String>,
}

/// One page of friends, newest follow first, with their tags joined by ", ".
pub async fn list(
    ex: impl SqliteExecutor<'_>,
    f: &FriendFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<FriendRow>, sqlx::Error> {
    let mut qb = QueryBuilder::new(
        "SELECT f.id, f.user_id, f.display_name, f.followed_at, f.blocked, f.is_tester, \
         COALESCE((SELECT group_concat(t.name, ', ') FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id \
                   WHERE ft.friend_id = f.id), '') AS tags \
         FROM friends f WHERE 1 = 1",
    );
    if let Some(s) = &f.search {
        let like = format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        qb.push(" AND (f.display_name LIKE ")
            .push_bind(like.clone())
            .push(" ESCAPE '\\' OR f.user_id LIKE ")
            .push_bind(like)
            .push(" ESCAPE '\\')");
    }
    if let Some(t) = &f.tag {
        qb.push(" AND f.id IN (SELECT ft.friend_id FROM friend_tags ft WHERE ft.tag_id = (SELECT id FROM tags WHERE name = ")
            .push_bind(t.clone())
            .push("))");
    }
    match f.status.as_deref() {
        Some("following") => {
            qb.push(" AND f.blocked = 0");
        }
        Some("blocked") => {
            qb.push(" AND f.blocked = 1");
        }
        Some("testers") => {
            qb.push(" AND f.is_tester = 1");
        }
        _ => {}
    }
    qb.push(" ORDER BY f.followed_at DESC, f.id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    qb.build_query_as::<FriendRow>().fetch_all(ex).await
}

pub async fn find_by_user_id(
    ex: impl SqliteExecutor<'_>,
    user_id: &str,
) -> Result<Option<FriendRow>, sqlx::Error> {
    sqlx::query_as!(
        FriendRow,
        r#"SELECT f.id AS "id!: i64", f.user_id, f.display_name, f.followed_at AS "followed_at!: i64",
                  f.blocked AS "blocked: bool", f.is_tester AS "is_tester: bool",
                  COALESCE((SELECT group_concat(t.name, ', ') FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id
                            WHERE ft.friend_id = f.id), '') AS "tags!: String"
           FROM friends f WHERE f.user_id = ?"#,
        user_id
    )
    .fetch_optional(ex)
    .await
}

/// A tester: a friend of the account that is a staff member's phone.
#[derive(Debug, Clone)]
pub struct TesterRow {
    pub user_id: String,
    pub display_name: String,
    pub blocked: bool,
    /// Whose phone it is; `None` for testers marked before testers were staff phones.
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub owner_active: Option<bool>,
    /// `pairing` (the person sent a code from LINE) or `admin`.
    pub via: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

impl TesterRow {
    pub fn candidate(&self) -> crate::domain::testers::TesterCandidate {
        crate::domain::testers::TesterCandidate {
            user_id: self.user_id.clone(),
            blocked: self.blocked,
            owner_active: self.owner_active,
        }
    }
}

/// Every tester, with whose phone it is.
pub async fn testers(ex: impl SqliteExecutor<'_>) -> Result<Vec<TesterRow>, sqlx::Error> {
    sqlx::query_as!(
        TesterRow,
        r#"SELECT f.user_id, f.display_name, f.blocked AS "blocked: bool",
                  f.tester_user_id AS "owner_id: i64", u.display_name AS "owner_name?: String",
                  CASE WHEN u.id IS NULL THEN NULL ELSE u.disabled_at IS NULL END AS "owner_active?: bool",
                  f.tester_via AS via, f.tester_since AS "since: DateTime<Utc>"
           FROM friends f LEFT JOIN users u ON u.id = f.tester_user_id
           WHERE f.is_tester = 1 ORDER BY u.display_name, f.display_name, f.user_id"#
    )
    .fetch_all(ex)
    .await
}

/// Testers that count against the policy's number.
pub async fn tester_count(ex: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM friends WHERE is_tester = 1"#)
        .fetch_one(ex)
        .await
}

/// The phone's current owner, if it is a tester: `(user id, display name)`.
pub async fn tester_owner(
    ex: impl SqliteExecutor<'_>,
    user_id: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT u.id AS "id!: i64", u.display_name FROM friends f JOIN users u ON u.id = f.tester_user_id
           WHERE f.user_id = ? AND f.is_tester = 1"#,
        user_id
    )
    .fetch_optional(ex)
    .await?;
    Ok(r.map(|r| (r.id, r.display_name)))
}

/// Makes a friend the test phone of `owner`.
pub async fn make_tester(
    ex: impl SqliteExecutor<'_>,
    user_id: &str,
    owner: i64,
    via: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE friends SET is_tester = 1, tester_user_id = ?, tester_via = ?, tester_since = ?, updated_at = ?
         WHERE user_id = ?",
        owner,
        via,
        now,
        now,
        user_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn remove_tester(
    ex: impl SqliteExecutor<'_>,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE friends SET is_tester = 0, tester_user_id = NULL, tester_via = NULL, tester_since = NULL, updated_at = ?
         WHERE user_id = ? AND is_tester = 1",
        now,
        user_id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A user who messaged the account follows it: known from now on if they were not yet.
pub async fn ensure_following(
    ex: impl SqliteExecutor<'_>,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let at = now.timestamp();
    sqlx::query!(
        "INSERT OR IGNORE INTO friends (user_id, followed_at, updated_at) VALUES (?, ?, ?)",
        user_id,
        at,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// What applying a follow or unfollow did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    /// A friend sendgate had not seen.
    New,
    /// The friend's state is now what the event says.
    Applied,
    /// The event is older than the newest one applied for this friend: nothing changed.
    Stale,
}

/// A follow (or re-follow after a block) from the webhook, stamped `at_ms` by LINE. LINE
/// may deliver events late and out of order: an event older than the newest one applied
/// for this friend changes nothing.
pub async fn follow(
    conn: &mut SqliteConnection,
    user_id: &str,
    at_ms: i64,
    now: DateTime<Utc>,
) -> Result<StateChange, sqlx::Error> {
    set_following(conn, user_id, true, at_ms, now).await
}

/// An unfollow (a block) from the webhook, stamped `at_ms`. A user first seen by an
/// unfollow is kept as blocked, so a late follow stamped before it changes nothing.
pub async fn unfollow(
    conn: &mut SqliteConnection,
    user_id: &str,
    at_ms: i64,
    now: DateTime<Utc>,
) -> Result<StateChange, sqlx::Error> {
    set_following(conn, user_id, false, at_ms, now).await
}

async fn set_following(
    conn: &mut SqliteConnection,
    user_id: &str,
    following: bool,
    at_ms: i64,
    now: DateTime<Utc>,
) -> Result<StateChange, sqlx::Error> {
    let blocked = !following;
    let existing = sqlx::query!(
        r#"SELECT id AS "id!: i64", state_event_at FROM friends WHERE user_id = ?"#,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match existing {
        Some(f) if f.state_event_at.is_some_and(|t| t > at_ms) => Ok(StateChange::Stale),
        Some(f) => {
            sqlx::query!(
                "UPDATE friends SET blocked = ?, state_event_at = ?, updated_at = ? WHERE id = ?",
                blocked,
                at_ms,
                now,
                f.id
            )
            .execute(&mut *conn)
            .await?;
            Ok(StateChange::Applied)
        }
        None => {
            let at = at_ms.div_euclid(1000);
            sqlx::query!(
                "INSERT INTO friends (user_id, followed_at, blocked, state_event_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                user_id,
                at,
                blocked,
                at_ms,
                now
            )
            .execute(&mut *conn)
            .await?;
            Ok(StateChange::New)
        }
    }
}

/// Known tag names with how many following friends carry each.
pub async fn tag_counts(ex: impl SqliteExecutor<'_>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT t.name, COUNT(ft.friend_id) AS "n!: i64" FROM tags t
           LEFT JOIN friend_tags ft ON ft.tag_id = t.id
           GROUP BY t.id ORDER BY t.name"#
    )
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| (r.name, r.n)).collect())
}

/// Remembers tag ids across batches of one import.
#[derive(Default)]
pub struct TagCache(HashMap<String, i64>);

impl TagCache {
    async fn id(&mut self, conn: &mut SqliteConnection, name: &str) -> Result<i64, sqlx::Error> {
        if let Some(id) = self.0.get(name) {
            return Ok(*id);
        }
        let id = sqlx::query_scalar!(
            r#"INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name
               RETURNING id AS "id!: i64""#,
            name
        )
        .fetch_one(&mut *conn)
        .await?;
        self.0.insert(name.to_string(), id);
        Ok(id)
    }
}

/// Upserts one batch of friends with their tags and attributes (replacing what each had).
/// Returns (added, updated). Must run inside the import's transaction.
pub async fn upsert_batch(
    conn: &mut SqliteConnection,
    records: &[FriendRecord],
    tags: &mut TagCache,
    now: DateTime<Utc>,
) -> Result<(u64, u64), sqlx::Error> {
    if records.is_empty() {
        return Ok((0, 0));
    }
    let mut qb = QueryBuilder::new("SELECT user_id FROM friends WHERE user_id IN (");
    let mut sep = qb.separated(", ");
    for r in records {
        sep.push_bind(r.user_id.as_str());
    }
    qb.push(")");
    let existing: HashSet<String> = qb
        .build_query_scalar::<String>()
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();

    let now_text = now.to_rfc3339();
    let mut qb =
        QueryBuilder::new("INSERT INTO friends (user_id, display_name, followed_at, updated_at) ");
    qb.push_values(records, |mut b, r| {
        b.push_bind(r.user_id.as_str())
            .push_bind(r.display_name.as_str())
            .push_bind(r.followed_at)
            .push_bind(now_text.as_str());
    });
    qb.push(
        " ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, \
         followed_at = excluded.followed_at, updated_at = excluded.updated_at RETURNING id, user_id",
    );
    let ids: HashMap<String, i64> = qb
        .build_query_as::<(i64, String)>()
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, u)| (u, id))
        .collect();

    let existing_ids: Vec<i64> = records
        .iter()
        .filter(|r| existing.contains(r.user_id.as_str()))
        .filter_map(|r| ids.get(r.user_id.as_str()).copied())
        .collect();
    if !existing_ids.is_empty() {
        for table in ["friend_tags", "friend_attributes"] {
            let mut qb = QueryBuilder::new(format!("DELETE FROM {table} WHERE friend_id IN ("));
            let mut sep = qb.separated(", ");
            for id in &existing_ids {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build().execute(&mut *conn).await?;
        }
    }

    let mut tag_rows: Vec<(i64, i64)> = Vec::new();
    let mut attr_rows: Vec<(i64, &str, &str)> = Vec::new();
    for r in records {
        let Some(friend_id) = ids.get(r.user_id.as_str()).copied() else {
            continue;
        };
        for t in &r.tags {
            tag_rows.push((tags.id(conn, t).await?, friend_id));
        }
        for (k, v) in &r.attributes {
            attr_rows.push((friend_id, k.as_str(), v.as_str()));
        }
    }
    tag_rows.sort_unstable();
    tag_rows.dedup();
    for chunk in tag_rows.chunks(2000) {
        let mut qb = QueryBuilder::new("INSERT OR IGNORE INTO friend_tags (tag_id, friend_id) ");
        qb.push_values(chunk, |mut b, (t, f)| {
            b.push_bind(*t).push_bind(*f);
        });
        qb.build().execute(&mut *conn).await?;
    }
    for chunk in attr_rows.chunks(2000) {
        let mut qb =
            QueryBuilder::new("INSERT OR REPLACE INTO friend_attributes (friend_id, key, value) ");
        qb.push_values(chunk, |mut b, (f, k, v)| {
            b.push_bind(*f).push_bind(*k).push_bind(*v);
        });
        qb.build().execute(&mut *conn).await?;
    }
    let updated = existing.len() as u64;
    Ok((records.len() as u64 - updated, updated))
}
