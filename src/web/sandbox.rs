//! `GET /sandbox`: what the sandbox provider "sent", as a phone-like inbox per recipient,
//! with the simulated phone: a chat message to the account (`POST /sandbox/chat`) and a
//! new friend adding the account (`POST /sandbox/follow`), both applied through the same
//! path as the signed LINE webhook.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::db;
use crate::domain::audience::{UserId, WebhookAction, WebhookEvent};
use crate::domain::message::Message;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render};
use crate::web::views::{PreviewView, local_time};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sandbox", get(show))
        .route("/sandbox/chat", post(chat))
        .route("/sandbox/follow", post(follow))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FollowForm {
    user_id: String,
    /// Ticked: the friend had blocked the account and unblocks it (LINE's `isUnblocked`).
    unblocked: Option<String>,
}

/// The sandbox's stand-in for LINE's `follow` event: a LINE account adds the official
/// account, with a reply token the sandbox issued (single use, short-lived, like LINE's),
/// applied exactly as the signed webhook's follow would be. The greeting sender then
/// answers it with the active greeting message, into that friend's sandbox inbox.
async fn follow(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<FollowForm>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    if state.provider.name() != "sandbox" {
        return Err(AppError::Conflict(
            "sendgate is connected to LINE: new friends add the account from LINE itself.".into(),
        ));
    }
    let raw = form.user_id.trim();
    let raw = if raw.is_empty() {
        new_user_id()
    } else {
        raw.to_string()
    };
    let user_id = UserId::parse(&raw).map_err(|e| AppError::invalid("user_id", e))?;
    let now = state.clock.now();
    let token =
        crate::delivery::sandbox::issue_reply_token(&state.pool, user_id.as_str(), now).await?;
    let event = WebhookEvent {
        event_id: Some(format!("sandbox-{}", uuid::Uuid::new_v4())),
        is_redelivery: false,
        action: WebhookAction::Follow {
            user_id: user_id.clone(),
            at_ms: now.timestamp_millis(),
            is_unblocked: form.unblocked.is_some(),
            reply_token: Some(token),
        },
    };
    crate::services::audience::apply_events(&state.pool, now, vec![event])
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e:?}")))?;
    Ok(redirect_with(
        &format!("/sandbox?user={}", user_id.as_str()),
        "The simulated phone added the account as a friend. While a greeting message is active, it arrives here within seconds.",
    ))
}

/// A LINE user id no sandbox friend has yet (the demo's friends and the form's default).
fn new_user_id() -> String {
    format!("U{}", uuid::Uuid::new_v4().simple())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChatForm {
    user_id: String,
    text: String,
}

/// The sandbox's simulated phone: a chat message from a LINE account to the official
/// account, applied exactly as the signed webhook's `message` event would be (a tester's
/// pairing code arrives this way). Sandbox mode only: with LINE connected, messages come
/// from LINE.
async fn chat(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ChatForm>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    if state.provider.name() != "sandbox" {
        return Err(AppError::Conflict(
            "sendgate is connected to LINE: send the message from the phone itself.".into(),
        ));
    }
    let user_id = UserId::parse(&form.user_id).map_err(|e| AppError::invalid("user_id", e))?;
    let now = state.clock.now();
    let event = WebhookEvent {
        event_id: Some(format!("sandbox-{}", uuid::Uuid::new_v4())),
        is_redelivery: false,
        action: WebhookAction::Message {
            user_id,
            text: form.text.chars().take(200).collect(),
            at_ms: now.timestamp_millis(),
        },
    };
    crate::services::audience::apply_events(&state.pool, now, vec![event])
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e:?}")))?;
    Ok(redirect_with(
        "/sandbox#chat",
        "The message was sent from the simulated phone.",
    ))
}

#[derive(Deserialize, Default)]
struct InboxQuery {
    user: Option<String>,
    /// Part of a friend's display name.
    q: Option<String>,
    /// 0-based page of [`PAGE`] deliveries, newest first.
    page: Option<i64>,
}

/// How many deliveries one page of the inbox shows.
const PAGE: i64 = 50;

/// The longest name search looked up (longer input is cut, as other searches are).
const SEARCH_MAX_CHARS: usize = 200;

pub struct Delivery {
    pub user_id: String,
    pub display_name: String,
    pub method: String,
    pub sent: String,
    pub silent: bool,
    pub preview: PreviewView,
}

#[derive(Template)]
#[template(path = "sandbox.html")]
struct SandboxPage {
    layout: Layout,
    is_sandbox: bool,
    user: String,
    q: String,
    deliveries: Vec<Delivery>,
    prev_page: Option<String>,
    next_page: Option<String>,
    /// A fresh LINE user id for the "a new friend adds the account" form.
    new_friend: String,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<InboxQuery>,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let tz = user.time_zone();
    let filter = q.user.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let name: Option<String> =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(SEARCH_MAX_CHARS).collect());
    let page = q.page.unwrap_or(0).max(0);
    let rows = db::sandbox::inbox(
        &state.pool,
        filter,
        name.as_deref(),
        PAGE + 1,
        page.saturating_mul(PAGE),
    )
    .await?;
    let has_more = rows.len() as i64 > PAGE;
    let link = |p: i64| {
        let mut url = format!("/sandbox?page={p}");
        for (k, v) in [("user", filter), ("q", name.as_deref())] {
            if let Some(v) = v {
                url.push_str(&format!("&{k}={}", crate::error::urlencode(v)));
            }
        }
        url
    };
    let deliveries = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| {
            let messages: Vec<serde_json::Value> =
                serde_json::from_str(&r.messages).unwrap_or_default();
            Delivery {
                preview: PreviewView::chat_only(
                    &messages
                        .into_iter()
                        .filter_map(|m| Message::from_stored_json(m).ok())
                        .collect::<Vec<_>>(),
                ),
                sent: local_time(r.sent_at, tz),
                silent: r.notification_disabled,
                user_id: r.user_id,
                display_name: r.display_name,
                method: r.method,
            }
        })
        .collect();
    Ok(render(&SandboxPage {
        layout: Layout::for_user(&user.0, "Sandbox outbox", "/sandbox", flash),
        is_sandbox: state.provider.name() == "sandbox",
        user: filter.unwrap_or_default().to_string(),
        q: name.clone().unwrap_or_default(),
        deliveries,
        prev_page: (page > 0).then(|| link(page - 1)),
        next_page: has_more.then(|| link(page + 1)),
        new_friend: new_user_id(),
    }))
}
