//! Support for the code `#[scoped]` generates.

use std::future::Future;
use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::time::Duration;

use crate::scope::ScopeBuilder;
use crate::scope::bounded::{Bounded, result_of};
use crate::scope::current::spawn_into_current;
use crate::scope::phase::Phase;
use crate::task::Outcome;
use crate::{ScopeError, ScopeHandle, SpawnError, TaskHandle, TaskScope};

/// The builder of the scope of one call of the `#[scoped]` fn `name`; the
/// scope is named after the function, so its errors say which one failed.
pub fn builder(name: &'static str) -> ScopeBuilder {
    TaskScope::builder().name(name)
}

/// The value of `#[scoped(timeout = ..)]`: a `Duration` (a function of its
/// own so that a value of another type is reported here, at the argument).
pub fn timeout(timeout: Duration) -> Duration {
    timeout
}

/// The value of `#[scoped(grace_period = ..)]`: a `Duration`, checked here
/// as `timeout` is.
pub fn grace_period(grace: Duration) -> Duration {
    grace
}

/// The value of `#[scoped(limit = n)]` when `n` is not a literal (a literal
/// 0 is rejected at compile time).
///
/// # Panics
///
/// If `n` is 0: a scope without a single slot could never run a child.
#[track_caller]
pub fn limit(n: usize) -> NonZeroUsize {
    match NonZeroUsize::new(n) {
        Some(n) => n,
        None => panic!("#[scoped(limit = ..)] evaluated to 0: a scope needs at least one slot"),
    }
}

/// The scope bound by `#[scoped(name = ..)]`.
pub fn handle(scope: &TaskScope) -> ScopeHandle {
    scope.handle()
}

/// The type of a fake `return` at the top of the body's async block: it
/// fixes the block's output type before the user's code is checked, so `?`
/// and `return` inside the body convert and coerce as in the original fn.
/// Never called (it sits behind `if false`).
pub fn never<R>() -> R {
    unreachable!("the fake return of a #[scoped] body is never taken")
}

pub use crate::scope::output::{FnOutput, Never};

/// An error type that can carry a child failure out of a `#[scoped]` fn: a
/// bound with a message of its own, for fns whose return type is spelled
/// `…Result<_, E>`.
#[diagnostic::on_unimplemented(
    message = "`#[scoped]` fn returns a `Result` whose error type `{Self}` cannot hold a `taskscope::ScopeError`",
    label = "the children's failures become this `Err`: `{Self}` needs `From<taskscope::ScopeError>`",
    note = "implement `From<taskscope::ScopeError>` for `{Self}`, or return an error type that has it, such as `Box<dyn std::error::Error + Send + Sync>`"
)]
pub trait HoldsScopeError: From<ScopeError> {}

impl<E: From<ScopeError>> HoldsScopeError for E {}

/// The runner of a body whose return type is spelled `…Result<T, E>`. The
/// bound is checked here, once, and spanned at the return type; the runner
/// carries the conversion, so running the body asks nothing more of `E`
/// (and a missing `From<ScopeError>` is one error, not one per use).
pub fn result_runner<T, E, F>(_body: &F) -> ResultRunner<E>
where
    F: Future<Output = Result<T, E>>,
    E: HoldsScopeError,
{
    ResultRunner { convert: E::from }
}

/// The output of a `#[scoped(timeout = ..)]` body: a `Result` whose error
/// can carry the elapsed deadline, whatever the type is spelled (an alias).
#[diagnostic::on_unimplemented(
    message = "a `#[scoped(timeout = ..)]` fn returns `{Self}`, which has no `Err` to carry the elapsed deadline",
    label = "when the deadline passes, the fn returns a `taskscope::ScopeError` as its `Err`",
    note = "return `Result<_, E>` with `E: From<taskscope::ScopeError>`, or bound the call with `taskscope::timeout(..)`, which works for any output"
)]
pub trait CarriesElapsed: Sized {
    /// The success type.
    type Value;
    /// The error type.
    type Error: From<ScopeError>;
    /// The output as the `Result` it is.
    fn into_result(self) -> Result<Self::Value, Self::Error>;
    /// The `Result` as the output.
    fn from_result(result: Result<Self::Value, Self::Error>) -> Self;
}

impl<T, E: From<ScopeError>> CarriesElapsed for Result<T, E> {
    type Value = T;
    type Error = E;

    fn into_result(self) -> Self {
        self
    }

    fn from_result(result: Self) -> Self {
        result
    }
}

/// The runner of a `#[scoped(timeout = ..)]` body whose return type is not
/// spelled `Result`: the bound is checked here, spanned at the return type.
pub fn timeout_runner<F>(_body: &F) -> TimeoutRunner
where
    F: Future,
    F::Output: CarriesElapsed,
{
    TimeoutRunner
}

/// Runs a `#[scoped(timeout = ..)]` body whose output is a `Result` by
/// another name.
#[derive(Debug, Clone, Copy)]
pub struct TimeoutRunner;

impl TimeoutRunner {
    /// [`ResultRunner::run`], for an output spelled as an alias.
    pub async fn run<R, F>(self, scope: TaskScope, body: F) -> R
    where
        F: Future<Output = R>,
        R: CarriesElapsed,
    {
        let runner = ResultRunner {
            convert: <R::Error as From<ScopeError>>::from,
        };
        R::from_result(
            runner
                .run(scope, async move { body.await.into_result() })
                .await,
        )
    }
}

/// Picks how a `#[scoped]` body whose return type is not spelled `Result`
/// is run, from its output type `R` (autoref specialisation: the expansion
/// calls `(&Route::of(&body)).__taskscope_route()` with [`ViaResult`] and
/// [`ViaValue`] in scope). `fn() -> R` keeps the marker `Send` and `Sync`
/// whatever `R` is.
#[derive(Debug)]
pub struct Route<R>(PhantomData<fn() -> R>);

impl<R> Route<R> {
    /// The route of `body`'s output type.
    pub fn of<F: Future<Output = R>>(_body: &F) -> Self {
        Route(PhantomData)
    }
}

/// Chosen when the output is a `Result<T, E>` with `E: From<ScopeError>`
/// (a type alias of one, typically).
pub trait ViaResult<E> {
    /// The runner of a `Result` body (a name no user trait is likely to
    /// have: a user trait in scope with a blanket impl and the same method
    /// name would take part in the method resolution).
    fn __taskscope_route(&self) -> ResultRunner<E>;
}

impl<T, E: From<ScopeError>> ViaResult<E> for Route<Result<T, E>> {
    fn __taskscope_route(&self) -> ResultRunner<E> {
        ResultRunner { convert: E::from }
    }
}

/// Chosen for every other output type (one more autoref than [`ViaResult`]).
pub trait ViaValue {
    /// The runner of any other body.
    fn __taskscope_route(&self) -> ValueRunner {
        ValueRunner
    }
}

impl<R> ViaValue for &Route<R> {}

/// Runs a body whose output is a `Result<T, E>`, turning the children's
/// failures into an `E` with the conversion it carries.
#[derive(Debug)]
pub struct ResultRunner<E> {
    convert: fn(ScopeError) -> E,
}

impl<E> ResultRunner<E> {
    /// [`TaskScope::run`]: the body's `Err` cancels and joins the children
    /// and is returned; after an `Ok`, the children's failures (or the
    /// deadline) become the `Err`; a panic is resumed after the join.
    pub async fn run<T, F>(self, scope: TaskScope, body: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        result_of(scope.run_bounded(body, Result::is_err).await, self.convert)
    }
}

/// Runs a body whose output has no `Err` to carry a child's failure.
#[derive(Debug, Clone, Copy)]
pub struct ValueRunner;

impl ValueRunner {
    /// [`TaskScope::run`], then a panic with the [`ScopeError`]'s message if
    /// a child failed or the deadline passed (as `unwrap` would: there is
    /// nowhere else to put the failure). A panic of the body or of a child is
    /// resumed after the children are joined, as with `run`.
    pub async fn run<R, F>(self, scope: TaskScope, body: F) -> R
    where
        F: Future<Output = R>,
    {
        match scope.run_bounded(body, |_| false).await {
            Bounded {
                output: Some(value),
                outcome: Ok(()),
            } => value,
            Bounded { outcome, .. } => value_fn_failed(outcome.err()),
        }
    }
}

/// The panic of a `#[scoped]` fn with no `Err` whose children failed or
/// whose deadline passed.
#[track_caller]
fn value_fn_failed(error: Option<ScopeError>) -> ! {
    match error {
        Some(error) => panic!(
            "{error} (a #[scoped] fn that does not return a `Result` panics with its children's failures)"
        ),
        None => unreachable!("a body cut off by the deadline leaves an elapsed ScopeError"),
    }
}

/// A redirected `tokio::spawn`/`tokio::task::spawn`: spawns into the current
/// scope.
///
/// # Panics
///
/// Outside any scope: a closure or future that escaped its `#[scoped]` fn
/// and runs after it (or anywhere outside a scope) has no scope to spawn
/// into, and taskscope never falls back to a detached task.
#[track_caller]
pub fn spawn<F, T>(future: F) -> TaskHandle<T>
where
    F: Future + Send + 'static,
    F::Output: Outcome<T>,
    T: Send + 'static,
{
    // Straight to the spawn, not through `crate::spawn`: every layer is
    // instantiated once per child future type in the user's build.
    let location = std::panic::Location::caller();
    match spawn_into_current(location, Phase::Foreground, future) {
        Ok(handle) => handle,
        Err(error) => not_spawned("tokio::spawn", error),
    }
}

/// A redirected `tokio::task::spawn_blocking`: runs `work` on the blocking
/// pool as a child of the current scope.
///
/// # Panics
///
/// Outside any scope, as [`spawn`].
#[track_caller]
pub fn spawn_blocking<F, O, T>(work: F) -> TaskHandle<T>
where
    F: FnOnce() -> O + Send + 'static,
    O: Outcome<T>,
    T: Send + 'static,
{
    let spawned = match crate::current() {
        Some(scope) => scope.spawn_blocking(work).map_err(SpawnError::from),
        None => Err(SpawnError::NoScope),
    };
    match spawned {
        Ok(handle) => handle,
        Err(error) => not_spawned("tokio::task::spawn_blocking", error),
    }
}

/// A redirected `tokio::task::spawn_local`: spawns a `!Send` child of the
/// current scope on the current `LocalSet`.
///
/// # Panics
///
/// Outside any scope, as [`spawn`]; outside a `LocalSet`, as
/// `tokio::task::spawn_local` does.
#[track_caller]
pub fn spawn_local<F, T>(future: F) -> TaskHandle<T>
where
    F: Future + 'static,
    F::Output: Outcome<T>,
    T: 'static,
{
    let spawned = match crate::current() {
        Some(scope) => scope
            .task_builder()
            .spawn_local(future)
            .map_err(SpawnError::from),
        None => Err(SpawnError::NoScope),
    };
    match spawned {
        Ok(handle) => handle,
        Err(error) => not_spawned("tokio::task::spawn_local", error),
    }
}

/// Takes the handle of a redirected spawn written as a statement
/// (`tokio::spawn(work);`): the child stays in the scope, which joins it.
/// `TaskHandle` is `#[must_use]` where `JoinHandle` is not, and the
/// statement must not start warning.
pub fn discard<T>(_handle: TaskHandle<T>) {}

#[track_caller]
fn not_spawned(call: &str, error: SpawnError) -> ! {
    match error {
        SpawnError::NoScope => panic!(
            "`{call}` in a #[scoped] fn spawns into the current scope, but this call ran outside \
             any scope (a closure or future that escaped its #[scoped] fn?): call it inside the \
             fn, or spawn through a `TaskScope` or `ScopeHandle`"
        ),
        _ => panic!("`{call}` in a #[scoped] fn could not spawn: {error}"),
    }
}
