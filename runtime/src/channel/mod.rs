//! Channels that belong to a scope: a send cannot block for ever, and a
//! value is received, handed back or handed to a callback, never lost.
//!
//! - [`TaskScope::channel`](crate::TaskScope::channel): a bounded channel
//!   (tokio's `mpsc`) that closes when every sender is gone or its scope
//!   ends; [`Sender::send`] returns the value when it cannot deliver it.
//! - [`TaskScope::produce`](crate::TaskScope::produce): a producer child
//!   and the values it sends ([`Produced`]), then its failure, if any; the
//!   consumer's leaving cancels the producer.
//
// For maintainers: `sender.rs` and `receiver.rs` wrap tokio's halves with
// the channel's scope's `Cancellation`; `produce.rs` runs the producer in a
// bounded scope (`scope::bounded`) whose signal is the channel's. This
// module uses `scope` and `cancel`; nothing in `scope` uses it.

mod produce;
mod receiver;
mod sender;

use std::num::NonZeroUsize;
use std::panic::Location;

pub use produce::{Produced, ProducerError};
pub use receiver::Receiver;
pub use sender::{SendError, Sender};

use crate::TaskScope;
use crate::cancel::Cancellation;

impl TaskScope {
    /// A bounded channel of `capacity` values that belongs to this scope:
    /// sends are refused (the value handed back) once the receiver is gone
    /// or the scope is cancelled, and the receiver ends once every sender
    /// is gone or the scope has ended, after the values already sent.
    ///
    /// It costs one background child, which waits for the scope's end.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let (requests, mut incoming) = scope.channel::<u32>(NonZeroUsize::new(16).expect("16 is not zero"));
    /// let handler = scope.spawn(async move {
    ///     let first = incoming.recv().await;
    ///     Err::<(), _>(format!("cannot process {first:?}")) // quits after one
    /// });
    /// let forwarder = scope.spawn(async move {
    ///     for id in 0.. {
    ///         if let Err(refused) = requests.send(id).await {
    ///             return refused.into_inner(); // the request it could not hand over
    ///         }
    ///     }
    ///     unreachable!("the handler quits")
    /// });
    /// assert!(handler.await.is_err());
    /// assert!(forwarder.await.is_ok(), "the forwarder's send returned");
    /// assert!(scope.join().await.is_err(), "the handler's failure");
    /// # }
    /// ```
    #[track_caller]
    pub fn channel<T: Send + 'static>(&self, capacity: NonZeroUsize) -> (Sender<T>, Receiver<T>) {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity.get());
        let cancellation = Cancellation::from(self);
        // A background child ends when the scope's work is done, and the
        // scope's cancellation that comes with it closes the channel.
        self.spawn_background_at(Location::caller(), crate::cancelled());
        (
            Sender::new(tx, cancellation.clone()),
            Receiver::new(rx, cancellation, self.handle()),
        )
    }
}
