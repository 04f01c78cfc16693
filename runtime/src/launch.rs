//! Handing a child to tokio. The one place that calls tokio's spawn
//! functions, so that what every child gets on the way (a `tracing` span
//! with its name and spawn location, a task name for tokio-console) is the
//! same for every kind of child.

use std::future::Future;

use tokio::task::JoinHandle;

use crate::scope::ScopeShared;
use crate::task::ChildInfo;

/// Spawns a `Send` child on the current runtime.
pub(crate) fn spawn<F>(future: F, info: &ChildInfo, scope: &ScopeShared) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let future = instrument(future, info, scope);
    #[cfg(all(tokio_unstable, feature = "tracing"))]
    {
        let name = console_name(info);
        match tokio::task::Builder::new().name(&name).spawn(future) {
            Ok(join) => join,
            Err(error) => panic!("tokio could not spawn task `{name}`: {error}"),
        }
    }
    #[cfg(not(all(tokio_unstable, feature = "tracing")))]
    tokio::spawn(future)
}

/// Spawns a `!Send` child on the current `LocalSet`.
pub(crate) fn spawn_local<F>(
    future: F,
    info: &ChildInfo,
    scope: &ScopeShared,
) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let future = instrument(future, info, scope);
    #[cfg(all(tokio_unstable, feature = "tracing"))]
    {
        let name = console_name(info);
        match tokio::task::Builder::new().name(&name).spawn_local(future) {
            Ok(join) => join,
            Err(error) => panic!("tokio could not spawn task `{name}`: {error}"),
        }
    }
    #[cfg(not(all(tokio_unstable, feature = "tracing")))]
    tokio::task::spawn_local(future)
}

/// Runs blocking work on the runtime's blocking pool.
pub(crate) fn spawn_blocking<F, R>(work: F, info: &ChildInfo, scope: &ScopeShared) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    #[cfg(feature = "tracing")]
    let work = {
        let span = task_span(info, scope);
        move || span.in_scope(work)
    };
    #[cfg(not(feature = "tracing"))]
    let _ = (info, scope);
    #[cfg(all(tokio_unstable, feature = "tracing"))]
    {
        let name = console_name(info);
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
fn console_name(info: &ChildInfo) -> String {
    let task = info.task_info();
    match task.name() {
        Some(name) => name.to_string(),
        None => task.location().to_string(),
    }
}

#[cfg(feature = "tracing")]
fn instrument<F: Future>(
    future: F,
    info: &ChildInfo,
    scope: &ScopeShared,
) -> tracing::instrument::Instrumented<F> {
    tracing::Instrument::instrument(future, task_span(info, scope))
}

#[cfg(not(feature = "tracing"))]
fn instrument<F: Future>(future: F, _info: &ChildInfo, _scope: &ScopeShared) -> F {
    future
}

/// A child's span, under its scope's span.
#[cfg(feature = "tracing")]
fn task_span(info: &ChildInfo, scope: &ScopeShared) -> tracing::Span {
    let task = info.task_info();
    tracing::debug_span!(
        parent: scope.span(),
        "taskscope.task",
        task.name = task.name(),
        task.location = %task.location(),
        task.background = info.kind() == crate::phase::ChildKind::Background,
    )
}
