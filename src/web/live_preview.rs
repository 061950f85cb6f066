//! `POST /drafts/live-preview`: the editor's LINE-like preview of the form as it is now,
//! unsaved (issue #16). The editor's script sends the form here a moment after the person
//! stops typing and swaps the returned fragment into the preview beside the form; without
//! JavaScript the editor's own "Show the preview" button does the same with a full page.
//!
//! The fragment comes from the same renderer as every other preview (`src/render` through
//! `PreviewView`), from the same form fields the editor saves, so what the writer sees while
//! typing is what the reviewers will see. Nothing is stored. The request is an ordinary
//! form post: it passes the same CSRF check as every form, needs the right to write drafts,
//! and its body is bounded.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::post;
use axum_extra::extract::Form;

use crate::domain::roles::Permission;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::drafts::{EditorForm, preview_of};
use crate::web::extract::CurrentUser;
use crate::web::pages::{Layout, render};
use crate::web::views::PreviewView;

/// Five messages of 5,000 UTF-16 units each, in UTF-8 and form-encoded, fit well inside.
const BODY_LIMIT: usize = 512 * 1024;

/// LINE takes at most five messages; a longer form is previewed up to the fifth.
const MAX_MESSAGES: usize = 5;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/drafts/live-preview",
        post(live_preview).layer(DefaultBodyLimit::max(BODY_LIMIT)),
    )
}

/// The preview fragment: the same markup as the editor's preview column.
#[derive(Template)]
#[template(path = "drafts/live_preview.html")]
struct LivePreview {
    layout: Layout,
    preview: Option<PreviewView>,
}

async fn live_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<EditorForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let mut input = form.input();
    input.messages.truncate(MAX_MESSAGES);
    let preview = preview_of(&state, &input).await?;
    Ok(render(&LivePreview {
        layout: Layout::for_user(&user.0, "How it looks in LINE", "/drafts", None),
        preview,
    }))
}
