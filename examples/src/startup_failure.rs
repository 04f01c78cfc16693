//! **Start-up that fails half way.** Start-up first starts a metrics loop,
//! then loads TLS material. If loading fails, the metrics loop keeps running,
//! and each retry of start-up adds another.
//!
//! The fix: start-up is a `#[scoped]` function, and the metrics loop is a
//! background child of its scope. The `?` that leaves the body cancels the
//! scope and waits for the loop to stop; on success the loop runs beside the
//! server and stops when the server is done.

/// The leak this example shows.
pub const TITLE: &str = "Start-up that fails half way";

/// What `before` and `after` count.
pub const COUNTS: &str = crate::TASKS_LEFT;

use std::time::Duration;

use taskscope::{ScopeError, SpawnError};

/// Why start-up failed.
#[derive(Debug)]
pub enum StartError {
    /// The TLS material could not be loaded.
    Tls(&'static str),
    /// A task could not be started or failed.
    Tasks(String),
}

impl From<ScopeError> for StartError {
    fn from(error: ScopeError) -> Self {
        StartError::Tasks(error.to_string())
    }
}

impl From<SpawnError> for StartError {
    fn from(error: SpawnError) -> Self {
        StartError::Tasks(error.to_string())
    }
}

/// Reports metrics every few milliseconds, for ever.
async fn metrics_loop_naive() {
    let mut tick = tokio::time::interval(Duration::from_millis(5));
    loop {
        tick.tick().await;
    }
}

/// Reports metrics until its scope is cancelled.
async fn metrics_loop() {
    let mut tick = tokio::time::interval(Duration::from_millis(5));
    loop {
        tokio::select! {
            _ = taskscope::cancelled() => break,
            _ = tick.tick() => {}
        }
    }
}

fn load_tls() -> Result<Vec<u8>, StartError> {
    Err(StartError::Tls("certificate file is missing"))
}

/// Naive: the `?` returns, the metrics loop stays.
async fn start_naive() -> Result<(), StartError> {
    tokio::spawn(metrics_loop_naive());
    let _tls = load_tls()?;
    Ok(())
}

/// Scoped: `#[scoped]` runs the body in a scope of its own; the `?` leaves
/// the body, and the scope cancels the metrics loop and waits for it before
/// `start` returns. (By hand: `TaskScope::new().run(async { .. }).await`.)
#[taskscope::scoped]
async fn start() -> Result<(), StartError> {
    taskscope::spawn_background(metrics_loop())?;
    let _tls = load_tls()?;
    Ok(())
}

/// Tries to start three times; returns the tasks left running.
pub async fn before() -> usize {
    for _ in 0..3 {
        assert!(start_naive().await.is_err(), "the TLS material is missing");
    }
    crate::alive_tasks_after_settling().await
}

/// Tries to start three times; returns the tasks left running.
pub async fn after() -> usize {
    for _ in 0..3 {
        assert!(matches!(start().await, Err(StartError::Tls(_))));
    }
    crate::alive_tasks_after_settling().await
}
