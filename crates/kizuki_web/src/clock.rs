//! Where Kizuki reads the time. Production reads the system clock; tests pass their own
//! [`Clock`] so that expiry and throttling can be tested without waiting.
//!
//! A debug build also honours `KIZUKI_TEST_CLOCK_SHIFT` (for example `+730d`, `-3h`, `90s`):
//! the whole program, server and commands alike, then runs that far from the real time. The test
//! suite uses it to run everything again two years ahead, so that no test or demo date can run
//! out unnoticed; spawned test servers use it to run on the clock their test set. A release
//! build ignores it, so a production server cannot be moved in time by its environment.

use std::sync::Arc;

use kizuki_domain::Timestamp;

pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The variable a debug build reads its clock shift from.
pub const SHIFT_VARIABLE: &str = "KIZUKI_TEST_CLOCK_SHIFT";

/// The system clock (shifted as above in a debug build).
pub fn system_clock() -> Clock {
    let shift = shift_seconds();
    Arc::new(move || Timestamp(real_seconds().saturating_add(shift)))
}

/// The time now, read once, as [`system_clock`] would read it.
pub fn system_now() -> Timestamp {
    Timestamp(real_seconds().saturating_add(shift_seconds()))
}

/// The real time, unshifted (for a test that starts a process on a clock of its own).
pub fn real_seconds() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// How far this process runs from the real time, in seconds (always 0 in a release build).
#[cfg(debug_assertions)]
pub fn shift_seconds() -> i64 {
    match std::env::var(SHIFT_VARIABLE) {
        Ok(text) if !text.trim().is_empty() => parse_shift(&text).unwrap_or_else(|| {
            panic!("{SHIFT_VARIABLE}={text:?} is not a shift such as +730d, -3h or 90s")
        }),
        _ => 0,
    }
}

#[cfg(not(debug_assertions))]
pub fn shift_seconds() -> i64 {
    0
}

/// `+730d`, `-3h`, `15m`, `90s` or a bare number of seconds.
pub fn parse_shift(text: &str) -> Option<i64> {
    let text = text.trim();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let (digits, unit) = match rest.char_indices().last()? {
        (at, unit) if unit.is_ascii_alphabetic() => (&rest[..at], unit),
        _ => (rest, 's'),
    };
    let seconds_per_unit = match unit {
        'd' => 24 * 60 * 60,
        'h' => 60 * 60,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<i64>()
        .ok()?
        .checked_mul(seconds_per_unit)?
        .checked_mul(sign)
}

#[cfg(test)]
mod tests {
    use super::parse_shift;

    #[test]
    fn shifts_read_as_people_write_them() {
        assert_eq!(parse_shift("+730d"), Some(730 * 86_400));
        assert_eq!(parse_shift("-3h"), Some(-3 * 3_600));
        assert_eq!(parse_shift("15m"), Some(900));
        assert_eq!(parse_shift("90s"), Some(90));
        assert_eq!(parse_shift("-42"), Some(-42));
        assert_eq!(parse_shift(" +1d "), Some(86_400));
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "+",
            "d",
            "3w",
            "1.5d",
            "--3d",
            "+-3d",
            "3dd",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_shift(text), None, "{text:?}");
        }
    }
}
