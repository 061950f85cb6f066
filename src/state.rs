//! What every request handler can reach: the pool, the clock, the settings, the audit
//! seal and the first-run setup token. Sign-in throttling lives in the database, so every
//! process shares it.

use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::seal::Seal;
use crate::delivery::DeliveryProvider;
use crate::delivery::pacing::Pacer;
use crate::delivery::quota::QuotaCache;

#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// Where messages go: the sandbox or LINE.
    pub provider: Arc<dyn DeliveryProvider>,
    /// Keeps sends under the provider's rate limits; shared by the dispatcher's workers.
    pub pacer: Arc<Pacer>,
    /// LINE's monthly quota as the step sender last read it.
    pub quota: Arc<QuotaCache>,
    /// A real argon2id hash of a random password, verified against when the user name is
    /// unknown, so a wrong name costs the same time as a wrong password.
    pub dummy_hash: Arc<str>,
    /// The audit key and head file (the pool's connections carry them too).
    pub seal: Arc<Seal>,
    /// The one-time first-run token; `None` once any user exists.
    pub setup_token: Arc<Mutex<Option<String>>>,
}
