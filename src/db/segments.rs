//! Saved segments: a name and its rules (JSON of `domain::audience::SegmentRules`).

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use crate::domain::audience::SegmentRules;
use crate::domain::revision::SegmentRef;

#[derive(Debug, Clone)]
pub struct SegmentRow {
    pub id: i64,
    pub name: String,
    pub rules: String,
    pub updated_at: DateTime<Utc>,
}

impl SegmentRow {
    pub fn rules(&self) -> SegmentRules {
        serde_json::from_str(&self.rules).unwrap_or_default()
    }
}

pub async fn list(ex: impl SqliteExecutor<'_>) -> Result<Vec<SegmentRow>, sqlx::Error> {
    sqlx::query_as!(
        SegmentRow,
        r#"SELECT id AS "id!: i64", name, rules, updated_at AS "updated_at: DateTime<Utc>"
           FROM segments ORDER BY name"#
    )
    .fetch_all(ex)
    .await
}

pub async fn find(ex: impl SqliteExecutor<'_>, id: i64) -> Result<Option<SegmentRow>, sqlx::Error> {
    sqlx::query_as!(
        SegmentRow,
        r#"SELECT id AS "id!: i64", name, rules, updated_at AS "updated_at: DateTime<Utc>"
           FROM segments WHERE id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await
}

/// The segment as a revision freezes it: id, name and rules as they are now.
pub async fn find_ref(
    ex: impl SqliteExecutor<'_>,
    id: i64,
) -> Result<Option<SegmentRef>, sqlx::Error> {
    Ok(find(ex, id).await?.map(|s| SegmentRef {
        id: s.id,
        rules: serde_json::from_str(&s.rules).unwrap_or(serde_json::Value::Null),
        name: s.name,
    }))
}

/// Segments to choose from in the draft editor.
pub async fn choices(ex: impl SqliteExecutor<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    Ok(list(ex)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    name: &str,
    rules: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO segments (name, rules, created_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        name,
        rules,
        by,
        now,
        now
    )
    .fetch_one(ex)
    .await
}

pub async fn update(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    name: &str,
    rules: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE segments SET name = ?, rules = ?, updated_at = ? WHERE id = ?",
        name,
        rules,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}
