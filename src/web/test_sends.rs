//! `POST /drafts/{id}/test-sends` and `POST /drafts/{id}/test-sends/{t}/confirm`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use axum_extra::extract::Form;

use crate::db;
use crate::domain::roles::Permission;
use crate::error::AppResult;
use crate::services::test_sends;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::redirect_with;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/drafts/{id}/test-sends", post(send))
        .route("/drafts/{id}/test-sends/{t}/confirm", post(confirm))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SendForm {
    /// The token of the page the click came from: one test send per click.
    click: String,
}

async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SendForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let t = test_sends::send(&state, state.clock.now(), &user.actor(), id, &form.click).await?;
    let recipients = db::test_sends::recipients(&state.pool, t).await?;
    let accepted = recipients.iter().filter(|r| r.status == "accepted").count();
    let message = if accepted == recipients.len() && accepted == 1 {
        crate::i18n::tf(
            "Test sent to 1 tester. Check the phone, then confirm below that it arrived and looks right.",
            &[],
        )
    } else if accepted == recipients.len() {
        crate::i18n::tf(
            "Test sent to {n} testers. Check the phone, then confirm below that it arrived and looks right.",
            &[&accepted],
        )
    } else {
        crate::i18n::tf(
            "Test accepted for {n} of {total} testers; see the reasons below.",
            &[&accepted, &recipients.len()],
        )
    };
    Ok(redirect_with(&format!("/drafts/{id}#test-sends"), &message))
}

async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, t)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::ConfirmTestSend)?;
    test_sends::confirm(&state, state.clock.now(), &user.actor(), id, t).await?;
    Ok(redirect_with(
        &format!("/drafts/{id}"),
        "Confirmed: the test arrived on a phone and looks right.",
    ))
}
