//! `Sender`: a send that cannot block for ever, and gives the value back
//! when it cannot deliver it.

use std::fmt;

use tokio::sync::mpsc::{self, error::TrySendError};

use crate::cancel::Cancellation;

/// The sending half of a scope's channel ([`TaskScope::channel`](crate::TaskScope::channel),
/// [`TaskScope::produce`](crate::TaskScope::produce)); cloneable.
///
/// [`send`](Sender::send) waits for room, but not past the receiver's end or
/// the cancellation of the scope the channel belongs to: then it returns the
/// value in its error. A producer blocked on a full channel thus ends with
/// its scope instead of waiting for ever for a consumer that quit.
///
/// ```
/// use std::num::NonZeroUsize;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let (tx, rx) = scope.channel::<u32>(NonZeroUsize::MIN);
/// tx.send(1).await.expect("there is room for one");
/// scope.cancel(); // the channel's scope ends: no more sends
/// let refused = tx.send(2).await.expect_err("the scope was cancelled");
/// assert_eq!(refused.into_inner(), 2); // the value comes back
/// # drop(rx);
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
pub struct Sender<T> {
    tx: mpsc::Sender<T>,
    cancellation: Cancellation,
}

impl<T> Sender<T> {
    pub(crate) fn new(tx: mpsc::Sender<T>, cancellation: Cancellation) -> Self {
        Sender { tx, cancellation }
    }

    /// Sends `value`, waiting for room if the channel is full. Returns the
    /// value in a [`SendError`] if the receiver is gone or the channel's
    /// scope is cancelled (before or while it waits): a value is either
    /// delivered or handed back, never lost.
    ///
    /// Dropping the returned future while it waits (in a `select!`, say)
    /// drops the value with it, as with any future that owns one; a loop
    /// does not need that, since the scope's cancellation already ends the
    /// wait.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let (tx, mut rx) = scope.channel(NonZeroUsize::new(4).expect("4 is not zero"));
    /// scope.spawn(async move {
    ///     for n in 0..3u32 {
    ///         tx.send(n).await?;
    ///     }
    ///     Ok::<_, taskscope::channel::SendError<u32>>(())
    /// });
    /// let mut received = Vec::new();
    /// while let Some(n) = rx.recv().await {
    ///     received.push(n);
    /// }
    /// assert_eq!(received, [0, 1, 2]);
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.cancellation.is_cancelled() {
            return Err(SendError::Cancelled(value));
        }
        // Room now: one reservation, no waiting, no registration.
        match self.tx.try_reserve() {
            Ok(permit) => {
                permit.send(value);
                return Ok(());
            }
            Err(TrySendError::Closed(())) => return Err(SendError::Disconnected(value)),
            Err(TrySendError::Full(())) => {}
        }
        match self.cancellation.guard(self.tx.reserve()).await {
            Ok(Ok(permit)) => {
                permit.send(value);
                Ok(())
            }
            Ok(Err(_)) => Err(SendError::Disconnected(value)),
            Err(_) => Err(SendError::Cancelled(value)),
        }
    }

    /// Whether a send would fail now: the receiver is gone or the
    /// channel's scope is cancelled.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let (tx, rx) = scope.channel::<()>(NonZeroUsize::MIN);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed() || self.cancellation.is_cancelled()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
            cancellation: self.cancellation.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Why [`Sender::send`] did not deliver its value, with the value.
///
/// ```
/// use std::num::NonZeroUsize;
/// use taskscope::channel::SendError;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let (tx, rx) = scope.channel::<String>(NonZeroUsize::MIN);
/// drop(rx);
/// match tx.send("report".to_owned()).await {
///     Err(SendError::Disconnected(report)) => assert_eq!(report, "report"),
///     other => panic!("expected the receiver to be gone, got {other:?}"),
/// }
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum SendError<T> {
    /// The receiver is gone.
    Disconnected(T),
    /// The channel's scope was cancelled.
    Cancelled(T),
}

impl<T> SendError<T> {
    /// The value that was not sent.
    ///
    /// ```
    /// let error = taskscope::channel::SendError::Cancelled(7);
    /// assert_eq!(error.into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            SendError::Disconnected(value) | SendError::Cancelled(value) => value,
        }
    }
}

// Not `T: Debug`: the error is about the channel, and a value that cannot be
// printed must not stop `?` into a boxed error.
impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Disconnected(_) => f.write_str("Disconnected(..)"),
            SendError::Cancelled(_) => f.write_str("Cancelled(..)"),
        }
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Disconnected(_) => f.write_str("the receiver is gone"),
            SendError::Cancelled(_) => f.write_str("the channel's scope was cancelled"),
        }
    }
}

impl<T> std::error::Error for SendError<T> {}
