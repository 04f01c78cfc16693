//! Attribute macros of [taskscope](https://docs.rs/taskscope). Depend on
//! `taskscope`, which re-exports them; this crate is not used directly.
//!
//! Each macro is a one-line shim over a function of `proc_macro2` token
//! streams in its own module (`scoped`), so that the expansion can be
//! tested, snapshotted and fuzzed as a plain function. The macros never
//! panic: problems become `compile_error!`s spanned at the user's tokens,
//! emitted beside an item that still compiles as far as it can.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

mod diagnostics;
mod scoped;

#[cfg(test)]
mod tests;

/// Runs an `async fn` in a scope of its own: every task it spawns has
/// finished before it returns.
///
/// Use it as `taskscope::scoped` (re-exported by `taskscope`); the full
/// description, with examples, is on that re-export.
#[proc_macro_attribute]
pub fn scoped(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    scoped::expand(args.into(), item.into()).into()
}
