//! Time bounds and timers that own what they start.
//!
//! - [`timeout`] / [`timeout_at`] / [`move_on_after`], and the [`Timeout`]
//!   they build: a deadline around a future and every child it starts,
//!   returning only once all of them have ended;
//! - [`TaskScope::every`](crate::TaskScope::every) and
//!   [`TaskScope::after`](crate::TaskScope::after): a ticker and a one-shot
//!   owned by a scope, stopped by their [`TimerGuard`] or the scope's end.
//
// For maintainers: `timeout.rs` runs its future in a bounded scope
// (`scope::bounded`); `timer.rs` starts a background child in a nested
// scope the guard cancels. Both use `scope` and `cancel`; nothing in
// `scope` uses this module.

mod timeout;
mod timer;

pub use timeout::{Elapsed, Timeout, move_on_after, timeout, timeout_at};
pub use timer::{TimerGuard, ZeroPeriod};
pub use tokio::time::MissedTickBehavior;
