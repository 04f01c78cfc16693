//! Which children of a scope are alive, counted by the shares they hold.
//!
//! A scope has two phases: foreground and background. Every child holds a
//! share of its phase (an `Arc<Share>`), and the scope's owner holds one share
//! of each until it joins. The phase ends when its last share is dropped, and
//! that drop wakes the joiner. A child's spawn is thus one reference-count
//! increment and its exit one decrement: the count that keeps the scope's
//! state alive for the child *is* the live count, where a separate counter
//! would double both. A spawn from outside the owner (a `ScopeHandle`)
//! upgrades a weak reference, which fails once the phase has ended: the scope
//! is then closed, and no spawn can slip in after `join` has returned.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock, Weak};
use std::task::{Context, Poll, Waker};

use super::shared::ScopeShared;
use crate::sync::{AtomicU8, Mutex, Ordering, lock};

/// The phase a child belongs to: foreground children keep the scope open;
/// background children are cancelled once everything else is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Foreground,
    Background,
}

impl Phase {
    fn ended_bit(self) -> u8 {
        match self {
            Phase::Foreground => FOREGROUND_ENDED,
            Phase::Background => BACKGROUND_ENDED,
        }
    }

    fn index(self) -> usize {
        match self {
            Phase::Foreground => 0,
            Phase::Background => 1,
        }
    }
}

const FOREGROUND_ENDED: u8 = 1;
const BACKGROUND_ENDED: u8 = 1 << 1;
/// Set when the owner drops the scope without joining it.
const DROPPED: u8 = 1 << 2;
/// Set once the joiner has registered its waker: until then, the drop that
/// ends a phase need not take the joiner's lock.
const JOINER_WAITING: u8 = 1 << 3;
/// Set when the owner lets go of its share of a phase, as it joins: from
/// then on every share of that phase is a child's.
const OWNER_LET_GO_FOREGROUND: u8 = 1 << 4;
const OWNER_LET_GO_BACKGROUND: u8 = 1 << 5;

/// A share in one phase of a scope.
pub(crate) struct Share {
    scope: Arc<ScopeShared>,
    phase: Phase,
}

impl Share {
    pub(crate) fn scope(&self) -> &Arc<ScopeShared> {
        &self.scope
    }

    pub(crate) fn phase(&self) -> Phase {
        self.phase
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.scope.phases.end(self.phase);
    }
}

/// The owner's shares: one of each phase, until `join` lets them go.
pub(crate) struct OwnerShares {
    pub(crate) foreground: Option<Arc<Share>>,
    pub(crate) background: Option<Arc<Share>>,
}

impl OwnerShares {
    /// A share for a child of `phase` spawned by the owner.
    pub(crate) fn share(&self, phase: Phase) -> Arc<Share> {
        let own = match phase {
            Phase::Foreground => &self.foreground,
            Phase::Background => &self.background,
        };
        // Only `join` and `run` let go of the shares, and both consume the
        // owner: nothing can spawn through it afterwards.
        Arc::clone(
            own.as_ref()
                .expect("the owner holds both shares until it joins"),
        )
    }
}

thread_local! {
    /// The enclosing shares this thread has yet to drop, while it is
    /// dropping one already (see [`release`]).
    static RELEASING: RefCell<Option<Vec<Arc<Share>>>> = const { RefCell::new(None) };
}

/// Drops an enclosing scope's share. That drop may end a phase of a scope
/// that was itself dropped unjoined, which then lets go of *its* enclosing
/// share, and so on up a chain of nested scopes. The drops run one after
/// another in a loop on this thread instead of inside each other, so a
/// chain of 100 000 dropped scopes needs no deeper stack than one.
fn release(share: Arc<Share>) {
    let mut share = Some(share);
    let queued = RELEASING.try_with(|releasing| {
        let mut releasing = releasing.borrow_mut();
        match releasing.as_mut() {
            // The loop below, further up this thread's stack, drops it.
            Some(queue) => queue.extend(share.take()),
            None => *releasing = Some(Vec::new()),
        }
    });
    let Some(mut share) = share else {
        return;
    };
    if queued.is_err() {
        // The thread is exiting and its locals are gone: drop it here.
        drop(share);
        return;
    }
    /// Ends the loop on every exit: a panic in a drop (a failure a dropped
    /// scope recorded, say) must not leave later releases queued for ever.
    struct Done;
    impl Drop for Done {
        fn drop(&mut self) {
            let queued = RELEASING
                .try_with(|releasing| releasing.borrow_mut().take())
                .ok()
                .flatten();
            drop(queued);
        }
    }
    let _done = Done;
    loop {
        drop(share);
        let next = RELEASING
            .try_with(|releasing| releasing.borrow_mut().as_mut().and_then(Vec::pop))
            .ok()
            .flatten();
        match next {
            Some(queued) => share = queued,
            None => return,
        }
    }
}

/// The scope's side of its phases: weak references for spawns from outside,
/// which phases have ended, and the joiner's waker.
pub(crate) struct Phases {
    shares: OnceLock<[Weak<Share>; 2]>,
    state: AtomicU8,
    /// Taken only by the joiner and by the drop that ends a phase.
    joiner: Mutex<Option<Waker>>,
    /// A share of the enclosing scope, held from the moment the owner drops
    /// this scope unjoined until its last child is gone.
    enclosing: Mutex<Option<Arc<Share>>>,
}

impl Phases {
    pub(crate) fn new() -> Self {
        Phases {
            shares: OnceLock::new(),
            state: AtomicU8::new(0),
            joiner: Mutex::new(None),
            enclosing: Mutex::new(None),
        }
    }

    /// Creates the two phases of `scope`, whose `phases` this is, and hands
    /// their first shares to the owner.
    pub(crate) fn open(scope: &Arc<ScopeShared>) -> OwnerShares {
        let share = |phase| {
            Arc::new(Share {
                scope: Arc::clone(scope),
                phase,
            })
        };
        let (foreground, background) = (share(Phase::Foreground), share(Phase::Background));
        let weak = [Arc::downgrade(&foreground), Arc::downgrade(&background)];
        let first_opening = scope.phases.shares.set(weak).is_ok();
        debug_assert!(
            first_opening,
            "a scope's phases are opened once, when it is created"
        );
        OwnerShares {
            foreground: Some(foreground),
            background: Some(background),
        }
    }

    /// A share for a child of `phase` spawned from outside the owner, unless
    /// the scope has closed. Once the foreground phase has ended (the owner
    /// is joining the background children), a foreground child joins the
    /// background phase: it is awaited with everything that is left.
    pub(crate) fn share(&self, phase: Phase) -> Option<Arc<Share>> {
        if self.is_dropped() {
            return None;
        }
        self.upgrade(phase)
    }

    /// A share that keeps the scope from finishing, for a scope nested in it
    /// that was dropped unjoined: unlike [`share`](Phases::share), also when
    /// this scope was dropped too, so that the scopes enclosing both wait
    /// for the nested one's aborted children. `None` once every phase ended.
    pub(crate) fn keep_open(&self) -> Option<Arc<Share>> {
        self.upgrade(Phase::Foreground)
    }

    /// A share of the phase of `phase`, or of the background phase once the
    /// foreground one has ended.
    fn upgrade(&self, phase: Phase) -> Option<Arc<Share>> {
        let shares = self.shares.get()?;
        shares[phase.index()]
            .upgrade()
            .or_else(|| shares[Phase::Background.index()].upgrade())
    }

    /// The owner is about to let go of its share of `phase`.
    pub(crate) fn owner_lets_go(&self, phase: Phase) {
        let bit = match phase {
            Phase::Foreground => OWNER_LET_GO_FOREGROUND,
            Phase::Background => OWNER_LET_GO_BACKGROUND,
        };
        // Relaxed: the bit only corrects a count that is a moment's look.
        self.state.fetch_or(bit, Ordering::Relaxed);
    }

    /// `(foreground, background)` shares held by children (and the body of
    /// `run`) right now: the owner's, while it holds them, left out.
    pub(crate) fn held_by_children(&self) -> (usize, usize) {
        let (foreground, background) = self.shares_held();
        // Relaxed: a count is a moment's look (see `owner_lets_go`).
        let state = self.state.load(Ordering::Relaxed);
        let owner = |let_go: u8| usize::from(state & (let_go | DROPPED) == 0);
        (
            foreground.saturating_sub(owner(OWNER_LET_GO_FOREGROUND)),
            background.saturating_sub(owner(OWNER_LET_GO_BACKGROUND)),
        )
    }

    /// `(foreground, background)` shares held right now, the owner's included.
    pub(crate) fn shares_held(&self) -> (usize, usize) {
        match self.shares.get() {
            Some([foreground, background]) => {
                (foreground.strong_count(), background.strong_count())
            }
            None => (0, 0),
        }
    }

    /// Marks the scope's owner as gone without joining: no spawn from
    /// outside succeeds from now on.
    ///
    /// The children were just told to abort, which tokio does a little
    /// later; `enclosing` (a share of the scope this one is nested in) is
    /// kept until the last of them is gone, so the enclosing scope's `join`
    /// waits for them as it would have waited for this scope's owner.
    pub(crate) fn close(&self, enclosing: Option<Arc<Share>>) {
        // Read-modify-writes of one atomic are totally ordered: either the
        // last `end` sees DROPPED, or the `all_ended` below sees its bit
        // (or both; releasing twice is harmless).
        self.state.fetch_or(DROPPED, Ordering::AcqRel);
        *lock(&self.enclosing) = enclosing;
        // A scope dropped part way through `join` has let go of its own
        // shares: its last child may have ended since the caller looked.
        if self.all_ended() {
            self.release_enclosing();
        }
    }

    /// Whether the owner dropped the scope without joining it.
    pub(crate) fn is_dropped(&self) -> bool {
        // Only the bit matters here (a refused spawn reads nothing the
        // dropper wrote); Acquire keeps every reader of `state` alike.
        self.state.load(Ordering::Acquire) & DROPPED != 0
    }

    /// Whether both phases have ended: every child is gone and the owner
    /// has joined (or dropped) the scope.
    pub(crate) fn all_ended(&self) -> bool {
        let both = FOREGROUND_ENDED | BACKGROUND_ENDED;
        // Acquire pairs with `end`'s release: whoever sees both phases ended
        // also sees what the last children wrote before (their failures).
        self.state.load(Ordering::Acquire) & both == both
    }

    /// Whether no child can be spawned any more.
    pub(crate) fn is_closed(&self) -> bool {
        self.is_dropped() || self.all_ended()
    }

    /// The last share of `phase` was dropped.
    fn end(&self, phase: Phase) {
        // Release publishes what the child wrote before it ended (a failure
        // record) to the joiner; Acquire lets the last `end` that sees
        // DROPPED see the dropper's writes too.
        let state = self.state.fetch_or(phase.ended_bit(), Ordering::AcqRel) | phase.ended_bit();
        if state & JOINER_WAITING != 0 {
            if let Some(waker) = lock(&self.joiner).take() {
                waker.wake();
            }
        }
        let both = FOREGROUND_ENDED | BACKGROUND_ENDED;
        if state & both == both && state & DROPPED != 0 {
            self.release_enclosing();
        }
    }

    /// Lets go of the enclosing scope's share, outside the lock: dropping it
    /// may end that scope's phase in turn.
    fn release_enclosing(&self) {
        let enclosing = lock(&self.enclosing).take();
        if let Some(share) = enclosing {
            release(share);
        }
    }

    /// Ready once the phase of `phase` has ended. The waker is stored before
    /// `JOINER_WAITING` is set, and the second look is the same atomic step
    /// as setting it: the drop that ends the phase either sees the flag (and
    /// wakes the waker) or is seen.
    pub(crate) fn poll_ended(&self, cx: &mut Context<'_>, phase: Phase) -> Poll<()> {
        // Acquire pairs with `end`'s release (see `all_ended`).
        if self.state.load(Ordering::Acquire) & phase.ended_bit() != 0 {
            return Poll::Ready(());
        }
        {
            let mut slot = lock(&self.joiner);
            match slot.as_ref() {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        }
        // One read-modify-write for the flag and the second look: `end`'s
        // fetch_or is ordered before or after it, so either this sees the
        // ended bit or `end` sees JOINER_WAITING and wakes the stored waker.
        // Acquire as in the first look.
        let state = self.state.fetch_or(JOINER_WAITING, Ordering::AcqRel);
        if state & phase.ended_bit() != 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[cfg(all(test, not(taskscope_loom)))]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use crate::{SpawnError, TaskScope};

    #[tokio::test(flavor = "current_thread")]
    async fn a_child_spawning_after_its_owner_dropped_the_scope_is_refused() {
        let scope = TaskScope::new();
        let (started, has_started) = tokio::sync::oneshot::channel();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        // A blocking child that is running cannot be aborted: it outlives
        // the drop.
        let child = scope.spawn_blocking(move || {
            let _ = started.send(());
            wait.recv().expect("the test sends");
            matches!(crate::spawn(async {}), Err(SpawnError::Closed))
        });
        has_started.await.expect("the child runs");
        drop(scope);
        go.send(()).expect("the child waits");
        assert_eq!(child.await, Ok(true), "the late spawn was refused");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_foreground_spawn_after_the_foreground_ended_is_still_joined() {
        let scope = TaskScope::new();
        let late_child_done = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&late_child_done);
        scope.spawn_background(async move {
            // The foreground has ended once `join` cancels the background.
            crate::cancelled().await;
            let late = crate::spawn(async move {
                tokio::task::yield_now().await;
                done.store(true, Ordering::SeqCst);
            });
            assert!(late.is_ok(), "the scope is still open for its members");
        });
        scope.join().await.expect("nothing failed");
        assert!(
            late_child_done.load(Ordering::SeqCst),
            "join waited for the child spawned after the foreground ended"
        );
    }
}

#[cfg(all(test, taskscope_loom))]
mod loom_model {
    //! Every interleaving of the joiner's wake-up, explored by loom. Run with
    //! `RUSTFLAGS="--cfg taskscope_loom" cargo test -p taskscope --lib --release loom_model`.
    //!
    //! The shares themselves are `std::sync::Arc`s, whose counting (and
    //! `Weak::upgrade` failing for ever once the count reached zero) is
    //! std's to get right; what is ours is the hand-off from the drop that
    //! ends a phase to the joiner.
    use super::*;
    use loom::future::block_on;
    use loom::sync::Arc;
    use loom::thread;
    use std::future::poll_fn;

    #[test]
    fn the_last_share_dropping_while_the_joiner_registers() {
        loom::model(|| {
            let phases = Arc::new(Phases::new());
            let last_child = {
                let phases = phases.clone();
                thread::spawn(move || {
                    phases.end(Phase::Foreground);
                    phases.end(Phase::Background);
                })
            };
            // A lost wake-up would leave block_on parked for ever, which
            // loom reports as a deadlock.
            block_on(poll_fn(|cx| phases.poll_ended(cx, Phase::Foreground)));
            block_on(poll_fn(|cx| phases.poll_ended(cx, Phase::Background)));
            assert!(phases.all_ended());
            let _ = last_child.join();
        });
    }
}
