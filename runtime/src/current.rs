//! The current scope: a thread-local slot that holds the scope of whatever
//! child (or scope body) is being polled on this thread.
//!
//! The slot is filled around each poll by moving the child's own reference in
//! and out (no reference-count traffic), which is what lets
//! `taskscope::spawn` and `TaskScope::new()` find their scope from a helper
//! function without a handle being passed down.

use std::cell::Cell;
use std::sync::Arc;

use crate::scope::ScopeShared;

thread_local! {
    static CURRENT: Cell<Option<Arc<ScopeShared>>> = const { Cell::new(None) };
}

/// Runs `f` with the scope in `slot` as the current scope, then puts
/// everything back, also if `f` panics. `slot` is empty while `f` runs.
pub(crate) fn with_current<R>(slot: &mut Option<Arc<ScopeShared>>, f: impl FnOnce() -> R) -> R {
    struct Restore<'a> {
        slot: &'a mut Option<Arc<ScopeShared>>,
        previous: Option<Arc<ScopeShared>>,
    }
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let previous = self.previous.take();
            *self.slot = CURRENT.with(|current| current.replace(previous));
        }
    }
    let previous = CURRENT.with(|current| current.replace(slot.take()));
    let _restore = Restore { slot, previous };
    f()
}

/// Calls `f` with the current scope, if there is one.
pub(crate) fn with_current_scope<R>(f: impl FnOnce(Option<&Arc<ScopeShared>>) -> R) -> R {
    struct PutBack(Option<Arc<ScopeShared>>);
    impl Drop for PutBack {
        fn drop(&mut self) {
            let scope = self.0.take();
            CURRENT.with(|current| current.set(scope));
        }
    }
    let scope = PutBack(CURRENT.with(Cell::take));
    f(scope.0.as_ref())
}
