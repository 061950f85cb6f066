//! `GET /audit`: the audit log, newest first, filterable by actor and action, paginated by
//! event id. Admins only.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Datelike};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::db;
use crate::domain::roles::Permission;
use crate::error::{AppResult, urlencode};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::pages::{Layout, render};

const PAGE_SIZE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(show))
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
}

pub struct EventView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The action in the page's language, empty when there is none (English shows the code).
    pub label: String,
    pub subject: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    events: Vec<EventView>,
    actor: String,
    action: String,
    actions: Vec<(String, String)>,
    next_page: Option<String>,
}

/// An audit action's name in `lang` (`draft.submitted` → `レビューに提出`), empty in
/// English or when the action has no entry: the code itself is always shown next to it.
pub fn action_label(lang: Lang, action: &str) -> String {
    if lang == Lang::Ja && i18n::has_japanese(action) {
        i18n::t_in(lang, action).to_string()
    } else {
        String::new()
    }
}

/// When an event happened, to the second, in the account's zone: English keeps the
/// sortable `2026-11-20 10:00:05 +09:00`; Japanese reads `2026年11月20日 10:00:05 JST (+09:00)`.
fn event_time(lang: Lang, local: DateTime<Tz>) -> String {
    match lang {
        Lang::En => local.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
        Lang::Ja => format!(
            "{}年{}月{}日 {}",
            local.year(),
            local.month(),
            local.day(),
            local.format("%H:%M:%S %Z (%:z)")
        ),
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    user.require(Permission::ReadAudit)?;
    let tz = user.time_zone();
    let actor = non_empty(&q.actor);
    let action = non_empty(&q.action);
    let rows = db::audit::list(&state.pool, actor, action, q.before, PAGE_SIZE + 1).await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let lang = i18n::current();
    let events: Vec<EventView> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| EventView {
            id: r.id,
            at: DateTime::parse_from_rfc3339(&r.at)
                .map(|t| event_time(lang, t.with_timezone(&tz)))
                .unwrap_or(r.at),
            actor: r.actor_name,
            label: action_label(lang, &r.action),
            action: r.action,
            subject: r.subject,
            details: if r.details == "{}" {
                String::new()
            } else {
                r.details
            },
        })
        .collect();
    let next_page = match (has_more, events.last()) {
        (true, Some(last)) => {
            let mut url = format!("/audit?before={}", last.id);
            if let Some(a) = actor {
                url.push_str(&format!("&actor={}", urlencode(a)));
            }
            if let Some(a) = action {
                url.push_str(&format!("&action={}", urlencode(a)));
            }
            Some(url)
        }
        _ => None,
    };
    Ok(render(&AuditPage {
        layout: Layout::for_user(&user.0, "Audit log", "/audit", None),
        events,
        actor: actor.unwrap_or_default().to_string(),
        action: action.unwrap_or_default().to_string(),
        actions: db::audit::actions(&state.pool)
            .await?
            .into_iter()
            .map(|a| {
                let label = action_label(lang, &a);
                (a, label)
            })
            .collect(),
        next_page,
    }))
}
