//! Setting up and turning off two-factor sign-in (issue #18). Enrolment keeps a pending
//! secret until the first right code proves the app has it; then ten one-time recovery
//! codes are made, shown once and stored hashed. The policy may require a second factor
//! for admins and for everyone who can release; such a person cannot turn theirs off, but
//! an admin can reset it for someone who lost their phone (they set it up again at their
//! next sign-in).

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::{self, audit::Actor};
use crate::domain::two_factor::{
    RECOVERY_CODES, SECRET_BYTES, SecondFactor, SecretSeal, Stored, TotpSecret, read_second_factor,
    recovery_code, recovery_hash,
};
use crate::error::{AppError, AppResult};

/// Where a person's two-factor sign-in stands.
pub enum Status {
    Off,
    /// Set up, waiting for the first code from the app.
    Pending(TotpSecret),
    On {
        recovery_codes_left: i64,
    },
}

pub async fn status(pool: &SqlitePool, secrets: &SecretSeal, user_id: i64) -> AppResult<Status> {
    Ok(match db::two_factor::totp(pool, user_id).await? {
        None => Status::Off,
        Some(row) if row.confirmed_at.is_some() => Status::On {
            recovery_codes_left: db::two_factor::unused_recovery_codes(pool, user_id).await?,
        },
        Some(row) => match secrets.secret(user_id, &row.secret) {
            Some(secret) => Status::Pending(secret),
            None => Status::Off,
        },
    })
}

/// Seals every two-factor secret still stored in plain (written before secrets were
/// sealed), once, at start, and records it in the audit log; returns how many. Codes keep
/// working: the secret is the same.
pub async fn seal_plain_secrets(
    pool: &SqlitePool,
    secrets: &SecretSeal,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut sealed = 0;
    let mut tx = db::begin_write(pool).await?;
    for (user_id, stored) in db::two_factor::all_secrets(&mut *tx).await? {
        if let Stored::Plain(secret) = secrets.open(user_id, &stored)
            && db::two_factor::replace_stored_secret(
                &mut *tx,
                user_id,
                &stored,
                &secrets.seal(user_id, &secret),
            )
            .await?
        {
            sealed += 1;
        }
    }
    if sealed > 0 {
        db::audit::append(
            &mut tx,
            now,
            &Actor::system(),
            "two_factor.secrets_sealed",
            "two_factor",
            &json!({ "count": sealed }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(sealed)
}

/// Starts enrolment with a new secret (a page reload keeps the one already pending).
pub async fn begin(
    pool: &SqlitePool,
    secrets: &SecretSeal,
    now: DateTime<Utc>,
    user_id: i64,
) -> AppResult<TotpSecret> {
    match status(pool, secrets, user_id).await? {
        Status::On { .. } => Err(AppError::Conflict(
            "Two-factor sign-in is already on for your account.".into(),
        )),
        Status::Pending(secret) => Ok(secret),
        Status::Off => {
            let mut bytes = [0u8; SECRET_BYTES];
            rand::rng().fill_bytes(&mut bytes);
            let secret = TotpSecret::from_bytes(bytes);
            let sealed = secrets.seal(user_id, &secret);
            db::two_factor::start_enrolment(pool, user_id, &sealed, now).await?;
            Ok(secret)
        }
    }
}

fn new_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rng().fill_bytes(&mut bytes);
            recovery_code(bytes)
        })
        .collect();
    let hashes = codes
        .iter()
        .map(|c| recovery_hash(&c.replace('-', "")))
        .collect();
    (codes, hashes)
}

fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "That code is not right. Check that the time on your phone is correct and enter the code the app shows now.",
    )
}

/// Confirms enrolment with the first code from the app; returns the recovery codes, to be
/// shown once.
pub async fn confirm(
    pool: &SqlitePool,
    secrets: &SecretSeal,
    now: DateTime<Utc>,
    actor: &Actor,
    user_id: i64,
    code: &str,
) -> AppResult<Vec<String>> {
    let Status::Pending(secret) = status(pool, secrets, user_id).await? else {
        return Err(AppError::Conflict(
            "There is no two-factor setup waiting for a code. Start again from the security page."
                .into(),
        ));
    };
    let SecondFactor::Code(code) = read_second_factor(code) else {
        return Err(wrong_code());
    };
    let step = secret
        .check(&code, now.timestamp())
        .ok_or_else(wrong_code)?;
    let (codes, hashes) = new_codes();
    let mut tx = db::begin_write(pool).await?;
    db::two_factor::confirm(&mut *tx, user_id, step, now).await?;
    db::two_factor::set_recovery_codes(&mut tx, user_id, &hashes).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "two_factor.enrolled",
        &format!("user:{user_id}"),
        &json!({ "recovery_codes": codes.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Replaces the recovery codes of someone with two-factor on; returns the new ones.
pub async fn replace_recovery_codes(
    pool: &SqlitePool,
    secrets: &SecretSeal,
    now: DateTime<Utc>,
    actor: &Actor,
    user_id: i64,
) -> AppResult<Vec<String>> {
    if !matches!(status(pool, secrets, user_id).await?, Status::On { .. }) {
        return Err(AppError::Conflict(
            "Two-factor sign-in is not on for your account.".into(),
        ));
    }
    let (codes, hashes) = new_codes();
    let mut tx = db::begin_write(pool).await?;
    db::two_factor::set_recovery_codes(&mut tx, user_id, &hashes).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "two_factor.recovery_codes_replaced",
        &format!("user:{user_id}"),
        &json!({ "recovery_codes": codes.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// A person turns their own second factor off, unless the policy requires it for them.
pub async fn turn_off(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    user_id: i64,
) -> AppResult<()> {
    let mut tx = db::begin_write(pool).await?;
    let user = db::users::find(&mut *tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let policy = db::policy::get(&mut *tx).await?;
    if policy.requires_totp(user.roles) {
        return Err(AppError::Conflict(
            "The release policy requires two-factor sign-in for your role, so it cannot be turned off. Ask an admin to reset it if you lost your phone.".into(),
        ));
    }
    if !db::two_factor::remove(&mut tx, user_id).await? {
        return Ok(());
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "two_factor.removed",
        &format!("user:{user_id}"),
        &json!({ "username": user.username }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An admin resets someone's second factor (a lost phone): the secret and codes go, and
/// the person sets it up again (at their next sign-in, when the policy requires it).
pub async fn reset(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    user_id: i64,
) -> AppResult<()> {
    let mut tx = db::begin_write(pool).await?;
    let user = db::users::find(&mut *tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !db::two_factor::remove(&mut tx, user_id).await? {
        return Err(AppError::Conflict(format!(
            "{} has no two-factor sign-in to reset.",
            user.username
        )));
    }
    // Their sessions end too: whoever holds the lost phone may hold a session.
    let ended = db::sessions::delete_for_user(&mut *tx, user_id).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "two_factor.reset",
        &format!("user:{user_id}"),
        &json!({ "username": user.username, "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
