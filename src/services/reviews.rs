//! Recording a review (gate rules 1 and 2): approve, request changes or comment, always on
//! one named revision. The domain decides whether this person may give this verdict on this
//! revision now; the write and its audit event share one transaction.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::{self, users::UserRow};
use crate::domain::review::{ReviewRecord, ReviewRequest, ReviewerStanding, Verdict, can_review};
use crate::error::{AppError, AppResult};
use crate::services::drafts::state_of;
use crate::services::notifications::{self, Event};

pub const MAX_BODY_CHARS: usize = 4000;

pub async fn record(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    reviewer: &UserRow,
    draft_id: i64,
    revision_number: i64,
    verdict: Verdict,
    body: &str,
) -> AppResult<()> {
    let body = body.trim().replace("\r\n", "\n");
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::invalid(
            "body",
            format!("A review note can have at most {MAX_BODY_CHARS} characters."),
        ));
    }
    if verdict == Verdict::RequestChanges && body.is_empty() {
        return Err(AppError::invalid(
            "body",
            "Say what needs to change, so the author can fix it.",
        ));
    }
    let mut tx = db::begin_write(pool).await?;
    let draft = db::drafts::find(&mut *tx, draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let state = state_of(&draft)?;
    let revision = db::drafts::revision(&mut *tx, draft_id, revision_number)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "Revision {revision_number} of this draft does not exist."
            ))
        })?;
    let mut author_ids = vec![draft.author_id];
    if verdict != Verdict::Comment {
        let current = db::drafts::revision(&mut *tx, draft_id, draft.current_revision)
            .await?
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "draft {draft_id} lost its current revision"
                ))
            })?;
        author_ids.push(current.author_id);
        let contributors = db::drafts::contributors(&mut *tx, draft_id).await?;
        let records: Vec<ReviewRecord> = db::reviews::for_draft(&mut *tx, draft_id)
            .await?
            .iter()
            .filter_map(db::reviews::ReviewRow::record)
            .collect();
        can_review(&ReviewRequest {
            reviewer: ReviewerStanding {
                user_id: reviewer.id,
                active: reviewer.is_active(),
                is_reviewer: reviewer.roles.reviewer,
            },
            verdict,
            revision: revision.number,
            draft_state: state,
            draft_author_id: draft.author_id,
            current_revision: draft.current_revision,
            current_revision_author_id: current.author_id,
            contributors: &contributors,
            reviews: &records,
        })
        .map_err(|refusal| AppError::Conflict(refusal.to_string()))?;
    }
    match db::reviews::insert(
        &mut *tx,
        draft_id,
        revision_number,
        reviewer.id,
        verdict.as_str(),
        &body,
        now,
    )
    .await
    {
        Ok(_) => {}
        Err(e) if db::is_unique_violation(&e) => {
            return Err(AppError::Conflict(format!(
                "You already approved revision {revision_number}."
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let action = match verdict {
        Verdict::Approve => "review.approved",
        Verdict::RequestChanges => "review.changes_requested",
        Verdict::Comment => "review.commented",
    };
    db::audit::append(
        &mut tx,
        now,
        &db::audit::Actor::user(reviewer.id, &reviewer.username),
        action,
        &format!("draft:{draft_id}"),
        &json!({ "revision": revision_number, "content_hash": revision.content_hash, "body": body }),
    )
    .await?;
    db::drafts::touch(&mut *tx, draft_id, now).await?;
    let (title, actor_id) = (draft.title.clone(), reviewer.id);
    let actor_name = if reviewer.display_name.trim().is_empty() {
        reviewer.username.clone()
    } else {
        reviewer.display_name.clone()
    };
    let event = match verdict {
        Verdict::Approve => Some(Event::Approved {
            draft_id,
            title,
            author_ids,
            actor_id,
            actor_name,
        }),
        Verdict::RequestChanges => Some(Event::ChangesRequested {
            draft_id,
            title,
            author_ids,
            actor_id,
            actor_name,
        }),
        Verdict::Comment => None,
    };
    if let Some(event) = event {
        notifications::record(&mut tx, now, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}
