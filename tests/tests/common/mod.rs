//! Helpers shared by the behaviour cases: the leak check every case ends
//! with, flags that record what a child did, and the macro that runs each
//! case under both tokio runtime flavors. Each test binary that includes this
//! module uses a part of it.
#![allow(dead_code)]

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::task::Poll;
use std::time::Duration;

/// How long the runtime may take to retire finished tasks before a case
/// counts them as leaked (the multi-thread runtime's count lags a little).
pub const ALIVE_TASKS_GRACE: Duration = Duration::from_secs(2);

/// How long one case may run before it fails: a scope that never finishes
/// fails its case instead of hanging the suite. The longest cases (100 000
/// nested scopes, in a debug build) take 1-3 s alone and several times that
/// on a machine busy with other builds.
pub const CASE_LIMIT: Duration = Duration::from_secs(30);

/// Emits one `#[tokio::test]` per case and runtime flavor: a
/// `current_thread` module and a `multi_thread` module (two workers), each
/// with a test named after the case, which is an `async fn` beside the macro
/// call, run by [`run_case`]. Attributes written before a case's name
/// (such as `#[ignore = "..."]`) go on both of its tests.
macro_rules! on_both_runtimes {
    ($($(#[$attr:meta])* $case:ident),+ $(,)?) => {
        mod current_thread {
            $(
                $(#[$attr])*
                #[tokio::test(flavor = "current_thread")]
                async fn $case() {
                    $crate::common::run_case(stringify!($case), super::$case()).await;
                }
            )+
        }

        mod multi_thread {
            $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    $crate::common::run_case(stringify!($case), super::$case()).await;
                }
            )+
        }
    };
}

/// The number of tasks alive on the current runtime.
pub fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// The runtime's alive-task count when a case started; every case ends by
/// checking that it is back there, so no child outlived its scope.
#[must_use = "a baseline is only useful if the case checks it at the end"]
pub struct TaskBaseline(usize);

impl TaskBaseline {
    /// Reads the count now.
    pub fn take() -> Self {
        TaskBaseline(alive_tasks())
    }

    /// Waits (up to a bounded grace period) for the alive-task count to come
    /// back to the baseline, and fails the case if it does not.
    pub async fn assert_restored(&self) {
        self.assert_restored_within(ALIVE_TASKS_GRACE).await;
    }

    /// [`assert_restored`](Self::assert_restored), waiting up to `limit`:
    /// for a case that leaves a great many aborted tasks for tokio to drop.
    pub async fn assert_restored_within(&self, limit: Duration) {
        let waited_since = tokio::time::Instant::now();
        loop {
            let alive = alive_tasks();
            if alive == self.0 {
                return;
            }
            assert!(
                waited_since.elapsed() < limit,
                "{alive} tasks alive, {} at the start of the case: a task outlived its scope",
                self.0
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// A flag a child sets to record that something happened.
#[derive(Clone, Debug, Default)]
pub struct Flag(Arc<AtomicBool>);

impl Flag {
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// A guard that sets the flag when it is dropped: moved into a child, it
    /// records that the child's future was dropped (finished or aborted).
    pub fn set_on_drop(&self) -> SetOnDrop {
        SetOnDrop(self.clone())
    }
}

/// Sets its flag when dropped; see [`Flag::set_on_drop`].
pub struct SetOnDrop(Flag);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set();
    }
}

/// Runs one case: bounded by [`CASE_LIMIT`], and failing if the runtime's
/// alive-task count is not back where it was when the case started.
pub async fn run_case(name: &str, case: impl Future<Output = ()>) {
    let baseline = TaskBaseline::take();
    within(CASE_LIMIT, name, case).await;
    baseline.assert_restored().await;
}

/// Polls `future` exactly once.
pub async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

/// Awaits `future`, failing the case if it takes longer than `limit`: a
/// broken scope fails the case instead of hanging the suite.
pub async fn within<F: Future>(limit: Duration, what: &str, future: F) -> F::Output {
    match tokio::time::timeout(limit, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: not done within {limit:?}"),
    }
}

/// The payload of the panics the cases cause on purpose. `token` lets a case
/// check that the payload it gets back is the very value the child panicked
/// with, not a copy.
#[derive(Debug)]
pub struct ExpectedPanic {
    pub code: u32,
    pub token: Arc<()>,
}

/// Panics with an [`ExpectedPanic`] payload. Typed as returning `()` so that
/// a child made of it has a plain `()` output.
pub fn panic_on_purpose(code: u32, token: Arc<()>) {
    std::panic::panic_any(ExpectedPanic { code, token })
}

/// Keeps the panics the cases cause on purpose (payload [`ExpectedPanic`])
/// out of the test output; every other panic is reported as usual.
pub fn silence_expected_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<ExpectedPanic>().is_none() {
                report(info);
            }
        }));
    });
}
