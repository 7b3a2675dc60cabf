//! Politeness: a token bucket for `--max-rps`, and `Retry-After` parsing (RFC 9110 §10.2.3)
//! for honouring 429s.

use std::time::{Duration, Instant};

/// A token bucket: `rate` tokens per second, at most `capacity` saved up.
#[derive(Debug)]
pub(super) struct Bucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub(super) fn new(rate: f64) -> Bucket {
        let capacity = rate.max(1.0);
        Bucket {
            rate,
            capacity,
            tokens: capacity.min(1.0),
            last: Instant::now(),
        }
    }

    /// Takes a token; returns how long to wait first.
    pub(super) fn take(&mut self, now: Instant) -> Duration {
        let earned = now.saturating_duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + earned).min(self.capacity);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-self.tokens / self.rate).unwrap_or(Duration::MAX)
        }
    }
}

/// Parses `Retry-After`: delta-seconds or an IMF-fixdate HTTP-date (RFC 9110 §10.2.3).
/// Returns the delay and whether it was a date.
pub fn parse_retry_after(v: &str, now: time::OffsetDateTime) -> Option<(Duration, bool)> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v
            .parse::<u64>()
            .ok()
            .map(|s| (Duration::from_secs(s), false));
    }
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(v, &fmt).ok()?.assume_utc();
    let secs = (at - now).as_seconds_f64().max(0.0);
    Some((
        Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX),
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = time::macros::datetime!(2026-01-01 00:00:00 UTC);
        assert_eq!(
            parse_retry_after("2", now),
            Some((Duration::from_secs(2), false))
        );
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some((Duration::from_secs(120), false))
        );
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 00:00:03 GMT", now),
            Some((Duration::from_secs(3), true))
        );
        assert_eq!(
            parse_retry_after("Wed, 31 Dec 2025 23:59:00 GMT", now),
            Some((Duration::ZERO, true))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn token_bucket_paces_after_the_burst() {
        let mut b = Bucket::new(2.0);
        let t = b.last;
        assert_eq!(b.take(t), Duration::ZERO);
        assert_eq!(b.take(t), Duration::from_millis(500));
        assert_eq!(b.take(t), Duration::from_millis(1000));
    }
}
