//! `TaskBuilder`: one child with options (a name, background).

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use super::child::ChildInfo;
use super::error::Closed;
use super::name::TaskName;
use super::output::Outcome;
use super::phase::{OwnerShares, Phase, Share};
use super::shared::ScopeShared;
use super::task_handle::TaskHandle;

/// Options for one child: a name (shown in failures), background or not.
/// Made by [`ScopeHandle::task_builder`](crate::ScopeHandle::task_builder)
/// (and used by `taskscope::spawn` inside a child); its spawns fail once the
/// scope has closed. The owner's is an [`OwnerTaskBuilder`], whose spawns
/// cannot fail.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::new();
/// let heartbeat = scope.handle().task_builder().name("heartbeat").background().spawn(async {
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
    spawner: Spawner<'scope>,
    name: Option<TaskName>,
    phase: Phase,
}

/// Who spawns, which decides how the new child gets its share.
enum Spawner<'scope> {
    /// A child (or the body) of the scope, holding a share of its own.
    Member(&'scope Arc<Share>),
    /// A `ScopeHandle`, which holds none.
    Handle,
}

impl fmt::Debug for TaskBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskBuilder")
            .field("name", &self.name)
            .field("background", &(self.phase == Phase::Background))
            .finish_non_exhaustive()
    }
}

impl<'scope> TaskBuilder<'scope> {
    pub(crate) fn from_handle(scope: &'scope Arc<ScopeShared>) -> Self {
        TaskBuilder {
            scope,
            spawner: Spawner::Handle,
            name: None,
            phase: Phase::Foreground,
        }
    }

    /// A builder for a spawn from inside the scope, by the current child or
    /// body, which holds `share`.
    pub(crate) fn from_member(share: &'scope Arc<Share>) -> Self {
        TaskBuilder {
            scope: share.scope(),
            spawner: Spawner::Member(share),
            name: None,
            phase: Phase::Foreground,
        }
    }

    /// Names the task; the name appears in its failure.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// scope.handle().task_builder().name("fetch-config").spawn(async { Err::<(), _>("timed out") })?;
    /// let error = scope.join().await.expect_err("the fetch failed");
    /// assert!(error.to_string().contains("task `fetch-config`"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(mut self, name: impl Into<TaskName>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Makes the task a background child (see [`TaskScope::spawn_background`](crate::TaskScope::spawn_background)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let ticker = scope.handle().task_builder().background().spawn(async {
    ///     taskscope::cancelled().await;
    ///     "stopped"
    /// })?;
    /// assert_eq!((scope.children().foreground(), scope.children().background()), (0, 1));
    /// scope.join().await.expect("a background child does not hold the scope open");
    /// assert_eq!(ticker.await, Ok("stopped"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn background(self) -> Self {
        self.in_phase(Phase::Background)
    }

    pub(crate) fn in_phase(mut self, phase: Phase) -> Self {
        self.phase = phase;
        self
    }

    /// The new child's share and what the scope records of it; `Closed`
    /// once the scope was joined or dropped.
    pub(crate) fn admit(
        self,
        location: &'static Location<'static>,
    ) -> Result<(Arc<Share>, ChildInfo), Closed> {
        let phases = &self.scope.phases;
        let share = match self.spawner {
            // The cheap way in: a clone of the spawner's own share.
            Spawner::Member(own) if own.phase() == self.phase && !phases.is_dropped() => {
                Arc::clone(own)
            }
            Spawner::Member(_) | Spawner::Handle => phases.share(self.phase).ok_or(Closed)?,
        };
        Ok((share, ChildInfo::new(self.name, self.phase, location)))
    }

    /// Spawns the task (see [`TaskScope::spawn`](crate::TaskScope::spawn)), unless the scope has
    /// closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// let child = handle.task_builder().name("early").spawn(async { 1 })?;
    /// assert_eq!(child.await, Ok(1));
    /// scope.join().await.expect("nothing failed");
    /// assert_eq!(handle.task_builder().spawn(async { 2 }).err(), Some(taskscope::Closed));
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(self, future: F) -> Result<TaskHandle<T>, Closed>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        self.spawn_at(Location::caller(), future)
    }

    pub(crate) fn spawn_at<F, T>(
        self,
        location: &'static Location<'static>,
        future: F,
    ) -> Result<TaskHandle<T>, Closed>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let scope = self.scope;
        let (share, info) = self.admit(location)?;
        let child = scope.admitted(share, info, None);
        Ok(scope.launch(child, future))
    }

    /// Spawns blocking work (see [`TaskScope::spawn_blocking`](crate::TaskScope::spawn_blocking)),
    /// unless the scope has closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// let factorial = scope
    ///     .handle()
    ///     .task_builder()
    ///     .name("factorial")
    ///     .spawn_blocking(|| (1..=10u64).product::<u64>())?;
    /// assert_eq!(factorial.await, Ok(3_628_800));
    /// scope.join().await.expect("nothing failed");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, O, T>(self, work: F) -> Result<TaskHandle<T>, Closed>
    where
        F: FnOnce() -> O + Send + 'static,
        O: Outcome<T>,
        T: Send + 'static,
    {
        let scope = self.scope;
        let (share, info) = self.admit(Location::caller())?;
        Ok(scope.spawn_blocking_admitted(share, info, work))
    }

    /// Spawns a `!Send` task on the current `LocalSet` (see
    /// [`TaskScope::spawn_local`](crate::TaskScope::spawn_local)), unless the scope has closed.
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
    ///         .handle()
    ///         .task_builder()
    ///         .name("local")
    ///         .spawn_local(async move { greeting.len() })
    ///         .expect("the owner's builder always spawns");
    ///     assert_eq!(child.await, Ok(5));
    ///     scope.join().await.expect("nothing failed");
    /// }).await;
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_local<F, T>(self, future: F) -> Result<TaskHandle<T>, Closed>
    where
        F: Future + 'static,
        F::Output: Outcome<T>,
        T: 'static,
    {
        let scope = self.scope;
        let (share, info) = self.admit(Location::caller())?;
        Ok(scope.spawn_local_admitted(share, info, future))
    }
}

/// The options of one child spawned by the scope's owner
/// ([`TaskScope::task_builder`](crate::TaskScope::task_builder)): a name,
/// background or not. Its spawns cannot fail, since the owner holds the
/// scope open; a [`TaskBuilder`] (from a handle or a child) may find the
/// scope closed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let heartbeat = scope.task_builder().name("heartbeat").background().spawn(async {
///     taskscope::cancelled().await;
/// });
/// scope.join().await.expect("the heartbeat ends with the scope");
/// assert!(heartbeat.is_finished());
/// # }
/// ```
#[must_use = "a task builder does nothing until one of its spawn methods is called"]
pub struct OwnerTaskBuilder<'scope> {
    scope: &'scope Arc<ScopeShared>,
    shares: &'scope OwnerShares,
    name: Option<TaskName>,
    phase: Phase,
}

impl fmt::Debug for OwnerTaskBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnerTaskBuilder")
            .field("name", &self.name)
            .field("background", &(self.phase == Phase::Background))
            .finish_non_exhaustive()
    }
}

impl<'scope> OwnerTaskBuilder<'scope> {
    pub(super) fn new(scope: &'scope Arc<ScopeShared>, shares: &'scope OwnerShares) -> Self {
        OwnerTaskBuilder {
            scope,
            shares,
            name: None,
            phase: Phase::Foreground,
        }
    }

    /// Names the child (see [`TaskBuilder::name`]).
    pub fn name(mut self, name: impl Into<TaskName>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Makes the child a background child (see [`TaskBuilder::background`]).
    pub fn background(mut self) -> Self {
        self.phase = Phase::Background;
        self
    }

    fn admit(self, location: &'static Location<'static>) -> (Arc<Share>, ChildInfo) {
        let share = self.shares.share(self.phase);
        (share, ChildInfo::new(self.name, self.phase, location))
    }

    /// Spawns the task (see [`TaskScope::spawn`](crate::TaskScope::spawn)).
    #[track_caller]
    pub fn spawn<F, T>(self, future: F) -> TaskHandle<T>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let scope = self.scope;
        let (share, info) = self.admit(Location::caller());
        let child = scope.admitted(share, info, None);
        scope.launch(child, future)
    }

    /// Spawns blocking work (see
    /// [`TaskScope::spawn_blocking`](crate::TaskScope::spawn_blocking)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let factorial = scope
    ///     .task_builder()
    ///     .name("factorial")
    ///     .spawn_blocking(|| (1..=10u64).product::<u64>());
    /// assert_eq!(factorial.await, Ok(3_628_800));
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, O, T>(self, work: F) -> TaskHandle<T>
    where
        F: FnOnce() -> O + Send + 'static,
        O: Outcome<T>,
        T: Send + 'static,
    {
        let scope = self.scope;
        let (share, info) = self.admit(Location::caller());
        scope.spawn_blocking_admitted(share, info, work)
    }

    /// Spawns a `!Send` task on the current `LocalSet` (see
    /// [`TaskScope::spawn_local`](crate::TaskScope::spawn_local)).
    #[track_caller]
    pub fn spawn_local<F, T>(self, future: F) -> TaskHandle<T>
    where
        F: Future + 'static,
        F::Output: Outcome<T>,
        T: 'static,
    {
        let scope = self.scope;
        let (share, info) = self.admit(Location::caller());
        scope.spawn_local_admitted(share, info, future)
    }
}
