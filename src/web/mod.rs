//! HTTP: one router per area, merged here, with the layers every request passes through
//! (language, tracing, security headers, no-store for signed-in pages, CSRF, flash
//! messages, body limit, timeout).
//!
//! Handlers stay thin: extract and authorize, call a service, redirect or render.

pub mod account;
pub mod admin_notifications;
pub mod admin_policy;
pub mod admin_users;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod draft_view;
pub mod drafts;
pub mod extract;
pub mod flash;
pub mod friends;
pub mod greeting;
pub mod health;
pub mod incidents;
pub mod insights;
pub mod language;
pub mod live_preview;
pub mod media;
pub mod notifications;
pub mod pages;
pub mod previews;
pub mod reauth;
pub mod releases;
pub mod render_csp;
pub mod reviews;
pub mod sandbox;
pub mod scenarios;
pub mod security;
pub mod segments;
pub mod setup;
pub mod test_sends;
pub mod testers;
pub mod views;
pub mod webhook;

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let [csp, nosniff, referrer, frame] = security::header_layers();
    Router::new()
        .merge(health::router())
        .merge(assets::router())
        .merge(auth::router())
        .merge(account::router())
        .merge(language::router())
        .merge(setup::router())
        .merge(dashboard::router())
        .merge(drafts::router())
        .merge(live_preview::router())
        .merge(reviews::router())
        .merge(previews::router())
        .merge(test_sends::router())
        .merge(releases::router())
        .merge(incidents::router())
        .merge(insights::router())
        .merge(notifications::router())
        .merge(friends::router())
        .merge(testers::router())
        .merge(scenarios::router())
        .merge(greeting::router())
        .merge(segments::router())
        .merge(webhook::router())
        .merge(sandbox::router())
        .merge(media::router())
        .merge(admin_users::router())
        .merge(admin_policy::router())
        .merge(admin_notifications::router())
        .merge(audit::router())
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(flash::middleware))
        // Message previews: the public URL they show stored images by, and their CSS.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            render_csp::middleware,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(30),
                ))
                .layer(csp)
                .layer(nosniff)
                .layer(referrer)
                .layer(frame)
                .option_layer(state.settings.secure_cookies.then(security::hsts_layer))
                .layer(security::csrf_layer()),
        )
        // Inside the language (its refusals are translated), after the session is read.
        .layer(middleware::from_fn(security::signed_in_requests))
        // Outermost, so every response (CSRF refusals and timeouts too) is in the
        // request's language.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            language::middleware,
        ))
        // The session is read once, before the language (a user's stored choice wins).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            extract::resolve_session,
        ))
        .with_state(state)
}
