//! `TaskScope::produce`: a producer child and the stream of what it sends,
//! ending with how it ended.

use std::fmt;
use std::future::Future;
use std::num::NonZeroUsize;
use std::panic::Location;

use tokio::sync::{mpsc, oneshot};

use super::{Receiver, Sender};
use crate::cancel::Cancellation;
use crate::scope::bounded::{Bounded, Enclosing};
use crate::task::{ChildError, TaskOutput};
use crate::{ScopeHandle, TaskScope};

/// What a [`Produced`] stream yields after the values, when its producer
/// did not finish with `Ok`.
///
/// ```
/// use std::num::NonZeroUsize;
/// use taskscope::channel::ProducerError;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let mut lines = scope.produce(NonZeroUsize::MIN, |tx| async move {
///     tx.send("header").await.map_err(|_| "the consumer quit")?;
///     Err("truncated file")
/// });
/// assert_eq!(lines.recv().await, Ok(Some("header")));
/// assert_eq!(lines.recv().await, Err(ProducerError::Failed("truncated file")));
/// assert_eq!(lines.recv().await, Ok(None));
/// scope.join().await.expect("the consumer took the failure");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProducerError<E> {
    /// The producer returned this error.
    Failed(E),
    /// The producer ended without returning: it panicked (its scope's
    /// `join` resumes the panic) or was aborted.
    Stopped,
}

impl<E: fmt::Display> fmt::Display for ProducerError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProducerError::Failed(error) => write!(f, "the producer failed: {error}"),
            ProducerError::Stopped => {
                f.write_str("the producer stopped before it finished (it panicked or was aborted)")
            }
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for ProducerError<E> {}

/// The values a producer child sends ([`TaskScope::produce`]), then how it
/// ended.
///
/// Dropping it closes the channel and cancels the producer: a send it is
/// waiting on returns its value, and its `taskscope::cancelled()`
/// completes.
pub struct Produced<T: Send + 'static, E> {
    values: Receiver<T>,
    outcome: Option<oneshot::Receiver<Result<(), E>>>,
    producer: ScopeHandle,
}

impl<T: Send + 'static, E> Produced<T, E> {
    /// The next value (`Ok(Some(..))`); once the producer has ended and
    /// every value it sent was received, its failure if it failed (once),
    /// then `Ok(None)`.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::channel::ProducerError<std::io::Error>> {
    /// let scope = taskscope::TaskScope::new();
    /// let mut squares = scope.produce(NonZeroUsize::new(4).expect("4 is not zero"), |tx| async move {
    ///     for n in 1..=3u64 {
    ///         if tx.send(n * n).await.is_err() {
    ///             break; // the consumer quit, or the scope was cancelled
    ///         }
    ///     }
    ///     Ok::<(), std::io::Error>(())
    /// });
    /// let mut sum = 0;
    /// while let Some(square) = squares.recv().await? {
    ///     sum += square;
    /// }
    /// assert_eq!(sum, 14);
    /// # scope.join().await.expect("nothing failed");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Result<Option<T>, ProducerError<E>> {
        if let Some(value) = self.values.recv().await {
            return Ok(Some(value));
        }
        let Some(outcome) = self.outcome.take() else {
            return Ok(None);
        };
        match outcome.await {
            Ok(Ok(())) => Ok(None),
            Ok(Err(error)) => Err(ProducerError::Failed(error)),
            Err(_) => Err(ProducerError::Stopped),
        }
    }

    /// Hands the values still in the channel when this is dropped to
    /// `undelivered` (see [`Receiver::on_undelivered`]).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let returned = Arc::new(AtomicUsize::new(0));
    /// let scope = taskscope::TaskScope::new();
    /// let jobs = scope
    ///     .produce(NonZeroUsize::new(8).expect("8 is not zero"), |tx| async move {
    ///         for job in 0..3u32 {
    ///             tx.send(job).await.map_err(|_| "the consumer quit")?;
    ///         }
    ///         Ok::<_, &str>(())
    ///     })
    ///     .on_undelivered({
    ///         let returned = Arc::clone(&returned);
    ///         move |_job| { returned.fetch_add(1, Ordering::Relaxed); }
    ///     });
    /// tokio::task::yield_now().await; // the producer sends all three
    /// drop(jobs);
    /// assert_eq!(returned.load(Ordering::Relaxed), 3);
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn on_undelivered(mut self, undelivered: impl FnMut(T) + Send + 'static) -> Self {
        self.values.set_undelivered(Box::new(undelivered));
        self
    }
}

impl<T: Send + 'static, E> Drop for Produced<T, E> {
    fn drop(&mut self) {
        self.producer.cancel();
    }
}

impl<T: Send + 'static, E> fmt::Debug for Produced<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Produced")
            .field("values", &self.values)
            .field("producer_ended", &self.outcome.is_none())
            .finish()
    }
}

/// What the producer's child returns: nothing for its handle, and no
/// failure of its own (the consumer gets the producer's error).
struct ProducerOutcome(Result<(), ChildError>);

impl TaskOutput for ProducerOutcome {
    type Success = ();

    fn into_outcome(self) -> Result<(), ChildError> {
        self.0
    }
}

impl TaskScope {
    /// Spawns `producer` as a child of this scope, in a scope of its own,
    /// with the sending half of a channel of `capacity` values; returns
    /// what it sends.
    ///
    /// - The channel closes when the producer finishes (and the children
    ///   it spawned have ended); the consumer receives every value, then
    ///   the producer's error if it returned one ([`Produced::recv`]). The
    ///   error is the consumer's to handle, not a failure of this scope;
    ///   a panic of the producer is one.
    /// - Dropping the [`Produced`] cancels the producer: a send it waits on
    ///   returns the value at once.
    /// - Cancelling this scope cancels the producer too; its sends are
    ///   refused from then on.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let mut pages = scope.produce(NonZeroUsize::new(2).expect("2 is not zero"), |tx| async move {
    ///     for page in 0..5u32 {
    ///         if page == 3 {
    ///             return Err(format!("page {page} is missing"));
    ///         }
    ///         tx.send(page).await.map_err(|_| "the reader quit".to_owned())?;
    ///     }
    ///     Ok(())
    /// });
    /// let mut read = Vec::new();
    /// let ended = loop {
    ///     match pages.recv().await {
    ///         Ok(Some(page)) => read.push(page),
    ///         other => break other,
    ///     }
    /// };
    /// assert_eq!(read, [0, 1, 2]); // everything sent before the failure
    /// assert_eq!(ended, Err(taskscope::channel::ProducerError::Failed("page 3 is missing".to_owned())));
    /// scope.join().await.expect("the failure was the consumer's");
    /// # }
    /// ```
    #[track_caller]
    pub fn produce<T, E, F, Fut>(&self, capacity: NonZeroUsize, producer: F) -> Produced<T, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: FnOnce(Sender<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let location = Location::caller();
        let producer_scope = self.nest(TaskScope::builder().name("taskscope::produce"), location);
        let cancellation = Cancellation::from(&producer_scope);
        let handle = producer_scope.handle();
        let (tx, rx) = mpsc::channel(capacity.get());
        let (outcome_tx, outcome_rx) = oneshot::channel();
        let enclosing = Enclosing::of(self);
        let sender = Sender::new(tx, cancellation.clone());
        let closer = producer_scope.handle();
        self.spawn_at(location, async move {
            let Bounded { output, outcome } = producer_scope
                .run_bounded(producer(sender), |_| false)
                .await;
            // The producer and its children are done: stray clones of the
            // sender can send no more, and the consumer drains and ends.
            closer.cancel();
            let adopted = enclosing.adopt(outcome).map_err(ChildError::new);
            if let Some(output) = output {
                // The consumer may be gone; its leaving is the reason, and
                // the producer's error is fallout.
                drop(outcome_tx.send(output));
            }
            ProducerOutcome(adopted)
        });
        Produced {
            values: Receiver::new(rx, cancellation, handle.clone()),
            outcome: Some(outcome_rx),
            producer: handle,
        }
    }
}
