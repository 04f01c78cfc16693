//! **A stream handler whose receiver blocks for ever.** One task receives
//! requests from a stream and forwards them into a bounded channel; a
//! processing loop takes them out. If processing fails on the first request,
//! the loop returns, and the receiving task, blocked sending the next request
//! into a channel nobody reads, waits for ever: one leaked task per failed
//! stream.
//!
//! The fix: the channel belongs to the handler's scope (`TaskScope::channel`)
//! and the receiving side is a child of it. The processing failure cancels
//! the scope; a send of the scope's channel returns when the scope is
//! cancelled, with the request it could not send, so the receiving side
//! leaves and hands back what it did not forward.

/// The leak this example shows.
pub const TITLE: &str = "A stream handler whose receiver blocks for ever";

/// What `before` and `after` count.
pub const COUNTS: &str = crate::TASKS_LEFT;

use std::num::NonZeroUsize;

use taskscope::TaskScope;
use tokio::sync::mpsc;

/// Processing of the request with this number failed.
#[derive(Debug)]
pub struct ProcessingFailed(pub u32);

impl std::fmt::Display for ProcessingFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "processing request {} failed", self.0)
    }
}

/// Takes requests until the first one fails.
async fn process(requests: &mut mpsc::Receiver<u32>) -> Result<(), ProcessingFailed> {
    match requests.recv().await {
        Some(request) => Err(ProcessingFailed(request)),
        None => Ok(()),
    }
}

/// Naive: the receiving side blocks on `send` once processing has quit. The
/// channel is not closed, because its receiver lives on in the session the
/// caller keeps (for a reconnect, say).
async fn handle_stream_naive(
    stream: Vec<u32>,
) -> (Result<(), ProcessingFailed>, mpsc::Receiver<u32>) {
    let (forward, mut requests) = mpsc::channel(1);
    tokio::spawn(async move {
        for request in stream {
            if forward.send(request).await.is_err() {
                break;
            }
        }
    });
    let outcome = process(&mut requests).await;
    (outcome, requests)
}

/// Scoped: the receiving side is a child of the handler's scope, and the
/// channel is the scope's. When processing fails the handler cancels the
/// scope; the child's pending send returns its request.
async fn handle_stream(
    stream: Vec<u32>,
) -> (
    Result<(), ProcessingFailed>,
    taskscope::channel::Receiver<u32>,
    Vec<u32>,
) {
    let scope = TaskScope::builder().name("stream").build();
    let (forward, mut requests) = scope.channel(NonZeroUsize::MIN);
    let receiving = scope.spawn(async move {
        let mut stream = stream.into_iter();
        while let Some(request) = stream.next() {
            if let Err(refused) = forward.send(request).await {
                return std::iter::once(refused.into_inner())
                    .chain(stream)
                    .collect();
            }
        }
        Vec::new()
    });
    let outcome = process_scoped(&mut requests).await;
    if outcome.is_err() {
        scope.cancel();
    }
    let unsent = receiving.await.unwrap_or_default();
    scope
        .join()
        .await
        .expect("the receiving side does not fail");
    (outcome, requests, unsent)
}

/// [`process`], over the scope's channel.
async fn process_scoped(
    requests: &mut taskscope::channel::Receiver<u32>,
) -> Result<(), ProcessingFailed> {
    match requests.recv().await {
        Some(request) => Err(ProcessingFailed(request)),
        None => Ok(()),
    }
}

/// Handles three failing streams, keeping their sessions; returns the tasks
/// left running.
pub async fn before() -> usize {
    let mut sessions = Vec::new();
    for _ in 0..3 {
        let (outcome, session) = handle_stream_naive(vec![1, 2, 3, 4]).await;
        assert!(outcome.is_err());
        sessions.push(session);
    }
    crate::alive_tasks_after_settling().await
}

/// Handles three failing streams, keeping their sessions; returns the tasks
/// left running.
pub async fn after() -> usize {
    let mut sessions = Vec::new();
    for _ in 0..3 {
        let (outcome, mut session, unsent) = handle_stream(vec![1, 2, 3, 4]).await;
        assert_eq!(outcome.map_err(|error| error.0), Err(1));
        // Request 1 failed; what the receiving side sent before it was
        // cancelled sits in the channel, and it handed back the rest.
        // The scope has ended: the session yields what is queued, then ends.
        let mut delivered = Vec::new();
        while let Some(request) = session.recv().await {
            delivered.push(request);
        }
        delivered.extend(unsent);
        assert_eq!(delivered, vec![2, 3, 4], "no request is lost");
        sessions.push(session);
    }
    crate::alive_tasks_after_settling().await
}
