//! **A pool that starts its cleanup loop in its constructor.** The loop runs
//! until someone calls `close_all()`; a pool created and dropped without that
//! call leaks the loop.
//!
//! The fix: the pool owns a root scope, and the sweep is a ticker of that
//! scope (`TaskScope::every`), a background child. Dropping the pool drops
//! the scope, which aborts the ticker; `close` is still there for a graceful
//! stop that lets a sweep in progress finish.

/// The leak this example shows.
pub const TITLE: &str = "A pool that starts its cleanup loop in its constructor";

/// What `before` and `after` count.
pub const COUNTS: &str = crate::TASKS_LEFT;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use taskscope::{ScopeError, TaskScope};

const SWEEP_EVERY: Duration = Duration::from_millis(5);

/// Naive: the cleanup loop is detached; only `close_all` would stop it.
pub struct NaivePool {
    closed: Arc<AtomicBool>,
}

impl NaivePool {
    /// Opens the pool and starts its cleanup loop.
    pub fn new() -> Self {
        let closed = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&closed);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            while !stop.load(Ordering::Acquire) {
                tick.tick().await; // then evict idle connections
            }
        });
        NaivePool { closed }
    }

    /// Stops the cleanup loop: the one call that must not be forgotten.
    pub fn close_all(&self) {
        self.closed.store(true, Ordering::Release);
    }
}

impl Default for NaivePool {
    fn default() -> Self {
        Self::new()
    }
}

/// Scoped: the cleanup loop belongs to the pool's scope.
pub struct Pool {
    tasks: TaskScope,
}

impl Pool {
    /// Opens the pool and starts its sweep, a ticker of the pool's scope.
    pub fn new() -> Self {
        let tasks = TaskScope::builder().name("pool").root().build();
        tasks
            .every(SWEEP_EVERY, || async { /* evict idle connections */ })
            .keep_running(); // as long as the pool's scope
        Pool { tasks }
    }

    /// Stops the sweep (a background child stops once nothing else runs)
    /// and waits for it.
    pub async fn close(self) -> Result<(), ScopeError> {
        self.tasks.join().await
    }
}

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
}

/// Creates and drops three pools without closing them; returns the tasks left running.
pub async fn before() -> usize {
    for _ in 0..3 {
        let pool = NaivePool::new();
        tokio::time::sleep(SWEEP_EVERY).await;
        drop(pool);
    }
    let closed = NaivePool::new();
    closed.close_all(); // the one path that does not leak
    crate::alive_tasks_after_settling().await
}

/// Creates and drops three pools without closing them, and closes a fourth;
/// returns the tasks left running.
pub async fn after() -> usize {
    for _ in 0..3 {
        let pool = Pool::new();
        tokio::time::sleep(SWEEP_EVERY).await;
        drop(pool);
    }
    Pool::new()
        .close()
        .await
        .expect("the cleanup loop does not fail");
    crate::alive_tasks_after_settling().await
}
