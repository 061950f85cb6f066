//! Changing the release policy: validated by the domain, written with an audit event that
//! records every value that changed, old and new.

use chrono::{DateTime, Utc};
use serde_json::{Map, json};
use sqlx::SqlitePool;

use crate::db::{self, audit::Actor};
use crate::domain::policy::{PolicyInput, ReleasePolicy};
use crate::error::{AppError, AppResult};

pub async fn update(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    input: &PolicyInput,
) -> AppResult<ReleasePolicy> {
    let new = ReleasePolicy::parse(input).map_err(AppError::Invalid)?;
    let actor_id = actor.user_id()?;
    let mut tx = db::begin_write(pool).await?;
    let old = db::policy::get(&mut *tx).await?;
    let before = PolicyInput::from_policy(&old);
    let after = PolicyInput::from_policy(&new);
    let (before, after) = (json!(before), json!(after));
    let mut changes = Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, new_v) in a {
            if b.get(k) != Some(new_v) {
                changes.insert(k.clone(), json!({ "from": b.get(k), "to": new_v }));
            }
        }
    }
    if changes.is_empty() {
        return Ok(old);
    }
    db::policy::update(&mut *tx, &new, actor_id, now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "policy.changed",
        "policy",
        &json!(changes),
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}
