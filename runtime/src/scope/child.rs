//! A child task as its scope sees it: what is known of it (`ChildInfo`), its
//! share in the scope (`ChildGuard`), and the wrapper future tokio runs for
//! it (`ChildTask`), which keeps the scope's books around each poll.

use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::current::with_current;
use super::error::{TaskError, TaskInfo};
use super::output::TaskOutput;
use super::phase::{Phase, Share};
use super::shared::Recorded;

/// What a child's wrapper (and the scope's registry) knows about it. The
/// common case (an unnamed foreground child) is one pointer; anything more is
/// shared behind one, so the wrapper adds as few bytes as possible to every
/// task.
#[derive(Clone)]
pub(crate) enum ChildInfo {
    Plain(&'static Location<'static>),
    Detailed(Arc<ChildDetails>),
}

pub(crate) struct ChildDetails {
    task: TaskInfo,
    phase: Phase,
    /// Runs on the blocking pool, where tokio does not count it as alive.
    blocking: bool,
}

impl ChildInfo {
    pub(crate) fn new(
        name: Option<Arc<str>>,
        phase: Phase,
        location: &'static Location<'static>,
    ) -> Self {
        match (name, phase) {
            (None, Phase::Foreground) => ChildInfo::Plain(location),
            (name, phase) => ChildInfo::Detailed(Arc::new(ChildDetails {
                task: TaskInfo::new(name, location),
                phase,
                blocking: false,
            })),
        }
    }

    /// The same child, marked as running on the blocking pool.
    pub(crate) fn blocking(self) -> Self {
        let (task, phase) = match &self {
            ChildInfo::Plain(location) => (TaskInfo::new(None, location), Phase::Foreground),
            ChildInfo::Detailed(details) => (details.task.clone(), details.phase),
        };
        ChildInfo::Detailed(Arc::new(ChildDetails {
            task,
            phase,
            blocking: true,
        }))
    }

    pub(crate) fn phase(&self) -> Phase {
        match self {
            ChildInfo::Plain(_) => Phase::Foreground,
            ChildInfo::Detailed(details) => details.phase,
        }
    }

    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            ChildInfo::Plain(_) => None,
            ChildInfo::Detailed(details) => details.task.name(),
        }
    }

    pub(crate) fn location(&self) -> &'static Location<'static> {
        match self {
            ChildInfo::Plain(location) => location,
            ChildInfo::Detailed(details) => details.task.location(),
        }
    }

    pub(crate) fn is_blocking(&self) -> bool {
        match self {
            ChildInfo::Plain(_) => false,
            ChildInfo::Detailed(details) => details.blocking,
        }
    }

    pub(crate) fn task_info(&self) -> TaskInfo {
        match self {
            ChildInfo::Plain(location) => TaskInfo::new(None, location),
            ChildInfo::Detailed(details) => details.task.clone(),
        }
    }
}

/// A child's share in its scope, held from spawn until it is dropped: when
/// the child finishes, is aborted, or was never started because spawning
/// failed.
pub(crate) struct ChildGuard {
    /// Empty only while it is the current share, during a poll.
    share: Option<Arc<Share>>,
    info: ChildInfo,
}

impl ChildGuard {
    pub(crate) fn new(share: Arc<Share>, info: ChildInfo) -> Self {
        ChildGuard {
            share: Some(share),
            info,
        }
    }

    /// Runs part of the child with its scope as the current scope, catching a
    /// panic so the scope can report it.
    pub(crate) fn run_in_scope<R>(&mut self, f: impl FnOnce() -> R) -> std::thread::Result<R> {
        with_current(&mut self.share, || catch_unwind(AssertUnwindSafe(f)))
    }

    /// Turns the child's end into what its handle yields, reporting a failure
    /// to the scope. `None` is a child that never started.
    pub(crate) fn settle<O: TaskOutput>(
        &self,
        ended: std::thread::Result<Option<O>>,
    ) -> Result<O::Success, TaskError> {
        let failure = match ended {
            Ok(None) => return Err(TaskError::NotStarted),
            Ok(Some(output)) => match output.into_outcome() {
                Ok(value) => return Ok(value),
                Err(error) => Recorded::Error(error),
            },
            Err(panic) => Recorded::Panic(panic),
        };
        if let Some(share) = &self.share {
            share.scope().record_failure(self.info.task_info(), failure);
        }
        Err(TaskError::Failed)
    }
}

pin_project! {
    /// The future tokio runs for a child: the user's future (which yields
    /// `None` if it never started) plus the child's guard.
    pub(crate) struct ChildTask<F> {
        #[pin]
        future: F,
        guard: ChildGuard,
    }
}

impl<F> ChildTask<F> {
    pub(crate) fn new(future: F, guard: ChildGuard) -> Self {
        ChildTask { future, guard }
    }
}

impl<F, O> Future for ChildTask<F>
where
    F: Future<Output = Option<O>>,
    O: TaskOutput,
{
    type Output = Result<O::Success, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let future = this.future;
        let polled = this.guard.run_in_scope(|| future.poll(cx));
        let ended = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(panic) => Err(panic),
        };
        Poll::Ready(this.guard.settle(ended))
    }
}

pin_project! {
    /// Adapts a future that always starts to the `Option` a `ChildTask` takes.
    pub(crate) struct Started<F> {
        #[pin]
        future: F,
    }
}

impl<F> Started<F> {
    pub(crate) fn new(future: F) -> Self {
        Started { future }
    }
}

impl<F: Future> Future for Started<F> {
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(Some(ready!(self.project().future.poll(cx))))
    }
}
