//! Browser-facing protections: security headers on every response (HSTS too when served
//! over HTTPS), `Cache-Control: no-store` on everything a signed-in person is shown or
//! downloads, the second factor the policy requires before anything else, and refusing
//! cross-site state-changing requests (CSRF) by `Sec-Fetch-Site` / `Origin`, with the one
//! exception of the LINE webhook, which proves itself with its signature instead.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Method, Response, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect};

use crate::web::extract::ResolvedSession;
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

/// `Strict-Transport-Security` for a year, set when sendgate is served over HTTPS (secure
/// cookies on): browsers then never try plain HTTP for it again.
pub fn hsts_layer() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    )
}

/// Paths someone who must still set up their second factor may use.
fn allowed_before_enrolment(path: &str) -> bool {
    path == "/account/two-factor"
        || path.starts_with("/account/two-factor/")
        || matches!(path, "/logout" | "/language" | "/healthz")
        || path.starts_with("/static/")
}

/// For signed-in requests: the policy's required second factor comes first (every other
/// page leads to setting it up), and nothing shown is kept in a browser or proxy cache
/// (pages and CSV downloads hold personal data; the back button after signing out on a
/// shared computer must not show them).
pub async fn signed_in_requests(request: Request, next: Next) -> axum::response::Response {
    let session = request
        .extensions()
        .get::<ResolvedSession>()
        .and_then(|s| s.0.as_ref());
    let signed_in = session.is_some();
    if session.is_some_and(|s| s.must_enrol()) && !allowed_before_enrolment(request.uri().path()) {
        return if request.method() == Method::GET {
            Redirect::to("/account/two-factor").into_response()
        } else {
            error_page(
                StatusCode::FORBIDDEN,
                "Set up two-factor sign-in first",
                "The release policy requires two-factor sign-in for your role. Set it up on your security page, then try again.",
            )
        };
    }
    let mut response = next.run(request).await;
    if signed_in && !response.headers().contains_key(CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
