//! `timeout` and `move_on_after`: a deadline around a future *and* around
//! everything it starts.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::TaskScope;
use crate::scope::bounded::{Bounded, Enclosing};

/// The error of [`timeout`]: the deadline passed before the future and the
/// children it started had finished. They have all ended when it is
/// returned.
///
/// It is not a cancellation: a loop's cancellation arm never sees it, and
/// an inner timeout's `Elapsed` is a value the outer future handles like
/// any other error, not a signal that the outer deadline passed.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let slow = taskscope::timeout(Duration::from_millis(10), std::future::pending::<()>());
/// let elapsed: taskscope::time::Elapsed = slow.await.expect_err("pending never finishes");
/// assert_eq!(elapsed.to_string(), "the timeout elapsed before the work it bounds had finished");
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed {
    deadline: Instant,
}

impl Elapsed {
    /// The deadline that passed.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let deadline = tokio::time::Instant::now() + Duration::from_millis(5);
    /// let elapsed = taskscope::time::timeout_at(deadline, std::future::pending::<()>())
    ///     .await
    ///     .expect_err("pending never finishes");
    /// assert_eq!(elapsed.deadline(), deadline);
    /// # }
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the timeout elapsed before the work it bounds had finished")
    }
}

impl std::error::Error for Elapsed {}

/// A deadline for a future and for the children it starts, with an
/// optional grace period: what [`timeout`] and [`move_on_after`] build,
/// for the cases that need the grace.
///
/// The future runs in a scope of its own, nested in the current scope: the
/// children it spawns through the current scope (`taskscope::spawn`, a
/// `#[scoped]` fn's spawns, scopes it builds) belong to that scope. When the
/// deadline passes, the future is dropped, the scope is cancelled, and the
/// children still running after the grace period (none by default) are
/// aborted; the result comes once every one of them has ended.
///
/// The children's failures are not the timeout's: they are handed to the
/// enclosing scope, as if its own children had failed (so a fail-fast
/// scope is cancelled). Outside any scope there is nowhere to hand them,
/// and the timeout panics with them once every child has ended, as a
/// `#[scoped]` fn without a `Result` does. A child's panic is resumed in
/// the caller.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let flushed = taskscope::time::Timeout::after(Duration::from_millis(100))
///     .grace_period(Duration::from_millis(20)) // the writer may finish its flush
///     .run(async {
///         taskscope::spawn(async {
///             taskscope::cancelled().await;
///             tokio::time::sleep(Duration::from_millis(5)).await; // the flush
///             "flushed"
///         })
///         .expect("inside the timeout's scope")
///         .await
///     })
///     .await;
/// assert!(flushed.is_err(), "the deadline passed first");
/// # }
/// ```
///
/// Where it stops: work that is not a child of the timeout's scope (a raw
/// `tokio::spawn` outside `#[scoped]`, a spawn through another scope's
/// handle) is not bounded, and blocking work that is already running cannot
/// be aborted.
#[derive(Clone, Copy, Debug)]
#[must_use = "a Timeout does nothing until `run` or `move_on` is called"]
pub struct Timeout {
    deadline: Instant,
    grace: Option<Duration>,
}

impl Timeout {
    /// A deadline `duration` from now (a duration too long to add to the
    /// clock is about thirty years, as with `tokio::time::timeout`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let never = taskscope::time::Timeout::after(std::time::Duration::MAX);
    /// assert_eq!(never.run(async { 7 }).await, Ok(7));
    /// # }
    /// ```
    pub fn after(duration: Duration) -> Self {
        let now = Instant::now();
        let deadline = now
            .checked_add(duration)
            .unwrap_or_else(|| now + FAR_FUTURE);
        Timeout::at(deadline)
    }

    /// A deadline at `deadline`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    /// let answer = taskscope::time::Timeout::at(deadline).run(async { 42 }).await;
    /// assert_eq!(answer, Ok(42));
    /// # }
    /// ```
    pub fn at(deadline: Instant) -> Self {
        Timeout {
            deadline,
            grace: None,
        }
    }

    /// How long the children have, once the deadline passed and cancelled
    /// them, to end on their own before they are aborted. None unless
    /// asked for: a timeout returns at its deadline, whatever the children
    /// do.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let started = tokio::time::Instant::now();
    /// let stubborn = taskscope::time::Timeout::after(Duration::from_millis(50))
    ///     .grace_period(Duration::from_millis(30))
    ///     .run(async {
    ///         taskscope::spawn(std::future::pending::<()>()).expect("in the scope");
    ///     })
    ///     .await;
    /// assert!(stubborn.is_err());
    /// assert_eq!(started.elapsed(), Duration::from_millis(80)); // deadline, then the grace
    /// # }
    /// ```
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace = Some(grace);
        self
    }

    /// Runs `future` under the deadline: its output, or [`Elapsed`] if the
    /// deadline passed before it and the children it started had finished
    /// (a value it returned is then dropped).
    ///
    /// The scope is built here, nested in the scope current at this call.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let timeout = taskscope::time::Timeout::after(Duration::from_millis(10));
    /// let probe = timeout.run(tokio::time::sleep(Duration::from_secs(1))).await;
    /// assert!(probe.is_err());
    /// # }
    /// ```
    #[track_caller]
    pub fn run<F: Future>(self, future: F) -> impl Future<Output = Result<F::Output, Elapsed>> {
        let deadline = self.deadline;
        let (scope, enclosing) = self.scope();
        async move {
            let Bounded { output, outcome } = scope.run_bounded(future, |_| false).await;
            let elapsed = matches!(&outcome, Err(error) if error.is_elapsed());
            hand_over(&enclosing, outcome);
            match output {
                Some(output) if !elapsed => Ok(output),
                _ => Err(Elapsed { deadline }),
            }
        }
    }

    /// Runs `future` under the deadline, as [`run`](Timeout::run) does, and
    /// yields `None` instead of an error if the deadline passed first: for
    /// work that is optional (Trio's `move_on_after`).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let hint = taskscope::time::Timeout::after(Duration::from_millis(10))
    ///     .move_on(async { tokio::time::sleep(Duration::from_secs(1)).await; "hint" })
    ///     .await;
    /// assert_eq!(hint, None);
    /// # }
    /// ```
    #[track_caller]
    pub fn move_on<F: Future>(self, future: F) -> impl Future<Output = Option<F::Output>> {
        let run = self.run(future);
        async move { run.await.ok() }
    }

    #[track_caller]
    fn scope(self) -> (TaskScope, Enclosing) {
        let enclosing = Enclosing::current();
        let builder = TaskScope::builder()
            .name("taskscope::timeout")
            .deadline(self.deadline);
        let builder = match self.grace {
            Some(grace) => builder.grace_period(grace),
            None => builder,
        };
        (builder.build(), enclosing)
    }
}

/// About thirty years: the deadline of a duration too long for the clock.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// Gives the children's failures to the enclosing scope, or panics with
/// them when there is none.
fn hand_over(enclosing: &Enclosing, outcome: Result<(), crate::ScopeError>) {
    if let Err(error) = enclosing.adopt(outcome) {
        panic!(
            "{error} (a child of a taskscope::timeout outside any scope failed: there is no \
             enclosing scope to report it to; spawn fallible work inside a TaskScope)"
        );
    }
}

/// Runs `future` with a deadline `duration` from now, for the future and
/// for every child it starts: `Ok` with its output, or [`Elapsed`] once
/// everything it started has ended. Children that ignore the cancellation
/// are aborted at the deadline; [`Timeout::grace_period`] gives them time.
/// See [`Timeout`] for where the failures of its children go.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let started = tokio::time::Instant::now();
/// let status = taskscope::timeout(Duration::from_millis(50), async {
///     // A health probe hung in a dependency, that never checks for cancellation.
///     taskscope::spawn(std::future::pending::<()>()).expect("inside the timeout's scope");
///     tokio::time::sleep(Duration::from_secs(5)).await;
/// })
/// .await;
/// assert!(status.is_err());
/// assert_eq!(started.elapsed(), Duration::from_millis(50)); // and the probe has ended
/// # }
/// ```
#[track_caller]
pub fn timeout<F: Future>(
    duration: Duration,
    future: F,
) -> impl Future<Output = Result<F::Output, Elapsed>> {
    Timeout::after(duration).run(future)
}

/// [`timeout`] with a deadline at `deadline`.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let deadline = tokio::time::Instant::now() + Duration::from_millis(10);
/// let done = taskscope::time::timeout_at(deadline, async { "quick" }).await;
/// assert_eq!(done, Ok("quick"));
/// # }
/// ```
#[track_caller]
pub fn timeout_at<F: Future>(
    deadline: Instant,
    future: F,
) -> impl Future<Output = Result<F::Output, Elapsed>> {
    Timeout::at(deadline).run(future)
}

/// Runs `future` with a deadline `duration` from now, as [`timeout`] does,
/// and yields `None` if the deadline passed first.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let warm = taskscope::move_on_after(Duration::from_millis(10), async { "warmed" }).await;
/// assert_eq!(warm, Some("warmed"));
/// let cold = taskscope::move_on_after(Duration::from_millis(10), std::future::pending::<()>()).await;
/// assert_eq!(cold, None);
/// # }
/// ```
#[track_caller]
pub fn move_on_after<F: Future>(
    duration: Duration,
    future: F,
) -> impl Future<Output = Option<F::Output>> {
    Timeout::after(duration).move_on(future)
}
