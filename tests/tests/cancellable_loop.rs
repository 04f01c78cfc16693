//! Behaviour of `#[cancellable_loop]`: a loop blocked on an await leaves
//! when its scope is cancelled (a producer stuck on a full channel, a
//! consumer whose sibling failed), by the documented rule: `break` (the code
//! after the loop runs) or, where the loop's value is used, `return` of the
//! fn's cancellation value (`None`, `Err(Cancelled)`); `token = ..` works
//! outside any scope, with a scope or a `CancellationToken`.
//!
//! Each case runs under both runtime flavors (`current_thread`, and
//! `multi_thread` with two workers), bounded in time, and ends with the
//! runtime's `num_alive_tasks()` back to where it started (polled for a
//! bounded grace, since the multi-thread count lags). Loops must leave on the
//! cancellation itself, not by the grace-period abort: each case checks what
//! ran after the loop, or what the fn returned.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use taskscope::{cancellable_loop, scoped, Cancelled, ScopeError, TaskScope};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::Flag;

on_both_runtimes!(
    blocked_producer_leaves_when_the_scope_is_cancelled,
    consumer_ends_when_its_sibling_fails,
    code_after_the_loop_runs_on_cancellation,
    value_loops_return_none_or_err_cancelled,
    cancellation_wins_over_a_ready_channel,
    select_loops_leave_through_their_else,
    nested_loops_leave_the_outermost,
    fn_attribute_reaches_the_loops_of_children,
    token_works_outside_any_scope,
    a_cancellation_token_ends_the_loop,
);

/// Waits (bounded by the case's limit) until `condition` holds.
async fn until(mut condition: impl FnMut() -> bool) {
    while !condition() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A scope's join must be quick: the loops left on the cancellation rather
/// than by the grace-period abort (1 s).
async fn join_quickly(scope: TaskScope) -> Result<(), ScopeError> {
    let started = Instant::now();
    let joined = scope.join().await;
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the join waited {:?}: a loop was aborted rather than cancelled",
        started.elapsed()
    );
    joined
}

#[derive(Debug, PartialEq)]
enum AppError {
    Cancelled,
    Scope(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Cancelled => f.write_str("Cancelled"),
            AppError::Scope(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for AppError {}

impl From<Cancelled> for AppError {
    fn from(_: Cancelled) -> Self {
        AppError::Cancelled
    }
}

impl From<ScopeError> for AppError {
    fn from(error: ScopeError) -> Self {
        AppError::Scope(error.to_string())
    }
}

// ---------------------------------------------------------------------------

/// Sends until the scope is cancelled; returns how many were sent.
#[scoped]
async fn produce(tx: mpsc::Sender<u64>, sent: Arc<AtomicU64>) -> u64 {
    #[cancellable_loop]
    for n in 0.. {
        if tx.send(n).await.is_err() {
            break;
        }
        sent.fetch_add(1, Ordering::SeqCst);
    }
    sent.load(Ordering::SeqCst)
}

/// The leak of `examples/src/blocked_producer.rs`: a receiver that stopped
/// reading (but is still alive) leaves the producer blocked in `send`.
async fn blocked_producer_leaves_when_the_scope_is_cancelled() {
    let scope = TaskScope::new();
    let (tx, _stopped_reading) = mpsc::channel(4);
    let sent = Arc::new(AtomicU64::new(0));
    let producer = scope.spawn(produce(tx, Arc::clone(&sent)));
    until(|| sent.load(Ordering::SeqCst) == 4).await;
    tokio::time::sleep(Duration::from_millis(5)).await; // blocked on the fifth
    scope.cancel();
    assert_eq!(producer.await, Ok(4), "the fn returned, after its loop");
    join_quickly(scope).await.expect("nothing failed");
}

#[scoped]
async fn pipeline(mut rx: mpsc::Receiver<u64>, drained: Flag) -> Result<u64, AppError> {
    let consumer = tokio::spawn(async move {
        let mut total = 0;
        #[cancellable_loop]
        while let Some(n) = rx.recv().await {
            total += n;
        }
        drained.set();
        total
    });
    tokio::spawn(async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Err::<(), _>("the parser failed")
    });
    Ok(consumer.await.unwrap_or_default())
}

/// Fail-fast: the sibling's failure cancels the fn's scope, and the
/// consumer, waiting on a channel whose sender is still open, leaves.
async fn consumer_ends_when_its_sibling_fails() {
    let (tx, rx) = mpsc::channel(4);
    tx.send(1).await.expect("the channel is open");
    let drained = Flag::default();
    let started = Instant::now();
    let result = pipeline(rx, drained.clone()).await;
    match result {
        Err(AppError::Scope(message)) => assert!(message.contains("the parser failed")),
        other => panic!("expected the sibling's failure, got {other:?}"),
    }
    assert!(drained.is_set(), "the consumer left its loop and went on");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the consumer was cancelled, not aborted"
    );
    drop(tx);
}

/// The break rule: the statements after the loop run, then the fn returns.
#[scoped]
async fn batch_writer(mut rx: mpsc::Receiver<u64>, flushed: Arc<AtomicU64>) {
    let mut batch = Vec::new();
    #[cancellable_loop]
    while let Some(n) = rx.recv().await {
        batch.push(n);
    }
    // Cleanup after the loop: the partial batch is flushed on cancellation.
    flushed.store(batch.iter().sum(), Ordering::SeqCst);
}

async fn code_after_the_loop_runs_on_cancellation() {
    let scope = TaskScope::new();
    let (tx, rx) = mpsc::channel(8);
    for n in [1, 2, 3] {
        tx.send(n).await.expect("the channel is open");
    }
    let flushed = Arc::new(AtomicU64::new(0));
    let writer = scope.spawn(batch_writer(rx, Arc::clone(&flushed)));
    until(|| tx.capacity() == 8).await; // all three taken
    tokio::time::sleep(Duration::from_millis(5)).await;
    scope.cancel();
    assert_eq!(writer.await, Ok(()));
    assert_eq!(flushed.load(Ordering::SeqCst), 6, "the cleanup ran");
    join_quickly(scope).await.expect("nothing failed");
}

/// The return rule: the loop is the fn's tail.
#[scoped]
async fn first_large(mut rx: mpsc::Receiver<u64>, after_loop: Flag) -> Option<u64> {
    #[cancellable_loop]
    loop {
        let n = rx.recv().await?;
        if n > 100 {
            after_loop.set(); // only here: nothing runs after a returning loop
            return Some(n);
        }
    }
}

/// The return rule: the loop's value is used.
#[scoped]
async fn sum_until_zero(mut rx: mpsc::Receiver<u64>) -> Result<u64, AppError> {
    let mut total = 0;
    let last = #[cancellable_loop]
    loop {
        match rx.recv().await {
            Some(0) | None => break total,
            Some(n) => total += n,
        }
    };
    Ok(last)
}

async fn value_loops_return_none_or_err_cancelled() {
    let scope = TaskScope::new();
    let (tx_a, rx_a) = mpsc::channel(4);
    let (tx_b, rx_b) = mpsc::channel(4);
    tx_a.send(1).await.expect("the channel is open");
    tx_b.send(1).await.expect("the channel is open");
    let after_loop = Flag::default();
    let first = scope.spawn(first_large(rx_a, after_loop.clone()));
    // (An `Err` output would be a failure of the scope: look at it inside.)
    let sum = scope.spawn(async move { sum_until_zero(rx_b).await == Err(AppError::Cancelled) });
    until(|| tx_a.capacity() == 4 && tx_b.capacity() == 4).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    scope.cancel();
    assert_eq!(first.await, Ok(None), "an Option fn returns None");
    assert!(!after_loop.is_set());
    assert_eq!(
        sum.await,
        Ok(true),
        "a Result fn returns Err(Cancelled.into())"
    );
    join_quickly(scope).await.expect("nothing failed");
}

/// Cancellation wins a tie: a loop over a channel that always has a message
/// stops at its next await instead of draining it.
#[scoped(name = scope)]
async fn drain_busy(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut taken = 0;
    #[cancellable_loop]
    while let Some(n) = rx.recv().await {
        taken += 1;
        if n == 9 {
            scope.cancel();
        }
    }
    taken
}

async fn cancellation_wins_over_a_ready_channel() {
    let (tx, rx) = mpsc::channel(100);
    for n in 0..100 {
        tx.send(n).await.expect("the channel is open");
    }
    assert_eq!(drain_busy(rx).await, 10, "no message after the cancel");
    drop(tx);
}

#[scoped]
async fn select_loop(
    mut rx: mpsc::Receiver<u64>,
    mut other: mpsc::Receiver<u64>,
    left: Flag,
) -> u64 {
    let mut total = 0;
    #[cancellable_loop]
    loop {
        tokio::select! {
            Some(n) = rx.recv() => total += n,
            Some(n) = other.recv() => total += n,
            else => return 1000,
        }
    }
    left.set();
    total
}

/// `select!` branches are guarded: on cancellation they are all disabled,
/// and the `else` leaves the loop (instead of running the user's `else`).
async fn select_loops_leave_through_their_else() {
    let scope = TaskScope::new();
    let (tx, rx) = mpsc::channel(4);
    let (other_tx, other) = mpsc::channel(4);
    tx.send(2).await.expect("the channel is open");
    other_tx.send(3).await.expect("the channel is open");
    let left = Flag::default();
    let selecting = scope.spawn(select_loop(rx, other, left.clone()));
    until(|| tx.capacity() == 4 && other_tx.capacity() == 4).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    scope.cancel();
    assert_eq!(
        selecting.await,
        Ok(5),
        "left by the break, not the user's else"
    );
    assert!(left.is_set());
    join_quickly(scope).await.expect("nothing failed");
}

#[scoped]
async fn nested(mut rx: mpsc::Receiver<u64>, outer_iterations: Arc<AtomicU64>) -> u64 {
    let mut inner_waits = 0;
    #[cancellable_loop]
    loop {
        outer_iterations.fetch_add(1, Ordering::SeqCst);
        while let Some(n) = rx.recv().await {
            inner_waits += n;
        }
    }
    inner_waits
}

/// A cancellation in an inner loop leaves the outermost cancellable loop
/// (not just the inner one, which the outer would enter again and again).
async fn nested_loops_leave_the_outermost() {
    let scope = TaskScope::new();
    let (tx, rx) = mpsc::channel(4);
    tx.send(7).await.expect("the channel is open");
    let outer_iterations = Arc::new(AtomicU64::new(0));
    let running = scope.spawn(nested(rx, Arc::clone(&outer_iterations)));
    until(|| tx.capacity() == 4).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    scope.cancel();
    assert_eq!(running.await, Ok(7));
    assert_eq!(outer_iterations.load(Ordering::SeqCst), 1);
    join_quickly(scope).await.expect("nothing failed");
}

/// On the fn: every loop, including those of its children, which race the
/// scope current where they run (the fn's).
#[scoped]
#[cancellable_loop]
async fn workers(receivers: Vec<mpsc::Receiver<u64>>, finished: Arc<AtomicU64>) {
    for mut rx in receivers {
        let finished = Arc::clone(&finished);
        tokio::spawn(async move {
            while rx.recv().await.is_some() {}
            finished.fetch_add(1, Ordering::SeqCst);
        });
    }
}

async fn fn_attribute_reaches_the_loops_of_children() {
    let scope = TaskScope::new();
    let channels: Vec<_> = (0..3).map(|_| mpsc::channel::<u64>(1)).collect();
    let (senders, receivers): (Vec<_>, Vec<_>) = channels.into_iter().unzip();
    let finished = Arc::new(AtomicU64::new(0));
    let running = scope.spawn(workers(receivers, Arc::clone(&finished)));
    tokio::time::sleep(Duration::from_millis(5)).await;
    scope.cancel();
    assert_eq!(running.await, Ok(()));
    assert_eq!(
        finished.load(Ordering::SeqCst),
        3,
        "every worker left its loop"
    );
    join_quickly(scope).await.expect("nothing failed");
    drop(senders);
}

/// No scope is current here: the caller says whose cancellation ends it.
#[cancellable_loop(token = scope)]
async fn sum_with_token(scope: &TaskScope, mut rx: mpsc::Receiver<u64>) -> (u64, bool) {
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    (total, true)
}

/// The return rule with `Result<_, Cancelled>` itself (a `#[scoped]` fn's
/// `Result` must also hold a `ScopeError`, which `Cancelled` does not).
#[cancellable_loop(token = scope)]
async fn first_large_with_token(
    scope: &TaskScope,
    mut rx: mpsc::Receiver<u64>,
) -> Result<u64, Cancelled> {
    loop {
        if let Some(n) = rx.recv().await {
            if n > 10 {
                return Ok(n);
            }
        }
    }
}

async fn token_works_outside_any_scope() {
    assert!(taskscope::current().is_none(), "no scope is current");
    let scope = TaskScope::new();
    let (tx, rx) = mpsc::channel(4);
    tx.send(4).await.expect("the channel is open");
    let handle = scope.handle();
    let ((total, after_loop), ()) = tokio::join!(sum_with_token(&scope, rx), async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        handle.cancel();
    });
    assert_eq!((total, after_loop), (4, true), "left by the break");
    join_quickly(scope).await.expect("nothing failed");
    drop(tx);

    let scope = TaskScope::new();
    let (tx, rx) = mpsc::channel(4);
    tx.send(1).await.expect("the channel is open");
    let handle = scope.handle();
    let (first, ()) = tokio::join!(first_large_with_token(&scope, rx), async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        handle.cancel();
    });
    assert_eq!(
        first,
        Err(Cancelled),
        "the fn's tail: returns Err(Cancelled)"
    );
    join_quickly(scope).await.expect("nothing failed");
    drop(tx);
}

/// A `CancellationToken` that a codebase already passes around ends the
/// loop; no scope is involved.
#[cancellable_loop(token = token)]
async fn drain_until(token: &CancellationToken, mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    total
}

async fn a_cancellation_token_ends_the_loop() {
    let token = CancellationToken::new();
    let (tx, rx) = mpsc::channel(4);
    tx.send(5).await.expect("the channel is open");
    let canceller = token.clone();
    let (total, ()) = tokio::join!(drain_until(&token, rx), async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        canceller.cancel();
    });
    assert_eq!(
        total, 5,
        "the sender is still open: only the token ended the loop"
    );
    drop(tx);
}
