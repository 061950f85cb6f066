//! A short-lived copy of LINE's monthly quota for the step sender, which hands many small
//! groups to LINE in a row: it asks LINE at most every [`QuotaCache::MAX_AGE_SECONDS`] and
//! counts what it sent since, so the send-time gate judges every group on a current figure
//! without two quota calls per group. Releases read the quota fresh when they start.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::{DeliveryProvider, Quota};
use crate::domain::gate::QuotaReading;

#[derive(Default)]
pub struct QuotaCache(Mutex<Option<(DateTime<Utc>, QuotaReading)>>);

impl QuotaCache {
    pub const MAX_AGE_SECONDS: i64 = 10;

    /// The quota as of `now`: the copy when it is fresh and known, LINE's answer otherwise.
    pub async fn reading(
        &self,
        provider: &dyn DeliveryProvider,
        now: DateTime<Utc>,
    ) -> QuotaReading {
        if let Some((at, reading)) = *self.0.lock().expect("quota cache lock")
            && reading != QuotaReading::Unknown
            && now >= at
            && now - at < Duration::seconds(Self::MAX_AGE_SECONDS)
        {
            return reading;
        }
        let reading = Quota::reading(&provider.quota().await);
        *self.0.lock().expect("quota cache lock") = Some((now, reading));
        reading
    }

    /// `messages` more were handed to LINE since the copy was read.
    pub fn note_sent(&self, messages: i64) {
        if let Some((_, QuotaReading::Limited { used, .. })) =
            self.0.lock().expect("quota cache lock").as_mut()
        {
            *used += messages;
        }
    }
}
