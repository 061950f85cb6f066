//! Re-authentication, like GitHub's sudo mode (issue #18): releasing, activating a scenario
//! and changing roles or the policy need a proof of who is asking (the password, or a code
//! from the authenticator app) no older than the policy's `reauth_minutes`. Signing in is
//! such a proof. A proof given for an action is throttled like a sign-in, recorded on the
//! session, and audited; the action's own audit event records it too
//! ([`crate::db::audit::with_confirmation`]).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::db::{self, audit::Actor};
use crate::domain::input::excerpt;
use crate::domain::two_factor::{SecondFactor, read_second_factor};
use crate::services::auth::{
    ActiveSession, Attempt, Client, Keys, LoginError, begin_attempt, forgive, password_matches,
    record_failure, second_factor_matches,
};
use crate::state::AppState;

/// Whether the session's last proof is recent enough for a sensitive action now.
pub fn is_fresh(session: &ActiveSession, now: DateTime<Utc>) -> bool {
    session
        .proved_at
        .is_some_and(|at| now - at < Duration::minutes(session.policy.reauth_minutes))
}

/// How the actor of an action was confirmed, as its audit event records it.
pub fn confirmation(method: &str, at: DateTime<Utc>, typed_now: bool) -> serde_json::Value {
    json!({ "by": method, "at": at.to_rfc3339(), "just_now": typed_now })
}

/// Checks a typed proof (the password, or a 6-digit code when the user has an app) for
/// `action` (a short description such as `POST /drafts/3/release`); on success the
/// session counts as freshly proven. Returns how it was proven.
pub async fn confirm(
    state: &AppState,
    session: &ActiveSession,
    typed: &str,
    client: &Client,
    action: &str,
) -> Result<&'static str, LoginError> {
    let now = state.clock.now();
    let user = &session.user;
    let keys = Keys::new(&user.username, client.addr);
    let attempt = Attempt {
        name: &user.username,
        addr: client.addr,
    };
    begin_attempt(state, &keys, &attempt, now).await?;
    // A code from the app (or a recovery code) is checked and used up in the same write
    // that records the proof. A password is checked outside any transaction: argon2 takes
    // tens of milliseconds, too long to hold SQLite's write lock.
    let factor = match session.totp {
        true => read_second_factor(typed),
        false => SecondFactor::Unreadable,
    };
    let mut proven = None;
    if factor != SecondFactor::Unreadable {
        let mut tx = db::begin_write(&state.pool).await?;
        if let Some(m) =
            second_factor_matches(&mut tx, state.seal.secrets(), user.id, typed, now).await?
        {
            proven = Some((m, tx));
        }
    }
    // Six digits are never a password (those have 12 characters or more).
    if proven.is_none()
        && !matches!(factor, SecondFactor::Code(_))
        && password_matches(state, Some(user), typed).await?
    {
        proven = Some(("password", db::begin_write(&state.pool).await?));
    }
    let Some((method, mut tx)) = proven else {
        record_failure(
            state,
            now,
            Some(user),
            &attempt,
            "wrong password or code to confirm",
        )
        .await?;
        return Err(LoginError::Invalid);
    };
    forgive(&mut tx, &keys, !session.totp || method != "password", now).await?;
    db::sessions::set_proved(&mut *tx, &session.token_hash, method, now).await?;
    db::audit::append(
        &mut tx,
        now,
        &Actor::user(user.id, &user.username),
        "session.confirmed",
        &format!("user:{}", user.id),
        &json!({ "by": method, "for": excerpt(action, 120) }),
    )
    .await?;
    tx.commit().await?;
    Ok(method)
}
