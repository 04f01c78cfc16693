//! The rows of the `time_and_channels` bench, shared with the `profile`
//! bench: each function is one iteration of one row, runs `n` of its unit
//! (messages, calls, tickers, ticks) and returns the time it measured.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::time::MissedTickBehavior;

/// The channels' capacity.
const CAPACITY: usize = 128;
/// A deadline no row reaches, and a period no ticker of the start/stop rows
/// reaches.
const FAR: Duration = Duration::from_secs(3600);
/// The period of the tick rows: far below the timer wheel's 1 ms, so after
/// the first tick every later one is already due (a burst) and the rows
/// time the work per tick, not the period.
const BURST_PERIOD: Duration = Duration::from_nanos(1);

/// `n` `u64`s from `producers` `tokio::spawn`ed producers through tokio's
/// bounded `mpsc`.
pub async fn tokio_mpsc(producers: usize, n: usize) -> Duration {
    let started = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(CAPACITY);
    for _ in 0..producers {
        let tx = tx.clone();
        tokio::spawn(async move {
            for value in 0..(n / producers) as u64 {
                if tx.send(value).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut received = 0;
    while rx.recv().await.is_some() {
        received += 1;
    }
    assert_eq!(received, n / producers * producers);
    started.elapsed()
}

/// The same through `TaskScope::channel`, the producers children of the
/// channel's scope, which is joined at the end.
pub async fn scope_channel(producers: usize, n: usize) -> Duration {
    let started = Instant::now();
    let scope = taskscope::TaskScope::new();
    let capacity = NonZeroUsize::new(CAPACITY).expect("not zero");
    let (tx, mut rx) = scope.channel::<u64>(capacity);
    for _ in 0..producers {
        let tx = tx.clone();
        scope.spawn(async move {
            for value in 0..(n / producers) as u64 {
                if tx.send(value).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut received = 0;
    while rx.recv().await.is_some() {
        received += 1;
    }
    assert_eq!(received, n / producers * producers);
    scope.join().await.expect("no producer fails");
    started.elapsed()
}

/// `n` calls of `tokio::time::timeout` around work that is ready at once.
pub async fn tokio_timeout_ready(n: usize) -> Duration {
    let started = Instant::now();
    for call in 0..n {
        let done = tokio::time::timeout(FAR, async move { call }).await;
        assert_eq!(done, Ok(call));
    }
    started.elapsed()
}

/// `n` calls of `taskscope::timeout` around work that is ready at once.
pub async fn taskscope_timeout_ready(n: usize) -> Duration {
    let started = Instant::now();
    for call in 0..n {
        let done = taskscope::timeout(FAR, async move { call }).await;
        assert_eq!(done, Ok(call));
    }
    started.elapsed()
}

/// `n` calls of `tokio::time::timeout` around a `tokio::spawn`ed child.
pub async fn tokio_timeout_child(n: usize) -> Duration {
    let started = Instant::now();
    for call in 0..n {
        let done = tokio::time::timeout(FAR, tokio::spawn(async move { call as u64 })).await;
        assert!(matches!(done, Ok(Ok(_))));
    }
    started.elapsed()
}

/// `n` calls of `taskscope::timeout` around a child spawned into the
/// timeout's scope.
pub async fn taskscope_timeout_child(n: usize) -> Duration {
    let started = Instant::now();
    for call in 0..n {
        let done = taskscope::timeout(FAR, async move {
            taskscope::spawn(async move { call as u64 })
                .expect("inside the timeout's scope")
                .await
        })
        .await;
        assert!(matches!(done, Ok(Ok(_))));
    }
    started.elapsed()
}

/// `n` `tokio::spawn`ed `interval` loops started, aborted and awaited.
pub async fn interval_tasks(n: usize) -> Duration {
    let started = Instant::now();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            tokio::spawn(async {
                let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + FAR, FAR);
                loop {
                    ticks.tick().await;
                }
            })
        })
        .collect();
    for handle in &handles {
        handle.abort();
    }
    for handle in handles {
        assert!(handle.await.is_err());
    }
    started.elapsed()
}

/// `n` `TaskScope::every` tickers started and stopped (their guards
/// dropped), then the scope joined.
pub async fn scope_every(n: usize) -> Duration {
    let started = Instant::now();
    let scope = taskscope::TaskScope::new();
    let guards: Vec<_> = (0..n).map(|_| scope.every(FAR, || async {})).collect();
    drop(guards);
    scope.join().await.expect("no tick fails");
    started.elapsed()
}

/// `n` ticks of a spawned `interval` loop, each bumping a counter.
pub async fn interval_loop_ticks(n: usize) -> Duration {
    let started = Instant::now();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    let ticker = tokio::spawn(async move {
        let start = tokio::time::Instant::now() + BURST_PERIOD;
        let mut interval = tokio::time::interval_at(start, BURST_PERIOD);
        interval.set_missed_tick_behavior(MissedTickBehavior::Burst);
        loop {
            interval.tick().await;
            if counted.fetch_add(1, Ordering::Relaxed) + 1 == n {
                break;
            }
        }
    });
    ticker.await.expect("the ticker does not panic");
    let elapsed = started.elapsed();
    assert_eq!(count.load(Ordering::Relaxed), n);
    elapsed
}

/// `n` ticks of `TaskScope::every_with` (the same policy), each bumping a
/// counter; the ticker is stopped at the `n`th.
pub async fn scope_every_ticks(n: usize) -> Duration {
    let started = Instant::now();
    let count = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(tokio::sync::Notify::new());
    let scope = taskscope::TaskScope::new();
    let (counted, told) = (Arc::clone(&count), Arc::clone(&done));
    let ticker = scope.every_with(BURST_PERIOD, MissedTickBehavior::Burst, move || {
        if counted.fetch_add(1, Ordering::Relaxed) + 1 == n {
            told.notify_one();
        }
        async {}
    });
    done.notified().await;
    drop(ticker);
    scope.join().await.expect("no tick fails");
    let elapsed = started.elapsed();
    assert!(count.load(Ordering::Relaxed) >= n);
    elapsed
}
