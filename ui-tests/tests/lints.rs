//! The expansions of `#[scoped]` and `#[cancellable_loop]` under strict
//! user lints: this file is a
//! normal test target, so `cargo clippy --all-targets -- -D warnings` checks
//! it with `clippy::pedantic` denied (no lint may fire on generated code),
//! and `cargo test` runs the compositions trybuild cannot run as tests:
//! `#[scoped]` above `#[tokio::test]`, and with `#[instrument]`.

#![deny(
    warnings,
    unused_qualifications,
    unused_results,
    clippy::all,
    clippy::pedantic
)]
#![allow(clippy::unused_async)]

use std::time::Duration;

use taskscope::{cancellable_loop, scoped, Cancelled, ScopeError};
use tokio::sync::mpsc;
use tracing::instrument;

#[derive(Debug)]
struct AppError;

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("app error")
    }
}

impl std::error::Error for AppError {}

impl From<ScopeError> for AppError {
    fn from(_: ScopeError) -> Self {
        AppError
    }
}

type AppResult<T> = Result<T, AppError>;

#[scoped]
async fn unit() {
    tokio::spawn(async {});
}

#[scoped]
async fn early_return(fail: bool) -> Result<u8, AppError> {
    let child = tokio::spawn(async { 1u8 });
    if fail {
        return Err(AppError);
    }
    Ok(child.await.unwrap_or_default())
}

#[scoped]
async fn ends_with_return() -> AppResult<()> {
    tokio::task::spawn_blocking(|| ());
    return Ok(());
}

#[scoped(name = scope, supervise, limit = 2, timeout = Duration::from_secs(5))]
async fn with_arguments() -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let handle = scope.spawn(async { 2usize })?;
    Ok(handle.await.unwrap_or_default())
}

#[scoped]
async fn value() -> impl std::fmt::Display {
    tokio::join!(tokio::spawn(async { 1u8 }), async {})
        .0
        .unwrap_or_default()
}

/// Returns a future: clippy's `async_yields_async` must not fire on the
/// body (it lints async blocks, and the body runs in one).
#[scoped]
async fn returns_a_handle() -> tokio::task::JoinHandle<u8> {
    #[detached(reason = "returned to the caller, who awaits it")]
    let handle = tokio::spawn(async { 5 });
    tokio::task::yield_now().await;
    handle
}

struct Service;

impl Service {
    #[instrument(skip(self))]
    #[scoped]
    async fn handle(&self, request: u8) -> u8 {
        tokio::spawn(async move { request })
            .await
            .unwrap_or_default()
    }
}

#[scoped]
#[instrument]
async fn instrumented(n: u8) -> u8 {
    n
}

impl From<Cancelled> for AppError {
    fn from(_: Cancelled) -> Self {
        AppError
    }
}

/// Every shape of the loop rewrite: a `let` of an awaited value, a
/// statement, a `while let` condition, `select!` with and without `else`,
/// `join!`, an await inside another macro, a labelled nest.
#[scoped]
async fn loops(mut rx: mpsc::Receiver<u64>, tx: mpsc::Sender<u64>) -> u64 {
    let mut total = 0;
    #[cancellable_loop]
    'outer: while let Some(n) = rx.recv().await {
        let sent = tx.send(n).await;
        if sent.is_err() {
            break;
        }
        tokio::task::yield_now().await;
        tokio::select! {
            () = tokio::task::yield_now() => {}
            else => break 'outer,
        }
        tokio::select! {
            biased;
            () = tokio::task::yield_now() => total += n,
        }
        let (a, b) = tokio::join!(async { 1 }, async { 2 });
        total += a + b;
        assert_eq!(async { 3 }.await, 3);
        for _ in 0..n {
            tokio::task::yield_now().await;
        }
    }
    total
}

/// The return rule, in a `Result` fn and an `Option` fn.
#[scoped]
async fn returns(mut rx: mpsc::Receiver<u64>) -> Result<u64, AppError> {
    #[cancellable_loop]
    loop {
        if let Some(n) = rx.recv().await {
            return Ok(n);
        }
    }
}

#[cancellable_loop(return)]
async fn first(mut rx: mpsc::Receiver<u64>) -> Option<u64> {
    let first = loop {
        if let Some(n) = rx.recv().await {
            break n;
        }
    };
    while let Some(n) = rx.recv().await {
        if n > first {
            return Some(n);
        }
    }
    Some(first)
}

#[scoped]
#[tokio::test]
async fn scoped_above_tokio_test() {
    unit().await;
    assert!(early_return(true).await.is_err());
    assert_eq!(early_return(false).await.ok(), Some(1));
    assert!(ends_with_return().await.is_ok());
    assert_eq!(with_arguments().await.ok(), Some(2));
    assert_eq!(value().await.to_string(), "1");
    assert_eq!(Service.handle(3).await, 3);
    assert_eq!(instrumented(4).await, 4);
    assert_eq!(returns_a_handle().await.await.ok(), Some(5));
    let (in_tx, in_rx) = mpsc::channel(4);
    let (out_tx, mut out_rx) = mpsc::channel(4);
    in_tx.send(2).await.unwrap_or_default();
    drop(in_tx);
    assert_eq!(loops(in_rx, out_tx).await, 5);
    assert_eq!(out_rx.recv().await, Some(2));
    let (tx, rx) = mpsc::channel(4);
    tx.send(4).await.unwrap_or_default();
    assert_eq!(returns(rx).await.ok(), Some(4));
    let (tx, rx) = mpsc::channel(4);
    for n in [1, 0, 3] {
        tx.send(n).await.unwrap_or_default();
    }
    assert_eq!(first(rx).await, Some(3));
    // The test body is scoped too: this child is joined before it ends.
    tokio::spawn(async {});
}

#[scoped(timeout = Duration::from_secs(5))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoped_above_multi_thread_test() -> Result<(), AppError> {
    let child = tokio::spawn(async { Ok::<u8, AppError>(1) });
    assert_eq!(child.await.ok(), Some(1));
    Ok(())
}
