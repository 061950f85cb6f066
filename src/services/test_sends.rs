//! Test sends (gate rule 3): the current revision goes to every tester's phone through the
//! provider, labelled as a test; then a marketer or reviewer confirms it arrived and looks
//! right. Test sends reach staff phones only: before anything is pushed the gate is asked
//! at [`Moment::TestSend`] with the testers paired to active staff members. Each tester's
//! row and retry key are stored before the first attempt, so a retry after a timeout is
//! answered "already accepted" instead of sending twice, and a test send is made once per
//! click: the form's token finds the first one when the same click arrives again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::{self, audit::Actor};
use crate::delivery::{Audience, Batch, DeliveryError};
use crate::domain::gate::{Facts, Moment, TesterFacts, evaluate};
use crate::domain::message::{MAX_MESSAGES, MAX_TEXT_UTF16, utf16_len};
use crate::domain::revision::RevisionContent;
use crate::domain::testers::eligible;
use crate::error::{AppError, AppResult};
use crate::services::drafts::{Current, load_current};
use crate::services::notifications::{self, Event};
use crate::state::AppState;

/// Attempts per tester for temporary failures, with these pauses between them.
const BACKOFF: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

/// LINE's limit on a `sender` name.
const SENDER_NAME_CHARS: usize = 20;

/// A revision's messages as a test: `label` says it is a test. It goes where it never
/// pushes a valid draft over one of LINE's limits: its own bubble first when there are
/// fewer than 5 messages; otherwise in front of the first text that has room for it;
/// otherwise as the `sender` name of the first message (at most 20 characters). Returns the
/// messages and how many were put in front of the draft's own (0 or 1), so LINE's
/// `messages[N]` can be told back in the draft's own numbers.
pub fn labelled(content: &RevisionContent, label: &str) -> (Vec<Value>, usize) {
    let mut messages: Vec<Value> = content
        .messages()
        .iter()
        .map(|m| m.to_line_json())
        .collect();
    if messages.len() < MAX_MESSAGES {
        messages.insert(0, json!({ "type": "text", "text": label }));
        return (messages, 1);
    }
    // The label and a line break in front of the text, within LINE's 5,000 units.
    let room = |m: &Value| {
        m["type"] == "text"
            && utf16_len(m["text"].as_str().unwrap_or_default()) + utf16_len(label) < MAX_TEXT_UTF16
    };
    if let Some(first_text) = messages.iter_mut().find(|m| room(m)) {
        let text = first_text["text"].as_str().unwrap_or_default().to_string();
        first_text["text"] = json!(format!("{label}\n{text}"));
        return (messages, 0);
    }
    let first = &mut messages[0];
    let name: String = label.chars().take(SENDER_NAME_CHARS).collect();
    match first.get_mut("sender").and_then(Value::as_object_mut) {
        Some(sender) => {
            sender.insert("name".into(), json!(name));
        }
        None => first["sender"] = json!({ "name": name }),
    }
    (messages, 0)
}

/// LINE's `messages[N]` in a refusal, as the draft's own message numbers (1-based, without
/// the test label's bubble).
pub fn in_draft_numbers(error: DeliveryError, label_bubbles: usize) -> DeliveryError {
    match error {
        DeliveryError::Rejected {
            status,
            message,
            details,
        } => DeliveryError::Rejected {
            status,
            message,
            details: details
                .into_iter()
                .map(|(property, m)| (renumber(&property, label_bubbles), m))
                .collect(),
        },
        other => other,
    }
}

fn renumber(property: &str, label_bubbles: usize) -> String {
    let Some(rest) = property.strip_prefix("messages[") else {
        return property.to_string();
    };
    let Some((n, tail)) = rest.split_once(']') else {
        return property.to_string();
    };
    match n.parse::<usize>() {
        Ok(n) if n >= label_bubbles => {
            let tail = tail.strip_prefix('.').unwrap_or(tail);
            let number = n - label_bubbles + 1;
            if tail.is_empty() {
                format!("message {number}")
            } else {
                format!("message {number} ({tail})")
            }
        }
        Ok(_) => "the test label".to_string(),
        Err(_) => property.to_string(),
    }
}

/// Sends the current revision to the testers' phones; returns the test send's id. `click`
/// is the form's token: the same click arriving twice (a double click, a retried request)
/// returns the first test send and pushes nothing more.
pub async fn send(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
    click: &str,
) -> AppResult<i64> {
    let by = actor.user_id()?;
    let click = click.trim();
    if click.is_empty() || click.len() > 64 {
        return Err(AppError::Conflict(
            "This page is out of date; reload it and send the test again.".into(),
        ));
    }
    let pool = &state.pool;
    let mut tx = db::begin_write(pool).await?;
    let Current {
        draft,
        revision,
        content,
    } = load_current(&mut tx, draft_id, "there is nothing left to test").await?;
    if let Some(id) = db::test_sends::for_click(&mut *tx, draft_id, revision.number, click).await? {
        return Ok(id);
    }
    let rows = db::friends::testers(&mut *tx).await?;
    let candidates: Vec<_> = rows.iter().map(db::friends::TesterRow::candidate).collect();
    let testers = eligible(&candidates);
    let policy = db::policy::get(&mut *tx).await?;
    // The gate at the moment of the test send: staff phones only, within the policy.
    let report = evaluate(
        Moment::TestSend,
        &Facts {
            testers: Some(TesterFacts {
                eligible: testers.len(),
                max: policy.max_testers,
            }),
            ..Facts::at(now)
        },
    );
    if let Some(c) = report.failing().next() {
        return Err(AppError::Conflict(c.reason.clone()));
    }
    let id = match db::test_sends::insert(
        &mut *tx,
        draft_id,
        revision.number,
        &revision.content_hash,
        by,
        now,
        click,
    )
    .await
    {
        Ok(id) => id,
        // The same click raced this one and won: that test send is this one.
        Err(e) if db::is_unique_violation(&e) => {
            drop(tx);
            return db::test_sends::for_click(pool, draft_id, revision.number, click)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("test send {click} vanished")));
        }
        Err(e) => return Err(e.into()),
    };
    let mut targets = Vec::new();
    for t in &testers {
        let key = Uuid::new_v4();
        let name = rows
            .iter()
            .find(|r| r.user_id == t.user_id)
            .map(|r| r.display_name.as_str())
            .unwrap_or_default();
        db::test_sends::add_recipient(&mut *tx, id, &t.user_id, name, &key.to_string()).await?;
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

    let label = crate::i18n::tf(
        "[TEST] {title} (revision {n})",
        &[&content.title().as_str(), &revision.number],
    );
    let (messages, label_bubbles) = labelled(&content, &label);
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
        results.push((
            user_id,
            result
                .err()
                .map(|e| in_draft_numbers(e, label_bubbles).describe()),
        ));
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
