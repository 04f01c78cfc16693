//! **A health update under a timeout.** A status update runs in a spawned task
//! and the caller waits for it at most a short while. When the wait times out
//! the caller returns, but the spawned task keeps running; under frequent
//! calls such tasks pile up.
//!
//! The fix: `taskscope::timeout` instead of `tokio::time::timeout`. The
//! update runs in a scope of its own with the deadline; when the deadline
//! passes, everything started inside it is stopped (aborted at once: a
//! deadline is a bound, whatever the children do), and only then does the
//! call return `Elapsed`.

/// The leak this example shows.
pub const TITLE: &str = "A health update under a timeout";

/// What `before` and `after` count.
pub const COUNTS: &str = crate::TASKS_LEFT;

use std::time::Duration;

use taskscope::time::Elapsed;

const WAIT_AT_MOST: Duration = Duration::from_millis(20);

/// A status update whose backend never answers.
async fn push_status_update() {
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

/// Naive: `timeout` stops waiting, but the spawned update runs on.
async fn update_health_naive() -> bool {
    let waited = tokio::time::timeout(WAIT_AT_MOST, async {
        tokio::spawn(push_status_update()).await
    })
    .await;
    waited.is_ok()
}

/// Scoped: the same shape, and the deadline ends the update too.
async fn update_health() -> Result<(), Elapsed> {
    taskscope::timeout(WAIT_AT_MOST, async {
        let update = taskscope::spawn(push_status_update()).expect("inside the timeout's scope");
        let _hung: Result<(), taskscope::TaskError> = update.await;
    })
    .await
}

/// Calls the naive update five times; returns the tasks left running.
pub async fn before() -> usize {
    for _ in 0..5 {
        assert!(!update_health_naive().await, "the backend never answers");
    }
    crate::alive_tasks_after_settling().await
}

/// Calls the scoped update five times; returns the tasks left running.
pub async fn after() -> usize {
    for _ in 0..5 {
        let elapsed = update_health()
            .await
            .expect_err("the backend never answers");
        assert!(elapsed.deadline() <= tokio::time::Instant::now());
    }
    crate::alive_tasks_after_settling().await
}
