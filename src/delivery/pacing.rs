//! Pacing: keeps the dispatcher under the provider's rate limits (LINE: multicast 200
//! requests/s, push 2,000/s, broadcast 60/h) so a large release runs at the limit instead
//! of bouncing off it with 429s and backing off; the statistics reader waits on the same
//! pacer for LINE's insight endpoints (60/h).
//!
//! A token bucket per send method. [`Bucket`] is the pure arithmetic (time is passed in);
//! [`Pacer`] shares the buckets between dispatcher workers and sleeps until a token is due.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The bucket reads of LINE's statistics wait on (insight endpoints: 60 requests an hour).
pub const INSIGHT: &str = "insight";

/// At most `requests` per `period`. `burst` is how many may go back to back after a quiet
/// spell; keeping it well under the provider's own bucket leaves room for clock jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub requests: u32,
    pub period: Duration,
    pub burst: u32,
}

impl Rate {
    pub fn per_second(requests: u32) -> Self {
        Self {
            requests,
            period: Duration::from_secs(1),
            burst: (requests / 10).max(1),
        }
    }

    pub fn per_hour(requests: u32) -> Self {
        Self {
            requests,
            period: Duration::from_secs(3600),
            burst: (requests / 10).max(1),
        }
    }

    fn interval(&self) -> Duration {
        self.period / self.requests.max(1)
    }
}

/// One method's token bucket. Starts full.
#[derive(Debug, Clone)]
pub struct Bucket {
    rate: Rate,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(rate: Rate, now: Instant) -> Self {
        Self {
            rate,
            tokens: f64::from(rate.burst.max(1)),
            last: now,
        }
    }

    /// Takes a token now, or says how long to wait before one is due. A caller told to
    /// wait has reserved nothing and asks again.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let per_second = f64::from(self.rate.requests) / self.rate.period.as_secs_f64();
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(f64::from(self.rate.burst.max(1)));
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - self.tokens;
            Err(Duration::from_secs_f64(missing / per_second).max(Duration::from_micros(50)))
        }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }
}

/// The buckets of every rate-limited method, shared by the dispatcher's workers.
#[derive(Debug, Default)]
pub struct Pacer {
    buckets: Mutex<HashMap<&'static str, Bucket>>,
}

impl Pacer {
    /// `limits` maps a send method (`"multicast"`, `"push"`, `"broadcast"`) to its rate;
    /// methods not listed are not paced.
    pub fn new(limits: impl IntoIterator<Item = (&'static str, Rate)>) -> Self {
        let now = tokio::time::Instant::now().into_std();
        Self {
            buckets: Mutex::new(
                limits
                    .into_iter()
                    .map(|(method, rate)| (method, Bucket::new(rate, now)))
                    .collect(),
            ),
        }
    }

    /// Waits until `method` may send once more.
    pub async fn acquire(&self, method: &str) {
        loop {
            let wait = {
                let mut buckets = self.buckets.lock().expect("pacer lock");
                match buckets.get_mut(method) {
                    None => return,
                    Some(bucket) => match bucket.take(tokio::time::Instant::now().into_std()) {
                        Ok(()) => return,
                        // Never sleep longer than one interval: another worker may have
                        // been served meanwhile, and the bucket is asked again anyway.
                        Err(wait) => wait.min(bucket.rate().interval()),
                    },
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_full_bucket_lets_its_burst_through_then_spaces_requests_evenly() {
        let t0 = Instant::now();
        let mut b = Bucket::new(Rate::per_second(200), t0);
        for _ in 0..20 {
            assert_eq!(b.take(t0), Ok(()));
        }
        let wait = b.take(t0).unwrap_err();
        assert!(wait <= ms(5) && wait >= ms(4), "{wait:?}");
        assert_eq!(b.take(t0 + ms(5)), Ok(()));
        assert!(b.take(t0 + ms(6)).is_err());
        assert_eq!(b.take(t0 + ms(10)), Ok(()));
    }

    #[test]
    fn a_quiet_spell_refills_no_more_than_the_burst() {
        let t0 = Instant::now();
        let mut b = Bucket::new(Rate::per_second(200), t0);
        let later = t0 + Duration::from_secs(60);
        let mut taken = 0;
        while b.take(later).is_ok() {
            taken += 1;
        }
        assert_eq!(taken, 20);
    }

    #[test]
    fn over_ten_seconds_no_more_than_the_rate_plus_the_burst_go_out() {
        let t0 = Instant::now();
        let mut b = Bucket::new(Rate::per_second(200), t0);
        let mut now = t0;
        let mut sent = 0u32;
        while now < t0 + Duration::from_secs(10) {
            match b.take(now) {
                Ok(()) => sent += 1,
                Err(wait) => now += wait,
            }
        }
        assert!((2000..=2020).contains(&sent), "{sent}");
    }

    #[test]
    fn broadcast_is_paced_per_hour() {
        let t0 = Instant::now();
        let mut b = Bucket::new(Rate::per_hour(60), t0);
        for _ in 0..6 {
            assert_eq!(b.take(t0), Ok(()));
        }
        let wait = b.take(t0).unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
    }

    // Paused time: tokio's clock only moves when every task sleeps.
    #[tokio::test(start_paused = true)]
    async fn the_pacer_makes_workers_wait_for_their_method_only() {
        let pacer = Pacer::new([("multicast", Rate::per_second(10))]);
        let started = tokio::time::Instant::now();
        for _ in 0..100 {
            pacer.acquire("push").await;
        }
        assert_eq!(
            started.elapsed(),
            Duration::ZERO,
            "push is not limited here"
        );
        for _ in 0..21 {
            pacer.acquire("multicast").await;
        }
        // One token in the bucket, then 20 more at 10 per second.
        let elapsed = started.elapsed();
        assert!(elapsed >= ms(2000) && elapsed < ms(2100), "{elapsed:?}");
    }
}
