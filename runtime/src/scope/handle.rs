//! `ScopeHandle`: spawn into and cancel a scope from anywhere.

use std::future::Future;
use std::sync::Arc;

use super::ChildCounts;
use super::error::Closed;
use super::limit::{Reservation, ReserveError, take_slot};
use super::output::{AsValue, Outcome};
use super::phase::Phase;
use super::shared::ScopeShared;
use super::task_builder::TaskBuilder;
use super::task_handle::TaskHandle;
use crate::cancel::Cancellation;

/// A cloneable, `Send` reference to a scope, for spawning into it and
/// cancelling it from other tasks. Made by [`TaskScope::handle`](crate::TaskScope::handle).
///
/// A handle does not keep the scope open: once the scope was joined or
/// dropped, spawning through the handle returns [`Closed`] and creates no
/// task.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::new();
/// let handle = scope.handle();
/// scope.spawn(async move {
///     // A child hands work to a sibling it starts itself.
///     handle.spawn(async { 1 + 1 })?.await.ok();
///     Ok::<(), taskscope::Closed>(())
/// });
/// scope.join().await.expect("nothing failed");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ScopeHandle {
    pub(crate) shared: Arc<ScopeShared>,
}

impl ScopeHandle {
    /// Spawns a child into the scope, unless it has closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// let child = handle.spawn(async { 40 + 2 })?;
    /// assert_eq!(child.await, Ok(42));
    /// scope.join().await.expect("nothing failed");
    /// assert!(handle.spawn(async { 0 }).is_err()); // closed: no task was created
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&self, future: F) -> Result<TaskHandle<T>, Closed>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        self.task_builder().spawn(future)
    }

    /// [`TaskScope::spawn_value`]: spawns a child whose output is a value
    /// for its handle, an `Err` included, unless the scope has closed.
    ///
    /// [`TaskScope::spawn_value`]: crate::TaskScope::spawn_value
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let parsed = scope.handle().spawn_value(async { "x".parse::<u8>() })?;
    /// assert!(matches!(parsed.await, Ok(Err(_))));
    /// scope.join().await.expect("the Err was the handle's");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_value<F>(&self, future: F) -> Result<TaskHandle<F::Output>, Closed>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn(AsValue::new(future))
    }

    /// Spawns a background child (see
    /// [`TaskScope::spawn_background`](crate::TaskScope::spawn_background)),
    /// unless the scope has closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let pinger = scope.handle().spawn_background(async {
    ///     taskscope::cancelled().await;
    ///     "stopped"
    /// })?;
    /// assert_eq!(scope.children().foreground(), 0); // background children do not hold the scope open
    /// scope.join().await.expect("nothing failed");
    /// assert_eq!(pinger.await, Ok("stopped"));
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_background<F, T>(&self, future: F) -> Result<TaskHandle<T>, Closed>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        self.task_builder().background().spawn(future)
    }

    /// Runs blocking work as a child (see
    /// [`TaskScope::spawn_blocking`](crate::TaskScope::spawn_blocking)),
    /// unless the scope has closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let lines = scope.handle().spawn_blocking(|| "a\nb\nc".lines().count())?;
    /// assert_eq!(lines.await, Ok(3));
    /// scope.join().await.expect("nothing failed");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, O, T>(&self, work: F) -> Result<TaskHandle<T>, Closed>
    where
        F: FnOnce() -> O + Send + 'static,
        O: Outcome<T>,
        T: Send + 'static,
    {
        self.task_builder().spawn_blocking(work)
    }

    /// Starts a child with more options (a name, background).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// handle.task_builder().name("sync").spawn(async { Err::<(), _>("remote unreachable") })?;
    /// let error = scope.join().await.expect_err("the sync failed");
    /// assert_eq!(error.first().and_then(|f| f.task().name()), Some("sync"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn task_builder(&self) -> TaskBuilder<'_> {
        TaskBuilder::from_handle(&self.shared)
    }

    /// Cancels the scope (see [`TaskScope::cancel`](crate::TaskScope::cancel)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// let waiter = scope.spawn(async { taskscope::cancelled().await; "woke" });
    /// scope.spawn(async move { handle.cancel() }); // a child stops the whole scope
    /// assert_eq!(waiter.await, Ok("woke"));
    /// scope.join().await.expect("cancelling is not a failure");
    /// # }
    /// ```
    pub fn cancel(&self) {
        self.shared.signal.cancel();
    }

    /// Whether the scope has closed: joined, or dropped by its owner, so
    /// that nothing can be spawned into it any more.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// assert!(!handle.is_closed());
    /// scope.join().await.expect("nothing to wait for");
    /// assert!(handle.is_closed());
    /// # }
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.phases.all_ended()
    }

    /// Whether the scope was cancelled.
    ///
    /// ```
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// assert!(!handle.is_cancelled());
    /// scope.cancel();
    /// assert!(handle.is_cancelled());
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
    /// let handle = scope.handle();
    /// let watcher = scope.spawn(async move { handle.cancelled().await; "saw it" });
    /// scope.cancel();
    /// assert_eq!(watcher.await, Ok("saw it"));
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub async fn cancelled(&self) {
        self.shared.signal.cancelled().await;
    }

    /// The scope's name, if it was given one.
    ///
    /// ```
    /// let scope = taskscope::TaskScope::builder().name("workers").build();
    /// assert_eq!(scope.handle().name(), Some("workers"));
    /// assert_eq!(taskscope::TaskScope::new().handle().name(), None);
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.shared.name()
    }

    /// Waits for a free slot of the scope's
    /// [`limit`](crate::scope::ScopeBuilder::limit) and holds it for the next
    /// spawn: backpressure from anywhere, also from the scope a `#[scoped(name
    /// = scope, limit = n)]` fn binds. Without a limit it is ready at once.
    ///
    /// The reservation keeps the scope open until it is used or dropped, as
    /// a child would: its spawn cannot fail. It fails if the scope has
    /// closed, or is cancelled while it waits.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder()
    ///     .limit(NonZeroUsize::new(2).expect("2 is not zero"))
    ///     .build();
    /// let handle = scope.handle();
    /// let producer = scope.spawn(async move {
    ///     for job in 0..10u64 {
    ///         // At most 2 jobs exist at a time: the producer waits for a slot.
    ///         let slot = handle.reserve().await?;
    ///         slot.spawn(async move { job * 2 });
    ///     }
    ///     Ok::<_, taskscope::scope::ReserveError>(())
    /// });
    /// assert_eq!(producer.await, Ok(()));
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub async fn reserve(&self) -> Result<Reservation<'static>, ReserveError> {
        let share = self
            .shared
            .phases
            .share(Phase::Foreground)
            .ok_or(ReserveError::Closed)?;
        let permit = match self.shared.limit() {
            None => None,
            Some(limit) => Some(
                take_slot(limit, &self.shared.signal)
                    .await
                    .ok_or(ReserveError::Cancelled)?,
            ),
        };
        Ok(Reservation::holding(share, permit))
    }

    /// A slot of the scope's limit if one is free right now, `Ok(None)` if
    /// not (errgroup's `TryGo`: shed the load instead of queueing it), and
    /// `Err(Closed)` once the scope has closed.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::builder().limit(NonZeroUsize::MIN).build();
    /// let handle = scope.handle();
    /// let busy = handle.try_reserve()?.expect("the slot is free");
    /// assert!(handle.try_reserve()?.is_none(), "no second slot: drop the request");
    /// busy.spawn(async {});
    /// scope.join().await.expect("nothing failed");
    /// assert_eq!(handle.try_reserve().err(), Some(taskscope::Closed));
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_reserve(&self) -> Result<Option<Reservation<'static>>, Closed> {
        let share = self.shared.phases.share(Phase::Foreground).ok_or(Closed)?;
        let permit = match self.shared.limit() {
            None => None,
            Some(limit) => match limit.try_take() {
                Some(permit) => Some(permit),
                None => return Ok(None),
            },
        };
        Ok(Some(Reservation::holding(share, permit)))
    }

    /// How many children the scope has alive, and how many wait for a slot
    /// of its limit: for a stats endpoint.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// scope.spawn(std::future::pending::<()>());
    /// assert_eq!(handle.children().foreground(), 1);
    /// # }
    /// ```
    pub fn children(&self) -> ChildCounts {
        self.shared.children_alive()
    }
}

impl std::fmt::Debug for ScopeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeHandle")
            .field("name", &self.name())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl From<&ScopeHandle> for Cancellation {
    fn from(handle: &ScopeHandle) -> Self {
        Cancellation::from_signal(Arc::clone(&handle.shared.signal))
    }
}
