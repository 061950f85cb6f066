//! Test sends (gate rule 3): the current revision goes to every tester's phone through the
//! provider, labelled as a test; then a marketer or reviewer confirms it arrived and looks
//! right. Each tester's row and retry key are stored before the first attempt, so a retry
//! after a timeout is answered "already accepted" instead of sending twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::{self, audit::Actor};
use crate::delivery::{Audience, Batch, DeliveryError};
use crate::domain::revision::RevisionContent;
use crate::error::{AppError, AppResult};
use crate::services::drafts::{Current, load_current};
use crate::services::notifications::{self, Event};
use crate::state::AppState;

/// Attempts per tester for temporary failures, with these pauses between them.
const BACKOFF: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

/// The messages as a test: a first line says it is a test, with the title and revision.
/// It is a separate bubble when there is room, otherwise a prefix of the first text.
pub fn labelled(content: &RevisionContent, revision: i64) -> Vec<Value> {
    let label = format!(
        "【テスト配信 TEST】{}（revision {revision}）",
        content.title().as_str()
    );
    let mut messages: Vec<Value> = content
        .messages()
        .iter()
        .map(|m| m.to_line_json())
        .collect();
    if messages.len() < 5 {
        messages.insert(0, json!({ "type": "text", "text": label }));
    } else if let Some(first_text) = messages.iter_mut().find(|m| m["type"] == "text") {
        let text = first_text["text"].as_str().unwrap_or_default().to_string();
        first_text["text"] = json!(format!("{label}\n{text}"));
    }
    messages
}

/// Sends the current revision to all testers; returns the test send's id.
pub async fn send(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
) -> AppResult<i64> {
    let by = actor.user_id()?;
    let pool = &state.pool;
    let mut tx = db::begin_write(pool).await?;
    let Current {
        draft,
        revision,
        content,
    } = load_current(&mut tx, draft_id, "there is nothing left to test").await?;
    let testers: Vec<_> = db::friends::testers(&mut *tx)
        .await?
        .into_iter()
        .filter(|t| !t.blocked)
        .collect();
    if testers.is_empty() {
        return Err(AppError::Conflict(
            "There are no testers yet. Mark the friends whose phones receive test sends on the Testers page first.".into(),
        ));
    }
    let id = db::test_sends::insert(
        &mut *tx,
        draft_id,
        revision.number,
        &revision.content_hash,
        by,
        now,
    )
    .await?;
    let mut targets = Vec::new();
    for t in &testers {
        let key = Uuid::new_v4();
        db::test_sends::add_recipient(&mut *tx, id, &t.user_id, &t.display_name, &key.to_string())
            .await?;
        targets.push((t.user_id.clone(), key));
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "test_send.requested",
        &format!("draft:{draft_id}"),
        &json!({ "test_send": id, "revision": revision.number, "content_hash": revision.content_hash, "testers": testers.len() }),
    )
    .await?;
    tx.commit().await?;

    let messages = labelled(&content, revision.number);
    // Network calls happen outside any transaction; their results and the audit event are
    // written together afterwards.
    let mut results = Vec::with_capacity(targets.len());
    for (user_id, key) in targets {
        let batch = Batch {
            audience: Audience::Push {
                to: user_id.clone(),
            },
            messages: messages.clone(),
            notification_disabled: content.notification_disabled(),
            retry_key: key,
            aggregation_unit: None,
        };
        let mut result = state.provider.send(&batch).await;
        for pause in BACKOFF {
            match &result {
                Err(DeliveryError::Retryable(_)) => {
                    tokio::time::sleep(pause).await;
                    result = state.provider.send(&batch).await;
                }
                _ => break,
            }
        }
        results.push((user_id, result.err().map(|e| e.describe())));
    }
    let accepted = results.iter().filter(|(_, e)| e.is_none()).count();
    let mut tx = db::begin_write(pool).await?;
    for (user_id, error) in &results {
        let status = if error.is_none() {
            "accepted"
        } else {
            "failed"
        };
        db::test_sends::set_result(&mut *tx, id, user_id, status, error.as_deref()).await?;
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "test_send.delivered",
        &format!("draft:{draft_id}"),
        &json!({ "test_send": id, "accepted": accepted, "failed": results.len() - accepted }),
    )
    .await?;
    if accepted > 0 {
        notifications::record(
            &mut tx,
            now,
            &Event::TestSendAwaitsConfirmation {
                draft_id,
                title: draft.title.clone(),
                author_id: draft.author_id,
                actor_id: by,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Records that a person saw the test on a phone and it looks right.
pub async fn confirm(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
    test_send_id: i64,
) -> AppResult<()> {
    let by = actor.id.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("confirmations need a signed-in user"))
    })?;
    let mut tx = db::begin_write(&state.pool).await?;
    let draft = db::drafts::find(&mut *tx, draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let test = db::test_sends::find(&mut *tx, test_send_id)
        .await?
        .filter(|t| t.draft_id == draft_id)
        .ok_or(AppError::NotFound)?;
    if test.revision_number != draft.current_revision {
        return Err(AppError::Conflict(format!(
            "This test send was of revision {}, but the draft is now at revision {}; send a new test.",
            test.revision_number, draft.current_revision
        )));
    }
    let recipients = db::test_sends::recipients(&mut *tx, test_send_id).await?;
    if !recipients.iter().any(|r| r.status == "accepted") {
        return Err(AppError::Conflict(
            "No tester's phone accepted this test send, so there is nothing to confirm. Send it again.".into(),
        ));
    }
    if !db::test_sends::confirm(&mut *tx, test_send_id, by, now).await? {
        return Ok(());
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "test_send.confirmed",
        &format!("draft:{draft_id}"),
        &json!({ "test_send": test_send_id, "revision": test.revision_number, "content_hash": test.content_hash }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
