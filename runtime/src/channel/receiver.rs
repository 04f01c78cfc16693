//! `Receiver`: receives until every sender is gone or the channel's scope
//! has ended, and hands what it leaves behind to a callback.

use std::fmt;

use tokio::sync::mpsc;

use crate::ScopeHandle;
use crate::cancel::Cancellation;

/// What a receiver does with the values still in its channel when it is
/// dropped.
pub(crate) type Undelivered<T> = Box<dyn FnMut(T) + Send>;

/// The receiving half of a scope's channel ([`TaskScope::channel`](crate::TaskScope::channel)).
///
/// [`recv`](Receiver::recv) yields the values in the order they were sent,
/// and `None` once every sender is gone or the channel's scope has ended
/// (joined, dropped or cancelled): the values already in the channel are
/// received first, later sends are refused. A consumer thus never waits for
/// a producer that can no longer send.
///
/// Dropping the receiver drops the values still in the channel, or hands
/// each one to [`on_undelivered`](Receiver::on_undelivered): a value is
/// received, returned to its sender, or given to that callback (a send
/// already given room when the receiver drops delivers its value to the
/// callback a moment later, from a background child of the channel's
/// scope; where it stops: a receiver dropped outside a tokio runtime leaves
/// such a value to tokio, which drops it).
///
/// ```
/// use std::num::NonZeroUsize;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let (tx, mut rx) = scope.channel::<u32>(NonZeroUsize::new(8).expect("8 is not zero"));
/// tx.send(1).await.expect("room");
/// let stray = tx.clone(); // kept outside the scope's children
/// drop(tx);
/// scope.cancel(); // the scope's end closes the channel
/// assert_eq!(rx.recv().await, Some(1)); // what was sent is still received
/// assert_eq!(rx.recv().await, None); // although `stray` is alive
/// # drop(stray);
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
pub struct Receiver<T: Send + 'static> {
    rx: mpsc::Receiver<T>,
    cancellation: Cancellation,
    /// The channel's scope, where a receiver dropped while a send is still
    /// under way leaves a child to hand its value to `undelivered`.
    scope: ScopeHandle,
    /// Set once the scope's end was seen and the channel closed: from then
    /// on the receiver only drains.
    draining: bool,
    undelivered: Option<Undelivered<T>>,
}

impl<T: Send + 'static> Receiver<T> {
    pub(crate) fn new(
        rx: mpsc::Receiver<T>,
        cancellation: Cancellation,
        scope: ScopeHandle,
    ) -> Self {
        Receiver {
            rx,
            cancellation,
            scope,
            draining: false,
            undelivered: None,
        }
    }

    /// The next value, or `None` once every sender is gone or the
    /// channel's scope has ended and the channel is empty.
    ///
    /// Cancel safe: dropping the future before it completes loses no value.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let (tx, mut rx) = scope.channel(NonZeroUsize::MIN);
    /// scope.spawn(async move { tx.send("hello").await });
    /// assert_eq!(rx.recv().await, Some("hello"));
    /// assert_eq!(rx.recv().await, None); // the only sender is gone
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        if !self.draining {
            match self.cancellation.guard(self.rx.recv()).await {
                Ok(received) => return received,
                Err(_) => {
                    // Refuse further sends; what was sent is still received.
                    self.rx.close();
                    self.draining = true;
                }
            }
        }
        self.rx.recv().await
    }

    /// Hands every value still in the channel when the receiver is dropped
    /// to `undelivered` instead of dropping it: a resource in a message (a
    /// connection, a reply channel) is then returned rather than lost.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::{Arc, Mutex};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let returned = Arc::new(Mutex::new(Vec::new()));
    /// let scope = taskscope::TaskScope::new();
    /// let (tx, rx) = scope.channel::<u32>(NonZeroUsize::new(4).expect("4 is not zero"));
    /// let rx = rx.on_undelivered({
    ///     let returned = Arc::clone(&returned);
    ///     move |n| returned.lock().expect("not poisoned").push(n)
    /// });
    /// tx.send(1).await.expect("room");
    /// tx.send(2).await.expect("room");
    /// drop(rx); // the consumer quits with two messages unread
    /// assert_eq!(*returned.lock().expect("not poisoned"), [1, 2]);
    /// assert_eq!(tx.send(3).await.expect_err("no receiver").into_inner(), 3);
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn on_undelivered(mut self, undelivered: impl FnMut(T) + Send + 'static) -> Self {
        self.set_undelivered(Box::new(undelivered));
        self
    }

    pub(crate) fn set_undelivered(&mut self, undelivered: Undelivered<T>) {
        self.undelivered = Some(undelivered);
    }

    /// Closes the channel from the receiving side: later sends are
    /// refused (their values handed back) and [`recv`](Receiver::recv)
    /// yields what was already sent, then `None`.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let (tx, mut rx) = scope.channel(NonZeroUsize::new(2).expect("2 is not zero"));
    /// tx.send('a').await.expect("room");
    /// rx.close();
    /// assert!(tx.send('b').await.is_err());
    /// assert_eq!(rx.recv().await, Some('a'));
    /// assert_eq!(rx.recv().await, None);
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn close(&mut self) {
        self.rx.close();
        self.draining = true;
    }
}

impl<T: Send + 'static> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(mut undelivered) = self.undelivered.take() else {
            return; // tokio drops what is left
        };
        self.rx.close();
        while let Ok(value) = self.rx.try_recv() {
            undelivered(value);
        }
        // Every slot free again: no value is queued, and no send holds a
        // slot it has yet to fill, so nothing more can arrive.
        if self.rx.capacity() == self.rx.max_capacity() {
            return;
        }
        // A send was given a slot and its task has not run since: its value
        // will come. A background child of the channel's scope waits for it
        // (and any other such send), so that the callback gets it too. If
        // the scope has closed, its cancellation refused every send that
        // had not filled its slot, and none will.
        if tokio::runtime::Handle::try_current().is_err() {
            return; // dropped outside a runtime: tokio drops what comes later
        }
        let (_, placeholder) = mpsc::channel(1);
        let mut rx = std::mem::replace(&mut self.rx, placeholder);
        drop(self.scope.spawn_background(async move {
            while let Some(value) = rx.recv().await {
                undelivered(value);
            }
        }));
    }
}

impl<T: Send + 'static> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("queued", &self.rx.len())
            .field("draining", &self.draining)
            .finish()
    }
}
