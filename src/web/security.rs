//! Browser-facing protections: security headers on every response, and refusing
//! cross-site state-changing requests (CSRF) by `Sec-Fetch-Site` / `Origin`, with the one
//! exception of the LINE webhook, which proves itself with its signature instead.

use axum::body::Body;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Method, Response, StatusCode, Uri};
use tower_http::csrf::{CsrfLayer, ProtectionError};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::web::pages::error_page;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Paths that are called by other systems, not browsers, and authenticate themselves.
fn bypasses_csrf(_method: &Method, uri: &Uri) -> bool {
    uri.path() == "/webhooks/line"
}

pub fn csrf_layer() -> CsrfLayer<impl FnMut(ProtectionError) -> Response<Body> + Clone> {
    CsrfLayer::new()
        .with_insecure_bypass(bypasses_csrf)
        .with_rejection_response(|_err: ProtectionError| {
            error_page(
                StatusCode::FORBIDDEN,
                "Request refused",
                "This form was sent from another site, so sendgate refused it. Open sendgate directly and try again.",
            )
        })
}

pub fn header_layers() -> [SetResponseHeaderLayer<HeaderValue>; 4] {
    [
        SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        SetResponseHeaderLayer::overriding(X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ]
}
