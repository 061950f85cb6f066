//! `GET /notifications` (the signed-in person's notifications, newest first),
//! `POST /notifications/{id}/open` (mark read and go where it points) and
//! `POST /notifications/read` (mark all read). Each person only ever sees their own.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::db;
use crate::domain::notification::Event;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render};
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/{id}/open", post(open))
        .route("/notifications/read", post(read_all))
}

pub struct NotificationView {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<NotificationView>,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    let tz = user.time_zone();
    let items = db::notifications::for_user(&state.pool, user.id(), 100)
        .await?
        .into_iter()
        .map(|n| NotificationView {
            id: n.id,
            text: localized_text(&n.event, &n.text),
            link: n.link,
            at: local_time(n.created_at, tz),
            unread: n.read_at.is_none(),
        })
        .collect();
    Ok(render(&NotificationsPage {
        layout: Layout::for_user(&user.0, "Notifications", "/notifications", flash),
        items,
    }))
}

/// A stored notification (English, filled in) in the page's language: matched against the
/// sentence of its kind, its values carried into the translation (a severity and a held
/// send's reason are translated too; a title never is).
pub fn localized_text(kind: &str, text: &str) -> String {
    let lang = i18n::current();
    if lang == Lang::En {
        return text.to_string();
    }
    if let Some(key) = Event::text_key(kind)
        && let Some(values) = i18n::match_pattern(key, text)
    {
        let mut filled: Vec<(&str, &str)> =
            i18n::placeholders(key).into_iter().zip(values).collect();
        // The title goes in last, so braces in it are never taken for a placeholder.
        filled.sort_by_key(|(name, _)| *name == "title");
        let mut out = i18n::t_in(lang, key).to_string();
        for (name, value) in filled {
            // A severity is one word of the catalog; a held send's reason is the gate's
            // sentence, translated with its values.
            let value = match name {
                "severity" => std::borrow::Cow::Borrowed(i18n::t_in(lang, value)),
                "reason" => i18n::translate(lang, value),
                _ => std::borrow::Cow::Borrowed(value),
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        return out;
    }
    i18n::translate(lang, text).into_owned()
}

async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let link = db::notifications::mark_read(&state.pool, user.id(), id, state.clock.now())
        .await?
        .ok_or(AppError::NotFound)?;
    // Links are written by the app itself; only ever follow a local path.
    let to = if link.starts_with('/') && !link.starts_with("//") {
        link
    } else {
        "/notifications".into()
    };
    Ok(Redirect::to(&to).into_response())
}

async fn read_all(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    db::notifications::mark_all_read(&state.pool, user.id(), state.clock.now()).await?;
    Ok(redirect_with(
        "/notifications",
        "All notifications marked read.",
    ))
}
