//! `LeakCheck`: after a test, every task it started must be gone.

use std::time::Duration;

use super::LeakReport;
use super::sites::untracked_on;
use crate::registry::tree::dump_on_runtime;

/// How long a leak check waits, by default, for tasks to finish before it
/// calls them leaked.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(std::future::pending::<()>()); // never ends: a leak
/// let started = tokio::time::Instant::now();
/// taskscope::leak::LeakCheck::new().run().await.expect_err("the child is still alive");
/// assert_eq!(started.elapsed(), taskscope::leak::DEFAULT_SETTLE_TIME); // it kept looking until then
/// # }
/// ```
pub const DEFAULT_SETTLE_TIME: Duration = Duration::from_secs(1);

/// Checks that the current tokio runtime has no task left: none spawned
/// through taskscope (those are named, with their spawn location), and none
/// spawned any other way (those are counted).
///
/// The runtime's task count lags behind tasks that just ended (on the
/// multi-thread runtime, tokio lets go of a task on its worker just after
/// dropping the task's future, so a child whose end a scope's `join` has
/// seen may still be counted for a moment), and an aborted task ends at its
/// next poll, so the check looks again with a growing pause
/// (1 ms, 2 ms, 4 ms, ... at most 100 ms) until the settle time is up, as
/// goleak retries.
///
/// `#[taskscope::test]` runs this after the test's body. A test that builds
/// its own runtime runs it at the end of its `block_on`, or calls
/// [`assert_no_leaks`].
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(async {});
/// scope.join().await.expect("nothing failed");
/// taskscope::leak::LeakCheck::new()
///     .settle_time(Duration::from_millis(200))
///     .run()
///     .await
///     .expect("nothing leaked");
///
/// let forgotten = taskscope::TaskScope::new();
/// forgotten.spawn(std::future::pending::<()>());
/// std::mem::forget(forgotten);
/// let report = taskscope::leak::LeakCheck::new()
///     .settle_time(Duration::from_millis(10))
///     .run()
///     .await
///     .expect_err("the forgotten scope's task leaked");
/// assert_eq!(report.leaked().len(), 1);
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a LeakCheck does nothing until it is run"]
pub struct LeakCheck {
    settle: Duration,
}

impl Default for LeakCheck {
    fn default() -> Self {
        LeakCheck::new()
    }
}

impl LeakCheck {
    /// A check with the [default settle time](DEFAULT_SETTLE_TIME).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { "done" });
    /// scope.join().await.expect("nothing failed");
    /// assert!(taskscope::leak::LeakCheck::new().run().await.is_ok()); // a joined scope leaves nothing
    /// # }
    /// ```
    pub fn new() -> Self {
        LeakCheck {
            settle: DEFAULT_SETTLE_TIME,
        }
    }

    /// How long to wait for tasks to finish before calling them leaked.
    ///
    /// ```
    /// use std::time::Duration;
    /// use taskscope::leak::LeakCheck;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(tokio::time::sleep(Duration::from_millis(50)));
    /// let impatient = LeakCheck::new().settle_time(Duration::from_millis(10)).run().await;
    /// assert_eq!(impatient.expect_err("the child still sleeps").leaked().len(), 1);
    /// let patient = LeakCheck::new().settle_time(Duration::from_millis(100)).run().await;
    /// assert!(patient.is_ok()); // the child ended within 100 ms
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn settle_time(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// Runs the check on the current runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// ```
    /// use taskscope::leak::LeakCheck;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let worker = scope.spawn(std::future::pending::<()>());
    /// let report = LeakCheck::new().run().await.expect_err("the worker is still alive");
    /// assert_eq!(report.leaked().len(), 1);
    /// worker.abort();
    /// assert!(LeakCheck::new().run().await.is_ok()); // an aborted task is gone by its next poll
    /// # }
    /// ```
    pub async fn run(self) -> Result<(), LeakReport> {
        let runtime = tokio::runtime::Handle::current();
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let alive = runtime.metrics().num_alive_tasks();
            let tree = dump_on_runtime(runtime.id());
            if alive == 0 && tree.has_no_tasks() {
                return Ok(());
            }
            let waited = started.elapsed();
            if waited >= self.settle {
                let known: Vec<_> = tree.tasks().map(|(_, task)| task.id()).collect();
                let untracked = untracked_on(runtime.id(), &known);
                return Err(LeakReport::new(tree, alive, untracked, waited));
            }
            tokio::time::sleep(pause.min(self.settle - waited)).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// Runs a [`LeakCheck`] on `runtime` and panics with its report if anything
/// leaked: the function form of `#[taskscope::test]`, for tests that build
/// their own runtime.
///
/// ```
/// let runtime = tokio::runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .enable_all()
///     .build()
///     .expect("a runtime");
/// runtime.block_on(async {
///     let scope = taskscope::TaskScope::new();
///     scope.spawn(async { 1 + 1 });
///     scope.join().await.expect("nothing failed");
/// });
/// taskscope::leak::assert_no_leaks(&runtime);
/// ```
#[track_caller]
pub fn assert_no_leaks(runtime: &tokio::runtime::Runtime) {
    if let Err(report) = runtime.block_on(LeakCheck::new().run()) {
        panic!("{report}");
    }
}
