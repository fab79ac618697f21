//! Login throttling that slows the one who guesses, never the owner. Failures are counted per
//! pair of account (the address typed) and client (the network address it came from): after
//! [`FREE_FAILURES_PER_PAIR`] the pair waits, twice as long after each further failure, up to
//! the window. A client that fails across many accounts is stopped for the window. An account
//! itself is never locked, so five wrong passwords from somewhere else cannot keep its owner
//! out; guessing from many addresses at once is slowed per address and by the password hash's
//! cost. The counts live in the database so that several server processes share them; this
//! module only decides.

use crate::time::Timestamp;

/// Failures counted within this window, and the longest wait.
pub const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures one client may make for one account before it must wait.
pub const FREE_FAILURES_PER_PAIR: u32 = 5;
/// The first wait; each further failure doubles it.
pub const FIRST_WAIT_SECONDS: i64 = 30;
/// Failures allowed per client network address within the window, across accounts; higher,
/// because several people may share one address (a clinic, a training venue's Wi-Fi).
pub const MAX_FAILURES_PER_CLIENT: u32 = 20;

/// Failures recorded for one key (a pair, or a client) inside the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecentFailures {
    pub count: u32,
    /// The oldest failure still inside the window, if any.
    pub oldest: Option<Timestamp>,
    /// The newest failure, if any.
    pub latest: Option<Timestamp>,
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

/// How long the pair waits after its latest failure: nothing for the first few, then 30 s,
/// 1 min, 2 min … up to the window.
pub fn pair_wait_seconds(failures: u32) -> i64 {
    match failures.checked_sub(FREE_FAILURES_PER_PAIR) {
        None => 0,
        Some(extra) => FIRST_WAIT_SECONDS
            .saturating_mul(1i64 << extra.min(20))
            .min(WINDOW_SECONDS),
    }
}

/// Whether `client` may try to sign in to the account now, given the pair's failures and the
/// client's across accounts.
pub fn assess(pair: RecentFailures, client: RecentFailures, now: Timestamp) -> ThrottleDecision {
    // A pair with free attempts left never waits, even when its latest failure is stamped a
    // little after `now`: another server's clock may run a few seconds ahead of this one's.
    let wait = pair_wait_seconds(pair.count);
    let pair_until = pair
        .latest
        .filter(|_| wait > 0)
        .map(|latest| latest.plus_seconds(wait))
        .filter(|until| *until > now);
    let client_until = (client.count >= MAX_FAILURES_PER_CLIENT)
        .then_some(client.oldest)
        .flatten()
        .map(|oldest| oldest.plus_seconds(WINDOW_SECONDS))
        .filter(|until| *until > now);
    match pair_until.max(client_until) {
        Some(until) => ThrottleDecision::Wait { until },
        None => ThrottleDecision::Allow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: RecentFailures = RecentFailures {
        count: 0,
        oldest: None,
        latest: None,
    };

    fn failures(count: u32, oldest: i64, latest: i64) -> RecentFailures {
        RecentFailures {
            count,
            oldest: Some(Timestamp(oldest)),
            latest: Some(Timestamp(latest)),
        }
    }

    #[test]
    fn a_few_mistakes_are_fine() {
        let now = Timestamp(200);
        assert_eq!(
            assess(failures(4, 100, 190), failures(4, 100, 190), now),
            ThrottleDecision::Allow
        );
        assert_eq!(assess(NONE, NONE, now), ThrottleDecision::Allow);
    }

    #[test]
    fn another_servers_clock_running_ahead_does_not_use_up_free_attempts() {
        // Three failures, the latest stamped by a server two seconds ahead of this one.
        assert_eq!(
            assess(failures(3, 100, 202), failures(3, 100, 202), Timestamp(200)),
            ThrottleDecision::Allow
        );
    }

    #[test]
    fn the_guesser_waits_longer_after_each_failure() {
        assert_eq!(
            [4, 5, 6, 7, 9, 10, 30].map(pair_wait_seconds),
            [0, 30, 60, 120, 480, 900, 900]
        );
        assert_eq!(
            assess(failures(6, 100, 190), NONE, Timestamp(200)),
            ThrottleDecision::Wait {
                until: Timestamp(250)
            }
        );
        assert_eq!(
            assess(failures(6, 100, 190), NONE, Timestamp(250)),
            ThrottleDecision::Allow,
            "once the wait is over"
        );
    }

    #[test]
    fn only_the_pair_waits_the_account_is_never_locked() {
        // The pair is what is counted: another client's pair for the same account has none.
        assert_eq!(
            assess(NONE, failures(1, 100, 100), Timestamp(200)),
            ThrottleDecision::Allow
        );
    }

    #[test]
    fn a_noisy_client_is_stopped_even_across_accounts() {
        assert_eq!(
            assess(
                failures(1, 500, 500),
                failures(20, 100, 500),
                Timestamp(600)
            ),
            ThrottleDecision::Wait {
                until: Timestamp(100 + WINDOW_SECONDS)
            }
        );
    }
}
