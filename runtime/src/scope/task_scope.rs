//! `TaskScope`: the owner of a scope, the one value that can join it.

use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Weak};

use super::ChildCounts;
use super::bounded::result_of;
use super::builder::ScopeBuilder;
use super::child::ChildInfo;
use super::handle::ScopeHandle;
use super::limit::{Reservation, take_slot};
use super::output::{AsValue, Outcome};
use super::phase::{OwnerShares, Phase, Phases};
use super::shared::ScopeShared;
use super::task_builder::OwnerTaskBuilder;
use super::task_handle::TaskHandle;
use crate::ScopeError;
use crate::cancel::Cancellation;

/// Owns a set of child tasks: none outlives it.
///
/// Children are spawned with [`spawn`](TaskScope::spawn) (and its blocking,
/// local and background variants) and run concurrently on the current tokio
/// runtime, each with this scope as its *current scope*, so that helper
/// functions can use [`taskscope::spawn`](crate::spawn) and
/// [`taskscope::cancelled`](crate::cancelled) without a handle.
///
/// [`join`](TaskScope::join) waits for every child. A child's failure (an
/// `Err` output or a panic) cancels the siblings (unless the scope
/// [supervises](crate::scope::ScopeBuilder::supervise)); `join` returns the failures
/// as a [`ScopeError`] and resumes a child's panic in the parent.
///
/// Cancellation is cooperative first: [`cancel`](TaskScope::cancel) wakes
/// every [`cancelled`](TaskScope::cancelled) future of this scope and of the
/// scopes nested in its children, and `join` then gives the children a
/// [grace period](crate::scope::ScopeBuilder::grace_period) (one second unless
/// configured) before it aborts the ones still running.
///
/// **Dropping a scope that was not joined** (for instance because the future
/// that owned it was dropped by a `timeout`) cancels it and aborts every child
/// at once: there is no asynchronous drop, so children get no grace period,
/// and failures they had already reported are discarded. Prefer `join`.
/// tokio stops an aborted child shortly after the drop; the scope this one is
/// nested in (if any) does not finish before that.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let fetch = scope.spawn(async { Ok::<_, std::io::Error>("page") });
/// scope.spawn(async {
///     taskscope::cancelled().await; // a loop's cancellation arm, in miniature
/// });
/// assert_eq!(fetch.await, Ok("page"));
/// scope.cancel();
/// scope.join().await.expect("nothing failed");
/// # }
/// ```
pub struct TaskScope {
    pub(super) shared: Arc<ScopeShared>,
    pub(super) shares: OwnerShares,
}

impl TaskScope {
    /// A scope with the default configuration. Inside another scope (in a
    /// child, or the body of [`run`](TaskScope::run)) it is nested in that
    /// scope: cancelling the outer scope cancels this one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outer = taskscope::TaskScope::new();
    /// outer.spawn(async {
    ///     let inner = taskscope::TaskScope::new(); // nested in `outer`
    ///     inner.spawn(async { taskscope::cancelled().await });
    ///     inner.join().await
    /// });
    /// outer.cancel(); // reaches the grandchild
    /// outer.join().await.expect("cancellation is not a failure");
    /// # }
    /// ```
    #[track_caller]
    pub fn new() -> Self {
        ScopeBuilder::new().build()
    }

    /// A root scope with the default configuration, nested in no other
    /// even inside one: see [`ScopeBuilder::root`].
    ///
    /// ```
    /// struct Client {
    ///     scope: taskscope::TaskScope, // the connection task lives as long as the client
    /// }
    ///
    /// impl Client {
    ///     fn new() -> Self {
    ///         let scope = taskscope::TaskScope::root();
    ///         scope.spawn_background(async { taskscope::cancelled().await });
    ///         Client { scope }
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = Client::new();
    /// assert!(!client.scope.is_cancelled());
    /// drop(client); // aborts the connection task
    /// # }
    /// ```
    #[track_caller]
    pub fn root() -> Self {
        ScopeBuilder::new().root().build()
    }

    /// Configures a scope: name, concurrency limit, deadline, policy, grace
    /// period.
    ///
    /// ```
    /// use std::{num::NonZeroUsize, time::Duration};
    ///
    /// let scope = taskscope::TaskScope::builder()
    ///     .name("crawler")
    ///     .limit(NonZeroUsize::new(8).expect("8 is not zero"))
    ///     .timeout(Duration::from_secs(30))
    ///     .supervise()
    ///     .build();
    /// assert_eq!(scope.name(), Some("crawler"));
    /// ```
    pub fn builder() -> ScopeBuilder {
        ScopeBuilder::new()
    }

    /// Cancels the scope and aborts its children at once, without a grace
    /// period: what a race does to its losers.
    pub(crate) fn abort_children(&self) {
        self.shared.signal.cancel();
        self.shared.give_up_waiting();
    }

    /// A scope built by `builder`, nested in this one wherever it is built.
    pub(crate) fn nest(&self, builder: ScopeBuilder, location: &'static Location<'static>) -> Self {
        builder.build_within(location, Some(&self.shared))
    }

    pub(crate) fn from_shared(shared: Arc<ScopeShared>) -> Self {
        let shares = Phases::open(&shared);
        TaskScope { shared, shares }
    }

    /// The scope's name, if it was given one.
    ///
    /// ```
    /// assert_eq!(taskscope::TaskScope::new().name(), None);
    /// let scope = taskscope::TaskScope::builder().name("indexer").build();
    /// assert_eq!(scope.name(), Some("indexer"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.shared.name()
    }

    /// Spawns a child on the current tokio runtime.
    ///
    /// The child's output is classified by [`Outcome`]: an `Err` is a
    /// failure of the scope; a value goes to the returned handle. To keep an
    /// `Err` as the handle's value, use [`spawn_value`](TaskScope::spawn_value).
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let doubled = scope.spawn(async { 21u64 * 2 });
    /// assert_eq!(doubled.await, Ok(42));
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&self, future: F) -> TaskHandle<T>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = self.shares.share(Phase::Foreground);
        let child = self.shared.admitted(share, info, None);
        self.shared.launch(child, future)
    }

    /// Spawns a child whose output, whatever it is, is a value for its
    /// handle: an `Err` it returns is the handle's to look at, not a failure
    /// of the scope (a health probe whose error is the answer). A panic is
    /// still a failure of the scope. The handle yields what
    /// `tokio::spawn`'s would, so `Ok(Ok(..))` / `Ok(Err(..))` matches carry
    /// over unchanged; any output type will do, with no [`TaskOutput`]
    /// impl.
    ///
    /// [`TaskOutput`]: crate::task::TaskOutput
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let probe = scope.spawn_value(async { Err::<u32, _>("database unreachable") });
    /// match probe.await {
    ///     Ok(Ok(latency)) => println!("healthy in {latency} ms"),
    ///     Ok(Err(reason)) => assert_eq!(reason, "database unreachable"),
    ///     Err(task_error) => panic!("the probe did not finish: {task_error}"),
    /// }
    /// scope.join().await.expect("a probe's Err is not a failure of the scope");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_value<F>(&self, future: F) -> TaskHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn(AsValue::new(future))
    }

    /// Spawns a background child: it does not keep the scope open. Once the
    /// foreground children are done and the owner is joining, the scope is
    /// cancelled and the background children are joined (with the grace
    /// period). A metrics loop beside a server is the typical one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn_background(async {
    ///     loop {
    ///         tokio::select! {
    ///             _ = taskscope::cancelled() => break,
    ///             _ = tokio::time::sleep(std::time::Duration::from_millis(10)) => { /* report */ }
    ///         }
    ///     }
    /// });
    /// scope.spawn(async { /* serve one request */ });
    /// scope.join().await.expect("the metrics loop stops when the work is done");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_background<F, T>(&self, future: F) -> TaskHandle<T>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let info = ChildInfo::new(None, Phase::Background, Location::caller());
        let share = self.shares.share(Phase::Background);
        let child = self.shared.admitted(share, info, None);
        self.shared.launch(child, future)
    }

    /// [`spawn`](TaskScope::spawn), reported as spawned at `location`.
    pub(crate) fn spawn_at<F, T>(
        &self,
        location: &'static Location<'static>,
        future: F,
    ) -> TaskHandle<T>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let info = ChildInfo::Plain(location);
        let share = self.shares.share(Phase::Foreground);
        let child = self.shared.admitted(share, info, None);
        self.shared.launch(child, future)
    }

    /// [`spawn_background`](TaskScope::spawn_background), reported as
    /// spawned at `location`.
    pub(crate) fn spawn_background_at<F, T>(
        &self,
        location: &'static Location<'static>,
        future: F,
    ) -> TaskHandle<T>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let info = ChildInfo::new(None, Phase::Background, location);
        let share = self.shares.share(Phase::Background);
        let child = self.shared.admitted(share, info, None);
        self.shared.launch(child, future)
    }

    /// Runs blocking work on tokio's blocking pool as a child of this scope.
    ///
    /// Blocking work cannot be aborted once it runs; cancellation reaches it
    /// only if it checks [`ScopeHandle::is_cancelled`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let sum = scope.spawn_blocking(|| (1..=100u64).sum::<u64>());
    /// assert_eq!(sum.await, Ok(5050));
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, O, T>(&self, work: F) -> TaskHandle<T>
    where
        F: FnOnce() -> O + Send + 'static,
        O: Outcome<T>,
        T: Send + 'static,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = self.shares.share(Phase::Foreground);
        self.shared.spawn_blocking_admitted(share, info, work)
    }

    /// Spawns a `!Send` child on the current [`LocalSet`](tokio::task::LocalSet).
    ///
    /// # Panics
    ///
    /// Outside a `LocalSet`, as `tokio::task::spawn_local` does.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// tokio::task::LocalSet::new().run_until(async {
    ///     let scope = taskscope::TaskScope::new();
    ///     let shared = Rc::new(5);
    ///     let child = scope.spawn_local(async move { *shared + 1 });
    ///     assert_eq!(child.await, Ok(6));
    ///     scope.join().await.expect("nothing failed");
    /// }).await;
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_local<F, T>(&self, future: F) -> TaskHandle<T>
    where
        F: Future + 'static,
        F::Output: Outcome<T>,
        T: 'static,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = self.shares.share(Phase::Foreground);
        self.shared.spawn_local_admitted(share, info, future)
    }

    /// Starts a child with more options (a name, background). Its spawns
    /// cannot fail: the owner holds the scope open.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.task_builder().name("loader").spawn(async { Err::<(), _>("no such file") });
    /// let error = scope.join().await.expect_err("the loader failed");
    /// assert_eq!(error.first().and_then(|f| f.task().name()), Some("loader"));
    /// # }
    /// ```
    pub fn task_builder(&self) -> OwnerTaskBuilder<'_> {
        OwnerTaskBuilder::new(&self.shared, &self.shares)
    }

    /// Waits for a free slot of the scope's [`limit`](ScopeBuilder::limit)
    /// and holds it for the next spawn: backpressure for a producer that
    /// must not queue unboundedly many children. Without a limit it is ready
    /// at once. Fails if the scope is cancelled while waiting.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder()
    ///     .limit(NonZeroUsize::new(2).expect("2 is not zero"))
    ///     .build();
    /// for job in 0..10u64 {
    ///     // At most 2 children exist at a time; the loop waits for a slot.
    ///     let slot = scope.reserve().await.expect("not cancelled");
    ///     slot.spawn(async move { job * 2 });
    /// }
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub async fn reserve(&self) -> Result<Reservation<'_>, crate::Cancelled> {
        let permit = match self.shared.limit() {
            None => None,
            Some(limit) => Some(
                take_slot(limit, &self.shared.signal)
                    .await
                    .ok_or(crate::Cancelled)?,
            ),
        };
        Ok(Reservation::from_owner(self, permit))
    }

    /// A slot of the scope's limit if one is free right now (a
    /// [`Reservation`] that spawns without waiting), `None` otherwise:
    /// errgroup's `TryGo`, for a producer that sheds load instead of
    /// queueing it. Without a limit there is always one.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().limit(NonZeroUsize::MIN).build();
    /// let first = scope.try_reserve().expect("the slot is free");
    /// assert!(scope.try_reserve().is_none(), "the only slot is reserved");
    /// first.spawn(async {});
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn try_reserve(&self) -> Option<Reservation<'_>> {
        let permit = match self.shared.limit() {
            None => None,
            Some(limit) => Some(limit.try_take()?),
        };
        Some(Reservation::from_owner(self, permit))
    }

    /// A cloneable, `Send` handle to spawn into and cancel this scope from
    /// other tasks. Spawning through it after the scope closed is an error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// scope.join().await.expect("nothing to wait for");
    /// assert_eq!(handle.spawn(async {}).err(), Some(taskscope::Closed));
    /// # }
    /// ```
    pub fn handle(&self) -> ScopeHandle {
        ScopeHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Cancels the scope: every `cancelled()` future of it, and of the scopes
    /// nested in its children, completes. Children are not aborted here;
    /// [`join`](TaskScope::join) aborts those still running after the grace
    /// period. Cancellation by the owner is not a failure.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let worker = scope.spawn(async {
    ///     taskscope::cancelled().await;
    ///     "wound down" // cooperative: the child chooses how to end
    /// });
    /// scope.cancel();
    /// assert_eq!(worker.await, Ok("wound down"));
    /// scope.join().await.expect("cancelling is not a failure");
    /// # }
    /// ```
    pub fn cancel(&self) {
        self.shared.signal.cancel();
    }

    /// Whether the scope was cancelled (by its owner, a failure, a deadline
    /// or an enclosing scope).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// assert!(!scope.is_cancelled());
    /// scope.spawn(async { Err::<(), _>("boom") });
    /// tokio::task::yield_now().await;
    /// assert!(scope.is_cancelled()); // a failure cancels a fail-fast scope
    /// # scope.join().await.expect_err("the child failed");
    /// # }
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.shared.signal.is_cancelled()
    }

    /// Completes when the scope is cancelled.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.cancel();
    /// scope.cancelled().await;
    /// assert!(scope.is_cancelled());
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub async fn cancelled(&self) {
        self.shared.signal.cancelled().await;
    }

    /// How many children are alive right now, foreground and background.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(std::future::pending::<()>());
    /// let alive = scope.children();
    /// assert_eq!((alive.foreground(), alive.background()), (1, 0));
    /// scope.cancel();
    /// # }
    /// ```
    pub fn children(&self) -> ChildCounts {
        self.shared.children_alive()
    }

    /// Waits for every child, then closes the scope.
    ///
    /// Returns `Ok` if no child failed and the deadline (if any) did not
    /// pass; otherwise a [`ScopeError`] with every failure, first first. If a
    /// child panicked, `join` resumes the first panic in the caller once all
    /// children have finished (as `std::thread::scope` does); the other
    /// failures are then dropped.
    ///
    /// If the future returned by `join` is dropped before it completes, the
    /// scope is dropped with it: its children are aborted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// for n in 0..3 {
    ///     scope.spawn(async move { if n == 1 { Err("bad input") } else { Ok(n) } });
    /// }
    /// let error = scope.join().await.expect_err("child 1 failed");
    /// assert_eq!(error.downcast_ref::<&str>(), Some(&"bad input"));
    /// # }
    /// ```
    pub async fn join(mut self) -> Result<(), ScopeError> {
        self.shared.settle(&mut self.shares).await;
        self.shared.outcome()
    }

    /// Runs `body` with this scope as the current scope, then joins it: the
    /// whole life of a scope in one call, as a `#[scoped]` function uses it.
    ///
    /// - `body` returns `Ok`: the children are joined; their failures become
    ///   the result through `E: From<ScopeError>`.
    /// - `body` returns `Err`: the scope is cancelled and joined, and the
    ///   body's error is returned (the children's errors, fallout of the
    ///   cancellation, are dropped; a child's panic is still resumed).
    /// - `body` panics: the scope is cancelled and joined, then the panic is
    ///   resumed.
    /// - the deadline passes: `body` is dropped, the scope is cancelled and
    ///   joined, and the result is an elapsed `ScopeError`.
    ///
    /// ```
    /// #[derive(Debug)]
    /// enum AppError { Scope(taskscope::ScopeError), Config }
    /// impl From<taskscope::ScopeError> for AppError {
    ///     fn from(error: taskscope::ScopeError) -> Self { AppError::Scope(error) }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let started = taskscope::TaskScope::new().run(async {
    ///     taskscope::spawn(async { taskscope::cancelled().await }).expect("inside the scope");
    ///     Err::<(), _>(AppError::Config) // start-up fails half way
    /// }).await;
    /// assert!(matches!(started, Err(AppError::Config))); // and nothing is left running
    ///
    /// let served = taskscope::TaskScope::new().run(async {
    ///     taskscope::spawn(async { Err::<(), _>("a child failed") }).expect("inside the scope");
    ///     Ok::<_, AppError>("served")
    /// }).await;
    /// assert!(matches!(served, Err(AppError::Scope(error)) if error.failures().len() == 1));
    /// # }
    /// ```
    pub async fn run<T, E, F>(self, body: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
        E: From<ScopeError>,
    {
        result_of(self.run_bounded(body, Result::is_err).await, E::from)
    }
}

impl Default for TaskScope {
    fn default() -> Self {
        TaskScope::new()
    }
}

impl std::fmt::Debug for TaskScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskScope")
            .field("name", &self.name())
            .field("children", &self.children())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Drop for TaskScope {
    /// A scope dropped without being joined cancels its token and aborts its
    /// children at once (no asynchronous drop exists, so there is no grace).
    fn drop(&mut self) {
        if self.shared.phases.all_ended() {
            return; // joined
        }
        let enclosing = self
            .shared
            .parent
            .as_ref()
            .and_then(Weak::upgrade)
            .and_then(|parent| parent.phases.keep_open());
        self.shared.phases.close(enclosing);
        self.shared.signal.cancel();
        self.shared.abort_all();
    }
}

impl From<&TaskScope> for Cancellation {
    fn from(scope: &TaskScope) -> Self {
        Cancellation::from_signal(Arc::clone(&scope.shared.signal))
    }
}
