//! Attribute macros of [taskscope](https://docs.rs/taskscope). Depend on
//! `taskscope`, which re-exports them; this crate is not used directly. The
//! macros' documentation lives here, on the macros, and `taskscope` shows it
//! through its re-exports.
//!
//! Each macro is a one-line shim over a function of `proc_macro2` token
//! streams in its own module (`scoped`, `cancellable_loop`, `test_attr`), so that the expansion can be
//! tested, snapshotted and fuzzed as a plain function. The macros never
//! panic: problems become `compile_error!`s spanned at the user's tokens,
//! emitted beside an item that still compiles as far as it can.

#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]
#![warn(missing_debug_implementations, unreachable_pub)]
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
mod main_attr;
mod runtime_args;
mod scoped;
// The analysis shared with the audit: the escape hatches' reasons.
use taskscope_analysis::reason;
mod test_attr;

#[cfg(test)]
mod tests;

/// Runs an `async fn` in a scope of its own: every task its body spawns has
/// finished when the fn returns.
///
/// ```
/// use std::time::Duration;
/// use taskscope::{scoped, ScopeError};
///
/// #[derive(Debug)]
/// enum FetchError {
///     # #[allow(dead_code)] // read by `Debug` only
///     Scope(ScopeError),
///     NothingToFetch,
/// }
///
/// impl From<ScopeError> for FetchError {
///     fn from(error: ScopeError) -> Self {
///         FetchError::Scope(error)
///     }
/// }
///
/// #[scoped(timeout = Duration::from_secs(5))]
/// async fn fetch_all(ids: Vec<u32>) -> Result<Vec<u32>, FetchError> {
///     if ids.is_empty() {
///         return Err(FetchError::NothingToFetch);
///     }
///     // In a `#[scoped]` body, `tokio::spawn` spawns into the fn's scope.
///     let pages: Vec<_> = ids
///         .into_iter()
///         .map(|id| tokio::spawn(async move { id * 10 }))
///         .collect();
///     let mut fetched = Vec::new();
///     for page in pages {
///         fetched.push(page.await.expect("the page was fetched"));
///     }
///     Ok(fetched)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(fetch_all(vec![1, 2]).await.unwrap(), [10, 20]);
/// assert!(matches!(fetch_all(vec![]).await, Err(FetchError::NothingToFetch)));
/// # }
/// ```
///
/// # Every exit joins
///
/// The body runs in a new scope (nested in the current one, if any), named
/// after the fn, with that scope as the current scope. On the way out:
///
/// - the body returns a value: the children are joined;
/// - the body returns an `Err` (or `?` returns one): the scope is cancelled,
///   the children joined, and the body's error is returned;
/// - the body panics: the scope is cancelled, the children joined, and the
///   panic resumed; a child's panic is resumed after the join too;
/// - the caller drops the future (a `timeout`, a `select!`): the scope is
///   dropped with it, and its children are aborted.
///
/// `return` and `?` in the body keep their meaning: they leave the body, and
/// the scope is joined after them.
///
/// # Where children's failures go
///
/// - A return type written as a `Result` (`Result<T, E>`, `io::Result<T>`,
///   `anyhow::Result<T>`, ...) must be able to hold a `ScopeError`: `E:
///   From<ScopeError>`, or it does not compile. A child's failure, or the
///   deadline of `timeout`, becomes that `Err`.
/// - Any other return type that is a `Result<T, E>` with `E:
///   From<ScopeError>` (a type alias such as `AppResult<T>`) behaves the same.
/// - Any other return type has no `Err` to carry the failure: the fn panics
///   with the `ScopeError`'s message, as `unwrap` would, once the children
///   are joined. With `timeout = ..` such a fn does not compile (the
///   deadline would be that panic); bound its call with
///   `taskscope::timeout` instead, which works for any output.
/// - At the deadline, children still running are aborted at once unless
///   `grace_period = ..` is also given: the deadline is a bound.
///
/// # Spawns in the body
///
/// These calls, written in the body (its closures, its async blocks, and the
/// bodies of macros such as `tokio::join!` and `tokio::select!`), spawn into
/// the scope that is current when they run, which is the fn's scope for the
/// body and every task it spawns:
/// `tokio::spawn`, `tokio::task::spawn`, `task::spawn`,
/// `tokio::task::spawn_blocking`, `task::spawn_blocking`,
/// `tokio::task::spawn_local`, `task::spawn_local` (also as `::tokio::...`,
/// and as values: `.map(tokio::spawn)`). They return a `TaskHandle`, not a
/// `JoinHandle`: awaiting it gives `Result<T, TaskError>`, where a child's
/// `Err` is a failure of the scope (it reaches the fn's result) rather than a
/// value; dropping it leaves the child in the scope (it is joined all the
/// same). `.await`, `.abort()`, `.is_finished()` and `.id()` work as before.
///
/// Nested items (`fn`, `impl`, `mod`, `macro_rules!`, ...) are left alone:
/// their code may run anywhere. So is a `JoinSet`'s `spawn`: the set owns
/// its tasks and aborts them when it is dropped. A closure or future that
/// escapes the fn and runs later spawns into the scope current where it
/// runs; outside any scope it panics (taskscope never falls back to a
/// detached task).
///
/// # Detached forms are errors
///
/// `std::thread::spawn`, `thread::Builder::spawn`, a tokio `Handle` or
/// `Runtime`'s `spawn` and `spawn_blocking`, `tokio::task::Builder::spawn`
/// and `mem::forget` cannot be redirected and do not compile in the body.
/// Nor does a call of a bare `spawn`, `spawn_blocking` or `spawn_local`:
/// the macro sees names, not imports, and after `use tokio::spawn;` it would
/// be a detached task; write `tokio::spawn(..)`, or call a function of your
/// own by a path (`self::spawn(..)`). A statement that must detach says why:
///
/// ```
/// #[taskscope::scoped]
/// async fn start() {
///     #[detached(reason = "the metrics flusher runs for the whole process")]
///     std::thread::spawn(|| { /* flush, forever */ });
///     tokio::spawn(async { /* joined before `start` returns */ });
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() { start().await; }
/// ```
///
/// # Awaiting loops
///
/// A `loop`, `while` or `while let` in the body that awaits must end when
/// the scope is cancelled, or it does not compile: put
/// `#[cancellable_loop]` on it (or on the fn), race a
/// `cancelled()` future in its `select!`, or opt out with
/// `#[uncancellable(reason = "...")]`.
///
/// # Arguments
///
/// | argument | meaning |
/// |---|---|
/// | `name = scope` | binds the fn's scope, as a `ScopeHandle`, to `scope` in the body |
/// | `supervise` | a child's failure does not cancel its siblings (`ScopeBuilder::supervise`) |
/// | `limit = n` | at most `n` children run at once (a `usize` expression; a literal 0 is an error) |
/// | `timeout = d` | a `Duration` expression, evaluated with the fn's arguments in scope: the scope's deadline (the fn must return a `Result` that can hold a `ScopeError`; children still running at the deadline are aborted unless `grace_period` is given) |
/// | `grace_period = d` | a `Duration` expression: how long cancelled children may take to finish before they are aborted (unless set, the grace period of the scope the fn runs in, or 1 s; at a `timeout`, none) |
/// | `crate = path` | where taskscope is, if renamed or re-exported (`crate = "path"` also works) |
///
/// ```
/// use std::time::Duration;
///
/// #[taskscope::scoped(name = scope, limit = 4, timeout = Duration::from_millis(ms))]
/// async fn crawl(ms: u64, urls: Vec<&'static str>) -> Result<usize, taskscope::ScopeError> {
///     for url in urls {
///         scope.spawn(async move { url.len() }).expect("the scope is open");
///     }
///     Ok(scope.name().map_or(0, str::len))
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(crawl(1_000, vec!["a", "b"]).await.unwrap(), "crawl".len());
/// # }
/// ```
///
/// # With other attributes
///
/// Put `#[scoped]` above `#[tokio::main]` and `#[tokio::test]`, which turn
/// the fn synchronous (the other order is a compile error that says so).
/// With tracing's `#[instrument]`, either order works.
///
/// In an `#[async_trait]` impl or trait (also `#[async_trait(?Send)]` and
/// `#[tonic::async_trait]`), put `#[scoped]` on the method as on any
/// `async fn`. async-trait expands first and turns it into a fn returning
/// `Pin<Box<dyn Future<Output = R> + ..>>` around `Box::pin(async move {
/// .. })`; `#[scoped]` recognises that shape (from any macro, or written by
/// hand) and scopes the async block, inside the box:
///
/// ```
/// # mod hidden {
/// # pub trait Service { fn call(&self, n: u32) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u32, taskscope::ScopeError>> + Send + '_>>; }
/// # pub struct Doubler;
/// impl Service for Doubler {
///     #[taskscope::scoped] // what #[async_trait] hands it
///     fn call(&self, n: u32) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u32, taskscope::ScopeError>> + Send + '_>> {
///         Box::pin(async move {
///             let doubled = tokio::spawn(async move { n * 2 });
///             Ok(doubled.await.expect("it doubles"))
///         })
///     }
/// }
/// # }
/// # use hidden::Service;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(hidden::Doubler.call(21).await.unwrap(), 42);
/// # }
/// ```
#[proc_macro_attribute]
pub fn scoped(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    scoped::expand(args.into(), item.into()).into()
}

/// Makes loops cancellable: every `.await` in a loop is raced against the
/// current scope's cancellation (which wins a tie), and a cancellation leaves
/// the loop. In a `#[scoped]` fn, a loop that awaits must be
/// cancellable (or say why not), or it does not compile.
///
/// Inside a `#[scoped]` fn, or on one below `#[scoped]`, the attribute is
/// read by `#[scoped]` itself, as `#[detached]` is: it needs no import (as
/// below), and an import used only there is reported unused. Elsewhere
/// (on a loop of a plain `async fn`, or on the fn), import it.
///
/// ```
/// use taskscope::{scoped, TaskScope};
/// use tokio::sync::mpsc;
///
/// #[scoped]
/// async fn forward(mut rx: mpsc::Receiver<u64>, tx: mpsc::Sender<u64>) -> u64 {
///     let mut forwarded = 0;
///     #[cancellable_loop]
///     while let Some(n) = rx.recv().await {
///         // Blocked on a full channel nobody reads? A cancellation still ends the loop.
///         if tx.send(n).await.is_err() {
///             break;
///         }
///         forwarded += 1;
///     }
///     forwarded // reached however the loop ends
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = TaskScope::new();
/// let (in_tx, in_rx) = mpsc::channel(8);
/// let (out_tx, _never_read) = mpsc::channel(1);
/// let forwarder = scope.spawn(forward(in_rx, out_tx));
/// for n in 0..3 {
///     in_tx.send(n).await.unwrap();
/// }
/// tokio::task::yield_now().await; // one forwarded, then stuck on the second send
/// scope.cancel();
/// assert_eq!(forwarder.await, Ok(1));
/// scope.join().await.expect("nothing failed");
/// # }
/// ```
///
/// # Where it goes
///
/// - On a `loop`, `while`, `while let` or `for` in the body of a
///   `#[scoped]` fn (also `#[cancellable_loop] let x = loop { .. };`).
///   `#[scoped]` consumes it: attributes on statements are not stable for
///   attribute macros, so outside a `#[scoped]` fn put it on the fn instead.
/// - On an `async fn`: then every loop of its body is cancellable, as if each
///   had the attribute (a loop's own attribute overrides the fn's
///   arguments). It works without `#[scoped]`, and with it in either order.
///
/// # What is raced
///
/// The scope's `Cancellation` is looked up once, before the loop. Then:
///
/// - every `.await` in the loop (its body, its `while` condition, the loops
///   nested in it) becomes `match cancellation.guard(EXPR).await { Ok(v) =>
///   v, Err(_) => /* leave */ }`: one atomic load when the future is ready,
///   and no registration unless it is pending;
/// - in a `select!` (`tokio::select!`), every branch's future is guarded:
///   on cancellation every branch is disabled and the `else` branch leaves
///   the loop (a select without `else` gets one, which otherwise panics as
///   tokio's would). A select with a hand-written arm on a `cancelled()`
///   future is left as written: that arm decides;
/// - `join!` / `try_join!` (with or without `tokio::`) are raced as a whole.
///
/// An `async` block or closure in the loop is another future: its awaits
/// cannot leave the loop around it, so they are not rewritten; awaiting the
/// block in the loop is raced like any `.await`. Its own loops are separate
/// loops (they need their own attribute in a `#[scoped]` fn, and race the
/// scope current where they run). `break`, `continue`, labels, `?` and
/// `return` keep their meaning: nothing is moved into a closure or an async
/// block.
///
/// # How the loop is left
///
/// - **`break`** by default: the code after the loop runs (cleanup, a final
///   flush), and the fn goes on. With nested loops, the outermost
///   cancellable loop is left.
/// - **`return`** where the loop's value is used — it is the fn body's tail
///   expression, a `let`'s initializer, or a `loop` whose `break` carries a
///   value — or with `#[cancellable_loop(return)]`: the fn returns its
///   cancellation value, `OnCancel`: `()` for `()`, `None` for an `Option`,
///   `Err(E::from(Cancelled))` for a `Result<T, E>`. A return type without
///   one does not compile.
///
/// ```
/// use taskscope::{scoped, TaskScope};
/// use tokio::sync::mpsc;
///
/// #[scoped]
/// async fn first_even(mut rx: mpsc::Receiver<u64>) -> Option<u64> {
///     #[cancellable_loop] // the fn's tail: a cancellation returns `None`
///     loop {
///         let n = rx.recv().await?;
///         if n % 2 == 0 {
///             return Some(n);
///         }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = TaskScope::new();
/// let (_tx, rx) = mpsc::channel(1); // open, and silent
/// let waiter = scope.spawn(first_even(rx));
/// scope.cancel();
/// assert_eq!(waiter.await, Ok(None));
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
///
/// # In a `#[scoped]` fn, every awaiting loop has a cancellation arm
///
/// A `loop`, `while` or `while let` whose body or condition awaits (an
/// `.await`, `select!`, `join!`), in the body of a `#[scoped]` fn or in the
/// async blocks and closures in it, is a compile error unless it has
/// `#[cancellable_loop]` (or the fn does), or a hand-written cancellation arm
/// (a `select!` branch on a future that mentions `cancelled`, such as
/// `taskscope::cancelled()` or `token.cancelled()`, or an `.await` of a
/// `Cancellation::guard(..)` or `run_until_cancelled(..)`), or says why not:
///
/// ```
/// # use tokio::sync::mpsc;
/// #[taskscope::scoped]
/// async fn drain(mut rx: mpsc::Receiver<u64>) -> u64 {
///     let mut total = 0;
///     #[uncancellable(reason = "the senders are gone: the channel only holds what is left")]
///     while let Some(n) = rx.recv().await {
///         total += n;
///     }
///     total
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let (tx, rx) = mpsc::channel(1);
/// # tx.send(3).await.unwrap();
/// # drop(tx);
/// # assert_eq!(drain(rx).await, 3);
/// # }
/// ```
///
/// `for` loops are not checked: they walk an iterator, which is finite in
/// the common case (awaiting a list of handles). The check reads the code,
/// not the types: it cannot tell what a future is.
///
/// # Arguments
///
/// | argument | meaning |
/// |---|---|
/// | `return` | on cancellation, return the fn's `OnCancel` value instead of `break`ing |
/// | `token = expr` | race this instead of the current scope: anything `Into<Cancellation>` (`&TaskScope`, `&ScopeHandle`, a tokio-util `&CancellationToken`, a `Cancellation`). On an fn it is evaluated once, when the fn starts (it can use the fn's arguments), for the loops of the fn's own body |
/// | `crate = path` | on an fn: where taskscope is, if renamed (in a `#[scoped]` fn, `#[scoped(crate = ..)]` is used) |
///
/// Outside any scope and without a `token`, nothing can cancel the loop,
/// and it runs as written.
///
/// ```
/// use taskscope::{cancellable_loop, TaskScope};
/// use tokio::sync::mpsc;
///
/// /// Not `#[scoped]`: the caller says whose cancellation ends the loop.
/// #[cancellable_loop(token = scope)]
/// async fn sum(scope: &TaskScope, mut rx: mpsc::Receiver<u64>) -> u64 {
///     let mut total = 0;
///     while let Some(n) = rx.recv().await {
///         total += n;
///     }
///     total
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = TaskScope::new();
/// let (tx, rx) = mpsc::channel(4);
/// tx.send(5).await.unwrap(); // and `tx` stays open
/// let summing = sum(&scope, rx);
/// scope.cancel();
/// assert_eq!(summing.await, 0, "cancellation wins a tie with the ready message");
/// scope.join().await.expect("nothing failed");
/// # }
/// ```
///
/// A `CancellationToken` that the code around it already passes down works
/// the same way:
///
/// ```
/// use taskscope::cancellable_loop;
/// use tokio::sync::mpsc;
/// use tokio_util::sync::CancellationToken;
///
/// #[cancellable_loop(token = &shutdown)]
/// async fn drain(shutdown: CancellationToken, mut rx: mpsc::Receiver<u64>) -> u64 {
///     let mut total = 0;
///     while let Some(n) = rx.recv().await {
///         total += n;
///     }
///     total
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let shutdown = CancellationToken::new();
/// let (tx, rx) = mpsc::channel(4);
/// let draining = tokio::spawn(drain(shutdown.clone(), rx));
/// tx.send(2).await.expect("the loop is running");
/// tokio::task::yield_now().await;
/// shutdown.cancel(); // `tx` is still open: only the token ends the loop
/// assert_eq!(draining.await.expect("no panic"), 2);
/// # }
/// ```
#[proc_macro_attribute]
pub fn cancellable_loop(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    cancellable_loop::expand(args.into(), item.into()).into()
}

/// Runs an `async fn` as a test on a tokio runtime of its own, as
/// `#[tokio::test]` does, and then fails the test if a task is left on that
/// runtime: one spawned through taskscope (reported with its name, spawn
/// location, scope path and age) or any other (counted).
///
/// ```
/// # fn main() {}
/// # #[allow(unused_imports)] // used by the `#[test]` fns, which a doctest does not build
/// use std::time::Duration;
///
/// #[taskscope::test]
/// async fn every_child_is_joined() {
///     let scope = taskscope::TaskScope::builder().name("fetch").build();
///     for id in 0..3u32 {
///         scope.spawn(async move { id });
///     }
///     scope.join().await.expect("nothing failed");
/// }
///
/// #[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 200)]
/// async fn on_two_threads() -> Result<(), taskscope::ScopeError> {
///     let scope = taskscope::TaskScope::new();
///     scope.spawn(async { Ok::<_, std::io::Error>(()) });
///     scope.join().await
/// }
///
/// #[taskscope::test(start_paused = true)]
/// async fn with_the_clock_paused() {
///     tokio::time::sleep(Duration::from_secs(3600)).await; // returns at once
/// }
/// ```
///
/// A test that left a task behind fails with a report such as:
///
/// ```text
/// 2 tasks still alive 1.0s after the test's body returned
///   task `poller` spawned at tests/sync.rs:12:10 in scope sync, alive for 1.0s
///   1 task spawned outside taskscope (a raw tokio::spawn, a JoinSet, ...): spawn it into a TaskScope to see where it started, or await or abort its handle before the test returns
/// ```
///
/// # Arguments
///
/// | argument | meaning |
/// |---|---|
/// | `flavor = "current_thread"` | the default: the test runs on one thread |
/// | `flavor = "multi_thread"` | a multi-thread runtime (needs tokio's `rt-multi-thread` feature) |
/// | `worker_threads = n` | its number of workers (with `multi_thread` only) |
/// | `start_paused = true` | tokio's clock starts paused (with `current_thread` only; needs tokio's `test-util` feature) |
/// | `settle_ms = n` | the longest the check waits for tasks to finish, in milliseconds (default `DEFAULT_SETTLE_TIME`) |
/// | `crate = path` | where taskscope is, if it is renamed or re-exported (`crate = "path"` also works) |
///
/// # What runs
///
/// The fn becomes a plain `#[test] fn` that builds the runtime (no
/// `#[tokio::test]` is generated, so tokio's `macros` feature is not
/// needed), runs the body on it, and then, on the same runtime, a
/// `LeakCheck` with the settle time: every task spawned through taskscope
/// during the test has finished and the runtime's `num_alive_tasks()` is 0,
/// looked at again with a growing pause until the settle time is up. Each
/// test has its own runtime and the check looks at that runtime only, so
/// tests running in parallel each report only their own tasks.
///
/// - The body returns `()` or, like a `#[test]`, a `Result<(), E: Debug>`.
///   The check runs after an `Err` too (an early `?` is where tasks are
///   left): if something leaked, the test panics with the report followed
///   by the `Err`; if not, the `Err` fails the test as in a `#[test]`.
/// - A panic of the body fails the test with that panic, without a check:
///   the tasks it left are dropped with the runtime. With `#[should_panic]`,
///   a leak is a panic too, so give `expected = ".."`.
/// - The check counts every task of the runtime, so a test that means to
///   leave a task running (a server for the whole test, say) aborts or
///   joins it before it returns.
#[proc_macro_attribute]
pub fn test(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    test_attr::expand(args.into(), item.into()).into()
}

/// `#[tokio::main]` for a program whose work runs in one root scope: SIGINT
/// or SIGTERM cancels it, the children get a grace period to finish, what
/// still runs is then aborted, a second signal aborts at once, and the exit
/// status says which (see `taskscope::shutdown::run`: 0; 1 for an `Err`,
/// printed; 2 when stragglers were aborted; 130 after a second signal).
/// In `main`, `taskscope::spawn` and `TaskScope::new()` reach that scope.
///
/// ```no_run
/// #[taskscope::main(shutdown_grace_ms = 5000)]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     taskscope::spawn(async {
///         taskscope::cancelled().await; // a server, until Ctrl-C
///         println!("flushed and closed");
///     })?;
///     Ok(())
/// }
/// ```
///
/// # Arguments
///
/// | argument | meaning |
/// |---|---|
/// | `flavor = "multi_thread"` (the default) or `"current_thread"` | the runtime, as `#[tokio::main]`'s |
/// | `worker_threads = n` | the multi-thread runtime's size |
/// | `start_paused = true` | tokio's paused clock (current-thread only) |
/// | `shutdown_grace_ms = n` | how long the children may take to stop once a signal came (default: `taskscope::scope::DEFAULT_GRACE_PERIOD`) |
/// | `crate = path` | where taskscope is, if renamed or re-exported |
///
/// `main` returns nothing, or a `Result<(), E>` whose `E` can hold a
/// `taskscope::ScopeError` and be displayed (`Box<dyn Error>`, `io::Error`,
/// `anyhow::Error`). It needs taskscope's `signal` feature (on by default).
#[proc_macro_attribute]
pub fn main(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    main_attr::expand(args.into(), item.into()).into()
}
