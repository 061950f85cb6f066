//! Managing people (DESIGN section 1): create, rename, set roles, disable and enable,
//! reset passwords. Guards the rule that the last active admin can never be removed, and
//! ends a user's sessions (and forgets failed sign-ins against them) when they are
//! disabled or their password is reset.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::{self, audit::Actor, users::UserRow};
use crate::domain::FieldError;
use crate::domain::roles::Roles;
use crate::domain::user::{DisplayName, NewPassword, Username};
use crate::error::{AppError, AppResult};
use crate::services::passwords;

/// The create-user form as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Roles,
}

struct ValidNewUser {
    username: Username,
    display_name: DisplayName,
    password: NewPassword,
}

fn parse_new_user(input: &NewUserInput) -> Result<ValidNewUser, Vec<FieldError>> {
    let username = Username::parse(&input.username);
    // Default the display name to the user name, so the CLI can leave it out.
    let display_name = if input.display_name.trim().is_empty() {
        DisplayName::parse(input.username.trim())
    } else {
        DisplayName::parse(&input.display_name)
    };
    let password = NewPassword::parse(&input.password);
    match (username, display_name, password) {
        (Ok(username), Ok(display_name), Ok(password)) => Ok(ValidNewUser {
            username,
            display_name,
            password,
        }),
        (u, d, p) => Err([u.err(), d.err(), p.err()].into_iter().flatten().collect()),
    }
}

fn taken(username: &str) -> AppError {
    AppError::invalid(
        "username",
        format!("The user name {username:?} is already taken."),
    )
}

/// A new user whose input was validated and whose password is already hashed, ready to be
/// inserted inside a transaction.
pub struct PreparedUser {
    username: Username,
    display_name: DisplayName,
    password_hash: String,
    roles: Roles,
}

impl PreparedUser {
    pub fn username(&self) -> &str {
        self.username.as_str()
    }
}

/// Validates the input and hashes the password (slow; done before any lock is taken).
pub async fn prepare(input: &NewUserInput) -> AppResult<PreparedUser> {
    let valid = parse_new_user(input).map_err(AppError::Invalid)?;
    let password_hash = passwords::hash(valid.password.expose().to_string()).await?;
    Ok(PreparedUser {
        username: valid.username,
        display_name: valid.display_name,
        password_hash,
        roles: input.roles,
    })
}

/// Inserts a prepared user and its audit event in the caller's write transaction.
pub async fn insert_prepared(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    user: &PreparedUser,
) -> AppResult<i64> {
    let id = match db::users::insert(
        &mut **tx,
        user.username.as_str(),
        user.display_name.as_str(),
        &user.password_hash,
        user.roles,
        now,
    )
    .await
    {
        Ok(id) => id,
        // Two admins creating the same name at once: the second loses cleanly.
        Err(e) if db::is_unique_violation(&e) => return Err(taken(user.username.as_str())),
        Err(e) => return Err(e.into()),
    };
    db::audit::append(
        tx,
        now,
        actor,
        "user.created",
        &format!("user:{id}"),
        &json!({
            "username": user.username.as_str(),
            "display_name": user.display_name.as_str(),
            "roles": user.roles.to_string(),
        }),
    )
    .await?;
    Ok(id)
}

/// Creates a user. The caller has already checked that `actor` may manage users.
pub async fn create(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    input: &NewUserInput,
) -> AppResult<i64> {
    // Report a taken name before spending time on hashing.
    if let Ok(name) = Username::parse(&input.username)
        && db::users::find_by_username(pool, name.as_str())
            .await?
            .is_some()
    {
        return Err(taken(name.as_str()));
    }
    let user = prepare(input).await?;
    let mut tx = db::begin_write(pool).await?;
    let id = insert_prepared(&mut tx, now, actor, &user).await?;
    tx.commit().await?;
    Ok(id)
}

async fn load(tx: &mut db::Tx, id: i64) -> AppResult<UserRow> {
    db::users::find(&mut **tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Refuses a change that would leave no active admin.
async fn ensure_not_last_admin(tx: &mut db::Tx, user: &UserRow, what: &str) -> AppResult<()> {
    if user.roles.admin
        && user.is_active()
        && db::users::count_other_active_admins(&mut **tx, user.id).await? == 0
    {
        return Err(AppError::Conflict(format!(
            "{} is the last active admin. {what} would leave nobody able to manage users; make someone else an admin first.",
            user.username
        )));
    }
    Ok(())
}

pub async fn set_roles(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
    roles: Roles,
) -> AppResult<()> {
    let mut tx = db::begin_write(pool).await?;
    let user = load(&mut tx, id).await?;
    if user.roles == roles {
        return Ok(());
    }
    if !roles.admin {
        ensure_not_last_admin(&mut tx, &user, "Removing the admin role").await?;
    }
    db::users::set_roles(&mut *tx, id, roles, now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "user.roles_changed",
        &format!("user:{id}"),
        &json!({ "username": user.username, "from": user.roles.to_string(), "to": roles.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rename(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
    display_name: &str,
) -> AppResult<()> {
    let name = DisplayName::parse(display_name).map_err(|e| AppError::Invalid(vec![e]))?;
    let mut tx = db::begin_write(pool).await?;
    let user = load(&mut tx, id).await?;
    if user.display_name == name.as_str() {
        return Ok(());
    }
    db::users::set_display_name(&mut *tx, id, name.as_str(), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "user.renamed",
        &format!("user:{id}"),
        &json!({ "username": user.username, "from": user.display_name, "to": name.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account and ends all its sessions at once.
pub async fn disable(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
) -> AppResult<()> {
    let mut tx = db::begin_write(pool).await?;
    let user = load(&mut tx, id).await?;
    if !user.is_active() {
        return Err(AppError::Conflict(format!(
            "{} is already disabled.",
            user.username
        )));
    }
    ensure_not_last_admin(&mut tx, &user, "Disabling this account").await?;
    db::users::set_disabled(&mut *tx, id, Some(now), now).await?;
    let ended = db::sessions::delete_for_user(&mut *tx, id).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "user.disabled",
        &format!("user:{id}"),
        &json!({ "username": user.username, "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn enable(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
) -> AppResult<()> {
    let mut tx = db::begin_write(pool).await?;
    let user = load(&mut tx, id).await?;
    if user.is_active() {
        return Err(AppError::Conflict(format!(
            "{} is already active.",
            user.username
        )));
    }
    db::users::set_disabled(&mut *tx, id, None, now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "user.enabled",
        &format!("user:{id}"),
        &json!({ "username": user.username }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password and ends every session of the user, so a stolen session dies too.
pub async fn reset_password(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
    password: &str,
) -> AppResult<()> {
    let password = NewPassword::parse(password).map_err(|e| AppError::Invalid(vec![e]))?;
    let hash = passwords::hash(password.expose().to_string()).await?;
    let mut tx = db::begin_write(pool).await?;
    let user = load(&mut tx, id).await?;
    db::users::set_password_hash(&mut *tx, id, &hash, now).await?;
    let ended = db::sessions::delete_for_user(&mut *tx, id).await?;
    // Failed sign-ins against the account (an attacker's backoff) are forgotten with the
    // old password, so its owner can sign in at once, from anywhere.
    let cleared = crate::services::auth::clear_failures(&mut tx, &user.username).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "user.password_reset",
        &format!("user:{id}"),
        &json!({ "username": user.username, "sessions_ended": ended, "sign_in_backoff_cleared": cleared > 0 }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Finds a user by name for the CLI, with a clear error when there is none.
pub async fn find_by_username(pool: &SqlitePool, username: &str) -> AppResult<UserRow> {
    db::users::find_by_username(pool, username.trim())
        .await?
        .ok_or_else(|| AppError::Conflict(format!("There is no user named {username:?}.")))
}

/// Stores the interface language a person picked in the header switch (issue #6).
pub async fn set_language(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i64,
    lang: crate::i18n::Lang,
) -> AppResult<()> {
    let mut tx = db::begin_write(pool).await?;
    db::users::set_language(&mut *tx, id, lang.code(), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "user.language_changed",
        &format!("user:{id}"),
        &json!({ "language": lang.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
