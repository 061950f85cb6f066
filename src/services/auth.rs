//! Signing in and out, and turning a session cookie back into a user (DESIGN section 10):
//! argon2id, hashed session tokens, idle and absolute expiry, rate-limited attempts.

use std::net::IpAddr;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::{self, audit::Actor, users::UserRow};
use crate::domain::policy::ReleasePolicy;
use crate::error::AppError;
use crate::services::passwords;
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "sendgate_session";

#[derive(Debug)]
pub enum LoginError {
    /// Wrong user name or wrong password: one answer for both.
    Invalid,
    /// Right password, but the account was disabled by an admin.
    Disabled,
    /// Too many failures; try again in this many minutes.
    Throttled {
        minutes: i64,
    },
    Internal(AppError),
}

impl From<sqlx::Error> for LoginError {
    fn from(e: sqlx::Error) -> Self {
        LoginError::Internal(e.into())
    }
}

pub struct NewSession {
    /// The raw token, for the cookie only. Never stored.
    pub token: String,
    pub user_id: i64,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    addr: IpAddr,
) -> Result<NewSession, LoginError> {
    let now = state.clock.now();
    let account_key = username.trim().to_lowercase();
    let addr_key = addr.to_string();
    {
        let throttled = state
            .login_guard
            .per_account
            .lock()
            .expect("throttle lock")
            .check(&account_key, now)
            .and(
                state
                    .login_guard
                    .per_address
                    .lock()
                    .expect("throttle lock")
                    .check(&addr_key, now),
            );
        if let Err(wait) = throttled {
            let mut tx = db::begin_write(&state.pool).await?;
            db::audit::append(
                &mut tx,
                now,
                &Actor::system(),
                "login.throttled",
                &format!("username:{account_key}"),
                &json!({ "username": account_key, "address": addr_key }),
            )
            .await?;
            tx.commit().await?;
            return Err(LoginError::Throttled {
                minutes: wait.minutes().max(1),
            });
        }
    }

    let user = db::users::find_by_username(&state.pool, &account_key).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.login_guard.dummy_hash.clone());
    let password_ok = passwords::verify(stored, password.to_string())
        .await
        .map_err(|e| LoginError::Internal(e.into()))?;

    let failure = match (&user, password_ok) {
        (None, _) => Some("unknown user name"),
        (Some(_), false) => Some("wrong password"),
        (Some(u), true) if !u.is_active() => Some("account disabled"),
        _ => None,
    };
    if let Some(reason) = failure {
        state
            .login_guard
            .per_account
            .lock()
            .expect("throttle lock")
            .record_failure(&account_key, now);
        state
            .login_guard
            .per_address
            .lock()
            .expect("throttle lock")
            .record_failure(&addr_key, now);
        let mut tx = db::begin_write(&state.pool).await?;
        db::audit::append(
            &mut tx,
            now,
            &match &user {
                Some(u) => Actor::user(u.id, &u.username),
                None => Actor::system(),
            },
            "login.failed",
            &format!("username:{account_key}"),
            &json!({ "username": account_key, "reason": reason, "address": addr_key }),
        )
        .await?;
        tx.commit().await?;
        return Err(if reason == "account disabled" {
            LoginError::Disabled
        } else {
            LoginError::Invalid
        });
    }
    let user = user.expect("checked above");

    state
        .login_guard
        .per_account
        .lock()
        .expect("throttle lock")
        .clear(&account_key);
    let token = new_token();
    let mut tx = db::begin_write(&state.pool).await?;
    db::sessions::insert(&mut *tx, &hash_token(&token), user.id, now).await?;
    db::audit::append(
        &mut tx,
        now,
        &Actor::user(user.id, &user.username),
        "login",
        &format!("user:{}", user.id),
        &json!({ "address": addr_key }),
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        user_id: user.id,
    })
}

/// Creates a session without a password check, for the user who just completed setup.
pub async fn start_session(
    tx: &mut db::Tx,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let token = new_token();
    db::sessions::insert(&mut **tx, &hash_token(&token), user_id, now).await?;
    Ok(token)
}

/// A session that is still valid, with its user.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub token_hash: String,
    pub user: UserRow,
    /// True when messages go to the sandbox; every page then says so.
    pub sandbox: bool,
    /// Unread notifications, for the count in the header.
    pub unread: i64,
    /// The interface language the user picked (`ja`, `en`), `None` until they pick one.
    pub language: Option<String>,
    /// The release policy as it stood when the request began, read with the session: pages
    /// show times in its zone and explain the gate by it. A write that decides by the
    /// policy (a release, a scenario's activation) reads it again inside its own transaction.
    pub policy: ReleasePolicy,
}

/// Resolves a cookie token, in one read. Expired sessions (idle or absolute) and sessions
/// of disabled users are removed and yield `None`.
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<ActiveSession>, AppError> {
    let now = state.clock.now();
    let token_hash = hash_token(token);
    let Some(found) = db::sessions::find_signed_in(&state.pool, &token_hash).await? else {
        return Ok(None);
    };
    let session = &found.session;
    let idle_expired = now - session.last_seen_at >= state.settings.session_idle;
    let absolute_expired = now - session.created_at >= state.settings.session_absolute;
    if !found.user.is_active() || idle_expired || absolute_expired {
        db::sessions::delete(&state.pool, &token_hash).await?;
        return Ok(None);
    }
    // Refresh at most once a minute: a page view should not always be a write.
    if now - session.last_seen_at >= Duration::minutes(1) {
        db::sessions::touch(&state.pool, &token_hash, now).await?;
    }
    Ok(Some(ActiveSession {
        token_hash,
        unread: found.unread,
        language: found.language,
        policy: found.policy,
        user: found.user,
        sandbox: state.provider.name() == "sandbox",
    }))
}

pub async fn logout(state: &AppState, session: &ActiveSession) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    db::sessions::delete(&mut *tx, &session.token_hash).await?;
    db::audit::append(
        &mut tx,
        now,
        &Actor::user(session.user.id, &session.user.username),
        "logout",
        &format!("user:{}", session.user.id),
        &json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes sessions past their idle or absolute lifetime.
pub async fn sweep_expired_sessions(state: &AppState) -> Result<u64, AppError> {
    let now = state.clock.now();
    Ok(db::sessions::delete_expired(
        &state.pool,
        now - state.settings.session_idle,
        now - state.settings.session_absolute,
    )
    .await?)
}
