//! `POST /drafts/{id}/reviews`: approve, request changes or comment on a named revision.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::domain::review::Verdict;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services::reviews;
use crate::state::AppState;
use crate::web::drafts::show_page;
use crate::web::extract::CurrentUser;
use crate::web::flash::redirect_with;
use crate::web::pages::render_with_status;

pub fn router() -> Router<AppState> {
    Router::new().route("/drafts/{id}/reviews", post(create))
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    body: String,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    let verdict = Verdict::parse(&form.verdict).ok_or_else(|| {
        AppError::invalid("verdict", "Choose approve, request changes or comment.")
    })?;
    match verdict {
        Verdict::Comment => user.require(Permission::ReadDrafts)?,
        _ => user.require(Permission::Review)?,
    }
    let result = reviews::record(
        &state.pool,
        state.clock.now(),
        &user.0.user,
        id,
        form.revision,
        verdict,
        &form.body,
    )
    .await;
    // A refused review is shown at the review form, with the note kept.
    let (status, why) = match result {
        Ok(()) => (None, None),
        Err(AppError::Invalid(errors)) => (
            Some(StatusCode::UNPROCESSABLE_ENTITY),
            Some(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
        Err(AppError::Conflict(why)) => (Some(StatusCode::CONFLICT), Some(why)),
        Err(e) => return Err(e),
    };
    if let (Some(status), Some(why)) = (status, why) {
        let page = show_page(&state, &user, id, None, Some(why), form.body).await?;
        return Ok(render_with_status(status, &page));
    }
    let message = match verdict {
        Verdict::Approve => crate::i18n::tf("You approved revision {n}.", &[&form.revision]),
        Verdict::RequestChanges => crate::i18n::tf(
            "You requested changes to revision {n}. The draft cannot be released until you approve a revision.",
            &[&form.revision],
        ),
        Verdict::Comment => crate::i18n::t("Comment added.").to_string(),
    };
    Ok(redirect_with(&format!("/drafts/{id}"), &message))
}
