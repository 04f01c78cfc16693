//! When each child was spawned: read for every spawn, so it has to be cheap.
//!
//! A child's spawn time is kept as milliseconds since its scope was created.
//! Reading `Instant::now()` for it costs about 20 ns a spawn on the
//! development VM, some 7 % of a plain `tokio::spawn` and await; the
//! kernel's coarse monotonic clock costs under 3 ns, at a resolution of a
//! few milliseconds, which is all the age of a task in a dump or a leak
//! report needs. std does not offer that clock, so on Linux it is read with
//! one `libc::clock_gettime` call in [`coarse`], the crate's only unsafe code;
//! elsewhere the scope falls back to tokio's clock.
//!
//! A scope created while tokio's clock is paused (a test with
//! `start_paused`) reads tokio's clock for every spawn instead, so the ages it
//! shows follow the test's virtual time exactly. Finding out whether the
//! clock is paused takes two reads of tokio's clock (a paused clock reads the
//! same instant twice, a running one never does), ≈ 40 ns; each thread keeps
//! its last answer for the runtime it asked about and reuses it within the
//! same tick of the coarse clock, so a burst of short-lived scopes pays it
//! once. (A scope created within that tick after `tokio::time::pause()`
//! shows ages in real time.)

use std::cell::Cell;
use std::time::Duration;

use tokio::time::Instant;

/// A scope's clock: how it stamps its children, and how old they are.
pub(crate) enum ScopeClock {
    /// The coarse clock read when the scope was created, in milliseconds.
    Coarse { origin: u64 },
    /// tokio's clock, paused when the scope was created.
    Tokio { created: Instant },
}

/// "Now" on every clock a scope may use, read once for a whole dump.
#[derive(Clone, Copy)]
pub(crate) struct Now {
    tokio: Instant,
    coarse: Option<u64>,
}

impl Now {
    pub(crate) fn read() -> Self {
        Now {
            tokio: Instant::now(),
            coarse: coarse::millis(),
        }
    }
}

thread_local! {
    /// This thread's last look at whether tokio's clock is paused: on which
    /// runtime, at which reading of the coarse clock, and the answer.
    static LAST_LOOK: Cell<Option<(Option<tokio::runtime::Id>, u64, bool)>> =
        const { Cell::new(None) };
}

/// Whether tokio's clock is paused on `runtime`, at coarse time `coarse_now`.
fn paused(runtime: Option<tokio::runtime::Id>, coarse_now: u64) -> bool {
    if let Some((looked_at, when, answer)) = LAST_LOOK.get() {
        if looked_at == runtime && when == coarse_now {
            return answer;
        }
    }
    let first = Instant::now();
    let answer = Instant::now() == first;
    LAST_LOOK.set(Some((runtime, coarse_now, answer)));
    answer
}

impl ScopeClock {
    /// The clock of a scope created now on `runtime`.
    pub(crate) fn start(runtime: Option<tokio::runtime::Id>) -> Self {
        match coarse::millis() {
            Some(now) if !paused(runtime, now) => ScopeClock::Coarse { origin: now },
            _ => ScopeClock::Tokio {
                created: Instant::now(),
            },
        }
    }

    /// Milliseconds from the scope's creation to now: the stamp of a child
    /// spawned now. Saturates after 49 days.
    pub(crate) fn stamp(&self) -> u32 {
        let millis = match self {
            ScopeClock::Coarse { origin } => {
                u128::from(coarse::millis().map_or(0, |now| now.saturating_sub(*origin)))
            }
            ScopeClock::Tokio { created } => Instant::now()
                .saturating_duration_since(*created)
                .as_millis(),
        };
        u32::try_from(millis).unwrap_or(u32::MAX)
    }

    /// How long ago (at `now`) the scope was created.
    pub(crate) fn scope_age(&self, now: Now) -> Duration {
        self.age(0, now)
    }

    /// The age at `now` of a child stamped `stamp`.
    pub(crate) fn age(&self, stamp: u32, now: Now) -> Duration {
        let stamp = u64::from(stamp);
        match self {
            ScopeClock::Coarse { origin } => Duration::from_millis(
                now.coarse
                    .map_or(0, |now| now.saturating_sub(origin + stamp)),
            ),
            ScopeClock::Tokio { created } => now
                .tokio
                .saturating_duration_since(*created + Duration::from_millis(stamp)),
        }
    }
}

/// The kernel's `CLOCK_MONOTONIC_COARSE`, in milliseconds.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[allow(unsafe_code)]
mod coarse {
    pub(super) fn millis() -> Option<u64> {
        let mut time = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `clock_gettime` writes one `timespec` through a pointer to
        // a live, exclusively borrowed one, and keeps no reference to it;
        // `CLOCK_MONOTONIC_COARSE` is a clock id Linux has had since 2.6.32.
        let status = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut time) };
        if status != 0 {
            return None;
        }
        let seconds = u64::try_from(time.tv_sec).ok()?;
        let nanoseconds = u64::try_from(time.tv_nsec).ok()?;
        Some(seconds * 1000 + nanoseconds / 1_000_000)
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod coarse {
    pub(super) fn millis() -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current_runtime() -> Option<tokio::runtime::Id> {
        tokio::runtime::Handle::try_current()
            .ok()
            .map(|handle| handle.id())
    }

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
        let clock = ScopeClock::start(current_runtime());
        assert_eq!(
            matches!(clock, ScopeClock::Coarse { .. }),
            coarse::millis().is_some(),
            "the coarse clock is used where there is one"
        );
        std::thread::sleep(Duration::from_millis(30));
        let stamp = clock.stamp();
        assert!(
            (20..1000).contains(&stamp),
            "stamped {stamp} ms after 30 ms"
        );
        let age = clock.scope_age(Now::read());
        assert!(
            (Duration::from_millis(20)..Duration::from_secs(1)).contains(&age),
            "{age:?} old after 30 ms"
        );
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_scope_on_a_paused_clock_stamps_with_virtual_time() {
        let clock = ScopeClock::start(current_runtime());
        assert!(
            matches!(clock, ScopeClock::Tokio { .. }),
            "tokio's clock is paused"
        );
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(clock.stamp(), 5000);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            clock.age(5000, Now::read()),
            Duration::from_secs(2),
            "a child stamped at 5 s is 2 s old at 7 s"
        );
        assert_eq!(clock.scope_age(Now::read()), Duration::from_secs(7));
    }

    #[test]
    fn each_runtime_gets_its_own_answer_within_a_tick() {
        let build = |paused: bool| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(paused)
                .build()
                .expect("a runtime")
        };
        let (running, paused) = (build(false), build(true));
        for _ in 0..3 {
            let on_running = running.block_on(async { ScopeClock::start(current_runtime()) });
            let on_paused = paused.block_on(async { ScopeClock::start(current_runtime()) });
            assert_eq!(
                matches!(on_running, ScopeClock::Coarse { .. }),
                coarse::millis().is_some()
            );
            assert!(matches!(on_paused, ScopeClock::Tokio { .. }));
        }
    }
}
