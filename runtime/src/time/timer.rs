//! Timers owned by a scope: `TaskScope::every` (a ticker) and
//! `TaskScope::after` (a one-shot), each a background child that stops
//! when its guard drops or its scope ends.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

use crate::cancel::Cancellation;
use crate::scope::bounded::{Bounded, Enclosing};
use crate::task::{ChildError, Outcome, TaskOutput};
use crate::{ScopeHandle, TaskScope};

/// Stops a timer of a scope when dropped: a ticker ticks no more, a one-shot
/// that has not fired never will, and a run in progress is cancelled (its
/// `taskscope::cancelled()` completes). Returned by [`TaskScope::every`]
/// and [`TaskScope::after`].
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let (ticks, mut counted) = tokio::sync::mpsc::unbounded_channel();
/// let heartbeat = scope.every(Duration::from_millis(10), move || {
///     let ticks = ticks.clone();
///     async move { ticks.send(()).map_err(|_| "the counter is gone") }
/// });
/// tokio::time::sleep(Duration::from_millis(35)).await;
/// drop(heartbeat); // no tick after this
/// tokio::time::sleep(Duration::from_millis(50)).await;
/// let mut seen = 0;
/// while counted.try_recv().is_ok() {
///     seen += 1;
/// }
/// assert_eq!(seen, 3); // at 10, 20 and 30 ms
/// scope.join().await.expect("nothing failed");
/// # }
/// ```
#[must_use = "dropping a TimerGuard stops its timer at once: keep it, or call `keep_running`"]
pub struct TimerGuard {
    timer: ScopeHandle,
}

impl TimerGuard {
    /// Lets the timer run until its scope ends, without a guard to hold:
    /// for a ticker that lives exactly as long as its scope (a server's
    /// metrics loop).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.every(Duration::from_secs(1), || async { /* report */ }).keep_running();
    /// scope.spawn(tokio::time::sleep(Duration::from_millis(2_500))); // the server's work
    /// scope.join().await.expect("the ticker stops when the work is done");
    /// # }
    /// ```
    pub fn keep_running(self) {
        std::mem::forget(self);
    }

    /// Whether the timer is over: stopped by its guard or its scope, or
    /// (a one-shot) fired and done.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let reminder = scope.after(Duration::from_millis(10), async {});
    /// assert!(!reminder.is_finished());
    /// tokio::time::sleep(Duration::from_millis(20)).await;
    /// assert!(reminder.is_finished());
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        self.timer.is_closed()
    }
}

impl Drop for TimerGuard {
    fn drop(&mut self) {
        self.timer.cancel();
    }
}

impl fmt::Debug for TimerGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerGuard")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// The failure of a ticker given a zero period, which could only spin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZeroPeriod;

impl fmt::Display for ZeroPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ticker needs a period longer than zero")
    }
}

impl std::error::Error for ZeroPeriod {}

/// What a timer's child returns: the first failure of a run, kept as the
/// run's own error (not wrapped in another layer).
struct TimerOutcome(Result<(), ChildError>);

impl TaskOutput for TimerOutcome {
    type Success = ();

    fn into_outcome(self) -> Result<(), ChildError> {
        self.0
    }
}

impl TaskScope {
    /// Runs `tick` every `period` as a background child of this scope,
    /// first one period from now, skipping the ticks missed while a run
    /// takes longer than the period (see [`every_with`](TaskScope::every_with)
    /// for tokio's other [`MissedTickBehavior`]s).
    ///
    /// Each run is awaited before the next tick; a run that returns an
    /// `Err` (or panics) is a failure of the scope and stops the ticker.
    /// The ticker stops when the returned guard drops or the scope ends (a
    /// background child, it does not keep the scope open); a run in
    /// progress is then cancelled like any child: `taskscope::cancelled()`
    /// completes in it, and the scope aborts it after its grace period. A
    /// zero period is a [`ZeroPeriod`] failure of the scope.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let pool = taskscope::TaskScope::root();
    /// let reaper = pool.every(Duration::from_secs(30), || async {
    ///     // close the connections idle for too long
    /// });
    /// tokio::time::sleep(Duration::from_secs(95)).await; // three reaps
    /// drop(reaper);
    /// pool.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn every<F, Fut, T>(&self, period: Duration, tick: F) -> TimerGuard
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Outcome<T>,
    {
        self.every_with(period, MissedTickBehavior::Skip, tick)
    }

    /// [`every`](TaskScope::every), with what to do about the ticks missed
    /// while a run took longer than the period.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio::time::MissedTickBehavior;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let poll = scope.every_with(Duration::from_millis(10), MissedTickBehavior::Delay, || async {
    ///     tokio::time::sleep(Duration::from_millis(15)).await; // slower than the period
    /// });
    /// tokio::time::sleep(Duration::from_millis(100)).await;
    /// drop(poll);
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn every_with<F, Fut, T>(
        &self,
        period: Duration,
        missed_ticks: MissedTickBehavior,
        mut tick: F,
    ) -> TimerGuard
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Outcome<T>,
    {
        let runs = async move {
            if period.is_zero() {
                return Err(ChildError::new(ZeroPeriod));
            }
            let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
            ticks.set_missed_tick_behavior(missed_ticks);
            let cancellation = Cancellation::current();
            while cancellation.guard(ticks.tick()).await.is_ok() {
                tick().await.into_child_result()?;
            }
            Ok(())
        };
        self.start_timer("taskscope::every", Location::caller(), runs)
    }

    /// Runs `work` once, `delay` from now, as a background child of this
    /// scope; dropping the guard first means it never runs (or, if it is
    /// running, cancels it). Like every background child it does not keep
    /// the scope open: a one-shot that must happen is a spawned child that
    /// sleeps first.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let warning = scope.after(Duration::from_secs(5), async {
    ///     eprintln!("the request is slow");
    /// });
    /// tokio::time::sleep(Duration::from_millis(10)).await; // the request finished in time
    /// drop(warning); // so the warning never fires
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn after<Fut, T>(&self, delay: Duration, work: Fut) -> TimerGuard
    where
        Fut: Future + Send + 'static,
        Fut::Output: Outcome<T>,
    {
        let run = async move {
            let cancellation = Cancellation::current();
            if cancellation.guard(tokio::time::sleep(delay)).await.is_ok() {
                work.await.into_child_result()?;
            }
            Ok(())
        };
        self.start_timer("taskscope::after", Location::caller(), run)
    }

    /// Starts `runs` as a background child, in a scope of its own that the
    /// guard cancels; failures of the children the runs spawn are this
    /// scope's.
    fn start_timer<R>(
        &self,
        name: &'static str,
        location: &'static Location<'static>,
        runs: R,
    ) -> TimerGuard
    where
        R: Future<Output = Result<(), ChildError>> + Send + 'static,
    {
        let timer = self.nest(TaskScope::builder().name(name), location);
        let guard = TimerGuard {
            timer: timer.handle(),
        };
        let enclosing = Enclosing::of(self);
        self.spawn_background_at(location, async move {
            let Bounded { output, outcome } = timer.run_bounded(runs, |_| false).await;
            if let Err(error) = enclosing.adopt(outcome) {
                // `adopt` gives the failures back only when there is no
                // enclosing scope; the timer's parent is one.
                return TimerOutcome(Err(ChildError::new(error)));
            }
            TimerOutcome(output.unwrap_or(Ok(())))
        });
        guard
    }
}
