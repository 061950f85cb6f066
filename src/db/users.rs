//! The `users` table: accounts, their roles and whether they may sign in.

use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;

use crate::domain::roles::Roles;

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Roles,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

struct Raw {
    id: i64,
    username: String,
    display_name: String,
    password_hash: String,
    is_admin: bool,
    is_marketer: bool,
    is_reviewer: bool,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<Raw> for UserRow {
    fn from(r: Raw) -> Self {
        UserRow {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            password_hash: r.password_hash,
            roles: Roles {
                admin: r.is_admin,
                marketer: r.is_marketer,
                reviewer: r.is_reviewer,
            },
            disabled_at: r.disabled_at,
            created_at: r.created_at,
        }
    }
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    username: &str,
    display_name: &str,
    password_hash: &str,
    roles: Roles,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar!(
        r#"INSERT INTO users (username, display_name, password_hash, is_admin, is_marketer,
                              is_reviewer, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           RETURNING id AS "id!: i64""#,
        username,
        display_name,
        password_hash,
        roles.admin,
        roles.marketer,
        roles.reviewer,
        now,
        now,
    )
    .fetch_one(ex)
    .await?;
    Ok(id)
}

pub async fn find(ex: impl SqliteExecutor<'_>, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let row = sqlx::query_as!(
        Raw,
        r#"SELECT id AS "id!: i64", username, display_name, password_hash,
                  is_admin AS "is_admin: bool", is_marketer AS "is_marketer: bool",
                  is_reviewer AS "is_reviewer: bool",
                  disabled_at AS "disabled_at: DateTime<Utc>",
                  created_at AS "created_at: DateTime<Utc>"
           FROM users WHERE id = ?"#,
        id
    )
    .fetch_optional(ex)
    .await?;
    Ok(row.map(Into::into))
}

pub async fn find_by_username(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let row = sqlx::query_as!(
        Raw,
        r#"SELECT id AS "id!: i64", username, display_name, password_hash,
                  is_admin AS "is_admin: bool", is_marketer AS "is_marketer: bool",
                  is_reviewer AS "is_reviewer: bool",
                  disabled_at AS "disabled_at: DateTime<Utc>",
                  created_at AS "created_at: DateTime<Utc>"
           FROM users WHERE username = ?"#,
        username
    )
    .fetch_optional(ex)
    .await?;
    Ok(row.map(Into::into))
}

pub async fn list(ex: impl SqliteExecutor<'_>) -> Result<Vec<UserRow>, sqlx::Error> {
    let rows = sqlx::query_as!(
        Raw,
        r#"SELECT id AS "id!: i64", username, display_name, password_hash,
                  is_admin AS "is_admin: bool", is_marketer AS "is_marketer: bool",
                  is_reviewer AS "is_reviewer: bool",
                  disabled_at AS "disabled_at: DateTime<Utc>",
                  created_at AS "created_at: DateTime<Utc>"
           FROM users ORDER BY disabled_at IS NOT NULL, username"#
    )
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn count(ex: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM users"#)
        .fetch_one(ex)
        .await
}

/// Active admins other than `except`: what is left if `except` stops being one.
pub async fn count_other_active_admins(
    ex: impl SqliteExecutor<'_>,
    except: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM users
           WHERE is_admin = 1 AND disabled_at IS NULL AND id <> ?"#,
        except
    )
    .fetch_one(ex)
    .await
}

pub async fn set_roles(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    roles: Roles,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET is_admin = ?, is_marketer = ?, is_reviewer = ?, updated_at = ? WHERE id = ?",
        roles.admin,
        roles.marketer,
        roles.reviewer,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_display_name(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?",
        display_name,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_disabled(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    disabled_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?",
        disabled_at,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_password_hash(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
        password_hash,
        now,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Stores the interface language a user picked (`ja` or `en`).
pub async fn set_language(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    language: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET language = ?, updated_at = ? WHERE id = ?",
        language,
        now,
        user_id
    )
    .execute(ex)
    .await?;
    Ok(())
}
