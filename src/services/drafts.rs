//! Writing drafts (DESIGN sections 2 and 3): creating one, saving an edit as a new
//! immutable revision (nothing is written when nothing changed), submitting for review and
//! withdrawing. Sent, failed and cancelled drafts are read-only.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::{self, audit::Actor, drafts::DraftRow};
use crate::domain::FieldError;
use crate::domain::message::MessageInput;
use crate::domain::review::{self, DraftState};
use crate::domain::revision::{DraftKind, RevisionContent};
use crate::error::{AppError, AppResult};
use crate::services::notifications::{self, Event};

/// The draft editor form, as submitted.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    pub kind: String,
    pub title: String,
    pub notification_disabled: bool,
    pub segment_id: Option<i64>,
    /// `YYYY-MM-DDTHH:MM` in the account's time zone, or empty for "send when released".
    pub send_at_local: String,
    pub messages: Vec<MessageInput>,
}

impl DraftInput {
    /// The form that shows `content` again, for editing.
    pub fn from_content(content: &RevisionContent, tz: Tz) -> Self {
        Self {
            kind: content.kind().as_str().to_string(),
            title: content.title().as_str().to_string(),
            notification_disabled: content.notification_disabled(),
            segment_id: content.segment().map(|s| s.id),
            send_at_local: content
                .send_at()
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            messages: content
                .messages()
                .iter()
                .map(MessageInput::from_message)
                .collect(),
        }
    }
}

fn parse_send_at(raw: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            FieldError::new(
                "send_at",
                "Enter the send time as a date and a time, for example 2026-12-01 10:00.",
            )
        })?;
    tz.from_local_datetime(&naive)
        .single()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or_else(|| {
            FieldError::new(
                "send_at",
                format!(
                    "{raw} does not exist or is ambiguous in {}; choose another time.",
                    tz.name()
                ),
            )
        })
}

/// Parses `YYYY-MM-DDTHH:MM` in the account's time zone; empty means none. Errors name the
/// field `send_at`; callers for other fields rename it.
pub fn parse_local_time(raw: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, FieldError> {
    parse_send_at(raw, tz)
}

/// Parses the form into revision content, with every problem reported at once.
pub async fn parse_input(pool: &SqlitePool, input: &DraftInput) -> AppResult<RevisionContent> {
    let tz = db::policy::get(pool).await?.time_zone;
    let mut errors = Vec::new();
    let send_at = parse_send_at(&input.send_at_local, tz)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let segment = match input.segment_id {
        None => None,
        Some(id) => match db::segments::find_ref(pool, id).await? {
            Some(s) => Some(s),
            None => {
                errors.push(FieldError::new(
                    "segment",
                    "That segment no longer exists; choose another.",
                ));
                None
            }
        },
    };
    let messages: Vec<MessageInput> = input
        .messages
        .iter()
        .map(|m| MessageInput {
            // Browsers send CRLF from text areas; LINE and the counter count LF.
            text: m.text.replace("\r\n", "\n"),
            ..m.clone()
        })
        .collect();
    match RevisionContent::from_form(
        &input.kind,
        &input.title,
        &messages,
        input.notification_disabled,
        segment,
        send_at,
    ) {
        Ok(content) if errors.is_empty() => Ok(content),
        Ok(_) => Err(AppError::Invalid(errors)),
        Err(mut e) => {
            errors.append(&mut e);
            Err(AppError::Invalid(errors))
        }
    }
}

/// A draft that can still change, with its current revision parsed.
pub struct Current {
    pub draft: DraftRow,
    pub revision: crate::db::drafts::RevisionRow,
    pub content: RevisionContent,
}

/// Loads the draft and its current revision inside `tx`, refusing read-only drafts with
/// `refusal` ("there is nothing left to test", ...).
pub async fn load_current(tx: &mut db::Tx, draft_id: i64, refusal: &str) -> AppResult<Current> {
    let draft = load(tx, draft_id).await?;
    let state = state_of(&draft)?;
    if state.is_read_only() {
        return Err(AppError::Conflict(format!(
            "This draft is {} and read-only; {refusal}.",
            state.label().to_lowercase()
        )));
    }
    let revision = db::drafts::revision(&mut **tx, draft_id, draft.current_revision)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "draft {draft_id} lost its current revision"
            ))
        })?;
    let content = revision.parsed()?;
    Ok(Current {
        draft,
        revision,
        content,
    })
}

pub fn state_of(draft: &DraftRow) -> AppResult<DraftState> {
    DraftState::parse(&draft.state)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown draft state {:?}", draft.state)))
}

async fn load(tx: &mut db::Tx, id: i64) -> AppResult<DraftRow> {
    db::drafts::find(&mut **tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn read_only(state: DraftState) -> AppError {
    AppError::Conflict(format!(
        "This draft is {} and can no longer be changed. To send something similar, duplicate it into a new draft.",
        state.label().to_lowercase()
    ))
}

pub async fn create(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    author: &Actor,
    content: &RevisionContent,
) -> AppResult<i64> {
    let mut tx = db::begin_write(pool).await?;
    let id = create_in(&mut tx, now, author, content).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts a draft with its first revision and the `draft.created` event in `tx`.
pub(crate) async fn create_in(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    author: &Actor,
    content: &RevisionContent,
) -> AppResult<i64> {
    let author_id = author.user_id()?;
    let json = content.canonical_json();
    let hash = content.content_hash();
    let id = db::drafts::insert(
        tx,
        &db::drafts::NewRevision {
            author_id,
            kind: content.kind().as_str(),
            title: content.title().as_str(),
            content: &json,
            content_hash: hash.as_str(),
        },
        now,
    )
    .await?;
    db::audit::append(
        tx,
        now,
        author,
        "draft.created",
        &format!("draft:{id}"),
        &json!({ "revision": 1, "content_hash": hash.as_str(), "title": content.title().as_str(), "kind": content.kind().as_str() }),
    )
    .await?;
    Ok(id)
}

pub enum Saved {
    NewRevision(i64),
    Unchanged,
}

/// Saves an edit as revision N+1. `base_revision` is the revision the editor started from:
/// when someone else saved in between, nothing is written and the caller shows the
/// person's text again with the reason.
pub async fn save_revision(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    author: &Actor,
    draft_id: i64,
    base_revision: i64,
    content: &RevisionContent,
) -> AppResult<Saved> {
    let author_id = author.user_id()?;
    let json = content.canonical_json();
    let hash = content.content_hash();
    let mut tx = db::begin_write(pool).await?;
    let draft = load(&mut tx, draft_id).await?;
    let state = state_of(&draft)?;
    if !state.is_editable() {
        return Err(read_only(state));
    }
    if draft.current_revision != base_revision {
        return Err(AppError::Conflict(format!(
            "Revision {} was saved while you were editing revision {base_revision}, so your changes were not saved. Your text is still in the form: compare it with the current revision, then save again.",
            draft.current_revision
        )));
    }
    let current = db::drafts::revision(&mut *tx, draft_id, draft.current_revision)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "draft {draft_id} lost its current revision"
            ))
        })?;
    if current.content_hash == hash.as_str() {
        return Ok(Saved::Unchanged);
    }
    // A draft's kind never changes: a step stays its scenario's, a broadcast stays one.
    if draft.kind != content.kind().as_str() {
        return Err(AppError::invalid(
            "kind",
            format!(
                "A draft's kind never changes: this one is a {}. Duplicate it to send it another way.",
                DraftKind::parse(&draft.kind)
                    .map(|k| k.label_en().to_lowercase())
                    .unwrap_or_else(|| draft.kind.clone())
            ),
        ));
    }
    // A correction's audience is fixed: the original recipients and nobody else.
    crate::services::incidents::correction_target(&mut tx, draft_id, content).await?;
    let number = draft.current_revision + 1;
    db::drafts::add_revision(
        &mut tx,
        draft_id,
        number,
        &db::drafts::NewRevision {
            author_id,
            kind: content.kind().as_str(),
            title: content.title().as_str(),
            content: &json,
            content_hash: hash.as_str(),
        },
        now,
    )
    .await?;
    db::audit::append(
        &mut tx,
        now,
        author,
        "draft.revised",
        &format!("draft:{draft_id}"),
        &json!({ "revision": number, "content_hash": hash.as_str(), "previous_hash": current.content_hash, "state": state.as_str() }),
    )
    .await?;
    if state == DraftState::InReview {
        notifications::record(
            &mut tx,
            now,
            &Event::DraftChangedUnderReview {
                draft_id,
                title: content.title().as_str().to_string(),
                revision: number,
                actor_id: author_id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Saved::NewRevision(number))
}

async fn transition(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
    action: &str,
    decide: impl FnOnce(&DraftRow, DraftState) -> Result<DraftState, String>,
) -> AppResult<DraftState> {
    let mut tx = db::begin_write(pool).await?;
    let draft = load(&mut tx, draft_id).await?;
    let from = state_of(&draft)?;
    let to = decide(&draft, from).map_err(AppError::Conflict)?;
    db::drafts::set_state(&mut *tx, draft_id, to.as_str(), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        action,
        &format!("draft:{draft_id}"),
        &json!({ "revision": draft.current_revision, "from": from.as_str(), "to": to.as_str() }),
    )
    .await?;
    if to == DraftState::InReview
        && let Some(actor_id) = actor.id
    {
        notifications::record(
            &mut tx,
            now,
            &Event::DraftSubmitted {
                draft_id,
                title: draft.title.clone(),
                actor_id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(to)
}

pub async fn submit(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
) -> AppResult<()> {
    transition(pool, now, actor, draft_id, "draft.submitted", |d, s| {
        review::submit(s, d.current_revision).map_err(|e| e.reason)
    })
    .await?;
    Ok(())
}

pub async fn withdraw(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
) -> AppResult<()> {
    transition(pool, now, actor, draft_id, "draft.withdrawn", |_, s| {
        review::withdraw(s).map_err(|e| e.reason)
    })
    .await?;
    Ok(())
}

/// Starts a new draft from another draft's current revision (the way to send something
/// similar after a release). The send time is cleared; everything else is copied.
pub async fn duplicate(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
) -> AppResult<i64> {
    let row = {
        let draft = db::drafts::find(pool, draft_id)
            .await?
            .ok_or(AppError::NotFound)?;
        db::drafts::revision(pool, draft_id, draft.current_revision)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let source = row.parsed()?;
    let title: String = format!("Copy of {}", source.title().as_str())
        .chars()
        .take(crate::domain::revision::MAX_TITLE_CHARS)
        .collect();
    let title =
        crate::domain::revision::Title::parse(&title).map_err(|e| AppError::Invalid(vec![e]))?;
    let content = RevisionContent::new(
        source.kind(),
        title,
        source.messages().clone(),
        source.notification_disabled(),
        source.segment().cloned(),
        None,
    )
    .map_err(|e| AppError::Invalid(vec![e]))?;
    let mut tx = db::begin_write(pool).await?;
    let id = create_in(&mut tx, now, actor, &content).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "draft.duplicated",
        &format!("draft:{id}"),
        &json!({ "from_draft": draft_id, "from_revision": row.number }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
