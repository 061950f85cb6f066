//! The request context of the message previews: the public URL (stored images are shown
//! from this server) and the hashes of the preview stylesheets a page carries, which this
//! middleware adds to the page's Content-Security-Policy (`style-src`), so the previews'
//! CSS works without allowing inline styles in general.

use std::cell::RefCell;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::state::AppState;
use crate::web::security::CSP;

tokio::task_local! {
    static PUBLIC_URL: String;
    static STYLE_HASHES: RefCell<Vec<String>>;
}

/// `SENDGATE_PUBLIC_URL` of the request being handled (empty outside a request).
pub fn public_url() -> String {
    PUBLIC_URL.try_with(|u| u.clone()).unwrap_or_default()
}

/// Allows this exact stylesheet on the page being rendered; returns the `<style>` element.
pub fn style_element(css: &str) -> String {
    if css.is_empty() {
        return String::new();
    }
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css.as_bytes()));
    let _ = STYLE_HASHES.try_with(|h| {
        let mut h = h.borrow_mut();
        if !h.contains(&hash) {
            h.push(hash);
        }
    });
    format!("<style>{css}</style>")
}

/// The policy with these stylesheet hashes allowed.
pub fn policy_with(hashes: &[String]) -> String {
    let sources: String = hashes.iter().map(|h| format!(" 'sha256-{h}'")).collect();
    CSP.replacen("style-src 'self'", &format!("style-src 'self'{sources}"), 1)
}

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let public = state.settings.public_url();
    let hashes = RefCell::new(Vec::new());
    let (mut response, hashes) = PUBLIC_URL
        .scope(public, async {
            STYLE_HASHES
                .scope(hashes, async {
                    let response = next.run(request).await;
                    (response, STYLE_HASHES.with(|h| h.take()))
                })
                .await
        })
        .await;
    if !hashes.is_empty()
        && let Ok(value) = HeaderValue::from_str(&policy_with(&hashes))
    {
        response
            .headers_mut()
            .insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_given_stylesheets() {
        let p = policy_with(&["abc=".into(), "def=".into()]);
        assert!(
            p.contains("style-src 'self' 'sha256-abc=' 'sha256-def='"),
            "{p}"
        );
        assert!(p.contains("script-src 'self';"), "{p}");
        assert!(!p.contains("unsafe-inline"));
    }
}
