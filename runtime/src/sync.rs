//! Synchronisation helpers shared by the runtime's modules.

use std::sync::{Mutex, MutexGuard};

/// The primitives of the phases' hand-off to the joiner, swapped for loom's under
/// `--cfg taskscope_loom` so that the model in `phase.rs` explores every
/// interleaving of the real code. (A cfg name of our own, because tokio reacts
/// to `--cfg loom` itself.)
pub(crate) mod modelled {
    #[cfg(taskscope_loom)]
    pub(crate) use loom::sync::{
        atomic::{AtomicU8, Ordering},
        Mutex,
    };
    #[cfg(not(taskscope_loom))]
    pub(crate) use std::sync::{
        atomic::{AtomicU8, Ordering},
        Mutex,
    };
}

/// Locks a mutex, recovering the data if a previous holder panicked.
///
/// Nothing the runtime keeps behind a lock can be left half-updated by a
/// panic (each critical section is a push, a swap or a drain, and no user code
/// runs under a lock), so poisoning carries no information here.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
