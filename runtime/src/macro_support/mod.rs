//! Support for the code the macros generate, reached as
//! `taskscope::__private`. **Not a public API**: the items here exist for the
//! macros' expansions, are hidden from the docs, and change without notice.
//! Nothing here is for hand-written code.
//!
//! A `#[scoped] async fn` expands to (roughly):
//!
//! ```text
//! async fn name(args) -> R {
//!     let scope = __private::builder("name") /* .supervise() .limit(..) .timeout(..) */ .build();
//!     let body = async move { if false { return __private::never::<R>(); } { user's body } };
//!     let runner = __private::result_runner(&body);   // R is spelled `…Result<..>`
//!     // or, for any other R, a runner picked by the body's output type:
//!     // let runner = (&Route::of(&body)).__taskscope_route();
//!     runner.run(scope, body).await
//! }
//! ```
//!
//! and the `tokio::spawn`-like calls in the body become calls of [`spawn`],
//! [`spawn_blocking`] and [`spawn_local`] here, which spawn into the
//! *current* scope (the function's scope while its body or one of its
//! children runs).
//!
//! - `scoped.rs`: what `#[scoped]` expands to call (above).
//! - `test.rs` (`__private::test`): what `#[taskscope::test]` expands to call.
//! - `main.rs` (`__private::main`, feature `signal`): what
//!   `#[taskscope::main]` expands to call.
//! - The re-exports below: the cancellation types `#[cancellable_loop]`
//!   names, at a path that does not move when the public modules do.
//!
//! It uses the public API, as the user's code would, and one internal
//! piece: the runners run their body through `scope::bounded` (the body's
//! run and the join after it, compiled once rather than per `#[scoped]` fn).

#[cfg(feature = "signal")]
pub mod main;
mod scoped;
pub mod test;

pub use crate::cancel::{Cancellation, OnCancel};
pub use scoped::*;
