//! Telling people when the gate needs them (issue #8). [`record`] is called inside the
//! write transaction of the change that causes the event, so a notification exists exactly
//! when the change does; the domain decides who is concerned. When an admin switched the
//! event on for the chat webhook, the same transaction queues the chat message in the
//! outbox; `crate::jobs::notifier` posts it in the background, so a slow or dead receiver never
//! holds up the workflow.

use chrono::{DateTime, Utc};

use crate::db;
use crate::db::audit::Actor;
pub use crate::domain::notification::Event;
use crate::domain::notification::{EVENT_KINDS, validate_webhook_url};
use crate::domain::notification::{Person, concerned};
use crate::error::{AppError, AppResult};

/// Writes one in-app notification per person concerned by `event`.
pub async fn record(tx: &mut db::Tx, now: DateTime<Utc>, event: &Event) -> AppResult<()> {
    let people: Vec<Person> = db::users::list(&mut **tx)
        .await?
        .iter()
        .map(|u| Person {
            id: u.id,
            active: u.is_active(),
            marketer: u.roles.marketer,
            reviewer: u.roles.reviewer,
            admin: u.roles.admin,
        })
        .collect();
    let (kind, text, link) = (event.kind(), event.text(), event.link());
    for user_id in concerned(event, &people) {
        db::notifications::insert(&mut **tx, user_id, kind, &text, &link, now).await?;
    }
    let hook = db::notifications::webhook_settings(&mut **tx).await?;
    if hook.posts(kind) {
        db::notifications::enqueue(&mut **tx, kind, &text, &link, &hook.webhook_url, now).await?;
    }
    Ok(())
}

/// The dispatcher finished release `release_id`: tell its draft's author and its releaser.
pub async fn release_finished(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    release_id: i64,
    failed: bool,
) -> AppResult<()> {
    let Some(p) = db::notifications::release_people(&mut **tx, release_id).await? else {
        return Ok(());
    };
    record(
        tx,
        now,
        &Event::ReleaseFinished {
            draft_id: p.draft_id,
            release_id,
            title: p.title,
            author_id: p.author_id,
            released_by: p.released_by,
            failed,
        },
    )
    .await
}

/// An admin sets the chat webhook URL (empty turns it off) and which events it posts.
pub async fn update_webhook(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    url: &str,
    events: &[String],
    allow_http_loopback: bool,
) -> AppResult<()> {
    let by = actor.user_id()?;
    let url =
        validate_webhook_url(url, allow_http_loopback).map_err(|e| AppError::Invalid(vec![e]))?;
    let kinds: Vec<&str> = EVENT_KINDS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| events.iter().any(|e| e == k))
        .collect();
    let joined = kinds.join(",");
    let mut tx = db::begin_write(pool).await?;
    let old = db::notifications::webhook_settings(&mut *tx).await?;
    if old.webhook_url == url && old.webhook_events == joined {
        return Ok(());
    }
    db::notifications::set_webhook(&mut *tx, &url, &joined, by, now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "notifications.webhook_changed",
        "notification_settings",
        // The URL is a secret of the chat workspace: only whether it is set is recorded.
        &serde_json::json!({ "webhook": !url.is_empty(), "url_changed": old.webhook_url != url, "events": kinds }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
