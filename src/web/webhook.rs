//! `POST /webhooks/line`: LINE's follow and unfollow events. The signature is checked on
//! the raw body before anything is parsed or stored; no session, no CSRF (LINE is not a
//! browser), a small body limit, and a fast 200.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::services::audience::{self, WebhookError};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/webhooks/line",
        post(receive).layer(DefaultBodyLimit::max(1024 * 1024)),
    )
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let signature = headers
        .get("x-line-signature")
        .and_then(|v| v.to_str().ok());
    match audience::handle_webhook(
        &state.pool,
        state.clock.now(),
        state.settings.line_channel_secret.as_deref(),
        &body,
        signature,
    )
    .await
    {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(WebhookError::Unauthorized) => (StatusCode::UNAUTHORIZED, "invalid signature"),
        Err(WebhookError::BadRequest(why)) => {
            tracing::warn!(%why, "webhook body refused");
            (StatusCode::BAD_REQUEST, "bad request")
        }
        Err(WebhookError::Internal(why)) => {
            tracing::error!(%why, "webhook could not be stored");
            (StatusCode::INTERNAL_SERVER_ERROR, "error")
        }
    }
}
