//! Racing a future against a cancellation, as `#[cancellable_loop]` does:
//! [`Cancellation`] (the current scope's, or a tokio-util
//! `CancellationToken`'s), the [`Guarded`] future it returns, and
//! [`OnCancel`], what a function returns when such a loop leaves it.
//
// Module map, for maintainers:
//
// Cancellation: how a scope tells its children to stop, and how code
// awaits something unless that happens first.
//
// - `CancelSignal` (`signal.rs`, crate-private) is a scope's signal: a
//   flag, one `Notify` and weak links to the signals of nested scopes, so
//   that a cancellation flows down the tree. The scope owns it; children,
//   handles and `Cancellation`s hold `Arc`s of it and only read it.
// - `Cancellation` and `Guarded` (`guard.rs`) race a future against a
//   signal or a tokio-util `CancellationToken`: the cancellation arm of a
//   `#[cancellable_loop]`.
// - `OnCancel` (`on_cancel.rs`) is what a function returns when such a
//   loop leaves it; `Cancelled` (`cancelled.rs`) the error that says so.
//
// Nothing here knows about scopes: the scope module builds signals and
// turns a scope into a `Cancellation` (`From<&TaskScope>`,
// `Cancellation::current()` live there, beside the current-scope slot).

pub(crate) mod cancelled;
mod guard;
mod on_cancel;
mod signal;

pub use guard::{Cancellation, Guarded};
pub use on_cancel::OnCancel;
pub(crate) use signal::CancelSignal;
