//! First run: the one-time token that lets the first admin be created, and nothing else,
//! while the database has no user.

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::{self, audit::Actor};
use crate::domain::roles::Roles;
use crate::error::{AppError, AppResult};
use crate::services::auth;
use crate::services::users::{self, NewUserInput};
use crate::state::AppState;

pub fn new_setup_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares hashes so the comparison takes the same time wherever the strings differ.
fn same_token(expected: &str, given: &str) -> bool {
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(given.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// True while setup is possible and `token` is the one printed on the console.
pub fn token_is_valid(state: &AppState, token: &str) -> bool {
    state
        .setup_token
        .lock()
        .expect("setup lock")
        .as_deref()
        .is_some_and(|expected| same_token(expected, token))
}

pub fn is_open(state: &AppState) -> bool {
    state.setup_token.lock().expect("setup lock").is_some()
}

/// Creates the first admin and signs them in; returns the session token.
pub async fn create_first_admin(
    state: &AppState,
    token: &str,
    input: &NewUserInput,
    now: DateTime<Utc>,
) -> AppResult<String> {
    if !token_is_valid(state, token) {
        return Err(AppError::Forbidden(
            "This setup link is not valid. Use the exact URL printed on the console when sendgate started.".into(),
        ));
    }
    let input = NewUserInput {
        roles: Roles {
            admin: true,
            ..input.roles
        },
        ..input.clone()
    };
    let user = users::prepare(&input).await?;
    // The count check and the insert share one write transaction, so two people racing
    // through setup cannot both create an admin.
    let mut tx = db::begin_write(&state.pool).await?;
    if db::users::count(&mut *tx).await? > 0 {
        drop(tx);
        state.setup_token.lock().expect("setup lock").take();
        return Err(AppError::Conflict(
            "Setup is already finished. Sign in instead.".into(),
        ));
    }
    let id = users::insert_prepared(&mut tx, now, &Actor::system(), &user).await?;
    db::audit::append(
        &mut tx,
        now,
        &Actor::system(),
        "setup.completed",
        &format!("user:{id}"),
        &json!({ "username": user.username() }),
    )
    .await?;
    let session = auth::start_session(&mut tx, id, now).await?;
    tx.commit().await?;
    state.setup_token.lock().expect("setup lock").take();
    Ok(session)
}
