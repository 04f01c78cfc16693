//! When each child was spawned: read for every spawn, so it has to be cheap.
//!
//! A child's spawn time is kept as milliseconds since its scope was created.
//! Reading `Instant::now()` for it costs about 20 ns a spawn on the
//! development VM, some 7 % of a plain `tokio::spawn` and await; the
//! kernel's coarse monotonic clock costs under 3 ns, at a resolution of a
//! few milliseconds, which is all the age of a task in a dump or a leak
//! report needs. std does not offer that clock, so on 64-bit Linux it is read
//! with one `clock_gettime` call in [`coarse`], the crate's only unsafe code;
//! elsewhere the scope falls back to tokio's clock.
//!
//! A scope created while tokio's clock is paused (a test with
//! `start_paused`) reads tokio's clock for every spawn instead, so the ages it
//! shows follow the test's virtual time exactly.

use std::time::Duration;

use tokio::time::Instant;

/// A scope's clock: its creation time, and how it stamps its children.
pub(crate) struct ScopeClock {
    created: Instant,
    /// The coarse clock's reading, in milliseconds, when the scope was
    /// created; `None` if the scope reads tokio's clock instead.
    coarse_origin: Option<u64>,
}

impl ScopeClock {
    /// The clock of a scope created now.
    pub(crate) fn start() -> Self {
        let created = Instant::now();
        // A running clock never reads the same nanosecond twice in a row; a
        // paused one always does.
        let paused = Instant::now() == created;
        ScopeClock {
            created,
            coarse_origin: if paused { None } else { coarse::millis() },
        }
    }

    /// When the scope was created, on tokio's clock.
    pub(crate) fn created(&self) -> Instant {
        self.created
    }

    /// Milliseconds from the scope's creation to now: the stamp of a child
    /// spawned now. Saturates after 49 days.
    pub(crate) fn stamp(&self) -> u32 {
        let millis = match self.coarse_origin.zip(coarse::millis()) {
            Some((origin, now)) => u128::from(now.saturating_sub(origin)),
            None => Instant::now()
                .saturating_duration_since(self.created)
                .as_millis(),
        };
        u32::try_from(millis).unwrap_or(u32::MAX)
    }

    /// The age at `now` of a child stamped `stamp`.
    pub(crate) fn age(&self, stamp: u32, now: Instant) -> Duration {
        now.saturating_duration_since(self.created + Duration::from_millis(stamp.into()))
    }
}

/// The kernel's `CLOCK_MONOTONIC_COARSE`, in milliseconds.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    target_pointer_width = "64"
))]
#[allow(unsafe_code)]
mod coarse {
    /// `struct timespec` on 64-bit Linux: both fields are 64 bits wide.
    #[repr(C)]
    struct Timespec {
        seconds: i64,
        nanoseconds: i64,
    }

    /// `CLOCK_MONOTONIC_COARSE` in Linux's `<linux/time.h>`, on every
    /// architecture.
    const CLOCK_MONOTONIC_COARSE: i32 = 6;

    extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }

    pub(super) fn millis() -> Option<u64> {
        let mut time = Timespec {
            seconds: 0,
            nanoseconds: 0,
        };
        // SAFETY: `clock_gettime` (in the C library std links on Linux)
        // writes one `struct timespec`, whose layout on 64-bit Linux
        // `Timespec` matches, through a pointer to a live, exclusively
        // borrowed value, and keeps no reference to it.
        let status = unsafe { clock_gettime(CLOCK_MONOTONIC_COARSE, &mut time) };
        if status != 0 {
            return None;
        }
        let seconds = u64::try_from(time.seconds).ok()?;
        let nanoseconds = u64::try_from(time.nanoseconds).ok()?;
        Some(seconds * 1000 + nanoseconds / 1_000_000)
    }
}

#[cfg(not(all(
    any(target_os = "linux", target_os = "android"),
    target_pointer_width = "64"
)))]
mod coarse {
    pub(super) fn millis() -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coarse_clock_moves_forward_with_real_time() {
        let Some(before) = coarse::millis() else {
            return; // no coarse clock on this platform: tokio's clock is used
        };
        std::thread::sleep(Duration::from_millis(30));
        let after = coarse::millis().expect("it was readable a moment ago");
        let moved = after - before;
        assert!((20..1000).contains(&moved), "moved {moved} ms in 30 ms");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_scope_on_a_running_clock_stamps_with_real_time() {
        let clock = ScopeClock::start();
        assert_eq!(
            clock.coarse_origin.is_some(),
            coarse::millis().is_some(),
            "the coarse clock is used where there is one"
        );
        std::thread::sleep(Duration::from_millis(30));
        let stamp = clock.stamp();
        assert!(
            (20..1000).contains(&stamp),
            "stamped {stamp} ms after 30 ms"
        );
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_scope_on_a_paused_clock_stamps_with_virtual_time() {
        let clock = ScopeClock::start();
        assert!(clock.coarse_origin.is_none(), "tokio's clock is paused");
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(clock.stamp(), 5000);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            clock.age(5000, Instant::now()),
            Duration::from_secs(2),
            "a child stamped at 5 s is 2 s old at 7 s"
        );
    }
}
