//! Saved audience segments. The table arrives with the audience feature; until then no
//! segment exists and segment drafts cannot name one.

use sqlx::SqliteExecutor;

use crate::domain::revision::SegmentRef;

/// The segment as a revision freezes it: id, name and rules as they are now.
pub async fn find_ref(
    _ex: impl SqliteExecutor<'_>,
    _id: i64,
) -> Result<Option<SegmentRef>, sqlx::Error> {
    Ok(None)
}

/// Segments to choose from in the draft editor.
pub async fn choices(_ex: impl SqliteExecutor<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    Ok(Vec::new())
}
