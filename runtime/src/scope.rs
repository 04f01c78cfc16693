//! `TaskScope`: owns its children, joins them, cancels them, reports their
//! failures.

use std::any::Any;
use std::future::{poll_fn, Future};
use std::panic::Location;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::builder::{Policy, ScopeBuilder};
use crate::cancel::CancelSignal;
use crate::clock::Now;
use crate::error::{Closed, Failure, ScopeError, TaskInfo};
use crate::handle::ScopeHandle;
use crate::launch;
use crate::output::{ChildError, TaskOutput};
use crate::phase::{ChildKind, OwnerShares, Phase, Phases};
use crate::registry::{ScopeOrigin, ScopeSnapshot, TaskSnapshot};
use crate::sync::lock;
use crate::task::{ChildGuard, ChildInfo, ChildTask, Started, TaskHandle};

/// A failure as the scope records it: a child's error, or its panic, which
/// `join` resumes in the parent instead of returning it.
pub(crate) enum Recorded {
    Error(ChildError),
    Panic(Box<dyn Any + Send>),
}

/// How a scope was configured.
pub(crate) struct ScopeConfig {
    pub(crate) name: Option<Arc<str>>,
    pub(crate) policy: Policy,
    pub(crate) limit: Option<Arc<Semaphore>>,
    pub(crate) deadline: Option<Instant>,
    pub(crate) grace: Duration,
}

/// One child as its scope keeps it: the way to abort it, and what the
/// registry shows of it.
struct ChildEntry {
    abort: AbortHandle,
    info: ChildInfo,
    /// Milliseconds from the scope's creation to the child's spawn: four
    /// bytes where an `Instant` takes sixteen, for every child.
    started_ms: u32,
}

/// The children, touched only by spawners, the joiner and the registry.
/// Finished children are swept out whenever the list has doubled since the
/// last sweep, so a long-lived scope holds on to no finished task's memory
/// for long, at an amortised constant cost per spawn. A sweep that could not
/// halve the list (most children are still alive, as in a burst of spawns) is
/// skipped: it would read every child's task header, cold in the cache, for
/// little gain.
struct ChildList {
    entries: Vec<ChildEntry>,
    sweep_at: usize,
    /// Set once the grace period ran out (or the owner dropped the scope).
    aborting: bool,
}

const FIRST_SWEEP: usize = 64;

impl ChildList {
    /// Adds a child to a scope with `alive` children (counting it).
    fn push(&mut self, entry: ChildEntry, alive: impl FnOnce() -> usize) {
        if self.entries.len() >= self.sweep_at {
            if alive() * 2 <= self.entries.len() {
                self.entries.retain(|entry| !entry.abort.is_finished());
            }
            self.sweep_at = (self.entries.len() * 2).max(FIRST_SWEEP);
        }
        self.entries.push(entry);
    }
}

/// The part of a scope its children and handles share.
pub(crate) struct ScopeShared {
    pub(crate) phases: Phases,
    pub(crate) signal: Arc<CancelSignal>,
    deadline_passed: AtomicBool,
    children: Mutex<ChildList>,
    failures: Mutex<Vec<(TaskInfo, Recorded)>>,
    config: ScopeConfig,
    origin: ScopeOrigin,
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl ScopeShared {
    pub(crate) fn new(
        signal: Arc<CancelSignal>,
        config: ScopeConfig,
        origin: ScopeOrigin,
    ) -> Arc<Self> {
        let scope = Arc::new(ScopeShared {
            phases: Phases::new(),
            signal,
            deadline_passed: AtomicBool::new(false),
            children: Mutex::new(ChildList {
                entries: Vec::new(),
                sweep_at: FIRST_SWEEP,
                aborting: false,
            }),
            failures: Mutex::new(Vec::new()),
            #[cfg(feature = "tracing")]
            span: tracing::debug_span!(
                "taskscope.scope",
                scope.name = config.name.as_deref(),
                scope.location = %origin.location,
            ),
            config,
            origin,
        });
        crate::registry::register(&scope);
        scope
    }

    pub(crate) fn record_failure(&self, task: TaskInfo, failure: Recorded) {
        lock(&self.failures).push((task, failure));
        if self.config.policy == Policy::FailFast {
            self.signal.cancel();
        }
    }

    fn track(&self, abort: AbortHandle, info: ChildInfo) {
        let mut children = lock(&self.children);
        if children.aborting {
            // Admitted after the scope gave up on its children (a straggler
            // spawning, say): it is aborted at once, or join could wait on it
            // for ever.
            abort.abort();
        }
        let entry = ChildEntry {
            abort,
            info,
            started_ms: self.origin.clock.stamp(),
        };
        children.push(entry, || {
            let (foreground, background) = self.phases.shares_held();
            foreground + background
        });
    }

    /// Aborts every child, and every child admitted from now on.
    fn abort_all(&self) {
        let mut children = lock(&self.children);
        children.aborting = true;
        for entry in &children.entries {
            entry.abort.abort();
        }
    }

    /// What the registry shows of this scope: `None` once it has closed and
    /// its last child is gone.
    pub(crate) fn snapshot(&self, now: Now) -> Option<ScopeSnapshot> {
        let cancelled = self.signal.is_cancelled();
        let tasks: Vec<TaskSnapshot> = lock(&self.children)
            .entries
            .iter()
            .filter(|entry| !entry.abort.is_finished())
            .map(|entry| {
                let task = entry.info.task_info();
                TaskSnapshot {
                    id: entry.abort.id(),
                    name: task.name().map(Arc::from),
                    location: task.location(),
                    age: self.origin.clock.age(entry.started_ms, now),
                    background: entry.info.kind() == ChildKind::Background,
                    blocking: entry.info.is_blocking(),
                    cancelled,
                    scopes: Vec::new(),
                }
            })
            .collect();
        if tasks.is_empty() && self.phases.is_closed() {
            return None;
        }
        let origin = &self.origin;
        Some(ScopeSnapshot {
            id: origin.id,
            name: self.config.name.clone(),
            location: origin.location,
            age: origin.clock.scope_age(now),
            cancelled,
            runtime: origin.runtime,
            tasks,
            scopes: Vec::new(),
            parent: origin
                .parent
                .as_ref()
                .and_then(Weak::upgrade)
                .map(|parent| parent.origin.id),
            created_in_task: origin.created_in_task,
        })
    }

    /// Spawns a child holding `share` on the current tokio runtime.
    pub(crate) fn spawn_admitted<F>(
        self: &Arc<Self>,
        share: Arc<Phase>,
        info: ChildInfo,
        permit: Option<OwnedSemaphorePermit>,
        future: F,
    ) -> TaskHandle<<F::Output as TaskOutput>::Success>
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
        <F::Output as TaskOutput>::Success: Send,
    {
        let guard = ChildGuard::new(share, info.clone());
        let join = match (&self.config.limit, permit) {
            (None, _) => launch::spawn(ChildTask::new(Started::new(future), guard), &info, self),
            (Some(_), Some(permit)) => launch::spawn(
                ChildTask::new(
                    async move {
                        let output = future.await;
                        drop(permit);
                        Some(output)
                    },
                    guard,
                ),
                &info,
                self,
            ),
            (Some(limit), None) => launch::spawn(
                ChildTask::new(
                    throttled(Arc::clone(limit), Arc::clone(&self.signal), future),
                    guard,
                ),
                &info,
                self,
            ),
        };
        let handle = TaskHandle::new(join);
        self.track(handle.abort_handle(), info);
        handle
    }

    pub(crate) fn spawn_local_admitted<F>(
        self: &Arc<Self>,
        share: Arc<Phase>,
        info: ChildInfo,
        future: F,
    ) -> TaskHandle<<F::Output as TaskOutput>::Success>
    where
        F: Future + 'static,
        F::Output: TaskOutput,
    {
        let guard = ChildGuard::new(share, info.clone());
        let join = match &self.config.limit {
            None => launch::spawn_local(ChildTask::new(Started::new(future), guard), &info, self),
            Some(limit) => launch::spawn_local(
                ChildTask::new(
                    throttled(Arc::clone(limit), Arc::clone(&self.signal), future),
                    guard,
                ),
                &info,
                self,
            ),
        };
        let handle = TaskHandle::new(join);
        self.track(handle.abort_handle(), info);
        handle
    }

    pub(crate) fn spawn_blocking_admitted<F, O>(
        self: &Arc<Self>,
        share: Arc<Phase>,
        info: ChildInfo,
        work: F,
    ) -> TaskHandle<O::Success>
    where
        F: FnOnce() -> O + Send + 'static,
        O: TaskOutput,
        O::Success: Send,
    {
        let info = info.blocking();
        let mut guard = ChildGuard::new(share, info.clone());
        let limit = self.config.limit.clone();
        let signal = Arc::clone(&self.signal);
        let join = launch::spawn_blocking(
            move || {
                let ended = guard.run_in_scope(|| {
                    let _permit = match limit {
                        Some(limit) => {
                            let slot = take_slot(limit, &signal);
                            Some(tokio::runtime::Handle::current().block_on(slot)?)
                        }
                        None => None,
                    };
                    Some(work())
                });
                guard.settle(ended)
            },
            &info,
            self,
        );
        let handle = TaskHandle::new(join);
        self.track(handle.abort_handle(), info);
        handle
    }

    /// Lets go of the owner's shares and waits until every child has
    /// finished: then both phases have ended and the scope is closed.
    ///
    /// Foreground children are awaited first; then background children are
    /// cancelled and awaited. Once the scope is cancelled (by a failure, a
    /// deadline, the owner, a parent, or the background shutdown), children
    /// have the grace period to finish on their own before the rest are
    /// aborted.
    async fn settle(&self, shares: &mut OwnerShares) {
        let mut deadline = pin!(self.config.deadline.map(tokio::time::sleep_until));
        let mut grace = pin!(None::<tokio::time::Sleep>);
        let mut cancelled = pin!(self.signal.cancelled());
        let mut cancel_seen = false;
        let mut aborted = false;
        drop(shares.foreground.take());
        let mut waiting_for = ChildKind::Foreground;
        poll_fn(|cx| loop {
            if let Some(sleep) = deadline.as_mut().as_pin_mut() {
                if sleep.poll(cx).is_ready() {
                    deadline.set(None);
                    self.deadline_reached();
                }
            }
            if self.phases.poll_ended(cx, waiting_for).is_pending() {
                // Only a scope that has to wait listens for its cancellation
                // (a registration with the signal's `Notify`, and a timer).
                if !cancel_seen && cancelled.as_mut().poll(cx).is_ready() {
                    cancel_seen = true;
                    grace.set(Some(tokio::time::sleep(self.config.grace)));
                }
                if let Some(sleep) = grace.as_mut().as_pin_mut() {
                    if !aborted && sleep.poll(cx).is_ready() {
                        aborted = true;
                        self.abort_all();
                    }
                }
                return Poll::Pending;
            }
            match waiting_for {
                ChildKind::Foreground => {
                    waiting_for = ChildKind::Background;
                    if self.phases.shares_held().1 > 1 {
                        // Only background children (beside the owner's
                        // share) are left: their work is done when
                        // everything else is.
                        self.signal.cancel();
                    }
                    drop(shares.background.take());
                }
                ChildKind::Background => return Poll::Ready(()),
            }
        })
        .await;
        // The finished tasks' memory is held by these handles.
        lock(&self.children).entries = Vec::new();
    }

    fn deadline_reached(&self) {
        self.deadline_passed.store(true, Ordering::Release);
        self.signal.cancel();
    }

    /// Everything that went wrong, once the scope has settled; resumes the
    /// first child panic instead.
    fn report(&self) -> ScopeError {
        let recorded = std::mem::take(&mut *lock(&self.failures));
        let mut failures = Vec::new();
        let mut first_panic = None;
        for (task, failure) in recorded {
            match failure {
                Recorded::Error(error) => failures.push(Failure::new(task, error)),
                Recorded::Panic(payload) => {
                    first_panic.get_or_insert(payload);
                }
            }
        }
        if let Some(payload) = first_panic {
            std::panic::resume_unwind(payload);
        }
        let elapsed = self.deadline_passed.load(Ordering::Acquire);
        ScopeError::new(self.config.name.clone(), failures, elapsed)
    }

    /// The scope's result once it has settled.
    fn outcome(&self) -> Result<(), ScopeError> {
        if !self.deadline_passed.load(Ordering::Acquire) && lock(&self.failures).is_empty() {
            return Ok(());
        }
        let report = self.report();
        if report.failures().is_empty() && !report.is_elapsed() {
            Ok(())
        } else {
            Err(report)
        }
    }

    fn discard_failures(&self) {
        lock(&self.failures).clear();
    }

    pub(crate) fn name(&self) -> Option<&str> {
        self.config.name.as_deref()
    }

    /// The scope's `tracing` span: the parent of its children's spans.
    #[cfg(feature = "tracing")]
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }

    pub(crate) fn limit(&self) -> Option<&Arc<Semaphore>> {
        self.config.limit.as_ref()
    }
}

/// Takes a slot of the scope's limit, waiting for one unless the scope is
/// cancelled first: a child still waiting for a slot when the scope is
/// cancelled never starts. A free slot is taken even in a cancelled scope.
async fn take_slot(limit: Arc<Semaphore>, signal: &CancelSignal) -> Option<OwnedSemaphorePermit> {
    match Arc::clone(&limit).try_acquire_owned() {
        Ok(permit) => Some(permit),
        Err(_) => tokio::select! {
            biased;
            () = signal.cancelled() => None,
            permit = limit.acquire_owned() => permit.ok(),
        },
    }
}

/// Runs `future` holding a slot of the scope's limit; `None` if it never got
/// one.
async fn throttled<F: Future>(
    limit: Arc<Semaphore>,
    signal: Arc<CancelSignal>,
    future: F,
) -> Option<F::Output> {
    let permit = take_slot(limit, &signal).await?;
    let output = future.await;
    drop(permit);
    Some(output)
}

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
/// [supervises](crate::ScopeBuilder::supervise)); `join` returns the failures
/// as a [`ScopeError`] and resumes a child's panic in the parent.
///
/// Cancellation is cooperative first: [`cancel`](TaskScope::cancel) wakes
/// every [`cancelled`](TaskScope::cancelled) future of this scope and of the
/// scopes nested in its children, and `join` then gives the children a
/// [grace period](crate::ScopeBuilder::grace_period) (one second unless
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
/// use std::time::Duration;
///
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
    shared: Arc<ScopeShared>,
    shares: OwnerShares,
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
    /// The child's output is classified by [`TaskOutput`]: an `Err` is a
    /// failure of the scope; a value goes to the returned handle.
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
    pub fn spawn<F>(&self, future: F) -> TaskHandle<<F::Output as TaskOutput>::Success>
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
        <F::Output as TaskOutput>::Success: Send,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = self.shares.share(ChildKind::Foreground);
        self.shared.spawn_admitted(share, info, None, future)
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
    pub fn spawn_background<F>(&self, future: F) -> TaskHandle<<F::Output as TaskOutput>::Success>
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
        <F::Output as TaskOutput>::Success: Send,
    {
        let info = ChildInfo::new(None, ChildKind::Background, Location::caller());
        let share = self.shares.share(ChildKind::Background);
        self.shared.spawn_admitted(share, info, None, future)
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
    pub fn spawn_blocking<F, O>(&self, work: F) -> TaskHandle<O::Success>
    where
        F: FnOnce() -> O + Send + 'static,
        O: TaskOutput,
        O::Success: Send,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = self.shares.share(ChildKind::Foreground);
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
    pub fn spawn_local<F>(&self, future: F) -> TaskHandle<<F::Output as TaskOutput>::Success>
    where
        F: Future + 'static,
        F::Output: TaskOutput,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = self.shares.share(ChildKind::Foreground);
        self.shared.spawn_local_admitted(share, info, future)
    }

    /// Starts a child with more options (a name, background).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// scope.task().name("loader").spawn(async { Err::<(), _>("no such file") })?;
    /// let error = scope.join().await.expect_err("the loader failed");
    /// assert_eq!(error.first().and_then(|f| f.task().name()), Some("loader"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn task(&self) -> TaskBuilder<'_> {
        TaskBuilder {
            scope: &self.shared,
            source: Source::Owner(&self.shares),
            name: None,
            kind: ChildKind::Foreground,
        }
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
                take_slot(Arc::clone(limit), &self.shared.signal)
                    .await
                    .ok_or(crate::Cancelled)?,
            ),
        };
        Ok(Reservation {
            scope: self,
            permit,
        })
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

    pub(crate) fn signal(&self) -> Arc<CancelSignal> {
        Arc::clone(&self.shared.signal)
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

    /// `(foreground, background)` children alive right now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(std::future::pending::<()>());
    /// assert_eq!(scope.alive(), (1, 0));
    /// scope.cancel();
    /// # }
    /// ```
    pub fn alive(&self) -> (usize, usize) {
        // Every share but the owner's own is a child's.
        let (foreground, background) = self.shared.phases.shares_held();
        (foreground.saturating_sub(1), background.saturating_sub(1))
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
    /// # }
    /// ```
    pub async fn run<T, E, F>(mut self, body: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
        E: From<ScopeError>,
    {
        let body = crate::body::InScope::new(self.shares.share(ChildKind::Foreground), body);
        let ended = match self.shared.config.deadline {
            None => Some(body.await),
            Some(deadline) => tokio::select! {
                biased;
                ended = body => Some(ended),
                () = tokio::time::sleep_until(deadline) => None,
            },
        };
        match ended {
            Some(Ok(Ok(value))) => self.join().await.map(|()| value).map_err(E::from),
            Some(Ok(Err(error))) => {
                self.cancel();
                self.shared.settle(&mut self.shares).await;
                // Resumes a child's panic; the children's errors are fallout.
                drop(self.shared.report());
                Err(error)
            }
            Some(Err(panic)) => {
                self.cancel();
                self.shared.settle(&mut self.shares).await;
                self.shared.discard_failures();
                std::panic::resume_unwind(panic)
            }
            None => {
                self.shared.deadline_reached();
                self.shared.settle(&mut self.shares).await;
                Err(E::from(self.shared.report()))
            }
        }
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
            .field("alive", &self.alive())
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
            .origin
            .parent
            .as_ref()
            .and_then(Weak::upgrade)
            .and_then(|parent| parent.phases.keep_open());
        self.shared.phases.close(enclosing);
        self.shared.signal.cancel();
        self.shared.abort_all();
    }
}

/// A slot of a scope's concurrency limit, held for one spawn; see
/// [`TaskScope::reserve`]. Dropping it unused frees the slot.
///
/// ```
/// use std::num::NonZeroUsize;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::builder().limit(NonZeroUsize::MIN).build();
/// let slot = scope.reserve().await.expect("not cancelled");
/// let waiting = scope.spawn(async { "ran" }); // the only slot is reserved
/// tokio::task::yield_now().await;
/// assert!(!waiting.is_finished());
/// drop(slot); // unused: the slot is freed
/// assert_eq!(waiting.await, Ok("ran"));
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
#[must_use = "a reservation holds a slot of the scope's limit until it is used or dropped"]
#[derive(Debug)]
pub struct Reservation<'scope> {
    scope: &'scope TaskScope,
    permit: Option<OwnedSemaphorePermit>,
}

impl Reservation<'_> {
    /// Spawns a child into the reserved slot; it starts at once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let slot = scope.reserve().await.expect("not cancelled");
    /// assert_eq!(slot.spawn(async { 1 }).await, Ok(1));
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> TaskHandle<<F::Output as TaskOutput>::Success>
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
        <F::Output as TaskOutput>::Success: Send,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = self.scope.shares.share(ChildKind::Foreground);
        self.scope
            .shared
            .spawn_admitted(share, info, self.permit, future)
    }
}

/// Options for one child: a name (shown in failures), background or not.
/// Made by [`TaskScope::task`] or [`ScopeHandle::task`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::new();
/// let heartbeat = scope.task().name("heartbeat").background().spawn(async {
///     taskscope::cancelled().await;
/// })?;
/// scope.join().await.expect("the heartbeat ends with the scope");
/// assert!(heartbeat.is_finished());
/// # Ok(())
/// # }
/// ```
#[must_use = "a TaskBuilder does nothing until one of its spawn methods is called"]
pub struct TaskBuilder<'scope> {
    scope: &'scope Arc<ScopeShared>,
    source: Source<'scope>,
    name: Option<Arc<str>>,
    kind: ChildKind,
}

/// Where a spawn comes from, which decides how its child gets its share.
enum Source<'scope> {
    /// The scope's owner, which holds a share of each phase.
    Owner(&'scope OwnerShares),
    /// A child (or the body) of the scope, holding a share of its own.
    Member(&'scope Arc<Phase>),
    /// A `ScopeHandle`, which holds none.
    Handle,
}

impl<'scope> TaskBuilder<'scope> {
    pub(crate) fn from_handle(scope: &'scope Arc<ScopeShared>) -> Self {
        TaskBuilder {
            scope,
            source: Source::Handle,
            name: None,
            kind: ChildKind::Foreground,
        }
    }

    /// A builder for a spawn from inside the scope, by the current child or
    /// body, which holds `share`.
    pub(crate) fn from_member(share: &'scope Arc<Phase>) -> Self {
        TaskBuilder {
            scope: share.scope(),
            source: Source::Member(share),
            name: None,
            kind: ChildKind::Foreground,
        }
    }

    /// Names the task; the name appears in its failure.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// scope.task().name("fetch-config").spawn(async { Err::<(), _>("timed out") })?;
    /// let error = scope.join().await.expect_err("the fetch failed");
    /// assert!(error.to_string().contains("task `fetch-config`"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Makes the task a background child (see [`TaskScope::spawn_background`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let ticker = scope.task().background().spawn(async {
    ///     taskscope::cancelled().await;
    ///     "stopped"
    /// })?;
    /// assert_eq!(scope.alive(), (0, 1));
    /// scope.join().await.expect("a background child does not hold the scope open");
    /// assert_eq!(ticker.await, Ok("stopped"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn background(mut self) -> Self {
        self.kind = ChildKind::Background;
        self
    }

    /// The new child's share and what the scope records of it; `Closed`
    /// once the scope was joined or dropped.
    fn admit(
        self,
        location: &'static Location<'static>,
    ) -> Result<(Arc<Phase>, ChildInfo), Closed> {
        let phases = &self.scope.phases;
        let share = match self.source {
            Source::Owner(shares) => shares.share(self.kind),
            // The cheap way in: a clone of the spawner's own share.
            Source::Member(own) if own.kind() == self.kind && !phases.is_dropped() => {
                Arc::clone(own)
            }
            Source::Member(_) | Source::Handle => phases.share(self.kind).ok_or(Closed)?,
        };
        Ok((share, ChildInfo::new(self.name, self.kind, location)))
    }

    /// Spawns the task (see [`TaskScope::spawn`]). Fails only for a builder
    /// made from a [`ScopeHandle`] whose scope has closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// let child = handle.task().name("early").spawn(async { 1 })?;
    /// assert_eq!(child.await, Ok(1));
    /// scope.join().await.expect("nothing failed");
    /// assert_eq!(handle.task().spawn(async { 2 }).err(), Some(taskscope::Closed));
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F>(
        self,
        future: F,
    ) -> Result<TaskHandle<<F::Output as TaskOutput>::Success>, Closed>
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
        <F::Output as TaskOutput>::Success: Send,
    {
        self.spawn_at(Location::caller(), future)
    }

    pub(crate) fn spawn_at<F>(
        self,
        location: &'static Location<'static>,
        future: F,
    ) -> Result<TaskHandle<<F::Output as TaskOutput>::Success>, Closed>
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
        <F::Output as TaskOutput>::Success: Send,
    {
        let scope = self.scope;
        let (share, info) = self.admit(location)?;
        Ok(scope.spawn_admitted(share, info, None, future))
    }

    /// Spawns blocking work (see [`TaskScope::spawn_blocking`]). Always
    /// `Ok` for a builder made by [`TaskScope::task`]; an `Err` means a
    /// [`ScopeHandle`]'s scope has closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let factorial = scope
    ///     .task()
    ///     .name("factorial")
    ///     .spawn_blocking(|| (1..=10u64).product::<u64>())?;
    /// assert_eq!(factorial.await, Ok(3_628_800));
    /// scope.join().await.expect("nothing failed");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, O>(self, work: F) -> Result<TaskHandle<O::Success>, Closed>
    where
        F: FnOnce() -> O + Send + 'static,
        O: TaskOutput,
        O::Success: Send,
    {
        let scope = self.scope;
        let (share, info) = self.admit(Location::caller())?;
        Ok(scope.spawn_blocking_admitted(share, info, work))
    }

    /// Spawns a `!Send` task on the current `LocalSet` (see
    /// [`TaskScope::spawn_local`]). Always `Ok` for a builder made by
    /// [`TaskScope::task`]; an `Err` means a [`ScopeHandle`]'s scope has closed.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// tokio::task::LocalSet::new().run_until(async {
    ///     let scope = taskscope::TaskScope::new();
    ///     let greeting = Rc::new(String::from("hello")); // not Send
    ///     let child = scope
    ///         .task()
    ///         .name("local")
    ///         .spawn_local(async move { greeting.len() })
    ///         .expect("the owner's builder always spawns");
    ///     assert_eq!(child.await, Ok(5));
    ///     scope.join().await.expect("nothing failed");
    /// }).await;
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(
        self,
        future: F,
    ) -> Result<TaskHandle<<F::Output as TaskOutput>::Success>, Closed>
    where
        F: Future + 'static,
        F::Output: TaskOutput,
    {
        let scope = self.scope;
        let (share, info) = self.admit(Location::caller())?;
        Ok(scope.spawn_local_admitted(share, info, future))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(scope: &TaskScope) -> usize {
        lock(&scope.shared.children).entries.len()
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_long_lived_scope_forgets_its_finished_children() {
        let scope = TaskScope::new();
        for i in 0..10_000u64 {
            assert_eq!(scope.spawn(async move { i }).await, Ok(i));
        }
        let listed = listed(&scope);
        assert!(
            listed <= 2 * FIRST_SWEEP,
            "{listed} entries kept for 10 000 finished children"
        );
        scope.join().await.expect("nothing failed");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn live_children_stay_listed_through_sweeps() {
        let scope = TaskScope::new();
        let parked: Vec<_> = (0..1_000)
            .map(|_| scope.spawn(std::future::pending::<()>()))
            .collect();
        for i in 0..1_000u64 {
            assert_eq!(scope.spawn(async move { i }).await, Ok(i));
        }
        let shown = scope
            .shared
            .snapshot(Now::read())
            .map(|snapshot| snapshot.tasks.len());
        assert_eq!(shown, Some(1_000), "every parked child is still listed");
        drop(scope);
        for child in parked {
            assert_eq!(
                child.await,
                Err(crate::TaskError::Aborted),
                "dropping the scope aborted it"
            );
        }
    }
}
