//! The leak check for tests: after a test, no task it started is alive.
//!
//! - `check.rs`: [`LeakCheck`] looks at one tokio runtime, again and again
//!   with a growing pause until a settle time is up, for tasks spawned through
//!   taskscope (from the registry's [`dump`](crate::dump)) and for any others
//!   (the runtime's `num_alive_tasks()`); [`assert_no_leaks`] is its function
//!   form. `#[taskscope::test]` runs it after every test.
//! - `report.rs`: [`LeakReport`] and [`LeakedTask`], what it found.
//! - `sites.rs`: [`build_runtime`], a runtime that records where each task
//!   was spawned (tokio's task hooks, `--cfg tokio_unstable`), so that a
//!   raw `tokio::spawn` left behind is an [`UntrackedTask`] with its line.
//!
//! It reads the registry and the runtime's metrics, nothing of a scope's
//! internals.

mod check;
mod report;
mod sites;

pub use check::{DEFAULT_SETTLE_TIME, LeakCheck, assert_no_leaks};
pub use report::{LeakReport, LeakedTask};
pub use sites::{UntrackedTask, build_runtime};
