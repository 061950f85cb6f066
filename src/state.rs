//! What every request handler can reach: the pool, the clock, the settings and the
//! in-process guards (login throttle, first-run setup token).

use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;

use crate::clock::Clock;
use crate::config::Settings;
use crate::delivery::DeliveryProvider;
use crate::delivery::pacing::Pacer;
use crate::delivery::quota::QuotaCache;
use crate::domain::throttle::{Limit, Throttle};

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
    pub login_guard: Arc<LoginGuard>,
    /// The one-time first-run token; `None` once any user exists.
    pub setup_token: Arc<Mutex<Option<String>>>,
}

/// Failed sign-in attempts, counted per account and per client address.
pub struct LoginGuard {
    pub per_account: Mutex<Throttle>,
    pub per_address: Mutex<Throttle>,
    /// A real argon2id hash of a random password, verified against when the user name is
    /// unknown, so a wrong name costs the same time as a wrong password.
    pub dummy_hash: String,
}

impl LoginGuard {
    pub fn new(settings: &Settings, dummy_hash: String) -> Self {
        Self {
            per_account: Mutex::new(Throttle::new(Limit {
                max_failures: settings.login_max_failures_per_account,
                window: settings.login_window,
            })),
            per_address: Mutex::new(Throttle::new(Limit {
                max_failures: settings.login_max_failures_per_address,
                window: settings.login_window,
            })),
            dummy_hash,
        }
    }
}
