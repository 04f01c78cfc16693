//! Structured concurrency for tokio: every task belongs to a [`TaskScope`],
//! and no task outlives its scope.
//!
//! A scope owns the children it spawns. [`TaskScope::join`] waits for all of
//! them; a child's failure cancels its siblings and reaches the parent; a
//! deadline or a cancellation reaches every child, and children nested in
//! further scopes; dropping a scope aborts what it still owns. Children find
//! their scope without a handle being passed down, so helper functions can
//! call [`taskscope::spawn`](spawn) and [`taskscope::cancelled`](cancelled).
//!
//! ```
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! async fn refresh(id: u32) -> Result<u32, std::io::Error> {
//!     tokio::time::sleep(Duration::from_millis(10)).await;
//!     Ok(id)
//! }
//!
//! let scope = taskscope::TaskScope::builder().name("refresh").build();
//! let handles: Vec<_> = (0..3).map(|id| scope.spawn(refresh(id))).collect();
//! for (id, handle) in (0..3).zip(handles) {
//!     assert_eq!(handle.await, Ok(id));
//! }
//! scope.join().await.expect("every refresh succeeded");
//! # }
//! ```
//!
//! # Features
//!
//! - `tracing`: a `tracing` span per scope (`taskscope.scope`, with its name
//!   and location) and per child (`taskscope.task`, with its name, spawn
//!   location and whether it is a background child), the child's under its
//!   scope's. Built with `--cfg tokio_unstable` too, children are also named for
//!   tokio-console (their name, or their spawn location).
//!
//! # Runtime requirements
//!
//! Children are spawned on the current tokio runtime. Deadlines and the grace
//! period use tokio's timer, so the runtime needs its time driver (the
//! default of `#[tokio::main]` and `#[tokio::test]`).

mod body;
mod builder;
mod cancel;
mod cancellable;
mod counter;
mod current;
mod error;
mod handle;
mod launch;
mod leaks;
mod output;
mod registry;
mod scope;
mod sync;
mod task;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

use std::future::Future;
use std::panic::Location;

pub use builder::{Policy, ScopeBuilder, DEFAULT_GRACE_PERIOD};
pub use cancellable::{Cancellation, Guarded, OnCancel};
pub use error::{Closed, Failure, ScopeError, SpawnError, TaskError, TaskInfo};
pub use handle::ScopeHandle;
pub use leaks::{assert_no_leaks, LeakCheck, LeakReport, LeakedTask, DEFAULT_SETTLE_TIME};
pub use output::{ChildError, TaskOutput};
pub use registry::{dump, ScopeSnapshot, TaskSnapshot, TaskTree};
pub use scope::{Reservation, TaskBuilder, TaskScope};
pub use task::TaskHandle;

#[doc(inline)]
pub use taskscope_macros::scoped;

/// Work that stopped because its scope was cancelled.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let cancellation = taskscope::Cancellation::from(&scope);
/// scope.cancel();
/// let outcome = cancellation.guard(std::future::pending::<()>()).await;
/// assert_eq!(outcome, Err(taskscope::Cancelled));
/// assert_eq!(taskscope::Cancelled.to_string(), "the scope was cancelled");
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the scope was cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// Spawns a child into the current scope: the scope of the child (or
/// [`TaskScope::run`] body) that calls it.
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
pub fn spawn<F>(future: F) -> Result<TaskHandle<<F::Output as TaskOutput>::Success>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: TaskOutput,
    <F::Output as TaskOutput>::Success: Send,
{
    let location = Location::caller();
    current::with_current_scope(|scope| match scope {
        Some(scope) => TaskBuilder::from_handle(scope)
            .spawn_at(location, future)
            .map_err(SpawnError::from),
        None => Err(SpawnError::NoScope),
    })
}

/// Spawns a background child into the current scope (see
/// [`TaskScope::spawn_background`]): it is cancelled once the scope's other
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
pub fn spawn_background<F>(
    future: F,
) -> Result<TaskHandle<<F::Output as TaskOutput>::Success>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: TaskOutput,
    <F::Output as TaskOutput>::Success: Send,
{
    let location = Location::caller();
    current::with_current_scope(|scope| match scope {
        Some(scope) => TaskBuilder::from_handle(scope)
            .background()
            .spawn_at(location, future)
            .map_err(SpawnError::from),
        None => Err(SpawnError::NoScope),
    })
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
    current::with_current_scope(|scope| {
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
pub fn cancelled() -> impl Future<Output = ()> + Send + 'static {
    // The scope is looked up at the first poll, so `scope.spawn(cancelled())`
    // waits for the child's own scope.
    async {
        let signal = current::with_current_scope(|scope| scope.map(|shared| shared.signal.clone()));
        match signal {
            Some(signal) => signal.cancelled_owned().await,
            None => std::future::pending().await,
        }
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
    current::with_current_scope(|scope| scope.is_some_and(|shared| shared.signal.is_cancelled()))
}
