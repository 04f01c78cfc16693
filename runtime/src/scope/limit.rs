//! A scope's concurrency limit: taking a slot before a child runs, and a
//! `Reservation`, a slot taken before the spawn (backpressure).

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::child::ChildInfo;
use super::output::TaskOutput;
use super::phase::Phase;
use super::task_handle::TaskHandle;
use super::task_scope::TaskScope;
use crate::cancel::CancelSignal;

/// Takes a slot of the scope's limit, waiting for one unless the scope is
/// cancelled first: a child still waiting for a slot when the scope is
/// cancelled never starts. A free slot is taken even in a cancelled scope.
pub(super) async fn take_slot(
    limit: Arc<Semaphore>,
    signal: &CancelSignal,
) -> Option<OwnedSemaphorePermit> {
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
pub(super) async fn throttled<F: Future>(
    limit: Arc<Semaphore>,
    signal: Arc<CancelSignal>,
    future: F,
) -> Option<F::Output> {
    let permit = take_slot(limit, &signal).await?;
    let output = future.await;
    drop(permit);
    Some(output)
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
    pub(super) scope: &'scope TaskScope,
    pub(super) permit: Option<OwnedSemaphorePermit>,
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
        let share = self.scope.shares.share(Phase::Foreground);
        self.scope
            .shared
            .spawn_admitted(share, info, self.permit, future)
    }
}
