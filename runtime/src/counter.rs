//! The live-child count of one scope, and the joiner's wake-up.
//!
//! One 64-bit word holds everything a spawn or an exit needs to touch:
//!
//! ```text
//!  63      62        61..31            30..0
//! CLOSED JOINING  background count  foreground count
//! ```
//!
//! A child's spawn is one atomic add (owner) or one compare-and-swap (a spawn
//! through a handle, which must fail once the scope is closed); its exit is one
//! atomic subtract. The joiner's waker sits behind a mutex that only the joiner
//! and the child that brings a count to zero ever take, so no lock is on the
//! spawn or exit path of an ordinary child.

use std::task::{Context, Poll, Waker};

use crate::sync::modelled::{AtomicU64, Mutex, Ordering};

const FOREGROUND_ONE: u64 = 1;
const FOREGROUND_MASK: u64 = (1 << 31) - 1;
const BACKGROUND_ONE: u64 = 1 << 31;
const BACKGROUND_MASK: u64 = FOREGROUND_MASK << 31;
const COUNT_MASK: u64 = FOREGROUND_MASK | BACKGROUND_MASK;
const JOINING: u64 = 1 << 62;
const CLOSED: u64 = 1 << 63;

/// Whether a child keeps its scope open (foreground) or is cancelled once
/// everything else is done (background).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChildKind {
    Foreground,
    Background,
}

impl ChildKind {
    fn one(self) -> u64 {
        match self {
            ChildKind::Foreground => FOREGROUND_ONE,
            ChildKind::Background => BACKGROUND_ONE,
        }
    }
}

/// What the joiner waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Settled {
    /// No foreground child is alive (background children may be).
    Foreground,
    /// No child at all is alive.
    All,
}

impl Settled {
    fn holds(self, state: u64) -> bool {
        match self {
            Settled::Foreground => state & FOREGROUND_MASK == 0,
            Settled::All => state & COUNT_MASK == 0,
        }
    }
}

/// The scope no longer accepts children.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ClosedForSpawn;

pub(crate) struct ChildCounter {
    state: AtomicU64,
    joiner: Mutex<Option<Waker>>,
}

impl ChildCounter {
    pub(crate) fn new() -> Self {
        ChildCounter {
            state: AtomicU64::new(0),
            joiner: Mutex::new(None),
        }
    }

    fn joiner_slot(&self) -> impl std::ops::DerefMut<Target = Option<Waker>> + '_ {
        // Only a waker is kept here; a panic cannot leave it half-written.
        self.joiner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts a child spawned by the scope's owner, which holds the scope
    /// open by construction: closing consumes the owner.
    pub(crate) fn add_from_owner(&self, kind: ChildKind) {
        let previous = self.state.fetch_add(kind.one(), Ordering::Relaxed);
        debug_assert_eq!(previous & CLOSED, 0, "the owner's scope is never closed");
    }

    /// Counts a child spawned from elsewhere (a handle, a helper function),
    /// unless the scope has closed.
    pub(crate) fn try_add(&self, kind: ChildKind) -> Result<(), ClosedForSpawn> {
        let mut current = self.state.load(Ordering::Relaxed);
        loop {
            if current & CLOSED != 0 {
                return Err(ClosedForSpawn);
            }
            match self.state.compare_exchange_weak(
                current,
                current + kind.one(),
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => current = actual,
            }
        }
    }

    /// Uncounts a child that has finished (or was aborted, or never started),
    /// waking the joiner if that settled what it waits for.
    pub(crate) fn remove(&self, kind: ChildKind) {
        let previous = self.state.fetch_sub(kind.one(), Ordering::AcqRel);
        if previous & JOINING == 0 {
            return;
        }
        let now = previous - kind.one();
        let foreground_settled = kind == ChildKind::Foreground && now & FOREGROUND_MASK == 0;
        if foreground_settled || now & COUNT_MASK == 0 {
            if let Some(waker) = self.joiner_slot().take() {
                waker.wake();
            }
        }
    }

    /// Polls until `what` holds, registering the joiner's waker first so that
    /// the exit that settles it cannot be missed.
    pub(crate) fn poll_settled(&self, cx: &mut Context<'_>, what: Settled) -> Poll<()> {
        if what.holds(self.state.load(Ordering::Acquire)) {
            return Poll::Ready(());
        }
        {
            let mut slot = self.joiner_slot();
            match slot.as_ref() {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        }
        // Setting JOINING and reading the counts is one atomic step: an exit
        // ordered before it is seen here, one ordered after it sees JOINING.
        let state = self.state.fetch_or(JOINING, Ordering::AcqRel);
        if what.holds(state) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Closes the scope if no child is alive; fails if one is (a spawn
    /// through a handle may have slipped in since the last look).
    pub(crate) fn try_close(&self) -> bool {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current & COUNT_MASK != 0 {
                return false;
            }
            match self.state.compare_exchange_weak(
                current,
                current | CLOSED,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    /// Closes the scope whatever is alive (used when the owner is dropped
    /// without joining; the children are aborted right after).
    pub(crate) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// `(foreground, background)` children alive right now.
    pub(crate) fn alive(&self) -> (usize, usize) {
        let state = self.state.load(Ordering::Acquire);
        (
            (state & FOREGROUND_MASK) as usize,
            ((state & BACKGROUND_MASK) >> 31) as usize,
        )
    }
}

#[cfg(all(test, not(taskscope_loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering as StdOrdering};
    use std::sync::Arc;
    use std::task::Wake;

    struct CountingWaker(AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, StdOrdering::SeqCst);
        }
    }

    #[test]
    fn counts_foreground_and_background_separately() {
        let counter = ChildCounter::new();
        counter.add_from_owner(ChildKind::Foreground);
        counter.add_from_owner(ChildKind::Background);
        assert_eq!(counter.try_add(ChildKind::Background), Ok(()));
        assert_eq!(counter.alive(), (1, 2));
        counter.remove(ChildKind::Background);
        assert_eq!(counter.alive(), (1, 1));
    }

    #[test]
    fn close_fails_while_children_live_and_blocks_later_spawns() {
        let counter = ChildCounter::new();
        counter.add_from_owner(ChildKind::Foreground);
        assert!(!counter.try_close());
        counter.remove(ChildKind::Foreground);
        assert!(counter.try_close());
        assert!(counter.is_closed());
        assert_eq!(counter.try_add(ChildKind::Foreground), Err(ClosedForSpawn));
        assert_eq!(counter.alive(), (0, 0));
    }

    #[test]
    fn last_foreground_exit_wakes_a_joiner_waiting_for_foreground() {
        let counter = ChildCounter::new();
        let wakes = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        counter.add_from_owner(ChildKind::Foreground);
        counter.add_from_owner(ChildKind::Foreground);
        counter.add_from_owner(ChildKind::Background);
        assert!(counter
            .poll_settled(&mut cx, Settled::Foreground)
            .is_pending());
        counter.remove(ChildKind::Foreground);
        assert_eq!(
            wakes.0.load(StdOrdering::SeqCst),
            0,
            "one child still alive"
        );
        counter.remove(ChildKind::Foreground);
        assert_eq!(wakes.0.load(StdOrdering::SeqCst), 1);
        assert!(counter
            .poll_settled(&mut cx, Settled::Foreground)
            .is_ready());
        assert!(counter.poll_settled(&mut cx, Settled::All).is_pending());
        counter.remove(ChildKind::Background);
        assert_eq!(wakes.0.load(StdOrdering::SeqCst), 2);
        assert!(counter.poll_settled(&mut cx, Settled::All).is_ready());
    }
}

#[cfg(all(test, taskscope_loom))]
mod loom_model {
    //! Every interleaving of the scope's own synchronisation, explored by loom.
    //! Run with `RUSTFLAGS="--cfg taskscope_loom" cargo test -p taskscope --lib --release loom_model`.
    use super::*;
    use loom::future::block_on;
    use loom::sync::Arc;
    use loom::thread;
    use std::future::poll_fn;

    /// The joiner's protocol, as `TaskScope::join` runs it.
    fn join(counter: &ChildCounter) {
        loop {
            block_on(poll_fn(|cx| counter.poll_settled(cx, Settled::All)));
            if counter.try_close() {
                return;
            }
        }
    }

    #[test]
    fn spawn_through_a_handle_racing_join() {
        loom::model(|| {
            let counter = Arc::new(ChildCounter::new());
            counter.add_from_owner(ChildKind::Foreground);
            let spawner = {
                let counter = counter.clone();
                thread::spawn(move || {
                    // A child that spawns a sibling, then exits.
                    let spawned = counter.try_add(ChildKind::Foreground).is_ok();
                    counter.remove(ChildKind::Foreground);
                    if spawned {
                        counter.remove(ChildKind::Foreground);
                    }
                    spawned
                })
            };
            join(&counter);
            // Join returned: no child may be alive, and no later spawn may succeed.
            assert_eq!(counter.alive(), (0, 0));
            assert!(spawner.join().map_or(false, |spawned| spawned));
            assert_eq!(counter.try_add(ChildKind::Foreground), Err(ClosedForSpawn));
        });
    }

    #[test]
    fn outside_spawn_racing_close_is_either_joined_or_refused() {
        loom::model(|| {
            let counter = Arc::new(ChildCounter::new());
            let outsider = {
                let counter = counter.clone();
                thread::spawn(move || match counter.try_add(ChildKind::Background) {
                    Ok(()) => {
                        counter.remove(ChildKind::Background);
                        true
                    }
                    Err(ClosedForSpawn) => false,
                })
            };
            join(&counter);
            // Either the spawn was counted before the close (and join waited
            // for it) or it was refused: never a child alive after join.
            assert_eq!(counter.alive(), (0, 0));
            let _accepted_or_refused = outsider.join();
            assert!(counter.is_closed());
        });
    }

    #[test]
    fn last_child_finishing_while_join_registers() {
        loom::model(|| {
            let counter = Arc::new(ChildCounter::new());
            counter.add_from_owner(ChildKind::Foreground);
            counter.add_from_owner(ChildKind::Background);
            let children = {
                let counter = counter.clone();
                thread::spawn(move || {
                    counter.remove(ChildKind::Foreground);
                    counter.remove(ChildKind::Background);
                })
            };
            // If a wake-up were lost here, block_on would deadlock and loom
            // would report it.
            block_on(poll_fn(|cx| counter.poll_settled(cx, Settled::Foreground)));
            join(&counter);
            let _ = children.join();
            assert_eq!(counter.alive(), (0, 0));
        });
    }
}
