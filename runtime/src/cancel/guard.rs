//! `Cancellation` and `Guarded`: awaiting something unless a scope (or a
//! `CancellationToken`) is cancelled first, at the price of an atomic load
//! when the awaited future is ready.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tokio::sync::futures::Notified;
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};

use super::CancelSignal;
use crate::Cancelled;

/// One scope's cancellation, looked up once and then checked cheaply: the
/// cancellation arm of a loop.
///
/// [`guard`](Cancellation::guard) wraps a future so that awaiting it yields
/// `Err(Cancelled)` once the scope is cancelled. The guarded future is
/// polled only while the scope is not cancelled (cancellation wins a tie),
/// and it registers with the cancellation signal only when the inner future
/// is pending, so a loop over a busy channel pays one atomic load per
/// message. Fetch it once, before the loop; `#[cancellable_loop]` does this
/// for you.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(16);
/// let consumer = scope.spawn(async move {
///     let cancellation = taskscope::cancel::Cancellation::current();
///     let mut total = 0;
///     while let Ok(Some(n)) = cancellation.guard(rx.recv()).await {
///         total += n;
///     }
///     total
/// });
/// for n in 1..=3 {
///     tx.send(n).await.expect("the consumer is running");
/// }
/// tokio::task::yield_now().await;
/// scope.cancel(); // the sender stays open; the loop still ends
/// assert!(consumer.await.is_ok());
/// scope.join().await.expect("nothing failed");
/// # }
/// ```
///
/// A `tokio_util` [`CancellationToken`] works too (`Cancellation::from(&token)`),
/// for loops that must stop with a token a codebase already passes around.
/// Its `is_cancelled` takes a lock where a scope's is an atomic load, so a
/// guarded future that is ready pays that lock on every poll.
#[derive(Clone, Default)]
pub struct Cancellation {
    source: CancelSource,
}

/// What can cancel a guarded future.
#[derive(Clone, Default)]
enum CancelSource {
    /// Nothing: outside any scope.
    #[default]
    Nothing,
    Scope(Arc<CancelSignal>),
    Token(CancellationToken),
}

/// A [`CancelSource`], borrowed by the futures it guards: the signal or
/// token itself rather than its `Arc`, one load fewer on every poll of a loop.
#[derive(Clone, Copy, Debug)]
enum CancelSourceRef<'a> {
    Nothing,
    Scope(&'a CancelSignal),
    Token(&'a CancellationToken),
}

impl CancelSourceRef<'_> {
    fn is_cancelled(self) -> bool {
        match self {
            CancelSourceRef::Nothing => false,
            CancelSourceRef::Scope(signal) => signal.is_cancelled(),
            CancelSourceRef::Token(token) => token.is_cancelled(),
        }
    }
}

impl Cancellation {
    /// Whether it has been cancelled.
    ///
    /// ```
    /// let scope = taskscope::TaskScope::new();
    /// let cancellation = taskscope::cancel::Cancellation::from(&scope);
    /// assert!(!cancellation.is_cancelled());
    /// scope.cancel();
    /// assert!(cancellation.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.source().is_cancelled()
    }

    /// Cancelled by a scope's signal.
    pub(crate) fn from_signal(signal: Arc<CancelSignal>) -> Self {
        Cancellation {
            source: CancelSource::Scope(signal),
        }
    }

    /// Cancelled by nothing: outside any scope.
    pub(crate) fn never() -> Self {
        Cancellation {
            source: CancelSource::Nothing,
        }
    }

    fn source(&self) -> CancelSourceRef<'_> {
        match &self.source {
            CancelSource::Nothing => CancelSourceRef::Nothing,
            CancelSource::Scope(signal) => CancelSourceRef::Scope(signal),
            CancelSource::Token(token) => CancelSourceRef::Token(token),
        }
    }

    /// Awaits `future` unless the scope is cancelled first.
    ///
    /// ```
    /// use taskscope::Cancelled;
    /// use taskscope::cancel::Cancellation;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let cancellation = Cancellation::from(&scope);
    /// assert_eq!(cancellation.guard(async { "ready" }).await, Ok("ready"));
    /// scope.cancel();
    /// // Cancellation wins a tie with a ready future.
    /// assert_eq!(cancellation.guard(async { "ready" }).await, Err(Cancelled));
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn guard<F: IntoFuture>(&self, future: F) -> Guarded<'_, F::IntoFuture> {
        Guarded {
            inner: future.into_future(),
            source: self.source(),
            waiting: Waiting::Idle,
        }
    }
}

/// ```
/// use taskscope::Cancelled;
/// use taskscope::cancel::Cancellation;
/// use tokio_util::sync::CancellationToken;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let token = CancellationToken::new();
/// let cancellation = Cancellation::from(&token);
/// assert_eq!(cancellation.guard(async { "ready" }).await, Ok("ready"));
/// token.cancel();
/// assert_eq!(cancellation.guard(async { "ready" }).await, Err(Cancelled));
/// # }
/// ```
impl From<&CancellationToken> for Cancellation {
    fn from(token: &CancellationToken) -> Self {
        Cancellation {
            source: CancelSource::Token(token.clone()),
        }
    }
}

impl std::fmt::Debug for Cancellation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match self.source {
            CancelSource::Nothing => "nothing",
            CancelSource::Scope(_) => "scope",
            CancelSource::Token(_) => "token",
        };
        f.debug_struct("Cancellation")
            .field("source", &source)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

pin_project! {
    /// A future awaited unless its scope is cancelled first; made by
    /// [`Cancellation::guard`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use taskscope::Cancelled;
    /// use taskscope::cancel::{Cancellation, Guarded};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// scope.spawn(async move {
    ///     tokio::time::sleep(Duration::from_secs(1)).await;
    ///     handle.cancel();
    /// });
    /// let cancellation = Cancellation::from(&scope);
    /// let long_sleep: Guarded<'_, _> =
    ///     cancellation.guard(tokio::time::sleep(Duration::from_secs(60)));
    /// let started = tokio::time::Instant::now();
    /// assert_eq!(long_sleep.await, Err(Cancelled)); // interrupted while pending
    /// assert_eq!(started.elapsed(), Duration::from_secs(1));
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Guarded<'a, F> {
        #[pin]
        inner: F,
        source: CancelSourceRef<'a>,
        #[pin]
        waiting: Waiting<'a>,
    }
}

pin_project! {
    /// The registration with the cancellation source, made only once the
    /// guarded future has been pending.
    #[project = WaitingProjection]
    enum Waiting<'a> {
        Idle,
        Scope { #[pin] notified: Notified<'a> },
        Token { #[pin] cancelled: WaitForCancellationFuture<'a> },
    }
}

impl<F: Future> Future for Guarded<'_, F> {
    type Output = Result<F::Output, Cancelled>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let source = *this.source;
        if let CancelSourceRef::Nothing = source {
            return this.inner.poll(cx).map(Ok);
        }
        if source.is_cancelled() {
            return Poll::Ready(Err(Cancelled));
        }
        if let Poll::Ready(output) = this.inner.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // Pending: only now is it worth hearing about a cancellation.
        if let WaitingProjection::Idle = this.waiting.as_mut().project() {
            match source {
                CancelSourceRef::Nothing => {}
                CancelSourceRef::Scope(signal) => this.waiting.set(Waiting::Scope {
                    notified: signal.notified(),
                }),
                CancelSourceRef::Token(token) => this.waiting.set(Waiting::Token {
                    cancelled: token.cancelled(),
                }),
            }
        }
        let heard = match this.waiting.as_mut().project() {
            WaitingProjection::Idle => false,
            WaitingProjection::Scope { notified } => notified.poll(cx).is_ready(),
            WaitingProjection::Token { cancelled } => cancelled.poll(cx).is_ready(),
        };
        // A cancel between the first look and the registration is seen by
        // the second look.
        if heard || source.is_cancelled() {
            return Poll::Ready(Err(Cancelled));
        }
        Poll::Pending
    }
}

#[cfg(all(test, not(taskscope_loom)))]
mod tests {
    use super::*;
    use crate::TaskScope;
    use std::time::Duration;

    #[tokio::test]
    async fn a_ready_future_wins_until_the_scope_is_cancelled() {
        let scope = TaskScope::new();
        let cancellation = Cancellation::from(&scope);
        assert_eq!(cancellation.guard(async { 7 }).await, Ok(7));
        scope.cancel();
        assert_eq!(
            cancellation.guard(async { 7 }).await,
            Err(Cancelled),
            "cancellation wins a tie"
        );
        scope.join().await.expect("nothing failed");
    }

    #[tokio::test]
    async fn a_pending_future_is_interrupted_by_a_later_cancel() {
        let scope = TaskScope::new();
        let handle = scope.handle();
        let waiter = scope.spawn(async move {
            Cancellation::from(&handle)
                .guard(std::future::pending::<()>())
                .await
                .is_err()
        });
        tokio::task::yield_now().await;
        scope.cancel();
        let interrupted = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the guard woke up");
        assert_eq!(interrupted, Ok(true));
        scope.join().await.expect("nothing failed");
    }

    #[tokio::test]
    async fn a_token_interrupts_a_pending_future_and_wins_a_tie() {
        let token = CancellationToken::new();
        let cancellation = Cancellation::from(&token);
        assert_eq!(cancellation.guard(async { 7 }).await, Ok(7));
        let waiter = tokio::spawn({
            let cancellation = cancellation.clone();
            async move {
                cancellation
                    .guard(std::future::pending::<()>())
                    .await
                    .is_err()
            }
        });
        tokio::task::yield_now().await;
        token.cancel();
        let interrupted = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the guard woke up");
        assert!(matches!(interrupted, Ok(true)));
        assert!(cancellation.is_cancelled());
        assert_eq!(cancellation.guard(async { 7 }).await, Err(Cancelled));
    }

    #[tokio::test]
    async fn outside_a_scope_nothing_cancels() {
        let cancellation = Cancellation::current();
        assert!(!cancellation.is_cancelled());
        assert_eq!(cancellation.guard(async { 1 }).await, Ok(1));
    }
}
