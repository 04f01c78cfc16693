//! The synchronisation primitives of the whole crate, in one place so that
//! the loom model (`--cfg taskscope_loom`) explores the real code: under that
//! cfg the atomics and mutexes here are loom's, otherwise std's. (A cfg name
//! of our own, because tokio reacts to `--cfg loom` itself.)
//!
//! Two things stay std's under loom: `Arc`/`Weak` (loom has no `Weak`, and
//! the shares' counting is std's to get right), and the registry's global
//! list, a `static` that loom's mutex cannot be.

#[cfg(taskscope_loom)]
pub(crate) use loom::sync::{
    Mutex,
    atomic::{AtomicBool, AtomicU8, Ordering},
};
#[cfg(not(taskscope_loom))]
pub(crate) use std::sync::{
    Mutex,
    atomic::{AtomicBool, AtomicU8, Ordering},
};

/// A mutex whose poisoning carries no information: nothing the runtime
/// keeps behind a lock can be left half-updated by a panic (each critical
/// section is a push, a swap or a drain, and no user code runs under a
/// lock), so a poisoned lock is simply taken.
pub(crate) trait Lock {
    /// What the lock guards.
    type Data;
    /// Takes the lock, recovering the data if a previous holder panicked.
    fn lock_unpoisoned(&self) -> impl std::ops::DerefMut<Target = Self::Data> + '_;
}

impl<T> Lock for Mutex<T> {
    type Data = T;
    fn lock_unpoisoned(&self) -> impl std::ops::DerefMut<Target = T> + '_ {
        self.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(taskscope_loom)]
impl<T> Lock for std::sync::Mutex<T> {
    type Data = T;
    fn lock_unpoisoned(&self) -> impl std::ops::DerefMut<Target = T> + '_ {
        self.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Locks `mutex` (the modelled one or, for the registry's `static`, std's).
pub(crate) fn lock<M: Lock>(mutex: &M) -> impl std::ops::DerefMut<Target = M::Data> + '_ {
    mutex.lock_unpoisoned()
}
