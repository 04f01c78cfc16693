//! **A connection-limit middleware.** A semaphore bounds concurrent requests
//! and a counter tracks the active ones. The permit comes back on every path
//! (it is dropped), but the counter is decremented by hand, and a handler that
//! fails early (`?`, or a panic) skips the decrement: the counter drifts, and
//! the service soon believes it is full.
//!
//! The fix: the requests are children of a scope with a `limit`. The scope
//! hands the slot back on every exit, and the active count is the scope's own
//! child count, so there is nothing to drift.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use taskscope::TaskScope;
use tokio::sync::Semaphore;

const MAX_IN_FLIGHT: usize = 4;

/// The handler rejected the request.
#[derive(Debug)]
pub struct BadRequest;

impl std::fmt::Display for BadRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bad request")
    }
}

/// A handler that rejects every third request.
async fn handle(request: usize) -> Result<usize, BadRequest> {
    tokio::task::yield_now().await;
    if request.is_multiple_of(3) {
        Err(BadRequest)
    } else {
        Ok(request)
    }
}

/// Naive: permits from a semaphore, a hand-kept active counter.
async fn serve_naive(requests: usize) -> usize {
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let active = Arc::new(AtomicUsize::new(0));
    let mut handlers = Vec::new();
    for request in 0..requests {
        let permits = Arc::clone(&permits);
        let active = Arc::clone(&active);
        handlers.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            active.fetch_add(1, Ordering::SeqCst);
            let response = handle(request).await?; // an early exit skips the decrement
            active.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, BadRequest>(response)
        }));
    }
    for handler in handlers {
        let _ = handler.await;
    }
    active.load(Ordering::SeqCst)
}

/// Scoped: the limit and the count are the scope's. Returns the requests
/// still active once all were answered, and how many the scope saw fail.
async fn serve(requests: usize) -> (usize, usize) {
    let limit = NonZeroUsize::new(MAX_IN_FLIGHT).expect("the limit is not zero");
    let scope = TaskScope::builder()
        .name("requests")
        .limit(limit)
        .supervise()
        .build();
    let mut responses = Vec::new();
    for request in 0..requests {
        responses.push(scope.spawn(handle(request)));
    }
    for response in responses {
        let _ = response.await; // a failed request answers Err(TaskError::Failed)
    }
    let active = scope.children().foreground();
    // The supervising scope kept every rejection; none was lost.
    let failed = scope
        .join()
        .await
        .map_or_else(|error| error.failures().len(), |()| 0);
    (active, failed)
}

/// The leak this example shows.
pub const TITLE: &str = "A connection-limit middleware whose active count drifts";

/// What `before` and `after` count.
pub const COUNTS: &str = "requests still counted as active after all were answered";

/// Serves 30 requests; returns how many are still counted as active.
pub async fn before() -> usize {
    serve_naive(30).await
}

/// Serves 30 requests; returns how many are still counted as active.
pub async fn after() -> usize {
    let (active, failed) = serve(30).await;
    assert_eq!(failed, 10, "every third request is rejected");
    active
}
