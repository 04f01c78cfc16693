//! Cost of the time, channel and timer forms against the tokio code they replace, every row
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
//! - `ticks/<runtime>`: 100 000 ticks of one ticker with a 1 ns period and
//!   `MissedTickBehavior::Burst`: the timer wheel's resolution is 1 ms, so
//!   after the first tick (one wait of up to 1 ms, in both rows) every tick
//!   is due and the rows time the work per tick, not the period. A spawned
//!   `interval` loop against `TaskScope::every_with`, each tick bumping a
//!   counter.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-bench cargo bench -p taskscope-benches --bench time_and_channels`.

use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

// Only `Flavor`, `drive` and the `time` rows are used here.
#[allow(dead_code)]
mod rows;

use rows::time::*;
use rows::{Flavor, drive};

const MESSAGES: usize = 100_000;
const CALLS: usize = 10_000;
const TICKERS: usize = 1_000;
const TICKS: usize = 100_000;

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
                b.iter_custom(|iters| {
                    drive(flavor, iters, MESSAGES, move |n| tokio_mpsc(producers, n))
                });
            });
            group.bench_function(BenchmarkId::new("scope_channel", MESSAGES), |b| {
                b.iter_custom(|iters| {
                    drive(flavor, iters, MESSAGES, move |n| {
                        scope_channel(producers, n)
                    })
                });
            });
            group.finish();
        }
    }
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

fn ticks(c: &mut Criterion) {
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("ticks/{}", flavor.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(TICKS as u64));
        group.bench_function(BenchmarkId::new("interval_loop", TICKS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, TICKS, interval_loop_ticks));
        });
        group.bench_function(BenchmarkId::new("scope_every", TICKS), |b| {
            b.iter_custom(|iters| drive(flavor, iters, TICKS, scope_every_ticks));
        });
        group.finish();
    }
}

criterion_group!(benches, channel, timeout, ticker, ticks);
criterion_main!(benches);
