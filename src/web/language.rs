//! The language of every request (issue #6) and the header switch that changes it.
//!
//! The middleware decides the language once per request ([`i18n::negotiate`]: the signed-in
//! user's stored choice, the `sendgate_lang` cookie, `Accept-Language`, English) and runs
//! the rest of the request inside [`i18n::scope`], so layouts, times and error pages render
//! in it without being handed it. `POST /language` stores the choice on the user (audited)
//! and in the cookie, and goes back to the page it came from.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum_extra::extract::{CookieJar, Form};
use serde::Deserialize;

use crate::db;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, LANG_COOKIE, Lang};
use crate::services;
use crate::state::AppState;
use crate::web::extract::{OptionalUser, ResolvedSession};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/language", post(switch))
        // Reachable signed out: the switch is two short fields.
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::web::auth::SIGNED_OUT_BODY_LIMIT,
        ))
}

/// The language of this request, from the stored user choice, cookie and browser.
fn resolve(request: &Request) -> Lang {
    let headers = request.headers();
    let jar = CookieJar::from_headers(headers);
    let user = request
        .extensions()
        .get::<ResolvedSession>()
        .and_then(|s| s.0.as_ref())
        .and_then(|s| s.language.as_deref())
        .and_then(Lang::parse);
    let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    i18n::negotiate(user, jar.get(LANG_COOKIE).map(|c| c.value()), accept)
}

tokio::task_local! {
    static PATH: String;
    static ACCOUNT_NAME: String;
}

/// The name an account has until one is set (settings, `--account-name`).
const DEFAULT_ACCOUNT_NAME: &str = "LINE Official Account";

/// The LINE Official Account's name (settings), for the chat previews; the name an unnamed
/// account has is written in the page's language (「LINE公式アカウント」).
pub fn account_name() -> String {
    let name = ACCOUNT_NAME
        .try_with(|n| n.clone())
        .unwrap_or_else(|_| DEFAULT_ACCOUNT_NAME.to_string());
    if name == DEFAULT_ACCOUNT_NAME {
        i18n::t(DEFAULT_ACCOUNT_NAME).to_string()
    } else {
        name
    }
}

/// The path (and query) of the request being handled, `/` outside a request.
pub fn current_path() -> String {
    PATH.try_with(|p| p.clone())
        .unwrap_or_else(|_| "/".to_string())
}

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let lang = resolve(&request);
    // A page rendered by a POST (a form with errors) cannot be fetched again by a GET.
    let path = match request.method() {
        &axum::http::Method::GET => request.uri().path_and_query().map(|p| p.to_string()),
        _ => None,
    }
    .unwrap_or_else(|| "/".to_string());
    let account = state.settings.account_name.clone();
    let mut response = PATH
        .scope(
            path,
            ACCOUNT_NAME.scope(account, i18n::scope(lang, next.run(request))),
        )
        .await;
    // Pages differ by language; static files do not.
    let is_html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        response.headers_mut().append(
            axum::http::header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
    }
    response
}

#[derive(Deserialize)]
struct SwitchForm {
    lang: String,
    #[serde(default)]
    back: String,
}

async fn switch(
    State(state): State<AppState>,
    OptionalUser(session): OptionalUser,
    Form(form): Form<SwitchForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&form.lang)
        .ok_or_else(|| AppError::invalid("lang", "Choose Japanese or English."))?;
    if let Some(session) = &session {
        let actor = db::audit::Actor::user(session.user.id, &session.user.username);
        services::users::set_language(
            &state.pool,
            state.clock.now(),
            &actor,
            session.user.id,
            lang,
        )
        .await?;
    }
    // Only a path on this site (no tabs, newlines, backslashes or `//`, encoded or not).
    let back = crate::domain::input::same_site_path(&form.back).unwrap_or_else(|| "/".into());
    let mut response = Redirect::to(&back).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}
