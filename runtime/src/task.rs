//! A child task: the wrapper future that keeps the scope's books for it, and
//! the handle its spawner gets back.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;
use tokio::task::{AbortHandle, JoinHandle};

use crate::current::with_current;
use crate::error::{TaskError, TaskInfo};
use crate::output::TaskOutput;
use crate::phase::{ChildKind, Phase};

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
    kind: ChildKind,
    /// Runs on the blocking pool, where tokio does not count it as alive.
    blocking: bool,
}

impl ChildInfo {
    pub(crate) fn new(
        name: Option<Arc<str>>,
        kind: ChildKind,
        location: &'static Location<'static>,
    ) -> Self {
        match (name, kind) {
            (None, ChildKind::Foreground) => ChildInfo::Plain(location),
            (name, kind) => ChildInfo::Detailed(Arc::new(ChildDetails {
                task: TaskInfo::new(name, location),
                kind,
                blocking: false,
            })),
        }
    }

    /// The same child, marked as running on the blocking pool.
    pub(crate) fn blocking(self) -> Self {
        let (task, kind) = match &self {
            ChildInfo::Plain(location) => (TaskInfo::new(None, location), ChildKind::Foreground),
            ChildInfo::Detailed(details) => (details.task.clone(), details.kind),
        };
        ChildInfo::Detailed(Arc::new(ChildDetails {
            task,
            kind,
            blocking: true,
        }))
    }

    pub(crate) fn kind(&self) -> ChildKind {
        match self {
            ChildInfo::Plain(_) => ChildKind::Foreground,
            ChildInfo::Detailed(details) => details.kind,
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
    share: Option<Arc<Phase>>,
    info: ChildInfo,
}

impl ChildGuard {
    pub(crate) fn new(share: Arc<Phase>, info: ChildInfo) -> Self {
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
                Err(error) => crate::scope::Recorded::Error(error),
            },
            Err(panic) => crate::scope::Recorded::Panic(panic),
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

/// A child's output, and its way to be aborted.
///
/// Await it for the child's value. Dropping it neither detaches nor aborts the
/// child: the scope owns the child either way. [`abort`](TaskHandle::abort)
/// stops this child only, and is not a failure of the scope.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let answer = scope.spawn(async { 6 * 7 });
/// let stuck = scope.spawn(std::future::pending::<()>());
/// assert_eq!(answer.await, Ok(42));
/// stuck.abort();
/// assert_eq!(stuck.await, Err(taskscope::TaskError::Aborted));
/// scope.join().await.expect("an abort is not a failure");
/// # }
/// ```
#[derive(Debug)]
pub struct TaskHandle<T> {
    join: JoinHandle<Result<T, TaskError>>,
}

impl<T> TaskHandle<T> {
    pub(crate) fn new(join: JoinHandle<Result<T, TaskError>>) -> Self {
        TaskHandle { join }
    }

    /// Aborts this child. It stops at its next `.await`; its scope is not
    /// cancelled and does not count this as a failure.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let stuck = scope.spawn(std::future::pending::<()>());
    /// let sibling = scope.spawn(async { tokio::task::yield_now().await; taskscope::is_cancelled() });
    /// stuck.abort();
    /// assert_eq!(stuck.await, Err(taskscope::TaskError::Aborted));
    /// assert_eq!(sibling.await, Ok(false)); // the scope was not cancelled
    /// scope.join().await.expect("an abort is not a failure");
    /// # }
    /// ```
    pub fn abort(&self) {
        self.join.abort();
    }

    /// Whether the child has finished (or was aborted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
    /// let child = scope.spawn(rx);
    /// tokio::task::yield_now().await;
    /// assert!(!child.is_finished()); // still waiting for the value
    /// tx.send(7).expect("the child is waiting");
    /// scope.join().await.expect("nothing failed");
    /// assert!(child.is_finished());
    /// assert_eq!(child.await, Ok(7));
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        self.join.is_finished()
    }

    /// The tokio task id of the child.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let child = scope.spawn(async { Ok::<_, std::convert::Infallible>(tokio::task::id()) });
    /// let id = child.id();
    /// assert_eq!(child.await, Ok(id)); // the id tokio gave the task
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn id(&self) -> tokio::task::Id {
        self.join.id()
    }

    pub(crate) fn abort_handle(&self) -> AbortHandle {
        self.join.abort_handle()
    }
}

impl<T> Future for TaskHandle<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(match ready!(Pin::new(&mut self.join).poll(cx)) {
            Ok(outcome) => outcome,
            Err(join_error) if join_error.is_cancelled() => Err(TaskError::Aborted),
            // The wrapper catches the child's panics; one that escapes came
            // from dropping the child's future, and the child failed all the same.
            Err(_) => Err(TaskError::Failed),
        })
    }
}
