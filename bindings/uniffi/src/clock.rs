//! `ManualClock` and the conversions between the engine's instants and
//! `SystemTime` (`java.time.Instant` in Kotlin, `Date` in Swift).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

use crate::error::{invalid_argument, Result};

/// An engine instant as a `SystemTime`.
pub fn to_system(at: OffsetDateTime) -> SystemTime {
    SystemTime::from(at)
}

/// A `SystemTime` as an engine instant; one outside the years -9999..=9999 is an
/// `InvalidArgument`.
pub fn from_system(what: &str, at: SystemTime) -> Result<OffsetDateTime> {
    let nanos = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()),
        Err(before) => i128::try_from(before.duration().as_nanos()).map(|n| -n),
    };
    nanos
        .ok()
        .and_then(|n| OffsetDateTime::from_unix_timestamp_nanos(n).ok())
        .ok_or_else(|| invalid_argument(format!("{what} is out of the supported range")))
}

/// A clock that stands still until set or advanced: give it to an engine through
/// `EngineOptions.clock` and move time from the test.
#[derive(Debug, uniffi::Object)]
pub struct ManualClock {
    pub(crate) inner: iamkit::ManualClock,
}

#[uniffi::export]
impl ManualClock {
    /// A clock standing at `at`, by default 2026-01-01T00:00:00Z.
    #[uniffi::constructor(default(at = None))]
    pub fn new(at: Option<SystemTime>) -> Result<Arc<Self>> {
        let inner = iamkit::ManualClock::default();
        if let Some(at) = at {
            inner.set(from_system("at", at)?);
        }
        Ok(Arc::new(Self { inner }))
    }

    /// Moves the clock forward by `seconds` (0 to 10^12; move it back with `set`).
    pub fn advance(&self, seconds: i64) -> Result<()> {
        // Exact as f64 up to 2^53, far past the limit the core checks.
        iamkit::Adjustable::advance_seconds(&self.inner, seconds as f64).map_err(invalid_argument)
    }

    /// Puts the clock at `at`.
    pub fn set(&self, at: SystemTime) -> Result<()> {
        self.inner.set(from_system("at", at)?);
        Ok(())
    }

    /// The clock's instant.
    pub fn now(&self) -> SystemTime {
        to_system(iamkit::Clock::now(&self.inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn instants_round_trip_before_and_after_the_epoch() {
        for at in [
            UNIX_EPOCH + Duration::from_secs(1_767_225_600),
            UNIX_EPOCH - Duration::from_millis(1_500),
        ] {
            assert_eq!(to_system(from_system("at", at).unwrap()), at);
        }
    }

    #[test]
    fn instants_past_year_9999_are_invalid_arguments() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(
            from_system("since", far).unwrap_err(),
            invalid_argument("since is out of the supported range")
        );
    }

    #[test]
    fn the_clock_moves_only_when_told() {
        let clock = ManualClock::new(None).unwrap();
        let start = clock.now();
        clock.advance(90).unwrap();
        assert_eq!(clock.now(), start + Duration::from_secs(90));
        assert_eq!(
            clock.advance(-90).unwrap_err(),
            invalid_argument(
                "seconds must be a number from 0 to 1e12 (move the clock back with set), not -90"
            )
        );
        assert_eq!(clock.now(), start + Duration::from_secs(90));
    }
}
