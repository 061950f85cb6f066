//! `GET /sandbox`: what the sandbox provider "sent", as a phone-like inbox per recipient.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::db;
use crate::domain::message::Message;
use crate::domain::roles::Permission;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::pages::{Layout, render};
use crate::web::views::{PreviewView, local_time};

pub fn router() -> Router<AppState> {
    Router::new().route("/sandbox", get(show))
}

#[derive(Deserialize, Default)]
struct InboxQuery {
    user: Option<String>,
}

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
    deliveries: Vec<Delivery>,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<InboxQuery>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let tz = user.time_zone();
    let filter = q.user.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let rows = db::sandbox::inbox(&state.pool, filter, 200).await?;
    let deliveries = rows
        .into_iter()
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
        layout: Layout::for_user(&user.0, "Sandbox outbox", "/sandbox", None),
        is_sandbox: state.provider.name() == "sandbox",
        user: filter.unwrap_or_default().to_string(),
        deliveries,
    }))
}
