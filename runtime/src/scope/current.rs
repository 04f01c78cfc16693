//! The current scope: a thread-local slot that holds the share (and through
//! it the scope) of whatever child or scope body is being polled on this
//! thread, and everything that reads it: `taskscope::spawn`,
//! `spawn_background`, `current`, `cancelled`, `is_cancelled` and
//! `Cancellation::current`.
//!
//! The slot is filled around each poll by moving the child's own share in
//! and out (no reference-count traffic), which is what lets
//! `taskscope::spawn` and `TaskScope::new()` find their scope from a helper
//! function without a handle being passed down.

use std::cell::Cell;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use super::error::SpawnError;
use super::handle::ScopeHandle;
use super::output::{AsValue, Outcome};
use super::phase::{Phase, Share};
use super::shared::{Admitted, ScopeShared};
use super::task_builder::TaskBuilder;
use super::task_handle::TaskHandle;
use crate::cancel::Cancellation;

thread_local! {
    static CURRENT: Cell<Option<Arc<Share>>> = const { Cell::new(None) };
}

/// The share in `slot` made the current one, until this is dropped (also
/// by a panic), which puts everything back. `slot` is empty meanwhile.
///
/// A guard rather than a function taking a closure: every child's poll
/// enters its scope, and a closure would make a copy of this code (and of
/// the thread-local access) per child future type in the user's build.
pub(crate) struct Entered<'a> {
    slot: &'a mut Option<Arc<Share>>,
    previous: Option<Arc<Share>>,
}

impl<'a> Entered<'a> {
    #[inline]
    pub(crate) fn new(slot: &'a mut Option<Arc<Share>>) -> Self {
        let previous = CURRENT.with(|current| current.replace(slot.take()));
        Entered { slot, previous }
    }
}

impl Drop for Entered<'_> {
    #[inline]
    fn drop(&mut self) {
        let previous = self.previous.take();
        *self.slot = CURRENT.with(|current| current.replace(previous));
    }
}

/// Calls `f` with the current scope, if there is one.
pub(crate) fn with_current_scope<R>(f: impl FnOnce(Option<&Arc<ScopeShared>>) -> R) -> R {
    with_current_share(|share| f(share.map(|share| share.scope())))
}

/// Calls `f` with the current child's (or body's) share, if there is one.
pub(crate) fn with_current_share<R>(f: impl FnOnce(Option<&Arc<Share>>) -> R) -> R {
    f(Borrowed::take().share())
}

/// The current share, taken out of the slot until this is dropped (also by
/// a panic), which puts it back.
struct Borrowed(Option<Arc<Share>>);

impl Borrowed {
    #[inline]
    fn take() -> Self {
        Borrowed(CURRENT.with(Cell::take))
    }

    fn share(&self) -> Option<&Arc<Share>> {
        self.0.as_ref()
    }
}

impl Drop for Borrowed {
    #[inline]
    fn drop(&mut self) {
        let share = self.0.take();
        CURRENT.with(|current| current.set(share));
    }
}

/// Spawns a child into the current scope: the scope of the child (or
/// [`TaskScope::run`](crate::TaskScope::run) body) that calls it.
///
/// Outside any scope this is [`SpawnError::NoScope`]: taskscope never falls
/// back to a detached `tokio::spawn`.
///
/// ```
/// async fn fan_out(urls: Vec<&'static str>) {
///     for url in urls {
///         // No handle passed down: the task lands in the caller's scope.
///         taskscope::spawn(async move { url.len() }).expect("called inside a scope");
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(
///     taskscope::spawn(async {}).err(),
///     Some(taskscope::SpawnError::NoScope)
/// );
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(fan_out(vec!["a", "bb"]));
/// scope.join().await.expect("nothing failed");
/// # }
/// ```
#[track_caller]
pub fn spawn<F, T>(future: F) -> Result<TaskHandle<T>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: Outcome<T>,
    T: Send + 'static,
{
    spawn_into_current(Location::caller(), Phase::Foreground, future)
}

/// [`spawn`], for a child whose output is a value for its handle, an `Err`
/// included ([`TaskScope::spawn_value`](crate::TaskScope::spawn_value)):
/// what a `tokio::spawn` whose `Err` the caller matches on becomes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(async {
///     let probe = taskscope::spawn_value(async { Err::<(), _>("timed out") })
///         .expect("inside a scope");
///     assert_eq!(probe.await, Ok(Err("timed out")));
/// });
/// scope.join().await.expect("the probe's Err is not a failure");
/// # }
/// ```
#[track_caller]
pub fn spawn_value<F>(future: F) -> Result<TaskHandle<F::Output>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    spawn_into_current(Location::caller(), Phase::Foreground, AsValue::new(future))
}

/// Spawns a background child into the current scope (see
/// [`TaskScope::spawn_background`](crate::TaskScope::spawn_background)): it is cancelled once the scope's other
/// work is done. Outside any scope this is [`SpawnError::NoScope`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let served = taskscope::TaskScope::new().run(async {
///     taskscope::spawn_background(async { taskscope::cancelled().await })?;
///     Ok::<_, Box<dyn std::error::Error + Send + Sync>>("served")
/// }).await;
/// assert_eq!(served.ok(), Some("served")); // the background child did not hold it up
/// # }
/// ```
#[track_caller]
pub fn spawn_background<F, T>(future: F) -> Result<TaskHandle<T>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: Outcome<T>,
    T: Send + 'static,
{
    spawn_into_current(Location::caller(), Phase::Background, future)
}

/// Spawns a foreground or background child into the current scope (also
/// what a redirected `tokio::spawn` calls, without a layer in between).
pub(crate) fn spawn_into_current<F, T>(
    location: &'static Location<'static>,
    phase: Phase,
    future: F,
) -> Result<TaskHandle<T>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: Outcome<T>,
    T: Send + 'static,
{
    // Instantiated once per child future type in the user's build (every
    // redirected spawn): the admission is not generic, only the launch is.
    let current = Borrowed::take();
    let (scope, child) = admit_into_current(&current, location, phase)?;
    Ok(scope.launch(child, future))
}

/// Admits a child into the current scope (taken out of the thread-local
/// into `current` for the spawn), and the scope to launch it in.
fn admit_into_current<'a>(
    current: &'a Borrowed,
    location: &'static Location<'static>,
    phase: Phase,
) -> Result<(&'a Arc<ScopeShared>, Admitted), SpawnError> {
    let own = current.share().ok_or(SpawnError::NoScope)?;
    let (share, info) = TaskBuilder::from_member(own)
        .in_phase(phase)
        .admit(location)?;
    let scope = own.scope();
    Ok((scope, scope.admitted(share, info, None)))
}

/// A handle to the current scope, if the caller runs inside one.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert!(taskscope::current().is_none());
/// let scope = taskscope::TaskScope::builder().name("outer").build();
/// let seen = scope.spawn(async { taskscope::current().and_then(|h| h.name().map(String::from)) });
/// assert_eq!(seen.await, Ok(Some(String::from("outer"))));
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
pub fn current() -> Option<ScopeHandle> {
    with_current_scope(|scope| {
        scope.map(|shared| ScopeHandle {
            shared: std::sync::Arc::clone(shared),
        })
    })
}

/// Completes when the current scope is cancelled: the scope current where
/// the future is first polled. Outside any scope nothing can cancel the
/// caller, and the future never completes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let worker = scope.spawn(async {
///     taskscope::cancelled().await;
///     "cleaned up"
/// });
/// scope.cancel();
/// assert_eq!(worker.await, Ok("cleaned up"));
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
pub async fn cancelled() {
    // An async fn runs nothing until its first poll, so the scope is looked
    // up there: `scope.spawn(cancelled())` waits for the child's own scope.
    // One flat state machine (not a call of `CancelSignal::cancelled`): a
    // child parked here is as small as it can be.
    let Some(signal) = with_current_scope(|scope| scope.map(|shared| shared.signal.clone())) else {
        return std::future::pending().await;
    };
    if signal.is_cancelled() {
        return;
    }
    let mut notified = std::pin::pin!(signal.notified());
    // Register before the second look, so a cancel in between wakes us.
    notified.as_mut().enable();
    if !signal.is_cancelled() {
        notified.await;
    }
}

/// Whether the current scope is cancelled (`false` outside any scope).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert!(!taskscope::is_cancelled());
/// # }
/// ```
pub fn is_cancelled() -> bool {
    with_current_scope(|scope| scope.is_some_and(|shared| shared.signal.is_cancelled()))
}

impl Cancellation {
    /// The cancellation of the scope current at this call (look it up inside
    /// the child, not in the code that spawns it). Outside any scope nothing
    /// can cancel the caller, and guarded futures simply run.
    ///
    /// ```
    /// use taskscope::cancel::Cancellation;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(Cancellation::current().guard(async { 1 }).await, Ok(1)); // no scope here
    /// let scope = taskscope::TaskScope::new();
    /// let seen = scope.spawn(async {
    ///     let cancellation = Cancellation::current(); // this child's scope
    ///     taskscope::cancelled().await;
    ///     cancellation.is_cancelled()
    /// });
    /// scope.cancel();
    /// assert_eq!(seen.await, Ok(true));
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    // Here rather than in `cancel/`, which knows nothing of scopes: it reads
    // the current-scope slot.
    pub fn current() -> Self {
        with_current_scope(|scope| match scope {
            Some(shared) => Cancellation::from_signal(Arc::clone(&shared.signal)),
            None => Cancellation::never(),
        })
    }
}
