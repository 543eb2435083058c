//! Slowing down password guessing: after a few failures each further attempt must wait, the
//! wait doubling with every failure up to a cap, so that the real person is slowed, never locked
//! out for good.

use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed without waiting.
    pub free_attempts: i64,
    /// The wait after the first failure beyond the free ones.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// Failures older than this no longer count.
    pub window: Duration,
}

/// Per account (e-mail address): five free attempts, then 2 s, 4 s, … up to 15 minutes.
pub const PER_ACCOUNT: Policy = Policy {
    free_attempts: 5,
    first_wait: Duration::from_secs(2),
    max_wait: Duration::from_secs(15 * 60),
    window: Duration::from_secs(60 * 60),
};

/// Per client address, which may be shared by a whole office: more room before it bites.
pub const PER_ADDRESS: Policy = Policy {
    free_attempts: 30,
    first_wait: Duration::from_secs(2),
    max_wait: Duration::from_secs(15 * 60),
    window: Duration::from_secs(60 * 60),
};

impl Policy {
    pub fn window_seconds(&self) -> i64 {
        i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX)
    }

    /// How long the next attempt must still wait, given the failures in the window and the time
    /// of the newest one.
    pub fn wait(
        &self,
        failures: i64,
        latest: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        let beyond = failures - self.free_attempts;
        let latest = latest?;
        if beyond < 0 {
            return None;
        }
        let factor = 2_u32.saturating_pow(u32::try_from(beyond).unwrap_or(u32::MAX));
        let delay = self.first_wait.saturating_mul(factor).min(self.max_wait);
        let until = latest + chrono::Duration::from_std(delay).ok()?;
        (until > now).then(|| (until - now).to_std().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_attempts_need_no_wait() {
        let now = Utc::now();
        assert_eq!(PER_ACCOUNT.wait(4, Some(now), now), None);
        assert_eq!(PER_ACCOUNT.wait(0, None, now), None);
    }

    #[test]
    fn the_wait_doubles_and_is_capped() {
        let now = Utc::now();
        assert_eq!(
            PER_ACCOUNT.wait(5, Some(now), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            PER_ACCOUNT.wait(6, Some(now), now),
            Some(Duration::from_secs(4))
        );
        assert_eq!(
            PER_ACCOUNT.wait(40, Some(now), now),
            Some(Duration::from_secs(900))
        );
    }

    #[test]
    fn the_wait_counts_from_the_newest_failure() {
        let now = Utc::now();
        let earlier = now - chrono::Duration::seconds(3);
        assert_eq!(PER_ACCOUNT.wait(5, Some(earlier), now), None);
        assert!(
            PER_ACCOUNT
                .wait(6, Some(earlier), now)
                .is_some_and(|wait| wait <= Duration::from_secs(1))
        );
    }
}
