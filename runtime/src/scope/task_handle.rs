//! `TaskHandle`: a child's output, and its way to be aborted.

use std::future::Future;
use std::pin::Pin;
use std::sync::Weak;
use std::task::{Context, Poll, ready};

use tokio::task::{AbortHandle, JoinHandle};

use super::child::FailedAsItWasAborted;
use super::error::TaskError;
use super::phase::Share;

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
    /// The share the child holds in its scope's phase: gone once the phase
    /// has ended, which the scope's `join` waits for.
    held: Weak<Share>,
}

impl<T> TaskHandle<T> {
    pub(crate) fn new(join: JoinHandle<Result<T, TaskError>>, held: Weak<Share>) -> Self {
        TaskHandle { join, held }
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

    /// Whether the child has finished (or was aborted): its future has been
    /// dropped and will not run again. Once the scope's `join` has returned,
    /// this is `true` for every child of the scope.
    ///
    /// tokio's own count, [`num_alive_tasks`], may still count such a child
    /// for a moment after `join` returns, on the multi-thread runtime: tokio
    /// marks a task complete and lets go of it on the worker that ran it,
    /// just after dropping its future (which is what `join` waits for).
    /// [`LeakCheck`](crate::leak::LeakCheck) looks again until that moment
    /// has passed.
    ///
    /// [`num_alive_tasks`]: tokio::runtime::RuntimeMetrics::num_alive_tasks
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
        // tokio marks a task complete a moment after it dropped the task's
        // future, which let go of the child's share; once the phase of that
        // share has ended (so after the scope's `join`), the child is done
        // whatever tokio's flag says yet.
        self.join.is_finished() || self.held.strong_count() == 0
    }

    /// The tokio task id of the child.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let child = scope.spawn_value(async { tokio::task::id() });
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
            // The wrapper catches the child's panics; the one that escapes
            // says how the child failed as it was aborted.
            Err(join_error) => Err(
                match join_error.into_panic().downcast::<FailedAsItWasAborted>() {
                    Ok(failed) => failed.0,
                    Err(payload) => TaskError::panicked(&*payload),
                },
            ),
        })
    }
}
