//! Attribute macros of [taskscope](https://docs.rs/taskscope). Depend on
//! `taskscope`, which re-exports them; this crate is not used directly.
//!
//! Each macro is a one-line shim over a function of `proc_macro2` token
//! streams in its own module (`scoped`, `cancellable_loop`, `test_attr`), so that the expansion can be
//! tested, snapshotted and fuzzed as a plain function. The macros never
//! panic: problems become `compile_error!`s spanned at the user's tokens,
//! emitted beside an item that still compiles as far as it can.

#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

mod arguments;
mod cancellable_loop;
mod diagnostics;
mod reason;
mod scoped;
mod test_attr;

#[cfg(test)]
mod tests;

/// Runs an `async fn` in a scope of its own: every task its body spawns has
/// finished when it returns, whatever the exit (a value, `?`, `return`, a
/// panic), and dropping its future aborts them. `tokio::spawn` and its
/// relatives in the body spawn into that scope; detached forms
/// (`std::thread::spawn`, a runtime handle's `spawn`, `mem::forget`) do not
/// compile unless the statement says `#[detached(reason = "...")]`. A
/// `loop`, `while` or `while let` that awaits must be cancellable
/// (`#[cancellable_loop]`) or say why not (`#[uncancellable(reason =
/// "...")]`).
///
/// ```
/// #[taskscope::scoped(limit = 8)]
/// async fn doubled_sum(ids: Vec<u64>) -> u64 {
///     let parts: Vec<_> = ids
///         .into_iter()
///         .map(|id| tokio::spawn(async move { id * 2 }))
///         .collect();
///     let mut total = 0;
///     for part in parts {
///         total += part.await.unwrap_or_default();
///     }
///     total
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(doubled_sum(vec![1, 2]).await, 6);
/// # }
/// ```
///
/// The full description (exits, return types, what is redirected, the
/// arguments) is in the documentation of `taskscope::scoped`.
#[proc_macro_attribute]
pub fn scoped(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    scoped::expand(args.into(), item.into()).into()
}

/// Makes every loop of an `async fn` cancellable: each `.await` in a loop is
/// raced against the current scope's cancellation (which wins a tie), a
/// `select!` gains a cancellation arm, and a cancellation leaves the loop.
/// Inside a `#[scoped]` fn it also goes on one loop, and a loop that awaits
/// without a cancellation arm does not compile there.
///
/// ```
/// #[taskscope::cancellable_loop]
/// async fn drain(mut rx: tokio::sync::mpsc::Receiver<u64>) -> u64 {
///     let mut total = 0;
///     while let Some(n) = rx.recv().await {
///         total += n;
///     }
///     total // also reached when the scope is cancelled: the loop `break`s
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, rx) = tokio::sync::mpsc::channel(4);
/// tx.send(2).await.unwrap();
/// drop(tx);
/// assert_eq!(drain(rx).await, 2);
/// # }
/// ```
///
/// Arguments: `return` (leave the fn with its cancellation value instead of
/// breaking out of the loop), `token = expr` (race a given scope's
/// cancellation, e.g. `token = &scope`), `crate = path`. The full
/// description, with tested examples, is on the re-export
/// `taskscope::cancellable_loop`.
#[proc_macro_attribute]
pub fn cancellable_loop(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    cancellable_loop::expand(args.into(), item.into()).into()
}

/// Runs an `async fn` as a test on a tokio runtime of its own, as
/// `#[tokio::test]` does, then fails the test if a task it started is still
/// alive: a leak check with a bounded settle time.
///
/// Takes `#[tokio::test]`'s arguments (`flavor`, `worker_threads`,
/// `start_paused`, `crate`) and `settle_ms = n`, the longest the check waits
/// for tasks to finish (default `taskscope::DEFAULT_SETTLE_TIME`):
///
/// ```ignore
/// #[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 200)]
/// async fn fan_out() {
///     let scope = taskscope::TaskScope::new();
///     scope.spawn(async { 1 + 1 });
///     scope.join().await.expect("nothing failed");
/// }
/// ```
///
/// Use it as `taskscope::test` (re-exported by `taskscope`); the full
/// description, with examples that are tested, is on that re-export.
#[proc_macro_attribute]
pub fn test(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    test_attr::expand(args.into(), item.into()).into()
}
