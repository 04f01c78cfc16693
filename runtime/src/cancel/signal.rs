//! The cancellation signal of a scope: a flag anyone can read for the price of
//! an atomic load, one `Notify` that every waiter parks on, and weak links to
//! the signals of nested scopes so that cancellation flows down the tree.
//!
//! A `CancellationToken` per scope would do the same job, but it takes a lock
//! for every `is_cancelled()` and every new `cancelled()` future; a cancellable
//! loop checks on every iteration, so the check has to be a plain load.

use std::sync::{Arc, Weak};

use tokio::sync::Notify;

use crate::sync::{AtomicBool, Mutex, Ordering, lock};

#[derive(Debug)]
pub(crate) struct CancelSignal {
    cancelled: AtomicBool,
    notify: Notify,
    nested: Mutex<Vec<Weak<CancelSignal>>>,
}

impl CancelSignal {
    pub(crate) fn root() -> Arc<Self> {
        Arc::new(CancelSignal {
            cancelled: AtomicBool::new(false),
            notify: Notify::new(),
            nested: Mutex::new(Vec::new()),
        })
    }

    /// A signal that is cancelled whenever `parent` is (now or later).
    pub(crate) fn nested_in(parent: &Arc<Self>) -> Arc<Self> {
        let child = Self::root();
        {
            let mut nested = lock(&parent.nested);
            if nested.len() == nested.capacity() {
                // Forget scopes that have ended before the vector grows, so a
                // long-lived parent does not accumulate dead links.
                nested.retain(|link| link.strong_count() > 0);
            }
            nested.push(Arc::downgrade(&child));
        }
        // The parent sets its flag before it takes the lock to walk its nested
        // signals: either it found the link pushed above, or this load sees
        // the flag.
        if parent.is_cancelled() {
            child.cancel();
        }
        child
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        // Acquire pairs with the swap in `cancel`: whoever sees the flag
        // also sees what the canceller wrote before it (a deadline's mark).
        self.cancelled.load(Ordering::Acquire)
    }

    /// Cancels this signal and every nested one; returns whether this call
    /// was the one that did it.
    ///
    /// The nested signals are walked with a list of links still to visit,
    /// not by recursion: a tree of scopes nested 100 000 deep is cancelled
    /// on a 2 MiB stack.
    pub(crate) fn cancel(&self) -> bool {
        if !self.mark_cancelled() {
            return false;
        }
        let mut to_visit = self.take_nested();
        while let Some(link) = to_visit.pop() {
            if let Some(signal) = link.upgrade() {
                if signal.mark_cancelled() {
                    to_visit.append(&mut signal.take_nested());
                }
            }
        }
        true
    }

    /// Sets the flag and wakes this signal's waiters; whether it was this
    /// call that set it.
    fn mark_cancelled(&self) -> bool {
        // AcqRel: Release publishes the canceller's earlier writes to every
        // `is_cancelled` reader; Acquire makes a second canceller, which
        // returns at once, see the first one's.
        if self.cancelled.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.notify.notify_waiters();
        true
    }

    /// The links to the nested signals, taken: a cancelled signal has no
    /// further use for them.
    fn take_nested(&self) -> Vec<Weak<CancelSignal>> {
        std::mem::take(&mut *lock(&self.nested))
    }

    /// A registration for the next cancellation (see `Notify::notified`).
    pub(crate) fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }

    /// Completes once the signal is cancelled.
    pub(crate) async fn cancelled(&self) {
        if self.is_cancelled() {
            return;
        }
        let notified = self.notify.notified();
        tokio::pin!(notified);
        // Register before the second look, so a cancel in between wakes us.
        notified.as_mut().enable();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

#[cfg(all(test, not(taskscope_loom)))]
mod tests {
    use super::*;

    #[test]
    fn cancelling_a_parent_reaches_nested_signals_made_before_and_after() {
        let parent = CancelSignal::root();
        let before = CancelSignal::nested_in(&parent);
        let grandchild = CancelSignal::nested_in(&before);
        assert!(parent.cancel());
        assert!(
            !parent.cancel(),
            "the second cancel is not the one that did it"
        );
        assert!(before.is_cancelled() && grandchild.is_cancelled());
        let after = CancelSignal::nested_in(&parent);
        assert!(after.is_cancelled());
    }

    #[test]
    fn a_chain_of_a_million_nested_signals_is_cancelled_without_recursion() {
        let top = CancelSignal::root();
        let mut chain = vec![Arc::clone(&top)];
        for _ in 0..1_000_000 {
            let nested = CancelSignal::nested_in(chain.last().expect("not empty"));
            chain.push(nested);
        }
        // On the test thread's 2 MiB stack, one frame per level would overflow.
        assert!(top.cancel());
        assert!(chain.iter().all(|signal| signal.is_cancelled()));
    }

    #[test]
    fn cancelling_a_child_leaves_the_parent_alone() {
        let parent = CancelSignal::root();
        let child = CancelSignal::nested_in(&parent);
        child.cancel();
        assert!(!parent.is_cancelled());
    }

    #[tokio::test]
    async fn waiters_registered_before_the_cancel_wake() {
        let signal = CancelSignal::root();
        let waiting = Arc::clone(&signal);
        let waiter = tokio::spawn(async move { waiting.cancelled().await });
        tokio::task::yield_now().await;
        signal.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("waiter woke")
            .expect("waiter did not panic");
    }
}

#[cfg(all(test, taskscope_loom))]
mod loom_model {
    //! Every interleaving of a nested signal's creation with its parent's
    //! cancellation, explored by loom (see `crate::sync`): the flag's
    //! orderings and the lock around the nested links are modelled.
    use super::*;
    use loom::thread;

    #[test]
    fn a_signal_nested_while_its_parent_is_cancelled_ends_up_cancelled() {
        loom::model(|| {
            let parent = CancelSignal::root();
            let canceller = {
                let parent = parent.clone();
                thread::spawn(move || {
                    parent.cancel();
                })
            };
            let child = CancelSignal::nested_in(&parent);
            canceller.join().expect("the canceller does not panic");
            assert!(
                child.is_cancelled(),
                "the link was missed and the flag was not seen"
            );
        });
    }
}
