//! Sign-in throttling (DESIGN section 10, issue #18): the rule for one key (a client
//! address, an account from one address, or an account from everywhere), as a state the
//! database keeps, so every process and every restart sees the same counts.
//!
//! An attempt is counted *before* its password is checked; the attempt that reaches the
//! limit still runs, and locks the key for the window. Each further lockout within a day
//! lasts twice as long as the one before (backoff), up to a day. A right password takes its
//! own count back (see [`KeyState::forgive_one`]). Pure: the caller passes the time.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: i64,
    pub window: Duration,
}

/// The longest a key is ever locked for.
pub const MAX_LOCKOUT: Duration = Duration::hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole minutes, rounded up, for the message shown to the person.
    pub fn minutes(&self) -> i64 {
        (self.0.num_seconds() + 59) / 60
    }
}

/// What is remembered about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyState {
    pub failures: i64,
    pub window_started_at: DateTime<Utc>,
    pub lockouts: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

impl KeyState {
    pub fn fresh(now: DateTime<Utc>) -> Self {
        Self {
            failures: 0,
            window_started_at: now,
            lockouts: 0,
            locked_until: None,
        }
    }

    /// How long to wait, while the key is locked.
    pub fn locked(&self, now: DateTime<Utc>) -> Option<RetryAfter> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| RetryAfter(until - now))
    }

    /// Counts one attempt, before its password is checked.
    pub fn count_attempt(mut self, limit: Limit, now: DateTime<Utc>) -> Self {
        if self.window_started_at + limit.window <= now {
            self.failures = 0;
            self.window_started_at = now;
        }
        // A quiet day since the last lockout starts the backoff over.
        if self.locked_until.is_some_and(|t| t + MAX_LOCKOUT <= now) {
            self.lockouts = 0;
        }
        self.failures += 1;
        if self.failures >= limit.max_failures {
            self.lockouts += 1;
            let doublings = u32::try_from(self.lockouts - 1).unwrap_or(u32::MAX).min(16);
            let lockout = (limit.window * 2i32.pow(doublings)).min(MAX_LOCKOUT);
            self.locked_until = Some(now + lockout);
            self.failures = 0;
            self.window_started_at = now;
        }
        self
    }

    /// Takes back the count of an attempt whose password was right.
    pub fn forgive_one(mut self) -> Self {
        self.failures = (self.failures - 1).max(0);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap()
    }

    fn limit() -> Limit {
        Limit {
            max_failures: 3,
            window: Duration::minutes(15),
        }
    }

    /// Attempts at `t0 + minutes[i]`, refused ones not counted; the waits of refused ones.
    fn attempts(minutes: &[i64]) -> (KeyState, Vec<Option<i64>>) {
        let mut s = KeyState::fresh(t0());
        let mut waits = Vec::new();
        for m in minutes {
            let now = t0() + Duration::minutes(*m);
            match s.locked(now) {
                Some(w) => waits.push(Some(w.minutes())),
                None => {
                    s = s.count_attempt(limit(), now);
                    waits.push(None);
                }
            }
        }
        (s, waits)
    }

    #[test]
    fn the_attempt_after_the_limit_waits_out_the_window() {
        let (_, waits) = attempts(&[0, 1, 2, 3]);
        assert_eq!(waits, [None, None, None, Some(14)]);
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let (s, waits) = attempts(&[0, 1, 15, 16]);
        assert_eq!(waits, [None, None, None, None]);
        assert_eq!(s.failures, 2);
        assert_eq!(s.locked_until, None);
    }

    #[test]
    fn each_lockout_lasts_twice_the_one_before_and_a_quiet_day_starts_over() {
        // Locked at 2 for 15 minutes, at 19 for 30, at 51 for 60.
        let (s, waits) = attempts(&[0, 1, 2, 17, 18, 19, 20, 49, 50, 51]);
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                None,
                None,
                None,
                Some(29),
                None,
                None,
                None
            ]
        );
        assert_eq!(s.lockouts, 3);
        assert_eq!(s.locked_until, Some(t0() + Duration::minutes(51 + 60)));
        let later = t0() + Duration::minutes(51 + 60) + MAX_LOCKOUT;
        let s = s.count_attempt(limit(), later);
        assert_eq!((s.lockouts, s.failures), (0, 1));
    }

    #[test]
    fn lockouts_never_exceed_a_day() {
        let mut s = KeyState::fresh(t0());
        s.lockouts = 40;
        s.failures = 2;
        let s = s.count_attempt(limit(), t0());
        assert_eq!(s.locked_until, Some(t0() + MAX_LOCKOUT));
    }

    #[test]
    fn a_right_password_takes_its_count_back() {
        let (s, _) = attempts(&[0, 1]);
        assert_eq!(s.forgive_one().failures, 1);
        assert_eq!(KeyState::fresh(t0()).forgive_one().failures, 0);
    }
}
