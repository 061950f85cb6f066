//! A person's own security (issue #18): `GET /account/sessions` (where they are signed in,
//! with sign-out of each or all others) and `/account/two-factor` (set up an authenticator
//! app with a QR code, recovery codes, turn it off). Every signed-in person may use these
//! for themselves only; nobody sees anyone else's sessions here.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::domain::device;
use crate::domain::two_factor::TotpSecret;
use crate::error::{AppError, AppResult};
use crate::services::{auth, two_factor};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::reauth::{Confirmed, NoFields, ReauthField};
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/sessions", get(sessions))
        .route("/account/sessions/end-others", post(end_others))
        .route("/account/sessions/{handle}/end", post(end_one))
        .route("/account/two-factor", get(two_factor_page).post(confirm))
        .route("/account/two-factor/start", post(start))
        .route("/account/two-factor/recovery-codes", post(new_codes))
        .route("/account/two-factor/off", post(turn_off))
}

pub struct SessionView {
    pub handle: String,
    pub browser: &'static str,
    pub system: &'static str,
    pub address: String,
    pub signed_in: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    layout: Layout,
    sessions: Vec<SessionView>,
    totp: bool,
}

async fn sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    let tz = user.time_zone();
    let session = &user.0;
    let rows = crate::db::sessions::list_for_user(&state.pool, user.id()).await?;
    Ok(render(&SessionsPage {
        layout: Layout::for_user(session, "Your sessions", "/account", flash),
        sessions: rows
            .into_iter()
            .map(|r| {
                let (browser, system) = device::describe(&r.user_agent);
                SessionView {
                    current: r.handle == session.handle,
                    handle: r.handle,
                    browser,
                    system,
                    address: r.address,
                    signed_in: local_time(r.created_at, tz),
                    last_seen: local_time(r.last_seen_at, tz),
                }
            })
            .collect(),
        totp: session.totp,
    }))
}

fn signed_out(message: &str) -> Response {
    let mut response = redirect_with("/login", message);
    response.headers_mut().append(
        SET_COOKIE,
        HeaderValue::from_static("sendgate_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    response
}

async fn end_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    auth::end_session(&state, &user.0, &handle).await?;
    if handle == user.0.handle {
        return Ok(signed_out("You are signed out."));
    }
    Ok(redirect_with(
        "/account/sessions",
        "That session is signed out.",
    ))
}

async fn end_others(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let n = auth::end_other_sessions(&state, &user.0).await?;
    Ok(redirect_with(
        "/account/sessions",
        &crate::i18n::tf("Signed out everywhere else ({n} sessions).", &[&n]),
    ))
}

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct TwoFactorPage {
    layout: Layout,
    /// `off`, `pending` or `on`.
    state: &'static str,
    required: bool,
    qr_svg: String,
    secret: String,
    recovery_codes_left: i64,
    /// Shown once, right after they were made.
    new_codes: Vec<String>,
    errors: FormErrors,
    reauth: ReauthField,
}

/// The QR code of an `otpauth://` URL, as an inline SVG.
fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(e) => {
            tracing::error!(error = %e, "cannot draw the QR code");
            String::new()
        }
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    flash: Option<String>,
    new_codes: Vec<String>,
    errors: FormErrors,
) -> AppResult<TwoFactorPage> {
    let session = &user.0;
    let status = two_factor::status(&state.pool, state.seal.secrets(), user.id()).await?;
    let (state_name, secret, left): (&'static str, Option<TotpSecret>, i64) = match status {
        two_factor::Status::Off => ("off", None, 0),
        two_factor::Status::Pending(s) => ("pending", Some(s), 0),
        two_factor::Status::On {
            recovery_codes_left,
        } => ("on", None, recovery_codes_left),
    };
    Ok(TwoFactorPage {
        layout: Layout::for_user(session, "Two-factor sign-in", "/account", flash),
        state: state_name,
        required: session.policy.requires_totp(session.user.roles),
        qr_svg: secret
            .as_ref()
            .map(|s| qr_svg(&s.otpauth_url(&session.user.username)))
            .unwrap_or_default(),
        secret: secret.map(|s| s.grouped()).unwrap_or_default(),
        recovery_codes_left: left,
        new_codes,
        errors,
        reauth: ReauthField::for_session(session, state.clock.now()),
    })
}

async fn two_factor_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    Ok(render(
        &page(&state, &user, flash, Vec::new(), FormErrors::default()).await?,
    ))
}

async fn start(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    two_factor::begin(
        &state.pool,
        state.seal.secrets(),
        state.clock.now(),
        user.id(),
    )
    .await?;
    Ok(Redirect::to("/account/two-factor").into_response())
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    match two_factor::confirm(
        &state.pool,
        state.seal.secrets(),
        state.clock.now(),
        &user.actor(),
        user.id(),
        &form.code,
    )
    .await
    {
        Ok(codes) => Ok(render(
            &page(
                &state,
                &user,
                Some("Two-factor sign-in is on. Keep your recovery codes somewhere safe.".into()),
                codes,
                FormErrors::default(),
            )
            .await?,
        )),
        Err(AppError::Invalid(errors)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &user, None, Vec::new(), FormErrors(errors)).await?,
        )),
        Err(e) => Err(e),
    }
}

async fn new_codes(
    State(state): State<AppState>,
    user: CurrentUser,
    confirmed: Confirmed<NoFields>,
) -> AppResult<Response> {
    let codes = confirmed
        .audited(two_factor::replace_recovery_codes(
            &state.pool,
            state.seal.secrets(),
            state.clock.now(),
            &user.actor(),
            user.id(),
        ))
        .await?;
    Ok(render(
        &page(
            &state,
            &user,
            Some("New recovery codes are ready; the old ones no longer work.".into()),
            codes,
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn turn_off(
    State(state): State<AppState>,
    user: CurrentUser,
    confirmed: Confirmed<NoFields>,
) -> AppResult<Response> {
    confirmed
        .audited(two_factor::turn_off(
            &state.pool,
            state.clock.now(),
            &user.actor(),
            user.id(),
        ))
        .await?;
    Ok(redirect_with(
        "/account/two-factor",
        "Two-factor sign-in is off.",
    ))
}
