//! Cost of the runtime core against plain tokio, every row in one run.
//!
//! - `spawn_join/<runtime>`: spawn N trivial children (each yields once and
//!   returns a `u64`) and wait for all of them, with `tokio::spawn` + awaiting
//!   every `JoinHandle` in order, a `JoinSet`, a `TaskTracker`, and a
//!   `TaskScope` (await every `TaskHandle` in order, then `join`).
//! - `limited/<runtime>`: 10 000 trivial children, at most 16 running at
//!   once; the spawner never waits, each child waits for its slot:
//!   `tokio::spawn` and a `JoinSet` whose children take a permit of a shared
//!   `Semaphore` first, and a `TaskScope` with `limit(16)`; and a
//!   `TaskScope` whose limit no child waits for (`limit(10 000)`).
//! - `cancel/<runtime>`: 100 000 children parked on a cancellation future;
//!   only the cancel + wait-until-all-are-gone part is timed (`JoinSet::shutdown`,
//!   `CancellationToken` + `TaskTracker`, `TaskScope::cancel` + `join`).
//! - `one_child/<runtime>`: 10 000 short-lived owners in a row, each spawning
//!   one trivial child and waiting for it (what a request handler pays to own
//!   its spawns): a plain `tokio::spawn` + await, a `JoinSet`, a
//!   `TaskTracker`, a `TaskScope`, and a `#[scoped]` fn.
//!
//! Both groups run on a current-thread runtime and on a multi-thread runtime
//! with 2 workers. The timed code always runs inside a driver task spawned on
//! the runtime (`rt.spawn`), never in `block_on`'s own future, so the
//! children are spawned from a worker as they would be in a service. The
//! driver times itself and hands the total back to criterion (`iter_custom`).
//! Every criterion sample gets a fresh runtime and one untimed warm-up
//! iteration (see `rows::drive`).
//!
//! Run: `CARGO_TARGET_DIR=/work/target-bench cargo bench -p taskscope-benches --bench core`.
//! See `README.md` beside this file for the results.

use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

mod rows;

use rows::{Flavor, drive};

/// Children per iteration in the spawn+join group.
const SPAWN_COUNTS: [usize; 2] = [1_000, 100_000];
/// Children per iteration in the limited group.
const LIMITED_COUNT: usize = 10_000;
/// Parked children per iteration in the cancellation group.
const PARKED_COUNT: usize = 100_000;
/// Owners (of one child each) per iteration in the one-child group.
const OWNER_COUNT: usize = 10_000;

fn spawn_join(c: &mut Criterion) {
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("spawn_join/{}", flavor.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        for n in SPAWN_COUNTS {
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new("tokio_spawn", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(flavor, iters, n, rows::tokio_spawn));
            });
            group.bench_with_input(BenchmarkId::new("join_set", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(flavor, iters, n, rows::join_set));
            });
            group.bench_with_input(BenchmarkId::new("task_tracker", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(flavor, iters, n, rows::task_tracker));
            });
            group.bench_with_input(BenchmarkId::new("task_scope", n), &n, |b, &n| {
                b.iter_custom(|iters| drive(flavor, iters, n, rows::task_scope));
            });
        }
        group.finish();
    }
}

fn limited(c: &mut Criterion) {
    let n = LIMITED_COUNT;
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("limited/{}", flavor.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("tokio_spawn_semaphore", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::limited_tokio_spawn));
        });
        group.bench_with_input(BenchmarkId::new("join_set_semaphore", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::limited_join_set));
        });
        group.bench_with_input(BenchmarkId::new("task_scope_limit", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::limited_task_scope));
        });
        group.bench_with_input(BenchmarkId::new("task_scope_limit_free", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::limited_free_task_scope));
        });
        group.finish();
    }
}

fn cancel(c: &mut Criterion) {
    let n = PARKED_COUNT;
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("cancel/{}", flavor.name()));
        // Each iteration also spends untimed time spawning and parking the
        // children, so the timed budget is kept small.
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_secs(1))
            .throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("join_set_shutdown", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::join_set_shutdown));
        });
        group.bench_with_input(BenchmarkId::new("token_tracker", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::token_tracker));
        });
        group.bench_with_input(BenchmarkId::new("task_scope_cancel", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::task_scope_cancel));
        });
        group.finish();
    }
}

fn one_child(c: &mut Criterion) {
    let n = OWNER_COUNT;
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("one_child/{}", flavor.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2))
            .throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("tokio_spawn", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::one_child_tokio_spawn));
        });
        group.bench_with_input(BenchmarkId::new("join_set", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::one_child_join_set));
        });
        group.bench_with_input(BenchmarkId::new("task_tracker", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::one_child_task_tracker));
        });
        group.bench_with_input(BenchmarkId::new("task_scope", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::one_child_task_scope));
        });
        group.bench_with_input(BenchmarkId::new("scoped_fn", n), &n, |b, &n| {
            b.iter_custom(|iters| drive(flavor, iters, n, rows::one_child_scoped_fn));
        });
        group.finish();
    }
}

criterion_group!(benches, spawn_join, limited, cancel, one_child);
criterion_main!(benches);
