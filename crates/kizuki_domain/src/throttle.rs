//! Login throttling: after too many failed sign-ins for one address, or from one network
//! address, further attempts are refused for a while. The counts live in the database so that
//! several server processes share them; this module only decides.

use crate::time::Timestamp;

/// Failures counted within this window.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures allowed per account (email address) within the window.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
/// Failures allowed per client network address within the window; higher, because several
/// people may share one address (a clinic, a training venue's Wi-Fi).
pub const MAX_FAILURES_PER_CLIENT: u32 = 20;

/// Failures recorded for one key (an account or a client) inside the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentFailures {
    pub count: u32,
    /// The oldest failure still inside the window, if any.
    pub oldest: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleDecision {
    Allow,
    /// Refuse; the earliest moment a new attempt will be considered.
    Wait {
        until: Timestamp,
    },
}

pub fn window_start(now: Timestamp) -> Timestamp {
    now.minus_seconds(WINDOW_SECONDS)
}

pub fn assess(account: RecentFailures, client: RecentFailures) -> ThrottleDecision {
    let over = |failures: RecentFailures, limit: u32| {
        (failures.count >= limit)
            .then_some(failures.oldest)
            .flatten()
            .map(|oldest| oldest.plus_seconds(WINDOW_SECONDS))
    };
    match (
        over(account, MAX_FAILURES_PER_ACCOUNT),
        over(client, MAX_FAILURES_PER_CLIENT),
    ) {
        (None, None) => ThrottleDecision::Allow,
        (Some(until), None) | (None, Some(until)) => ThrottleDecision::Wait { until },
        (Some(a), Some(b)) => ThrottleDecision::Wait { until: a.max(b) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: RecentFailures = RecentFailures {
        count: 0,
        oldest: None,
    };

    fn failures(count: u32, oldest: i64) -> RecentFailures {
        RecentFailures {
            count,
            oldest: Some(Timestamp(oldest)),
        }
    }

    #[test]
    fn a_few_mistakes_are_fine() {
        assert_eq!(
            assess(failures(4, 100), failures(4, 100)),
            ThrottleDecision::Allow
        );
        assert_eq!(assess(NONE, NONE), ThrottleDecision::Allow);
    }

    #[test]
    fn the_fifth_failure_for_an_account_locks_it_until_the_window_passes() {
        assert_eq!(
            assess(failures(5, 100), NONE),
            ThrottleDecision::Wait {
                until: Timestamp(100 + WINDOW_SECONDS)
            }
        );
    }

    #[test]
    fn a_noisy_client_is_slowed_even_across_accounts() {
        assert_eq!(
            assess(failures(1, 500), failures(20, 100)),
            ThrottleDecision::Wait {
                until: Timestamp(100 + WINDOW_SECONDS)
            }
        );
    }
}
