//! Handing a child to tokio: the one place that calls tokio's spawn
//! functions, so that what every child gets on the way (a `tracing` span
//! under its scope's, a task name for tokio-console) is the same for every
//! kind of child. A leaf: it knows nothing of scopes beyond the [`ScopeSpan`]
//! and the [`Spawning`] description their callers hand in.

use std::future::Future;
use std::panic::Location;

use tokio::task::JoinHandle;

/// A scope's `tracing` span, the parent of its children's spans. Without
/// the `tracing` feature it is empty and costs nothing.
pub(crate) struct ScopeSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl ScopeSpan {
    /// The span of a scope named `name`, created at `location`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn new(name: Option<&str>, location: &'static Location<'static>) -> Self {
        ScopeSpan {
            #[cfg(feature = "tracing")]
            span: tracing::debug_span!(
                "taskscope.scope",
                scope.name = name,
                scope.location = %location,
            ),
        }
    }

    /// Enters the span for as long as the returned guard lives (each poll of
    /// the body of `TaskScope::run` runs in its scope's span). The guard owns
    /// a clone of the span, so it borrows nothing.
    #[cfg(feature = "tracing")]
    pub(crate) fn entered(&self) -> impl Sized + use<> {
        self.span.clone().entered()
    }

    /// Without `tracing` there is no span to enter.
    #[cfg(not(feature = "tracing"))]
    pub(crate) fn entered(&self) -> impl Sized + use<> {}
}

/// What a spawn tells tokio and `tracing` about the child. Built for every
/// spawn; without the `tracing` feature nothing reads it and the optimiser
/// drops it.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) struct Spawning<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) background: bool,
    pub(crate) scope: &'a ScopeSpan,
}

/// Spawns a `Send` child on the current runtime.
pub(crate) fn spawn<F>(future: F, spawning: &Spawning<'_>) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let future = instrument(future, spawning);
    #[cfg(all(tokio_unstable, feature = "tracing"))]
    {
        let name = console_name(spawning);
        match tokio::task::Builder::new().name(&name).spawn(future) {
            Ok(join) => join,
            Err(error) => panic!("tokio could not spawn task `{name}`: {error}"),
        }
    }
    #[cfg(not(all(tokio_unstable, feature = "tracing")))]
    tokio::spawn(future)
}

/// Spawns a `!Send` child on the current `LocalSet`.
pub(crate) fn spawn_local<F>(future: F, spawning: &Spawning<'_>) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let future = instrument(future, spawning);
    #[cfg(all(tokio_unstable, feature = "tracing"))]
    {
        let name = console_name(spawning);
        match tokio::task::Builder::new().name(&name).spawn_local(future) {
            Ok(join) => join,
            Err(error) => panic!("tokio could not spawn task `{name}`: {error}"),
        }
    }
    #[cfg(not(all(tokio_unstable, feature = "tracing")))]
    tokio::task::spawn_local(future)
}

/// Runs blocking work on the runtime's blocking pool.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn spawn_blocking<F, R>(work: F, spawning: &Spawning<'_>) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    #[cfg(feature = "tracing")]
    let work = {
        let span = task_span(spawning);
        move || span.in_scope(work)
    };
    #[cfg(all(tokio_unstable, feature = "tracing"))]
    {
        let name = console_name(spawning);
        match tokio::task::Builder::new().name(&name).spawn_blocking(work) {
            Ok(join) => join,
            Err(error) => panic!("tokio could not spawn task `{name}`: {error}"),
        }
    }
    #[cfg(not(all(tokio_unstable, feature = "tracing")))]
    tokio::task::spawn_blocking(work)
}

/// The name tokio-console shows: the task's name, or where it was spawned.
#[cfg(all(tokio_unstable, feature = "tracing"))]
fn console_name(spawning: &Spawning<'_>) -> String {
    match spawning.name {
        Some(name) => name.to_string(),
        None => spawning.location.to_string(),
    }
}

#[cfg(feature = "tracing")]
fn instrument<F: Future>(
    future: F,
    spawning: &Spawning<'_>,
) -> tracing::instrument::Instrumented<F> {
    tracing::Instrument::instrument(future, task_span(spawning))
}

#[cfg(not(feature = "tracing"))]
fn instrument<F: Future>(future: F, _spawning: &Spawning<'_>) -> F {
    future
}

/// A child's span, under its scope's span.
#[cfg(feature = "tracing")]
fn task_span(spawning: &Spawning<'_>) -> tracing::Span {
    tracing::debug_span!(
        parent: &spawning.scope.span,
        "taskscope.task",
        task.name = spawning.name,
        task.location = %spawning.location,
        task.background = spawning.background,
    )
}
