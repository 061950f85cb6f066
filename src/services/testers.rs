//! Testers are staff phones (issue #15): a signed-in person pairs their own LINE account by
//! sending a one-time code from LINE to the official account (the signed webhook's
//! `message` event carries it here), or an admin links a friend to the staff member whose
//! phone it is, audited and told to every admin. Marketers cannot turn a customer into a
//! tester, and the policy's `max_testers` caps how many there are. Each change is audited
//! in its transaction.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::{self, audit::Actor};
use crate::domain::audience::UserId;
use crate::domain::roles::{Permission, Roles};
use crate::domain::testers::{CODE_MINUTES, PairingCode, may_pair};
use crate::error::{AppError, AppResult};
use crate::services::notifications::{self, Event};

fn code_hash(code: &PairingCode) -> String {
    hex::encode(Sha256::digest(code.canonical().as_bytes()))
}

/// A code to send from LINE, shown once.
pub struct ShownCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// Gives the signed-in person a new pairing code; their earlier unused codes stop working.
pub async fn start_pairing(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
) -> AppResult<ShownCode> {
    let by = actor.user_id()?;
    let code = PairingCode::generate(&mut rand::rng());
    let expires_at = now + Duration::minutes(CODE_MINUTES);
    let mut tx = db::begin_write(pool).await?;
    let id = db::testers::insert(&mut tx, by, &code_hash(&code), now, expires_at).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "tester.pairing_started",
        &format!("user:{by}"),
        &json!({ "pairing": id, "expires_at": expires_at.to_rfc3339() }),
    )
    .await?;
    tx.commit().await?;
    Ok(ShownCode {
        code: code.display(),
        expires_at,
    })
}

/// A chat message from a LINE account, inside the webhook's transaction: when it carries an
/// active pairing code, that account becomes its owner's test phone (or the pairing is
/// refused with the reason, which the owner's Testers page shows). Other messages are
/// ignored and not stored. True when a code was found.
pub async fn pair_from_message(
    tx: &mut db::Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    friend: &UserId,
    text: &str,
) -> Result<bool, sqlx::Error> {
    let Some(code) = PairingCode::find_in(text) else {
        return Ok(false);
    };
    let Some(pairing) = db::testers::find_active(&mut **tx, &code_hash(&code), now).await? else {
        return Ok(false);
    };
    // Only a friend can send the account a message.
    db::friends::ensure_following(&mut **tx, friend.as_str(), now).await?;
    let policy = db::policy::get(&mut **tx).await?;
    let owner = db::friends::tester_owner(&mut **tx, friend.as_str()).await?;
    let blocked = db::friends::find_by_user_id(&mut **tx, friend.as_str())
        .await?
        .is_some_and(|f| f.blocked);
    let decision = may_pair(
        owner.as_ref().map(|(id, name)| (*id, name.as_str())),
        pairing.user_id,
        blocked,
        db::friends::tester_count(&mut **tx).await?,
        policy.max_testers,
    );
    let refusal = decision.as_ref().err().map(|e| e.to_string());
    db::testers::mark_used(
        &mut **tx,
        pairing.id,
        friend.as_str(),
        refusal.as_deref(),
        now,
    )
    .await?;
    if decision.is_ok() && owner.is_none() {
        db::friends::make_tester(&mut **tx, friend.as_str(), pairing.user_id, "pairing", now)
            .await?;
    }
    db::audit::append(
        tx,
        now,
        actor,
        if refusal.is_none() {
            "tester.paired"
        } else {
            "tester.pairing_refused"
        },
        &format!("friend:{}", friend.as_str()),
        &json!({ "owner": pairing.user_id, "pairing": pairing.id, "refusal": refusal }),
    )
    .await?;
    Ok(true)
}

/// An admin makes a friend the test phone of a staff member: audited, and every other admin
/// is told.
pub async fn add_by_admin(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    friend_user_id: &str,
    owner_id: i64,
) -> AppResult<()> {
    let by = actor.user_id()?;
    let friend_id = UserId::parse(friend_user_id).map_err(|e| AppError::invalid("user_id", e))?;
    let mut tx = db::begin_write(pool).await?;
    let friend = db::friends::find_by_user_id(&mut *tx, friend_id.as_str())
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "user_id",
                format!(
                    "{} is not a friend of this account; the phone must add the account as a friend first.",
                    friend_id.as_str()
                ),
            )
        })?;
    let owner = db::users::find(&mut *tx, owner_id)
        .await?
        .filter(|u| u.is_active())
        .ok_or_else(|| AppError::invalid("owner", "Choose whose phone this is."))?;
    let policy = db::policy::get(&mut *tx).await?;
    let current = db::friends::tester_owner(&mut *tx, friend_id.as_str()).await?;
    may_pair(
        current.as_ref().map(|(id, name)| (*id, name.as_str())),
        owner.id,
        friend.blocked,
        db::friends::tester_count(&mut *tx).await?,
        policy.max_testers,
    )
    .map_err(|e| AppError::invalid("user_id", e.to_string()))?;
    if current.is_some() {
        return Ok(());
    }
    db::friends::make_tester(&mut *tx, friend_id.as_str(), owner.id, "admin", now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "tester.added",
        &format!("friend:{}", friend_id.as_str()),
        &json!({ "owner": owner.id, "owner_name": owner.display_name, "display_name": friend.display_name }),
    )
    .await?;
    notifications::record(
        &mut tx,
        now,
        &Event::TesterAdded {
            name: if friend.display_name.is_empty() {
                friend_id.as_str().to_string()
            } else {
                friend.display_name.clone()
            },
            owner: owner.display_name.clone(),
            actor_id: by,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a tester: an admin may remove any, a person their own phone.
pub async fn remove(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    roles: Roles,
    friend_user_id: &str,
) -> AppResult<()> {
    let by = actor.user_id()?;
    let mut tx = db::begin_write(pool).await?;
    let owner = db::friends::tester_owner(&mut *tx, friend_user_id.trim()).await?;
    let is_tester = db::friends::testers(&mut *tx)
        .await?
        .iter()
        .any(|t| t.user_id == friend_user_id.trim());
    if !is_tester {
        return Ok(());
    }
    if !roles.may(Permission::ManageTesters) && owner.as_ref().map(|o| o.0) != Some(by) {
        return Err(AppError::Forbidden(
            "Only an admin, or the person whose phone it is, can remove a tester.".into(),
        ));
    }
    db::friends::remove_tester(&mut *tx, friend_user_id.trim(), now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "tester.removed",
        &format!("friend:{}", friend_user_id.trim()),
        &json!({ "owner": owner.map(|o| o.0) }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
