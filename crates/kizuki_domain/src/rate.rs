//! Rate limits for public endpoints: at most so many requests per client in a fixed window.

use std::str::FromStr;

use crate::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimit {
    Off,
    Limit { requests: i64, window_seconds: i64 },
}

impl Default for RateLimit {
    /// Thirty a minute: far more than a person filling in forms, far fewer than a script.
    fn default() -> Self {
        RateLimit::Limit {
            requests: 30,
            window_seconds: 60,
        }
    }
}

impl FromStr for RateLimit {
    type Err = String;

    /// "off", "30" (a minute) or "30/60" (requests/seconds).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(RateLimit::Off);
        }
        let (requests, seconds) = text.split_once('/').unwrap_or((text, "60"));
        match (
            requests.trim().parse::<i64>(),
            seconds.trim().parse::<i64>(),
        ) {
            (Ok(requests), Ok(window_seconds)) if requests > 0 && window_seconds > 0 => {
                Ok(RateLimit::Limit {
                    requests,
                    window_seconds,
                })
            }
            _ => Err(format!("expected off, N or N/SECONDS, not {text:?}")),
        }
    }
}

/// The start of the fixed window `now` falls in.
pub fn window_start(now: Timestamp, window_seconds: i64) -> Timestamp {
    Timestamp(now.seconds() - now.seconds().rem_euclid(window_seconds.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_read_as_operators_write_them() {
        assert_eq!("off".parse(), Ok(RateLimit::Off));
        assert_eq!(
            "100".parse(),
            Ok(RateLimit::Limit {
                requests: 100,
                window_seconds: 60
            })
        );
        assert_eq!(
            " 5/3600 ".parse(),
            Ok(RateLimit::Limit {
                requests: 5,
                window_seconds: 3600
            })
        );
        assert!("0/60".parse::<RateLimit>().is_err());
        assert!("lots".parse::<RateLimit>().is_err());
    }

    #[test]
    fn windows_are_fixed() {
        assert_eq!(window_start(Timestamp(125), 60), Timestamp(120));
        assert_eq!(window_start(Timestamp(120), 60), Timestamp(120));
    }
}
