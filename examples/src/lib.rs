//! Runnable before/after examples of taskscope, one module per leak from the
//! field. Each module has a `before` (the naive tokio code, which leaks) and an
//! `after` (the taskscope code, which cannot), and both report how many tasks
//! they left behind. Run one with `cargo run -p taskscope-examples --example
//! <name>`, or all of them with `--example tour`.

#![forbid(unsafe_code)]

pub mod blocked_producer;
pub mod connection_limit;
pub mod health_timeout;
pub mod pool_cleanup;
pub mod startup_failure;

use std::future::Future;
use std::time::Duration;

/// Tasks alive on the current runtime once it has had a moment to settle:
/// `num_alive_tasks` lags behind tasks that just ended on a multi-thread runtime.
pub async fn alive_tasks_after_settling() -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    let mut alive = metrics.num_alive_tasks();
    for _ in 0..100 {
        if alive == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
        alive = metrics.num_alive_tasks();
    }
    alive
}

/// What most examples count.
pub const TASKS_LEFT: &str = "task(s) still running after the work returned";

/// Runs one example's `before` and `after`, each on a fresh runtime (so the
/// leaks of `before` cannot be counted against `after`), and prints both.
pub fn show<B, A>(
    title: &str,
    counts: &str,
    before: fn() -> B,
    after: fn() -> A,
) -> std::io::Result<()>
where
    B: Future<Output = usize>,
    A: Future<Output = usize>,
{
    let leaked_before = runtime()?.block_on(before());
    let leaked_after = runtime()?.block_on(after());
    println!("{title}");
    println!("  before: {leaked_before} {counts}");
    println!("  after:  {leaked_after} {counts}");
    Ok(())
}

/// The runtime every example runs on: tokio's multi-thread runtime, as
/// `#[tokio::main]` builds it.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}
