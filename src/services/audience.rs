//! Changing the audience: importing friends from CSV (all or nothing), applying LINE
//! webhook follows and unfollows (signature first, redeliveries ignored; a follow also
//! enters scenarios and queues the greeting message), marking testers, and saving
//! segments. Every change is audited in its transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::friends::StateChange;
use crate::db::{self, audit::Actor, friends::TagCache};
use crate::domain::FieldError;
use crate::domain::audience::{
    CsvColumns, FriendRecord, SegmentInput, WebhookAction, WebhookEvent, decode_csv, parse_webhook,
    verify_signature,
};
use crate::domain::spreadsheet::unclosed_quote;
use crate::error::{AppError, AppResult};

/// Rows written per statement batch during an import.
const IMPORT_BATCH: usize = 500;
/// How many bad rows a report lists (it always says how many there were).
pub const MAX_REPORTED_ROWS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: u64,
    pub added: u64,
    pub updated: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file as a whole is unusable (encoding, header, empty).
    File(String),
    /// These rows are bad; nothing was imported.
    Rows {
        errors: Vec<RowError>,
        total: usize,
    },
    Internal(AppError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Internal(e.into())
    }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Validates the whole file, then upserts it in one transaction.
pub async fn import_csv(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    bytes: Vec<u8>,
    tz: Tz,
) -> Result<ImportReport, ImportError> {
    let text = decode_csv(bytes).map_err(ImportError::File)?;
    // The CSV reader would take everything after an unclosed quote as one value.
    if let Some(line) = unclosed_quote(&text) {
        return Err(ImportError::File(format!(
            "Line {line}: a quoted value starts on this line and is never closed. Add the missing \" and import the whole file again."
        )));
    }
    let mut rdr = reader(&text);
    let mut records = rdr.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(ImportError::File(format!(
                "The header row cannot be read: {e}"
            )));
        }
        None => return Err(ImportError::File("The file is empty.".into())),
    };
    let header: Vec<&str> = header.iter().collect();
    let columns =
        CsvColumns::from_header(&header).map_err(|e| ImportError::File(format!("Line 1: {e}.")))?;
    let default_time = now.timestamp();

    // First pass: find every problem without writing anything.
    let mut errors = Vec::new();
    let mut total_errors = 0usize;
    // Keyed by the id's bits, not the string: a million entries stay small.
    let mut seen: HashMap<u128, u64> = HashMap::new();
    let mut rows = 0u64;
    for record in records {
        let (line, result) = match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line()).unwrap_or(0);
                let cells: Vec<&str> = r.iter().collect();
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                (line, columns.parse_row(&cells, tz, default_time))
            }
            Err(e) => (
                e.position().map(|p| p.line()).unwrap_or(0),
                Err(format!("the row cannot be read: {e}")),
            ),
        };
        rows += 1;
        let result = result.and_then(|r| match seen.insert(r.user_id.bits(), line) {
            Some(first) => Err(format!(
                "{} already appears on line {first}",
                r.user_id.as_str()
            )),
            None => Ok(r),
        });
        if let Err(reason) = result {
            total_errors += 1;
            if errors.len() < MAX_REPORTED_ROWS {
                errors.push(RowError { line, reason });
            }
        }
    }
    drop(seen);
    if total_errors > 0 {
        return Err(ImportError::Rows {
            errors,
            total: total_errors,
        });
    }
    if rows == 0 {
        return Err(ImportError::File(
            "The file has a header but no friends.".into(),
        ));
    }

    // Second pass: write, in one transaction.
    let mut tx = db::begin_write(pool).await?;
    let mut tags = TagCache::default();
    let (mut added, mut updated) = (0, 0);
    let mut batch: Vec<FriendRecord> = Vec::with_capacity(IMPORT_BATCH);
    let mut rdr = reader(&text);
    for record in rdr.records().skip(1) {
        let r = record.map_err(|e| ImportError::File(e.to_string()))?;
        let cells: Vec<&str> = r.iter().collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        batch.push(
            columns
                .parse_row(&cells, tz, default_time)
                .map_err(ImportError::File)?,
        );
        if batch.len() == IMPORT_BATCH {
            let (a, u) = db::friends::upsert_batch(&mut tx, &batch, &mut tags, now).await?;
            added += a;
            updated += u;
            batch.clear();
        }
    }
    let (a, u) = db::friends::upsert_batch(&mut tx, &batch, &mut tags, now).await?;
    added += a;
    updated += u;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "friends.imported",
        "friends",
        &json!({ "rows": rows, "added": added, "updated": updated }),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportReport {
        rows,
        added,
        updated,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum WebhookError {
    /// Missing or wrong signature, or no channel secret configured: 401, nothing stored.
    Unauthorized,
    BadRequest(String),
    Internal(String),
}

/// Applies a webhook body whose signature is checked first. Returns how many events changed
/// something.
pub async fn handle_webhook(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    channel_secret: Option<&str>,
    body: &[u8],
    signature: Option<&str>,
) -> Result<usize, WebhookError> {
    let (Some(secret), Some(signature)) = (channel_secret, signature) else {
        return Err(WebhookError::Unauthorized);
    };
    if !verify_signature(secret, body, signature) {
        return Err(WebhookError::Unauthorized);
    }
    let events = parse_webhook(body).map_err(WebhookError::BadRequest)?;
    apply_events(pool, now, events).await
}

/// Applies webhook events, each at most once (by LINE's event id), in one transaction.
/// The signed webhook calls it; so does the sandbox's simulated phone, which has no LINE to
/// sign for it. Returns how many events changed something.
pub async fn apply_events(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    events: Vec<WebhookEvent>,
) -> Result<usize, WebhookError> {
    let internal = |e: sqlx::Error| WebhookError::Internal(e.to_string());
    let mut tx = db::begin_write(pool).await.map_err(internal)?;
    let actor = Actor {
        id: None,
        name: "line-webhook".into(),
    };
    let mut applied = 0;
    for event in events {
        if event.action == WebhookAction::Ignore {
            continue;
        }
        if let Some(id) = &event.event_id
            && !db::webhooks::remember(&mut *tx, id, now)
                .await
                .map_err(internal)?
        {
            continue;
        }
        match event.action {
            WebhookAction::Follow {
                user_id,
                at_ms,
                is_unblocked,
                reply_token,
            } => {
                let at_ms = if at_ms > 0 {
                    at_ms
                } else {
                    now.timestamp_millis()
                };
                let change = db::friends::follow(&mut tx, user_id.as_str(), at_ms, now)
                    .await
                    .map_err(internal)?;
                // A follow older than what is already known changes nobody's state and
                // starts no scenario.
                if change != StateChange::Stale {
                    crate::services::scenarios::on_follow(
                        &mut tx,
                        now,
                        &actor,
                        user_id.as_str(),
                        change == StateChange::New,
                    )
                    .await
                    .map_err(internal)?;
                    // The greeting answers the follow from the background, within seconds;
                    // the webhook only queues it, once per event and friend.
                    let event_key = event
                        .event_id
                        .clone()
                        .unwrap_or_else(|| format!("at:{at_ms}"));
                    crate::services::greeting::on_follow(
                        &mut tx,
                        now,
                        &actor,
                        &event_key,
                        user_id.as_str(),
                        at_ms,
                        is_unblocked,
                        reply_token.as_deref(),
                    )
                    .await
                    .map_err(internal)?;
                }
                db::audit::append(
                    &mut tx,
                    now,
                    &actor,
                    "friend.followed",
                    &format!("friend:{}", user_id.as_str()),
                    &json!({ "new": change == StateChange::New, "unblocked": is_unblocked, "redelivery": event.is_redelivery, "stale": change == StateChange::Stale, "at_ms": at_ms }),
                )
                .await
                .map_err(internal)?;
            }
            WebhookAction::Unfollow { user_id, at_ms } => {
                let at_ms = if at_ms > 0 {
                    at_ms
                } else {
                    now.timestamp_millis()
                };
                let change = db::friends::unfollow(&mut tx, user_id.as_str(), at_ms, now)
                    .await
                    .map_err(internal)?;
                db::audit::append(
                    &mut tx,
                    now,
                    &actor,
                    "friend.unfollowed",
                    &format!("friend:{}", user_id.as_str()),
                    &json!({ "redelivery": event.is_redelivery, "stale": change == StateChange::Stale, "at_ms": at_ms }),
                )
                .await
                .map_err(internal)?;
            }
            WebhookAction::Message { user_id, text, .. } => {
                // Only a pairing code is of interest; a customer's message is not kept.
                if !crate::services::testers::pair_from_message(
                    &mut tx, now, &actor, &user_id, &text,
                )
                .await
                .map_err(internal)?
                {
                    continue;
                }
            }
            WebhookAction::Ignore => unreachable!("skipped above"),
        }
        applied += 1;
    }
    tx.commit().await.map_err(internal)?;
    Ok(applied)
}

/// Creates (`id` None) or changes a segment. Drafts keep the rules they were saved with.
pub async fn save_segment(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    id: Option<i64>,
    input: &SegmentInput,
) -> AppResult<i64> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = input.parse_name().map_err(|e| errors.push(e)).ok();
    let rules = input.parse_rules().map_err(|e| errors.extend(e)).ok();
    let (Some(name), Some(rules)) = (name, rules) else {
        return Err(AppError::Invalid(errors));
    };
    let by = actor.user_id()?;
    let json = serde_json::to_string(&rules).map_err(|e| AppError::Internal(e.into()))?;
    let taken = || AppError::invalid("name", format!("A segment named {name:?} already exists."));
    let mut tx = db::begin_write(pool).await?;
    let id = match id {
        None => match db::segments::insert(&mut *tx, &name, &json, by, now).await {
            Ok(id) => id,
            Err(e) if db::is_unique_violation(&e) => return Err(taken()),
            Err(e) => return Err(e.into()),
        },
        Some(id) => match db::segments::update(&mut *tx, id, &name, &json, now).await {
            Ok(true) => id,
            Ok(false) => return Err(AppError::NotFound),
            Err(e) if db::is_unique_violation(&e) => return Err(taken()),
            Err(e) => return Err(e.into()),
        },
    };
    db::audit::append(
        &mut tx,
        now,
        actor,
        "segment.saved",
        &format!("segment:{id}"),
        &json!({ "name": name, "rules": rules.describe() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
