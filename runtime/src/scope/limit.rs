//! A scope's concurrency limit: taking a slot before a child runs, and a
//! `Reservation`, a slot taken before the spawn (backpressure).

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::child::ChildInfo;
use super::output::Outcome;
use super::phase::{Phase, Share};
use super::task_handle::TaskHandle;
use super::task_scope::TaskScope;
use crate::cancel::CancelSignal;
use crate::sync::{Mutex, lock};

/// A scope's concurrency limit: its slots, how many there are, and how many
/// takers wait for one.
pub(crate) struct Limit {
    slots: Arc<Semaphore>,
    size: usize,
    waiting: AtomicUsize,
}

impl Limit {
    pub(crate) fn new(size: usize) -> Self {
        let size = size.min(Semaphore::MAX_PERMITS);
        Limit {
            slots: Arc::new(Semaphore::new(size)),
            size,
            waiting: AtomicUsize::new(0),
        }
    }

    /// A slot, if one is free now.
    pub(super) fn try_take(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.slots).try_acquire_owned().ok()
    }

    /// Slots taken (by running children and unused reservations), and
    /// takers waiting for one: a moment's look.
    pub(super) fn usage(&self) -> (usize, usize) {
        let taken = self.size.saturating_sub(self.slots.available_permits());
        // Relaxed: a count for reading, ordering nothing.
        (taken, self.waiting.load(Ordering::Relaxed))
    }
}

/// Takes a slot of the scope's limit, waiting for one unless the scope is
/// cancelled first: a child still waiting for a slot when the scope is
/// cancelled never starts. A free slot is taken even in a cancelled scope.
pub(super) async fn take_slot(
    limit: &Limit,
    signal: &CancelSignal,
) -> Option<OwnedSemaphorePermit> {
    if let Some(permit) = limit.try_take() {
        return Some(permit);
    }
    /// Counts a taker as waiting for as long as it waits, however it stops.
    struct Waiting<'a>(&'a AtomicUsize);
    impl Drop for Waiting<'_> {
        fn drop(&mut self) {
            // Relaxed: see `Limit::usage`.
            self.0.fetch_sub(1, Ordering::Relaxed);
        }
    }
    limit.waiting.fetch_add(1, Ordering::Relaxed);
    let _waiting = Waiting(&limit.waiting);
    tokio::select! {
        biased;
        () = signal.cancelled() => None,
        permit = Arc::clone(&limit.slots).acquire_owned() => permit.ok(),
    }
}

/// The slot of one child of a scope with a limit: first the wait for one
/// (unless it was reserved), then the slot, held until the child ends.
///
/// It lives with what is known of the child (`ChildDetails`), not in the
/// child's future, so that a limited child is the same task type as any
/// other: one instantiation of tokio's task code per spawned future, where
/// a wrapper future per case made three (a third of a user crate's debug
/// build). The lock is uncontended: only the child's own task polls and
/// releases it.
pub(crate) struct Gate(Mutex<GateState>);

enum GateState {
    /// Waiting for a slot; `None` if the scope was cancelled first.
    Waiting(Pin<Box<dyn Future<Output = Option<OwnedSemaphorePermit>> + Send>>),
    /// Held until the child ends: dropping it frees the slot.
    Holding { _slot: OwnedSemaphorePermit },
    /// Released, or never admitted.
    Closed,
}

impl Gate {
    /// A child spawned with a slot already taken (a reservation's).
    pub(crate) fn holding(permit: OwnedSemaphorePermit) -> Self {
        Gate(Mutex::new(GateState::Holding { _slot: permit }))
    }

    /// A child that must take a slot before it runs.
    pub(crate) fn waiting(limit: Arc<Limit>, signal: Arc<CancelSignal>) -> Self {
        let wait = async move { take_slot(&limit, &signal).await };
        Gate(Mutex::new(GateState::Waiting(Box::pin(wait))))
    }

    /// Ready with `true` once the child holds its slot, `false` if it never
    /// will (its scope was cancelled while it waited).
    pub(crate) fn poll_admitted(&self, cx: &mut Context<'_>) -> Poll<bool> {
        let mut state = lock(&self.0);
        let taken = match &mut *state {
            GateState::Waiting(wait) => ready!(wait.as_mut().poll(cx)),
            GateState::Holding { .. } => return Poll::Ready(true),
            GateState::Closed => return Poll::Ready(false),
        };
        *state = match taken {
            Some(permit) => GateState::Holding { _slot: permit },
            None => GateState::Closed,
        };
        Poll::Ready(matches!(*state, GateState::Holding { .. }))
    }

    /// Gives the slot back (or stops waiting for one): the child ended.
    pub(crate) fn release(&self) {
        let released = std::mem::replace(&mut *lock(&self.0), GateState::Closed);
        drop(released);
    }
}

/// A slot of a scope's concurrency limit, held for one spawn: made by
/// [`TaskScope::reserve`] (borrowing the owner, so it cannot be held across
/// `join`) or [`ScopeHandle::reserve`](crate::ScopeHandle::reserve) (holding
/// the scope open until it is used or dropped, as a child would). Dropping it
/// unused frees the slot.
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
    holder: Holder<'scope>,
    permit: Option<OwnedSemaphorePermit>,
}

/// Who the reservation's child will take its share from.
enum Holder<'scope> {
    /// The owner, which holds a share of each phase until it joins.
    Owner(&'scope TaskScope),
    /// A share taken for the child when the reservation was made.
    Share(Arc<Share>),
}

impl std::fmt::Debug for Holder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Holder::Owner(_) => "Owner",
            Holder::Share(_) => "Share",
        })
    }
}

impl<'scope> Reservation<'scope> {
    pub(super) fn from_owner(
        scope: &'scope TaskScope,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Self {
        Reservation {
            holder: Holder::Owner(scope),
            permit,
        }
    }

    pub(super) fn holding(share: Arc<Share>, permit: Option<OwnedSemaphorePermit>) -> Self {
        Reservation {
            holder: Holder::Share(share),
            permit,
        }
    }

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
    pub fn spawn<F, T>(self, future: F) -> TaskHandle<T>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let info = ChildInfo::Plain(Location::caller());
        let share = match self.holder {
            Holder::Owner(scope) => scope.shares.share(Phase::Foreground),
            Holder::Share(share) => share,
        };
        let scope = Arc::clone(share.scope());
        let child = scope.admitted(share, info, self.permit);
        scope.launch(child, future)
    }
}

/// Why [`ScopeHandle::reserve`](crate::ScopeHandle::reserve) got no slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReserveError {
    /// The scope was joined or dropped: nothing can be spawned into it.
    Closed,
    /// The scope was cancelled while the reservation waited for a slot.
    Cancelled,
}

impl std::fmt::Display for ReserveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReserveError::Closed => "the scope is closed",
            ReserveError::Cancelled => "the scope was cancelled while waiting for a slot",
        })
    }
}

impl std::error::Error for ReserveError {}
