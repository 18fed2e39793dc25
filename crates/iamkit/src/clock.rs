//! The engine's only source of time.
//!
//! Every instant the engine reads (issue, expiry, grace, code age, audit) comes from
//! one [`Clock`]. Production uses [`SystemClock`]; tests share a [`ManualClock`] with
//! the engine and move it with [`ManualClock::set`] and [`ManualClock::advance`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, in UTC.
    fn now(&self) -> OffsetDateTime;

    /// This clock's controls, if it can be set and advanced.
    fn adjustable(&self) -> Option<&dyn Adjustable> {
        None
    }
}

/// A clock that callers may move: set to an instant or advance by a duration.
pub trait Adjustable: Send + Sync {
    /// Moves the clock to `at`.
    fn set(&self, at: OffsetDateTime);
    /// Moves the clock by `by` (backwards for a negative duration).
    fn advance(&self, by: Duration);
    /// Moves the clock forward by `seconds`, as the bindings and the admin API take
    /// it (see [`forward_step`]).
    fn advance_seconds(&self, seconds: f64) -> Result<(), String> {
        self.advance(forward_step(seconds)?);
        Ok(())
    }
}

/// A step forward of `seconds` (fractions allowed), as the language bindings and the
/// admin API move a clock: one that is negative, not finite, or longer than
/// [`MAX_ADVANCE_SECONDS`] is refused, with a message that names it (a clock moves
/// back by being set).
pub fn forward_step(seconds: f64) -> Result<Duration, String> {
    if !(0.0..=MAX_ADVANCE_SECONDS).contains(&seconds) {
        return Err(format!(
            "seconds must be a number from 0 to 1e12 (move the clock back with set), \
             not {seconds}"
        ));
    }
    Ok(Duration::seconds_f64(seconds))
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The system clock shifted by an offset that callers set: time flows, and tests
/// can still jump ahead (the HTTP emulator's default).
#[derive(Debug, Clone, Default)]
pub struct OffsetClock {
    offset_nanos: Arc<AtomicI64>,
}

impl OffsetClock {
    /// A clock that starts in step with the system clock.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> OffsetDateTime {
        let offset = Duration::nanoseconds(self.offset_nanos.load(Ordering::SeqCst));
        OffsetDateTime::now_utc().saturating_add(offset)
    }

    fn adjustable(&self) -> Option<&dyn Adjustable> {
        Some(self)
    }
}

impl Adjustable for OffsetClock {
    fn set(&self, at: OffsetDateTime) {
        let offset = at - OffsetDateTime::now_utc();
        let nanos = i64::try_from(offset.whole_nanoseconds()).unwrap_or(i64::MAX);
        self.offset_nanos.store(nanos, Ordering::SeqCst);
    }

    fn advance(&self, by: Duration) {
        let by = i64::try_from(by.whole_nanoseconds()).unwrap_or(i64::MAX);
        let _ = self
            .offset_nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
    }
}

/// The longest step [`ManualClock::advance_seconds`] takes: about 31,700 years.
pub const MAX_ADVANCE_SECONDS: f64 = 1e12;

/// A clock that only moves when told to. Clones share the same time, so a test keeps
/// one clone and gives another to the engine.
#[derive(Debug, Clone)]
pub struct ManualClock {
    unix_nanos: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: OffsetDateTime) -> Self {
        Self {
            unix_nanos: Arc::new(AtomicI64::new(to_nanos(at))),
        }
    }

    /// A clock standing at an RFC 3339 instant such as `2026-01-01T00:00:00Z`.
    pub fn parse(rfc3339: &str) -> Result<Self, time::error::Parse> {
        let at = OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)?;
        Ok(Self::new(at))
    }

    /// Moves the clock to `at` (backwards too).
    pub fn set(&self, at: OffsetDateTime) {
        self.unix_nanos.store(to_nanos(at), Ordering::SeqCst);
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.whole_nanoseconds()).unwrap_or(i64::MAX);
        let _ = self
            .unix_nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
    }
}

impl Default for ManualClock {
    /// A clock standing at 2026-01-01T00:00:00Z.
    fn default() -> Self {
        Self::new(time::macros::datetime!(2026-01-01 00:00:00 UTC))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        let nanos = self.unix_nanos.load(Ordering::SeqCst);
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    fn adjustable(&self) -> Option<&dyn Adjustable> {
        Some(self)
    }
}

impl Adjustable for ManualClock {
    fn set(&self, at: OffsetDateTime) {
        ManualClock::set(self, at);
    }

    fn advance(&self, by: Duration) {
        ManualClock::advance(self, by);
    }
}

/// Nanoseconds since the Unix epoch, saturated to what an `i64` holds (years
/// 1678–2262), which covers every instant a test or token can name.
fn to_nanos(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos()).unwrap_or(if at.unix_timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn clones_share_time_and_move_together() {
        let clock = ManualClock::new(datetime!(2026-01-01 00:00:00 UTC));
        let engine_side = clock.clone();
        clock.advance(Duration::seconds(301));
        assert_eq!(engine_side.now(), datetime!(2026-01-01 00:05:01 UTC));
        clock.set(datetime!(2025-06-01 12:00:00 UTC));
        assert_eq!(engine_side.now(), datetime!(2025-06-01 12:00:00 UTC));
    }

    #[test]
    fn offset_clock_jumps_and_the_system_clock_does_not_adjust() {
        let clock = OffsetClock::new();
        let before = clock.now();
        clock.adjustable().unwrap().advance(Duration::days(2));
        assert!(clock.now() - before >= Duration::days(2));
        clock
            .adjustable()
            .unwrap()
            .set(datetime!(2030-01-01 00:00:00 UTC));
        assert!(clock.now() - datetime!(2030-01-01 00:00:00 UTC) < Duration::minutes(1));
        assert!(SystemClock.adjustable().is_none());
    }

    #[test]
    fn parses_rfc3339() {
        let clock = ManualClock::parse("2026-03-04T05:06:07+01:00").unwrap();
        assert_eq!(clock.now(), datetime!(2026-03-04 04:06:07 UTC));
        assert!(ManualClock::parse("yesterday").is_err());
    }

    #[test]
    fn advance_seconds_moves_forward_only() {
        let clock = ManualClock::new(datetime!(2026-01-01 00:00 UTC));
        clock.advance_seconds(1.5).unwrap();
        assert_eq!(clock.now(), datetime!(2026-01-01 00:00:01.5 UTC));
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e13] {
            assert_eq!(
                clock.advance_seconds(bad),
                Err(format!(
                    "seconds must be a number from 0 to 1e12 (move the clock back with set), not {bad}"
                ))
            );
        }
        assert_eq!(clock.now(), datetime!(2026-01-01 00:00:01.5 UTC));
    }
}
