//! `ScopeBuilder`: configuring a scope (name, limit, deadline, failure
//! policy, grace period) and building it, nested in the current scope or not.

use std::num::NonZeroUsize;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::current::with_current_scope;
use super::error::Failure;
use super::limit::Limit;
use super::shared::{FailureHook, ScopeConfig, ScopeShared};
use super::task_scope::TaskScope;
use crate::cancel::CancelSignal;
use crate::registry::ScopeOrigin;

/// How long `join` lets cancelled children finish on their own before it
/// aborts them, unless configured.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let stubborn = scope.spawn(std::future::pending::<()>()); // ignores cancellation
/// scope.cancel();
/// let started = tokio::time::Instant::now();
/// scope.join().await.expect("cancellation is not a failure");
/// assert_eq!(started.elapsed(), taskscope::scope::DEFAULT_GRACE_PERIOD);
/// assert_eq!(stubborn.await, Err(taskscope::TaskError::Aborted));
/// # }
/// ```
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(1);

/// What a child's failure does to its siblings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum FailurePolicy {
    /// The first failure cancels the scope (the default).
    #[default]
    FailFast,
    /// Failures are collected; siblings keep running.
    Supervise,
}

/// Configures a [`TaskScope`]; made by [`TaskScope::builder`].
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let scope = taskscope::TaskScope::builder()
///     .name("health-update")
///     .timeout(Duration::from_secs(1))
///     .build();
/// scope.spawn(std::future::pending::<()>()); // an update that hangs
/// let error = scope.join().await.expect_err("the deadline passed");
/// assert!(error.is_elapsed());
/// # }
/// ```
#[derive(Debug, Default)]
#[must_use = "a ScopeBuilder does nothing until `build` is called"]
pub struct ScopeBuilder {
    name: Option<Arc<str>>,
    policy: FailurePolicy,
    on_failure: Option<FailureHook>,
    limit: Option<NonZeroUsize>,
    deadline: Option<Instant>,
    grace: Option<Duration>,
    root: bool,
}

impl ScopeBuilder {
    pub(crate) fn new() -> Self {
        ScopeBuilder::default()
    }

    /// Names the scope (shown in its errors).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().name("ingest").build();
    /// assert_eq!(scope.name(), Some("ingest"));
    /// scope.spawn(async { Err::<(), _>("malformed row") });
    /// let error = scope.join().await.expect_err("the child failed");
    /// assert_eq!(error.scope_name(), Some("ingest"));
    /// # }
    /// ```
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// At most `n` children run at once. Further children wait for a slot
    /// (a child cancelled while it waits never starts); the slot is given back
    /// on every exit, panic and abort included. Use
    /// [`TaskScope::reserve`] to wait for a slot before spawning.
    ///
    /// Background children ([`TaskScope::spawn_background`]) take no slot:
    /// they end only once the foreground work is done, so a slot one of them
    /// held could be the one that work waits for, and `join` would never
    /// return.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().limit(NonZeroUsize::MIN).build();
    /// let (release, hold) = tokio::sync::oneshot::channel::<()>();
    /// scope.spawn(async move { hold.await.ok(); }); // takes the only slot
    /// let second = scope.spawn(async { "second" });
    /// tokio::task::yield_now().await;
    /// assert!(!second.is_finished()); // waiting for the slot
    /// release.send(()).expect("the first child is waiting");
    /// assert_eq!(second.await, Ok("second"));
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn limit(mut self, n: NonZeroUsize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Cancels the scope at `deadline`; its `join` then reports an elapsed
    /// [`ScopeError`](crate::ScopeError). The deadline is kept while the
    /// owner is in [`TaskScope::join`] or [`TaskScope::run`].
    ///
    /// A deadline is a bound, not a request: the children still running
    /// when it passes are aborted at once, unless a
    /// [`grace_period`](ScopeBuilder::grace_period) was set on this builder
    /// (an inherited or default grace period does not hold it off), so
    /// `join` returns at the deadline whatever the children do.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let deadline = Instant::now() + Duration::from_secs(5);
    /// let scope = taskscope::TaskScope::builder().deadline(deadline).build();
    /// let slow = scope.spawn(tokio::time::sleep(Duration::from_secs(60)));
    /// let error = scope.join().await.expect_err("the deadline passed first");
    /// assert!(error.is_elapsed());
    /// assert_eq!(Instant::now(), deadline); // no grace period after it
    /// assert_eq!(slow.await, Err(taskscope::TaskError::Aborted));
    /// # }
    /// ```
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// A [`deadline`](Self::deadline) `timeout` from now.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let started = tokio::time::Instant::now();
    /// let scope = taskscope::TaskScope::builder().timeout(Duration::from_secs(2)).build();
    /// scope.spawn(async { taskscope::cancelled().await }); // ends when the deadline cancels the scope
    /// let error = scope.join().await.expect_err("timed out");
    /// assert!(error.is_elapsed());
    /// assert_eq!(started.elapsed(), Duration::from_secs(2));
    /// # }
    /// ```
    pub fn timeout(self, timeout: Duration) -> Self {
        let deadline = Instant::now() + timeout;
        self.deadline(deadline)
    }

    /// Failures are collected; siblings keep running. Without it a scope is
    /// fail-fast: the first failure cancels the siblings.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().supervise().build();
    /// scope.spawn(async { Err::<(), _>("first") });
    /// scope.spawn(async { Err::<(), _>("second") });
    /// let sibling = scope.spawn(async { tokio::task::yield_now().await; taskscope::is_cancelled() });
    /// assert_eq!(sibling.await, Ok(false)); // the failures did not cancel it
    /// let error = scope.join().await.expect_err("two children failed");
    /// assert_eq!(error.failures().len(), 2);
    /// # }
    /// ```
    pub fn supervise(mut self) -> Self {
        self.policy = FailurePolicy::Supervise;
        self
    }

    /// Hands every child's error to `hook` as it happens, and keeps none:
    /// "log it and go on", for a long-lived scope such as a server's, whose
    /// connections fail now and then. Implies
    /// [`supervise`](ScopeBuilder::supervise): a failure cancels nothing.
    /// `join` then reports no failures (only a deadline that cut work off),
    /// and still resumes a child's panic, which is a bug, not an outcome.
    ///
    /// Without a hook a scope keeps the first
    /// [`MAX_KEPT_FAILURES`](crate::scope::MAX_KEPT_FAILURES) errors for
    /// `join` and counts the rest, so its memory stays bounded either way.
    /// A failed child's handle says [`Failed`](crate::TaskError::Failed)
    /// either way; the error itself is in one place only.
    ///
    /// The hook runs on the failing child's thread, as the child ends; a
    /// panic in it is recorded as a panic of a child.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let logged = Arc::clone(&log);
    /// let server = taskscope::TaskScope::builder()
    ///     .on_failure(move |failure| logged.lock().expect("not poisoned").push(failure.to_string()))
    ///     .build();
    /// server.spawn(async { Err::<(), _>("connection reset") });
    /// let next = server.spawn(async { "served" });
    /// assert_eq!(next.await, Ok("served")); // the failure cancelled nothing
    /// server.join().await.expect("the hook took the failure");
    /// assert_eq!(log.lock().expect("not poisoned").len(), 1);
    /// # }
    /// ```
    pub fn on_failure(mut self, hook: impl Fn(Failure) + Send + Sync + 'static) -> Self {
        self.policy = FailurePolicy::Supervise;
        self.on_failure = Some(FailureHook(Arc::new(hook)));
        self
    }

    /// How long `join` waits for cancelled children to finish on their own
    /// before aborting them. Unless set, a nested scope takes the grace
    /// period of the scope it is nested in, and a root scope
    /// [`DEFAULT_GRACE_PERIOD`].
    ///
    /// Grace, deadline and abort meet like this: a deadline (or any other
    /// cancellation) starts the grace period; when it runs out, the children
    /// still running are aborted. A nested scope's children can have no
    /// more than what is left of the enclosing scope's grace: when that one
    /// runs out, the enclosing scope aborts the child that owns the nested
    /// scope, which drops it and aborts its children at once.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder()
    ///     .grace_period(Duration::from_millis(50))
    ///     .build();
    /// let slow_cleanup = scope.spawn(async {
    ///     taskscope::cancelled().await;
    ///     tokio::time::sleep(Duration::from_secs(10)).await; // too slow to wind down
    /// });
    /// scope.cancel();
    /// let started = tokio::time::Instant::now();
    /// scope.join().await.expect("cancellation is not a failure");
    /// assert_eq!(started.elapsed(), Duration::from_millis(50));
    /// assert_eq!(slow_cleanup.await, Err(taskscope::TaskError::Aborted));
    /// # }
    /// ```
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace = Some(grace);
        self
    }

    /// Makes a root scope, nested in no other: for an object that owns its
    /// tasks and outlives the call that builds it (a pool and its reaper, a
    /// client and its connection task, a server until shutdown). Cancelling,
    /// failing or dropping the scope that was current where it was built
    /// does not reach it; its owner joins it, or drops it to abort what it
    /// still runs.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let request = taskscope::TaskScope::new();
    /// let pool = request.spawn_value(async {
    ///     // Built while serving one request, it lives on after it.
    ///     let pool = taskscope::TaskScope::builder().name("pool").root().build();
    ///     pool.spawn_background(async { taskscope::cancelled().await }); // its reaper
    ///     pool
    /// });
    /// request.cancel();
    /// request.join().await.expect("cancelled, not failed");
    /// let pool = pool.await.expect("the request's child returned the pool");
    /// assert!(!pool.is_cancelled()); // the request's end did not reach it
    /// pool.join().await.expect("the reaper stopped when asked");
    /// # }
    /// ```
    pub fn root(mut self) -> Self {
        self.root = true;
        self
    }

    /// The scope: nested in the current scope if there is one (cancelling
    /// that one cancels this one), a root otherwise or if
    /// [`root`](ScopeBuilder::root) was asked for.
    ///
    /// A nested scope stays nested wherever it is moved: returned out of
    /// the child that built it, it is still cancelled with the scope it was
    /// built in (also when that scope's background shutdown begins), and if
    /// it is dropped unjoined that scope waits for its aborted children.
    /// A scope that should live longer than the one it is built in is a
    /// root.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let root = taskscope::TaskScope::builder().name("root").build(); // no current scope
    /// let child = root.spawn(async {
    ///     let inner = taskscope::TaskScope::builder().name("inner").build(); // nested in `root`
    ///     inner.cancelled().await; // completes when `root` is cancelled
    ///     inner.is_cancelled()
    /// });
    /// root.cancel();
    /// assert_eq!(child.await, Ok(true));
    /// # root.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn build(self) -> TaskScope {
        self.build_at(Location::caller())
    }

    /// [`build`](ScopeBuilder::build), the scope reported as built at
    /// `location`.
    pub(crate) fn build_at(self, location: &'static Location<'static>) -> TaskScope {
        let root = self.root;
        with_current_scope(|current| self.build_within(location, current.filter(|_| !root)))
    }

    /// The scope, nested in `enclosing` (a root if `None`).
    pub(crate) fn build_within(
        self,
        location: &'static Location<'static>,
        enclosing: Option<&Arc<ScopeShared>>,
    ) -> TaskScope {
        let (signal, origin, parent, inherited_grace) = match enclosing {
            Some(parent) => (
                CancelSignal::nested_in(&parent.signal),
                ScopeOrigin::here(location, Some(parent.origin.id)),
                Some(Arc::downgrade(parent)),
                Some(parent.config.grace),
            ),
            None => (
                CancelSignal::root(),
                ScopeOrigin::here(location, None),
                None,
                None,
            ),
        };
        let limit = self.limit.map(|n| Arc::new(Limit::new(n.get())));
        let config = ScopeConfig {
            name: self.name,
            policy: self.policy,
            on_failure: self.on_failure,
            limit,
            deadline: self.deadline,
            grace_is_explicit: self.grace.is_some(),
            grace: self
                .grace
                .or(inherited_grace)
                .unwrap_or(DEFAULT_GRACE_PERIOD),
        };
        TaskScope::from_shared(ScopeShared::new(signal, config, origin, parent))
    }
}
