//! A scope's list of its children: the way to abort each one, and what the
//! registry shows of it.

use tokio::task::AbortHandle;

use super::child::ChildInfo;

/// One child as its scope keeps it: the way to abort it, and what the
/// registry shows of it.
pub(super) struct ChildEntry {
    pub(super) abort: AbortHandle,
    pub(super) info: ChildInfo,
    /// Milliseconds from the scope's creation to the child's spawn: four
    /// bytes where an `Instant` takes sixteen, for every child.
    pub(super) started_ms: u32,
}

/// The children, touched only by spawners, the joiner and the registry.
/// Finished children are swept out whenever the list has doubled since the
/// last sweep, so a long-lived scope holds on to no finished task's memory
/// for long, at an amortised constant cost per spawn. A sweep that could not
/// halve the list (most children are still alive, as in a burst of spawns) is
/// skipped: it would read every child's task header, cold in the cache, for
/// little gain.
pub(super) struct ChildList {
    pub(super) entries: Vec<ChildEntry>,
    sweep_at: usize,
    /// Set once the grace period ran out (or the owner dropped the scope).
    pub(super) aborting: bool,
}

pub(super) const FIRST_SWEEP: usize = 64;

impl ChildList {
    pub(super) fn new() -> Self {
        ChildList {
            entries: Vec::new(),
            sweep_at: FIRST_SWEEP,
            aborting: false,
        }
    }

    /// Adds a child to a scope with `alive` children (counting it).
    #[inline]
    pub(super) fn push(&mut self, entry: ChildEntry, alive: impl FnOnce() -> usize) {
        if self.entries.len() >= self.sweep_at {
            if alive() * 2 <= self.entries.len() {
                self.entries.retain(|entry| !entry.abort.is_finished());
            }
            self.sweep_at = (self.entries.len() * 2).max(FIRST_SWEEP);
        }
        self.entries.push(entry);
    }
}

#[cfg(all(test, not(taskscope_loom)))]
mod tests {
    use super::*;
    use crate::TaskScope;
    use crate::clock::Now;
    use crate::registry::Listed;
    use crate::sync::lock;

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
