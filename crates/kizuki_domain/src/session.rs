//! How long a sign-in lasts.

use crate::time::Timestamp;

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECONDS: i64 = 8 * 60 * 60;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_LIFETIME_SECONDS: i64 = 7 * 24 * 60 * 60;
/// `last_seen` is written at most this often, so that reading pages does not write to the
/// database on every request.
pub const TOUCH_INTERVAL_SECONDS: i64 = 5 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active { needs_touch: bool },
    Expired,
}

pub fn assess(created_at: Timestamp, last_seen_at: Timestamp, now: Timestamp) -> SessionState {
    let idle = now.seconds() - last_seen_at.seconds();
    let age = now.seconds() - created_at.seconds();
    if idle >= IDLE_TIMEOUT_SECONDS || age >= ABSOLUTE_LIFETIME_SECONDS || idle < -60 {
        SessionState::Expired
    } else {
        SessionState::Active {
            needs_touch: idle >= TOUCH_INTERVAL_SECONDS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: Timestamp = Timestamp(1_800_000_000);

    #[test]
    fn fresh_sessions_are_active_without_a_write() {
        assert_eq!(
            assess(START, START, START.plus_seconds(10)),
            SessionState::Active { needs_touch: false }
        );
    }

    #[test]
    fn active_sessions_are_touched_every_few_minutes() {
        assert_eq!(
            assess(START, START, START.plus_seconds(TOUCH_INTERVAL_SECONDS)),
            SessionState::Active { needs_touch: true }
        );
    }

    #[test]
    fn idle_sessions_expire() {
        assert_eq!(
            assess(START, START, START.plus_seconds(IDLE_TIMEOUT_SECONDS)),
            SessionState::Expired
        );
    }

    #[test]
    fn busy_sessions_still_expire_after_a_week() {
        let now = START.plus_seconds(ABSOLUTE_LIFETIME_SECONDS);
        assert_eq!(
            assess(START, now.minus_seconds(1), now),
            SessionState::Expired
        );
    }
}
