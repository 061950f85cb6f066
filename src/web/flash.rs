//! One-shot messages shown on the page after a redirect ("User created"). The message
//! travels in a short-lived cookie; the middleware hands it to the next page that renders
//! and clears it there.

use axum::extract::{FromRequestParts, Request};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const FLASH_COOKIE: &str = "sendgate_flash";

/// The flash message for this request, if the previous one set one.
#[derive(Clone, Default)]
pub struct Flash(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Flash>().cloned().unwrap_or_default())
    }
}

/// A 303 redirect that shows `message` on the page it leads to.
pub fn redirect_with(to: &str, message: &str) -> Response {
    let value = format!(
        "{FLASH_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
        URL_SAFE_NO_PAD.encode(message.as_bytes())
    );
    let mut response = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    response
}

fn read_flash(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == FLASH_COOKIE)
        .and_then(|(_, v)| URL_SAFE_NO_PAD.decode(v).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

pub async fn middleware(mut request: Request, next: Next) -> Response {
    let flash = read_flash(&request);
    let had_flash = flash.is_some();
    request.extensions_mut().insert(Flash(flash));
    let mut response = next.run(request).await;
    // A redirect passes the message on; any page that renders has shown it.
    if had_flash
        && !response.status().is_redirection()
        && response.status() != StatusCode::NOT_MODIFIED
    {
        response.headers_mut().append(
            SET_COOKIE,
            HeaderValue::from_static("sendgate_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        );
    }
    response
}
