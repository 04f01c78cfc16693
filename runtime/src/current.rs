//! The current scope: a thread-local slot that holds the share (and through
//! it the scope) of whatever child or scope body is being polled on this
//! thread.
//!
//! The slot is filled around each poll by moving the child's own share in
//! and out (no reference-count traffic), which is what lets
//! `taskscope::spawn` and `TaskScope::new()` find their scope from a helper
//! function without a handle being passed down.

use std::cell::Cell;
use std::sync::Arc;

use crate::phase::Phase;
use crate::scope::ScopeShared;

thread_local! {
    static CURRENT: Cell<Option<Arc<Phase>>> = const { Cell::new(None) };
}

/// Runs `f` with the share in `slot` as the current one, then puts
/// everything back, also if `f` panics. `slot` is empty while `f` runs.
pub(crate) fn with_current<R>(slot: &mut Option<Arc<Phase>>, f: impl FnOnce() -> R) -> R {
    struct Restore<'a> {
        slot: &'a mut Option<Arc<Phase>>,
        previous: Option<Arc<Phase>>,
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
    with_current_share(|share| f(share.map(|share| share.scope())))
}

/// Calls `f` with the current child's (or body's) share, if there is one.
pub(crate) fn with_current_share<R>(f: impl FnOnce(Option<&Arc<Phase>>) -> R) -> R {
    struct PutBack(Option<Arc<Phase>>);
    impl Drop for PutBack {
        fn drop(&mut self) {
            let scope = self.0.take();
            CURRENT.with(|current| current.set(scope));
        }
    }
    let scope = PutBack(CURRENT.with(Cell::take));
    f(scope.0.as_ref())
}
