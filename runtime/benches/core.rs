//! Cost of the runtime core against plain tokio, every row in one run.
//!
//! - `spawn_join/<runtime>`: spawn N trivial children (each yields once and
//!   returns a `u64`) and wait for all of them, with `tokio::spawn` + awaiting
//!   every `JoinHandle` in order, a `JoinSet`, a `TaskTracker`, and a
//!   `TaskScope` (await every `TaskHandle` in order, then `join`).
//! - `cancel/<runtime>`: 100 000 children parked on a cancellation future;
//!   only the cancel + wait-until-all-are-gone part is timed (`JoinSet::shutdown`,
//!   `CancellationToken` + `TaskTracker`, `TaskScope::cancel` + `join`).
//!
//! Both groups run on a current-thread runtime and on a multi-thread runtime
//! with 2 workers. The timed code always runs inside a driver task spawned on
//! the runtime (`rt.spawn`), never in `block_on`'s own future, so the
//! children are spawned from a worker as they would be in a service. The
//! driver times itself and hands the total back to criterion (`iter_custom`).
//!
//! Run: `CARGO_TARGET_DIR=/work/target-bench cargo bench -p taskscope --bench core`.
//! See `README.md` beside this file for the results.

use std::future::Future;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use taskscope::TaskScope;
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Children per iteration in the spawn+join group.
const SPAWN_COUNTS: [usize; 2] = [1_000, 100_000];
/// Parked children per iteration in the cancellation group.
const PARKED_COUNT: usize = 100_000;

/// The two runtimes every row runs on.
fn runtimes() -> [(&'static str, Runtime); 2] {
    let current = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let multi = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a multi-thread runtime with 2 workers");
    [("current_thread", current), ("multi_thread_2", multi)]
}

/// Runs `iters` iterations of `one` inside a driver task on `rt`, and
/// returns the sum of the durations each iteration timed itself.
fn drive<F, Fut>(rt: &Runtime, iters: u64, n: usize, one: F) -> Duration
where
    F: Fn(usize) -> Fut + Send + 'static,
    Fut: Future<Output = Duration> + Send,
{
    let driver = rt.spawn(async move {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            total += one(n).await;
        }
        total
    });
    rt.block_on(driver).expect("the driver task panicked")
}

/// The trivial child of the spawn+join group.
async fn trivial(i: usize) -> u64 {
    tokio::task::yield_now().await;
    i as u64
}

fn expected_sum(n: usize) -> u64 {
    let n = n as u64;
    n * (n - 1) / 2
}

async fn tokio_spawn(n: usize) -> Duration {
    let start = Instant::now();
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(trivial(i))).collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.expect("a child panicked");
    }
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

async fn join_set(n: usize) -> Duration {
    let start = Instant::now();
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(trivial(i));
    }
    let mut sum = 0;
    while let Some(output) = set.join_next().await {
        sum += output.expect("a child panicked");
    }
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

async fn task_tracker(n: usize) -> Duration {
    let start = Instant::now();
    let tracker = TaskTracker::new();
    for i in 0..n {
        drop(tracker.spawn(trivial(i)));
    }
    tracker.close();
    tracker.wait().await;
    start.elapsed()
}

async fn task_scope(n: usize) -> Duration {
    let start = Instant::now();
    let scope = TaskScope::new();
    let handles: Vec<_> = (0..n).map(|i| scope.spawn(trivial(i))).collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.expect("a child failed");
    }
    scope.join().await.expect("no child failed");
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

/// Children of the cancellation group that have been polled once (and so
/// are parked on their cancellation future). The benches run one at a time,
/// so one counter serves them all; it is reset before every spawn loop.
static PARKED: AtomicUsize = AtomicUsize::new(0);

/// Marks the child as parked; awaited first thing by every parked child.
fn mark_parked() {
    PARKED.fetch_add(1, Ordering::Relaxed);
}

/// Yields until all `n` children have been polled once.
async fn until_parked(n: usize) {
    while PARKED.load(Ordering::Acquire) < n {
        tokio::task::yield_now().await;
    }
}

async fn join_set_shutdown(n: usize) -> Duration {
    PARKED.store(0, Ordering::Release);
    let mut set = JoinSet::new();
    for _ in 0..n {
        set.spawn(async {
            mark_parked();
            std::future::pending::<()>().await;
        });
    }
    until_parked(n).await;
    let start = Instant::now();
    set.shutdown().await;
    start.elapsed()
}

async fn token_tracker(n: usize) -> Duration {
    PARKED.store(0, Ordering::Release);
    let token = CancellationToken::new();
    let tracker = TaskTracker::new();
    for _ in 0..n {
        let token = token.clone();
        drop(tracker.spawn(async move {
            mark_parked();
            token.cancelled().await;
        }));
    }
    until_parked(n).await;
    let start = Instant::now();
    token.cancel();
    tracker.close();
    tracker.wait().await;
    start.elapsed()
}

async fn task_scope_cancel(n: usize) -> Duration {
    PARKED.store(0, Ordering::Release);
    let scope = TaskScope::new();
    for _ in 0..n {
        drop(scope.spawn(async {
            mark_parked();
            taskscope::cancelled().await;
        }));
    }
    until_parked(n).await;
    let start = Instant::now();
    scope.cancel();
    scope.join().await.expect("cancellation is not a failure");
    start.elapsed()
}

fn spawn_join(c: &mut Criterion) {
    for (flavor, rt) in runtimes() {
        let mut group = c.benchmark_group(format!("spawn_join/{flavor}"));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        for n in SPAWN_COUNTS {
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new("tokio_spawn", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(&rt, iters, n, tokio_spawn));
            });
            group.bench_with_input(BenchmarkId::new("join_set", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(&rt, iters, n, join_set));
            });
            group.bench_with_input(BenchmarkId::new("task_tracker", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(&rt, iters, n, task_tracker));
            });
            group.bench_with_input(BenchmarkId::new("task_scope", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(&rt, iters, n, task_scope));
            });
        }
        group.finish();
    }
}

fn cancel(c: &mut Criterion) {
    let n = PARKED_COUNT;
    for (flavor, rt) in runtimes() {
        let mut group = c.benchmark_group(format!("cancel/{flavor}"));
        // Each iteration also spends untimed time spawning and parking the
        // children, so the timed budget is kept small.
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_secs(1))
            .throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("join_set_shutdown", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(&rt, iters, n, join_set_shutdown));
        });
        group.bench_with_input(BenchmarkId::new("token_tracker", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(&rt, iters, n, token_tracker));
        });
        group.bench_with_input(BenchmarkId::new("task_scope_cancel", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(&rt, iters, n, task_scope_cancel));
        });
        group.finish();
    }
}

criterion_group!(benches, spawn_join, cancel);
criterion_main!(benches);
