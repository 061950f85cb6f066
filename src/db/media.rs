//! The `media` and `media_variants` tables: uploaded images by the SHA-256 of their bytes,
//! and the sizes made from them. Written once, never changed.

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

/// An upload, without its bytes.
#[derive(Debug, Clone)]
pub struct MediaRow {
    pub sha256: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub byte_size: i64,
    pub file_name: String,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Bytes to serve.
pub struct Blob {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub struct NewMedia<'a> {
    pub sha256: &'a str,
    pub content_type: &'a str,
    pub width: i64,
    pub height: i64,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

pub struct NewVariant<'a> {
    pub variant: &'a str,
    pub content_type: &'a str,
    pub width: i64,
    pub height: i64,
    pub bytes: &'a [u8],
}

/// Whether this image is stored already (the same bytes uploaded before).
pub async fn exists(ex: impl SqliteExecutor<'_>, sha256: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT 1 AS "one!: i64" FROM media WHERE sha256 = ?"#,
        sha256
    )
    .fetch_optional(ex)
    .await?
    .is_some())
}

pub async fn insert(
    conn: &mut SqliteConnection,
    media: &NewMedia<'_>,
    variants: &[NewVariant<'_>],
    by: i64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let size = media.bytes.len() as i64;
    sqlx::query!(
        "INSERT INTO media (sha256, content_type, width, height, byte_size, file_name, uploaded_by, uploaded_at, bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        media.sha256,
        media.content_type,
        media.width,
        media.height,
        size,
        media.file_name,
        by,
        at,
        media.bytes,
    )
    .execute(&mut *conn)
    .await?;
    for v in variants {
        sqlx::query!(
            "INSERT INTO media_variants (sha256, variant, content_type, width, height, bytes)
             VALUES (?, ?, ?, ?, ?, ?)",
            media.sha256,
            v.variant,
            v.content_type,
            v.width,
            v.height,
            v.bytes,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn find(
    ex: impl SqliteExecutor<'_>,
    sha256: &str,
) -> Result<Option<MediaRow>, sqlx::Error> {
    sqlx::query_as!(
        MediaRow,
        r#"SELECT m.sha256, m.content_type, m.width, m.height, m.byte_size, m.file_name,
                  u.display_name AS uploaded_by_name, m.uploaded_at AS "uploaded_at: DateTime<Utc>"
           FROM media m JOIN users u ON u.id = m.uploaded_by WHERE m.sha256 = ?"#,
        sha256
    )
    .fetch_optional(ex)
    .await
}

/// The newest uploads first.
pub async fn recent(ex: impl SqliteExecutor<'_>, limit: i64) -> Result<Vec<MediaRow>, sqlx::Error> {
    sqlx::query_as!(
        MediaRow,
        r#"SELECT m.sha256, m.content_type, m.width, m.height, m.byte_size, m.file_name,
                  u.display_name AS uploaded_by_name, m.uploaded_at AS "uploaded_at: DateTime<Utc>"
           FROM media m JOIN users u ON u.id = m.uploaded_by
           ORDER BY m.uploaded_at DESC, m.sha256 LIMIT ?"#,
        limit
    )
    .fetch_all(ex)
    .await
}

/// The bytes of the original (`variant` empty) or of one size.
pub async fn blob(
    ex: impl SqliteExecutor<'_>,
    sha256: &str,
    variant: &str,
) -> Result<Option<Blob>, sqlx::Error> {
    if variant.is_empty() {
        sqlx::query_as!(
            Blob,
            "SELECT content_type, bytes FROM media WHERE sha256 = ?",
            sha256
        )
        .fetch_optional(ex)
        .await
    } else {
        sqlx::query_as!(
            Blob,
            "SELECT content_type, bytes FROM media_variants WHERE sha256 = ? AND variant = ?",
            sha256,
            variant
        )
        .fetch_optional(ex)
        .await
    }
}
