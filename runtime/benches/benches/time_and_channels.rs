//! Cost of the issue-13 forms against the tokio code they replace, every row
//! in one run.
//!
//! - `channel/<runtime>/<producers>`: N = 100 000 `u64` messages through a
//!   bounded channel of 128, from 1 or 4 producer tasks to one consumer:
//!   tokio's `mpsc` (producers `tokio::spawn`ed) against `TaskScope::channel`
//!   (producers children of the channel's scope, joined at the end). The
//!   four spawns and the join are a few microseconds of a ~10 ms iteration.
//! - `timeout/<runtime>`: 10 000 calls in a row of `tokio::time::timeout`
//!   and of `taskscope::timeout` around work that is ready at once (the
//!   common case: the overhead of a scope per call), and around work that
//!   spawns one child and awaits it (`tokio::spawn` against
//!   `taskscope::spawn` into the timeout's scope).
//! - `ticker/<runtime>`: 1 000 tickers started and stopped (a 1 s period, so
//!   none ticks): `tokio::spawn` of an `interval` loop, then `abort` and
//!   await, against `TaskScope::every` and dropping its guard, then `join`.
//!   A tick itself is the same `interval` in both, plus one atomic load of
//!   the cancellation flag; it is not timed here.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-bench cargo bench -p taskscope-benches --bench time_and_channels`.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

// Only `Flavor` and `drive` of the shared rows are used here.
#[allow(dead_code)]
mod rows;

use rows::{Flavor, drive};

const MESSAGES: usize = 100_000;
const CAPACITY: usize = 128;
const CALLS: usize = 10_000;
const TICKERS: usize = 1_000;
const FAR: Duration = Duration::from_secs(3600);

async fn tokio_mpsc(producers: usize) -> Duration {
    let started = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(CAPACITY);
    for _ in 0..producers {
        let tx = tx.clone();
        tokio::spawn(async move {
            for n in 0..(MESSAGES / producers) as u64 {
                if tx.send(n).await.is_err() {
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
    assert_eq!(received, MESSAGES);
    started.elapsed()
}

async fn scope_channel(producers: usize) -> Duration {
    let started = Instant::now();
    let scope = taskscope::TaskScope::new();
    let capacity = NonZeroUsize::new(CAPACITY).expect("not zero");
    let (tx, mut rx) = scope.channel::<u64>(capacity);
    for _ in 0..producers {
        let tx = tx.clone();
        scope.spawn(async move {
            for n in 0..(MESSAGES / producers) as u64 {
                if tx.send(n).await.is_err() {
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
    assert_eq!(received, MESSAGES);
    scope.join().await.expect("no producer fails");
    started.elapsed()
}

fn channel(c: &mut Criterion) {
    for flavor in Flavor::ALL {
        for producers in [1, 4] {
            let mut group =
                c.benchmark_group(format!("channel/{}/{producers}_producers", flavor.name()));
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(20)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(3))
                .throughput(Throughput::Elements(MESSAGES as u64));
            group.bench_function(BenchmarkId::new("tokio_mpsc", MESSAGES), |b| {
                b.iter_custom(|iters| drive(flavor, iters, producers, tokio_mpsc));
            });
            group.bench_function(BenchmarkId::new("scope_channel", MESSAGES), |b| {
                b.iter_custom(|iters| drive(flavor, iters, producers, scope_channel));
            });
            group.finish();
        }
    }
}

async fn tokio_timeout_ready(calls: usize) -> Duration {
    let started = Instant::now();
    for n in 0..calls {
        let done = tokio::time::timeout(FAR, async move { n }).await;
        assert_eq!(done, Ok(n));
    }
    started.elapsed()
}

async fn taskscope_timeout_ready(calls: usize) -> Duration {
    let started = Instant::now();
    for n in 0..calls {
        let done = taskscope::timeout(FAR, async move { n }).await;
        assert_eq!(done, Ok(n));
    }
    started.elapsed()
}

async fn tokio_timeout_child(calls: usize) -> Duration {
    let started = Instant::now();
    for n in 0..calls {
        let done = tokio::time::timeout(FAR, tokio::spawn(async move { n as u64 })).await;
        assert!(matches!(done, Ok(Ok(_))));
    }
    started.elapsed()
}

async fn taskscope_timeout_child(calls: usize) -> Duration {
    let started = Instant::now();
    for n in 0..calls {
        let done = taskscope::timeout(FAR, async move {
            taskscope::spawn(async move { n as u64 })
                .expect("inside the timeout's scope")
                .await
        })
        .await;
        assert!(matches!(done, Ok(Ok(_))));
    }
    started.elapsed()
}

fn timeout(c: &mut Criterion) {
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("timeout/{}", flavor.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(CALLS as u64));
        group.bench_function(BenchmarkId::new("tokio_timeout_ready", CALLS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, CALLS, tokio_timeout_ready));
        });
        group.bench_function(BenchmarkId::new("taskscope_timeout_ready", CALLS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, CALLS, taskscope_timeout_ready));
        });
        group.bench_function(BenchmarkId::new("tokio_timeout_child", CALLS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, CALLS, tokio_timeout_child));
        });
        group.bench_function(BenchmarkId::new("taskscope_timeout_child", CALLS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, CALLS, taskscope_timeout_child));
        });
        group.finish();
    }
}

async fn interval_tasks(tickers: usize) -> Duration {
    let started = Instant::now();
    let handles: Vec<_> = (0..tickers)
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

async fn scope_every(tickers: usize) -> Duration {
    let started = Instant::now();
    let scope = taskscope::TaskScope::new();
    let guards: Vec<_> = (0..tickers)
        .map(|_| scope.every(FAR, || async {}))
        .collect();
    drop(guards);
    scope.join().await.expect("no tick fails");
    started.elapsed()
}

fn ticker(c: &mut Criterion) {
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("ticker/{}", flavor.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(TICKERS as u64));
        group.bench_function(BenchmarkId::new("interval_task", TICKERS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, TICKERS, interval_tasks));
        });
        group.bench_function(BenchmarkId::new("scope_every", TICKERS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, TICKERS, scope_every));
        });
        group.finish();
    }
}

criterion_group!(benches, channel, timeout, ticker);
criterion_main!(benches);
