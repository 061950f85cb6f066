//! Login rate limiting (DESIGN section 10): a sliding window of failed attempts per key
//! (an account name or a client address). Pure: the caller passes the time.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max_failures: usize,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole minutes, rounded up, for the message shown to the person.
    pub fn minutes(&self) -> i64 {
        (self.0.num_seconds() + 59) / 60
    }
}

#[derive(Debug)]
pub struct Throttle {
    limit: Limit,
    failures: HashMap<String, VecDeque<DateTime<Utc>>>,
}

impl Throttle {
    pub fn new(limit: Limit) -> Self {
        Self {
            limit,
            failures: HashMap::new(),
        }
    }

    fn prune(&mut self, key: &str, now: DateTime<Utc>) {
        let window = self.limit.window;
        if let Some(q) = self.failures.get_mut(key) {
            while q.front().is_some_and(|t| *t + window <= now) {
                q.pop_front();
            }
            if q.is_empty() {
                self.failures.remove(key);
            }
        }
    }

    /// `Err` with the wait when this key has used up its failures in the window.
    pub fn check(&mut self, key: &str, now: DateTime<Utc>) -> Result<(), RetryAfter> {
        self.prune(key, now);
        match self.failures.get(key) {
            Some(q) if q.len() >= self.limit.max_failures => {
                let oldest = *q.front().expect("non-empty");
                Err(RetryAfter(oldest + self.limit.window - now))
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&mut self, key: &str, now: DateTime<Utc>) {
        self.prune(key, now);
        self.failures
            .entry(key.to_string())
            .or_default()
            .push_back(now);
        // Bound memory against a flood of distinct keys: forget keys whose window passed.
        if self.failures.len() > 10_000 {
            let window = self.limit.window;
            self.failures
                .retain(|_, q| q.back().is_some_and(|t| *t + window > now));
        }
    }

    pub fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap()
    }

    fn throttle() -> Throttle {
        Throttle::new(Limit {
            max_failures: 3,
            window: Duration::minutes(15),
        })
    }

    #[test]
    fn the_fourth_attempt_after_three_failures_waits() {
        let mut t = throttle();
        for i in 0..3 {
            assert!(t.check("hanako", t0()).is_ok());
            t.record_failure("hanako", t0() + Duration::minutes(i));
        }
        let wait = t.check("hanako", t0() + Duration::minutes(3)).unwrap_err();
        assert_eq!(wait.minutes(), 12);
        assert!(t.check("taro", t0()).is_ok(), "other keys are not affected");
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let mut t = throttle();
        for _ in 0..3 {
            t.record_failure("hanako", t0());
        }
        assert!(t.check("hanako", t0() + Duration::minutes(15)).is_ok());
    }

    #[test]
    fn a_success_clears_the_key() {
        let mut t = throttle();
        for _ in 0..3 {
            t.record_failure("hanako", t0());
        }
        t.clear("hanako");
        assert!(t.check("hanako", t0()).is_ok());
    }
}
