//! Structured concurrency for tokio: every task belongs to a [`TaskScope`],
//! and no task outlives its scope.
//!
//! A scope owns the children it spawns. [`TaskScope::join`] waits for all of
//! them; a child's failure cancels its siblings and reaches the parent; a
//! deadline or a cancellation reaches every child, and children nested in
//! further scopes; dropping a scope aborts what it still owns. Children find
//! their scope without a handle being passed down, so helper functions can
//! call [`taskscope::spawn`](spawn) and [`taskscope::cancelled`](cancelled).
//!
//! ```
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! async fn refresh(id: u32) -> Result<u32, std::io::Error> {
//!     tokio::time::sleep(Duration::from_millis(10)).await;
//!     Ok(id)
//! }
//!
//! let scope = taskscope::TaskScope::builder().name("refresh").build();
//! let handles: Vec<_> = (0..3).map(|id| scope.spawn(refresh(id))).collect();
//! for (id, handle) in (0..3).zip(handles) {
//!     assert_eq!(handle.await, Ok(id));
//! }
//! scope.join().await.expect("every refresh succeeded");
//! # }
//! ```
//!
//! # Where things are
//!
//! The crate root has what nearly every user needs: [`TaskScope`],
//! [`ScopeHandle`], [`SharedScope`], [`TaskHandle`], the functions that work on the current
//! scope ([`spawn`], [`spawn_background`], [`cancelled`], [`is_cancelled`],
//! [`current`]), [`timeout`], [`move_on_after`], [`race`], [`dump`], the
//! macros and the errors. The rest is in modules:
//!
//! - [`time`]: deadlines around a future and what it starts
//!   ([`Timeout`](time::Timeout), [`Elapsed`](time::Elapsed)), and the
//!   timers of a scope ([`TaskScope::every`], [`TaskScope::after`]);
//! - [`channel`]: a scope's channels ([`TaskScope::channel`],
//!   [`TaskScope::produce`]), whose sends cannot block for ever;
//! - [`scope`]: configuring and observing a scope ([`ScopeBuilder`](scope::ScopeBuilder),
//!   [`Reservation`](scope::Reservation), [`ChildCounts`](scope::ChildCounts));
//! - [`task`]: one child ([`TaskBuilder`](task::TaskBuilder), its output
//!   ([`TaskOutput`](task::TaskOutput)) and its failure);
//! - [`cancel`]: racing a future against a cancellation
//!   ([`Cancellation`](cancel::Cancellation)), as `#[cancellable_loop]` does;
//! - [`registry`]: what [`dump`] returns;
//! - [`leak`]: the leak check of `#[taskscope::test]`, for tests that build
//!   their own runtime;
//! - [`shutdown`] (feature `signal`, on by default): a program's root scope,
//!   stopped by SIGINT or SIGTERM with a grace period and an exit status.
//!
//! # Features
//!
//! - `signal` (default): [`shutdown`], which needs tokio's `signal` feature.
//! - `tracing`: a `tracing` span per scope (`taskscope.scope`, with its name
//!   and location) and per child (`taskscope.task`, with its name, spawn
//!   location and whether it is a background child), the child's under its
//!   scope's. Built with `--cfg tokio_unstable` too, children are also named for
//!   tokio-console (their name, or their spawn location).
//!
//! # Runtime requirements
//!
//! Children are spawned on the current tokio runtime. Deadlines and the grace
//! period use tokio's timer, so the runtime needs its time driver (the
//! default of `#[tokio::main]` and `#[tokio::test]`).

#![doc(test(attr(deny(warnings))))]
#![warn(missing_debug_implementations, unreachable_pub)]

pub mod cancel;
pub mod channel;
mod clock;
mod launch;
pub mod leak;
mod race;
pub mod registry;
pub mod scope;
#[cfg(feature = "signal")]
pub mod shutdown;
mod sync;
pub mod task;
pub mod time;

#[doc(hidden)]
#[path = "macro_support/mod.rs"]
pub mod __private;

pub use cancel::cancelled::Cancelled;
pub use race::{AllFailed, race};
pub use registry::tree::dump;
pub use scope::current::{cancelled, current, is_cancelled, spawn, spawn_background, spawn_value};
pub use scope::error::{Closed, ScopeError, SpawnError, TaskError};
pub use scope::handle::ScopeHandle;
pub use scope::shared_owner::SharedScope;
pub use scope::task_handle::TaskHandle;
pub use scope::task_scope::TaskScope;
pub use time::{move_on_after, timeout};

#[doc(inline)]
pub use taskscope_macros::scoped;

#[doc(inline)]
pub use taskscope_macros::cancellable_loop;

#[doc(inline)]
pub use taskscope_macros::test;

#[cfg(feature = "signal")]
#[doc(inline)]
pub use taskscope_macros::main;
