//! The `audit_events` table, its head and its seal record. Appending reads the head and
//! writes the event and the new head in the caller's write transaction, so the chain can
//! never fork; the event is sealed with the connection's audit key, and its head goes to
//! the head file when the transaction commits (see [`crate::db::seal`]).

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

use crate::domain::audit::{ChainedEvent, GENESIS_HASH};

/// Who did something, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn user(id: i64, name: &str) -> Self {
        Self {
            id: Some(id),
            name: name.to_string(),
        }
    }

    /// The signed-in user behind this actor; the CLI and the system have none.
    pub fn user_id(&self) -> Result<i64, crate::error::AppError> {
        self.id.ok_or_else(|| {
            crate::error::AppError::Internal(anyhow::anyhow!(
                "{} acted where only a signed-in user can",
                self.name
            ))
        })
    }

    pub fn cli() -> Self {
        Self {
            id: None,
            name: "cli".into(),
        }
    }

    pub fn system() -> Self {
        Self {
            id: None,
            name: "system".into(),
        }
    }
}

tokio::task_local! {
    /// How the person acting proved who they are for this request's sensitive action
    /// (re-authentication, issue #18); every event the action appends records it.
    static CONFIRMATION: serde_json::Value;
}

/// Runs `f` with every audit event it appends recording `confirmation` under `"confirmed"`,
/// so a release or a change of roles says in its own event how its actor was confirmed.
pub async fn with_confirmation<F: Future>(confirmation: serde_json::Value, f: F) -> F::Output {
    CONFIRMATION.scope(confirmation, f).await
}

/// Appends one event. Must run inside a write transaction (see `db::begin_write`).
pub async fn append(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    subject: &str,
    details: &serde_json::Value,
) -> Result<i64, sqlx::Error> {
    let head = sqlx::query!(
        r#"SELECT last_id AS "last_id!: i64", last_hash FROM audit_head WHERE id = 1"#
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (prev_id, prev_hash) = head
        .map(|h| (h.last_id, h.last_hash))
        .unwrap_or((0, GENESIS_HASH.to_string()));
    let details = match CONFIRMATION.try_with(Clone::clone) {
        Ok(confirmed) => {
            let mut d = details.clone();
            if let Some(map) = d.as_object_mut() {
                map.insert("confirmed".into(), confirmed);
            }
            d
        }
        Err(_) => details.clone(),
    };
    let sealer = crate::db::seal::sealer(conn).await?;
    let mut event = ChainedEvent {
        id: prev_id + 1,
        at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        actor_id: actor.id,
        actor_name: actor.name.clone(),
        action: action.to_string(),
        subject: subject.to_string(),
        details: details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = sealer.key().seal(&event);
    // Set before the writes: outside a transaction the insert itself commits.
    sealer.set_pending(Some((event.id, event.hash.clone())));
    let written = write(conn, &event).await;
    if written.is_err() {
        sealer.set_pending(None);
    }
    written.map(|()| event.id)
}

async fn write(conn: &mut SqliteConnection, event: &ChainedEvent) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_events (id, at, actor_id, actor_name, action, subject, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        event.id,
        event.at,
        event.actor_id,
        event.actor_name,
        event.action,
        event.subject,
        event.details,
        event.prev_hash,
        event.hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash",
        event.id,
        event.hash
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn head(ex: impl SqliteExecutor<'_>) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT last_id AS "last_id!: i64", last_hash FROM audit_head WHERE id = 1"#
    )
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|r| (r.last_id, r.last_hash)))
}

/// One page of events in id order from `after_id`, for streaming verification.
pub async fn chain_page(
    ex: impl SqliteExecutor<'_>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<ChainedEvent>, sqlx::Error> {
    sqlx::query_as!(
        ChainedEvent,
        r#"SELECT id AS "id!: i64", at, actor_id AS "actor_id: i64", actor_name, action, subject,
                  details, prev_hash, hash
           FROM audit_events WHERE id > ? ORDER BY id LIMIT ?"#,
        after_id,
        limit
    )
    .fetch_all(ex)
    .await
}

/// What the audit page shows of an event.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub at: String,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub details: String,
}

/// Newest first, optionally filtered, keyset-paginated by id (`before_id`).
pub async fn list(
    ex: impl SqliteExecutor<'_>,
    actor: Option<&str>,
    action: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let before = before_id.unwrap_or(i64::MAX);
    sqlx::query_as!(
        EventRow,
        r#"SELECT id AS "id!: i64", at, actor_name, action, subject, details
           FROM audit_events
           WHERE id < ?1
             AND (?2 IS NULL OR actor_name = ?2)
             AND (?3 IS NULL OR action = ?3 OR action LIKE ?3 || '.%')
           ORDER BY id DESC
           LIMIT ?4"#,
        before,
        actor,
        action,
        limit
    )
    .fetch_all(ex)
    .await
}

/// The distinct action names, for the filter's choices.
///
/// `SELECT DISTINCT action` reads every entry of `audit_by_action` (100,000 events made the
/// audit page take ~10 ms of CPU per view). Walking from one action to the next with
/// `MIN(action) WHERE action > previous` is one index seek per distinct action instead.
pub async fn actions(ex: impl SqliteExecutor<'_>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"WITH RECURSIVE names(action) AS (
               SELECT MIN(action) FROM audit_events
               UNION ALL
               SELECT (SELECT MIN(e.action) FROM audit_events e WHERE e.action > names.action)
               FROM names WHERE names.action IS NOT NULL
           )
           SELECT action AS "action!: String" FROM names WHERE action IS NOT NULL"#
    )
    .fetch_all(ex)
    .await
}

/// The id of the key the chain is sealed with; `None` while the chain is still the unkeyed
/// chain from before issue #18.
pub async fn sealed_with(ex: impl SqliteExecutor<'_>) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT key_id FROM audit_seal WHERE id = 1")
        .fetch_optional(ex)
        .await
}

pub async fn record_seal(
    ex: impl SqliteExecutor<'_>,
    key_id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_seal (id, key_id, sealed_at) VALUES (1, ?, ?)",
        key_id,
        now
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// Replaces one event's link and seal (sealing an old chain with the key, once).
pub async fn reseal(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    prev_hash: &str,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?",
        prev_hash,
        hash,
        id
    )
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_head(ex: impl SqliteExecutor<'_>, id: i64, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash",
        id,
        hash
    )
    .execute(ex)
    .await?;
    Ok(())
}

/// [`list`] with each event's seal, for the CSV download.
pub async fn list_with_hash(
    ex: impl SqliteExecutor<'_>,
    actor: Option<&str>,
    action: Option<&str>,
    before_id: i64,
    limit: i64,
) -> Result<Vec<(EventRow, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!: i64", at, actor_name, action, subject, details, hash
           FROM audit_events
           WHERE id < ?1
             AND (?2 IS NULL OR actor_name = ?2)
             AND (?3 IS NULL OR action = ?3 OR action LIKE ?3 || '.%')
           ORDER BY id DESC
           LIMIT ?4"#,
        before_id,
        actor,
        action,
        limit
    )
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                EventRow {
                    id: r.id,
                    at: r.at,
                    actor_name: r.actor_name,
                    action: r.action,
                    subject: r.subject,
                    details: r.details,
                },
                r.hash,
            )
        })
        .collect())
}
