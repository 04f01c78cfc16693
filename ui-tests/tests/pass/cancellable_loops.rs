//! `#[cancellable_loop]` in every form it takes: on loops of a `#[scoped]`
//! body (labels, nested loops, `break` with a value, `continue`, `?`,
//! `while let`, `select!` with and without a hand-written arm, `join!`,
//! awaits inside other macros, nested async blocks), on an `async fn` (alone,
//! and above or below `#[scoped]`), `token = ..`, `return`, trait impl
//! methods, and `#[uncancellable(reason = "...")]`. Uncancelled, every fn
//! computes what the same code without the attribute would.

use std::time::Duration;

use taskscope::{cancellable_loop, scoped, Cancelled, ScopeError, TaskScope};
use tokio::sync::mpsc;

#[derive(Debug)]
enum AppError {
    Cancelled,
    Scope,
}

impl From<Cancelled> for AppError {
    fn from(_: Cancelled) -> Self {
        AppError::Cancelled
    }
}

impl From<ScopeError> for AppError {
    fn from(_: ScopeError) -> Self {
        AppError::Scope
    }
}

fn channel(items: &[u64]) -> mpsc::Receiver<u64> {
    let (tx, rx) = mpsc::channel(items.len().max(1));
    for item in items {
        tx.try_send(*item).unwrap();
    }
    rx
}

#[scoped]
async fn labels_and_nesting(mut rx: mpsc::Receiver<u64>, tx: mpsc::Sender<u64>) -> u64 {
    let mut total = 0;
    #[cancellable_loop]
    'outer: while let Some(n) = rx.recv().await {
        if n == 0 {
            continue;
        }
        for step in 0..n {
            loop {
                tokio::task::yield_now().await;
                if step == 7 {
                    break 'outer;
                }
                break;
            }
            total += 1;
        }
        // A statement that continues after the await.
        tx.send(n).await.ok();
    }
    total
}

#[scoped]
async fn break_with_value(mut rx: mpsc::Receiver<u64>) -> Option<u64> {
    // The loop's value is used: a cancellation returns `None` from the fn.
    let first_even = #[cancellable_loop]
    loop {
        let n = rx.recv().await?;
        if n % 2 == 0 {
            break n;
        }
    };
    Some(first_even)
}

/// `io::Result` can hold a cancellation: taskscope implements
/// `From<Cancelled>` for `std::io::Error`.
#[cancellable_loop]
async fn read_io(mut rx: mpsc::Receiver<u64>) -> std::io::Result<u64> {
    loop {
        if let Some(byte) = rx.recv().await {
            return Ok(byte);
        }
    }
}

#[scoped]
async fn tail_loop(mut rx: mpsc::Receiver<u64>) -> Result<u64, AppError> {
    let mut total = 0;
    // The fn's tail: a cancellation returns `Err(AppError::from(Cancelled))`.
    #[cancellable_loop]
    loop {
        match rx.recv().await {
            Some(n) => total += n,
            None => return Ok(total),
        }
    }
}

#[scoped]
async fn selects(mut rx: mpsc::Receiver<u64>, mut other: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    #[cancellable_loop]
    loop {
        tokio::select! {
            Some(n) = rx.recv() => total += n,
            Some(n) = other.recv() => { total += n * 100; }
            else => break,
        }
    }
    #[cancellable_loop]
    loop {
        tokio::select! {
            biased;
            () = tokio::time::sleep(Duration::from_millis(1)) => break,
        }
    }
    // A hand-written arm needs no attribute; the loop's own arm would race it.
    loop {
        tokio::select! {
            () = taskscope::cancelled() => break,
            () = tokio::time::sleep(Duration::from_millis(1)) => break,
        }
    }
    total
}

async fn two() -> u64 {
    2
}

#[scoped]
async fn joins_and_macros(rounds: u64) -> u64 {
    let mut total = 0;
    #[cancellable_loop]
    for _ in 0..rounds {
        let (a, b) = tokio::join!(two(), async { 3 });
        total += a + b;
        assert_eq!(two().await, 2, "an await inside a macro");
        let sum: Result<(u64, u64), Cancelled> = tokio::try_join!(async { Ok(1) }, async { Ok(1) });
        total += sum.map(|(a, b)| a + b).unwrap_or_default();
    }
    total
}

#[scoped]
async fn nested_futures(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    #[cancellable_loop]
    while let Some(n) = rx.recv().await {
        // Another future: raced as a whole where it is awaited; its own loop
        // has its own attribute.
        let doubled = async move {
            let mut doubled = 0;
            #[cancellable_loop]
            for _ in 0..2 {
                tokio::task::yield_now().await;
                doubled += n;
            }
            doubled
        };
        total += doubled.await;
        let child = tokio::spawn(async move {
            let mut seen = 0;
            #[cancellable_loop]
            loop {
                tokio::task::yield_now().await;
                seen = n;
                break;
            }
            seen
        });
        total += child.await.unwrap_or_default();
    }
    total
}

#[scoped]
async fn opted_out(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    #[uncancellable(reason = "drains a closed channel: it ends on its own")]
    while let Some(n) = rx.recv().await {
        total += n;
    }
    total
}

/// Every loop of the fn, without `#[scoped]`: outside any scope nothing
/// cancels them.
#[cancellable_loop]
async fn every_loop(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    loop {
        tokio::task::yield_now().await;
        break;
    }
    total
}

#[cancellable_loop(return)]
#[scoped]
async fn above_scoped(mut rx: mpsc::Receiver<u64>) -> Option<u64> {
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        tokio::spawn(async move { n });
        total += n;
    }
    Some(total)
}

#[scoped]
#[cancellable_loop]
async fn below_scoped(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    total
}

/// `token = ..` on the fn: evaluated once, from the fn's arguments.
#[cancellable_loop(token = scope)]
async fn with_token(scope: &TaskScope, mut rx: mpsc::Receiver<u64>) -> Option<u64> {
    let mut total = 0;
    loop {
        total += rx.recv().await?;
        if total > 5 {
            return Some(total);
        }
    }
}

#[scoped]
async fn loop_token(mut rx: mpsc::Receiver<u64>) -> u64 {
    let scope = TaskScope::new();
    let mut total = 0;
    #[cancellable_loop(token = &scope)]
    while let Some(n) = rx.recv().await {
        total += n;
    }
    scope.join().await.unwrap();
    total
}

trait Source {
    async fn sum(&self, rx: mpsc::Receiver<u64>) -> Result<u64, AppError>;
}

struct Summer;

impl Source for Summer {
    #[scoped]
    async fn sum(&self, mut rx: mpsc::Receiver<u64>) -> Result<u64, AppError> {
        let mut total = 0;
        #[cancellable_loop(return)]
        while let Some(n) = rx.recv().await {
            total += n;
        }
        Ok(total)
    }
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (tx, _keep) = mpsc::channel(8);
        assert_eq!(labels_and_nesting(channel(&[0, 2, 3]), tx).await, 5);
        assert_eq!(break_with_value(channel(&[1, 3, 4])).await, Some(4));
        assert_eq!(break_with_value(channel(&[1])).await, None);
        assert_eq!(tail_loop(channel(&[1, 2])).await.ok(), Some(3));
        assert_eq!(read_io(channel(&[7])).await.ok(), Some(7));
        assert_eq!(selects(channel(&[1, 2]), channel(&[3])).await, 303);
        assert_eq!(joins_and_macros(2).await, 14);
        assert_eq!(nested_futures(channel(&[1, 2])).await, 9);
        assert_eq!(opted_out(channel(&[4])).await, 4);
        assert_eq!(every_loop(channel(&[5])).await, 5);
        assert_eq!(above_scoped(channel(&[1, 2])).await, Some(3));
        assert_eq!(below_scoped(channel(&[1, 2])).await, 3);
        let scope = TaskScope::new();
        assert_eq!(with_token(&scope, channel(&[3, 4])).await, Some(7));
        scope.cancel();
        let (_open, rx) = mpsc::channel(1);
        assert_eq!(
            with_token(&scope, rx).await,
            None,
            "cancelled: returns None"
        );
        scope.join().await.unwrap();
        assert_eq!(loop_token(channel(&[1, 1])).await, 2);
        assert_eq!(Summer.sum(channel(&[1, 2])).await.ok(), Some(3));
    });
}
