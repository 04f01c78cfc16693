//! Cost of a cancellable loop: a consumer draining 5 000 000 `u64`s from a
//! bounded tokio mpsc channel (capacity 1024), fed by a producer task on the
//! same runtime, written six ways:
//!
//! - `bare`: `while let Some(v) = rx.recv().await`, nothing can cancel it;
//! - `select_token`: `tokio::select! { biased; _ = token.cancelled() => break,
//!   v = rx.recv() => .. }` with a tokio-util `CancellationToken`;
//! - `run_until_cancelled`: `while let Some(Some(v)) =
//!   token.run_until_cancelled(rx.recv()).await`;
//! - `cancellable_loop`: the bare loop under `#[cancellable_loop]`, run as a
//!   child of a `TaskScope` (so that there is a current scope to race);
//! - `cancellable_loop_token`: the same with `token = &token`, a tokio-util
//!   `CancellationToken`, spawned with `tokio::spawn` (no scope);
//! - `bare_in_scope`: the bare loop as a child of a `TaskScope`, which
//!   separates what the scope's child costs from what the loop's guard costs.
//!
//! On a current-thread runtime and on a multi-thread runtime with 2 workers.
//! Each iteration spawns the consumer (timed inside, from its first poll to
//! its last message) and the producer, and checks the sum; every criterion
//! sample gets a fresh runtime (`iter_custom`). Under `cargo test -p taskscope-benches --benches`
//! each row drains 50 000 messages once.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-loops cargo bench -p taskscope-benches --bench cancellable_loop`.
//! The results are in `README.md` beside this file, "Cancellable loops".

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use taskscope::{TaskScope, cancellable_loop};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Messages per iteration under `cargo bench`.
const MESSAGES: u64 = 5_000_000;
/// Messages per iteration under `cargo test -p taskscope-benches --benches` (each row runs once,
/// in a debug build: a check that it works, not a measurement).
const TEST_MESSAGES: u64 = 50_000;
/// The channel's capacity.
const CAPACITY: usize = 1024;

/// Messages per iteration: `cargo bench` passes `--bench` to the target.
fn messages() -> u64 {
    static MESSAGES_NOW: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *MESSAGES_NOW.get_or_init(|| {
        if std::env::args().any(|arg| arg == "--bench") {
            MESSAGES
        } else {
            TEST_MESSAGES
        }
    })
}

#[derive(Clone, Copy)]
enum Flavor {
    CurrentThread,
    MultiThread2,
}

impl Flavor {
    const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread2];

    fn name(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread2 => "multi_thread_2",
        }
    }

    fn runtime(self) -> tokio::runtime::Runtime {
        let mut builder = match self {
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Flavor::MultiThread2 => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
        };
        builder.enable_all().build().expect("a runtime")
    }
}

#[derive(Clone, Copy)]
enum Row {
    Bare,
    SelectToken,
    RunUntilCancelled,
    CancellableLoop,
    CancellableLoopToken,
    BareInScope,
}

impl Row {
    const ALL: [Row; 6] = [
        Row::Bare,
        Row::SelectToken,
        Row::RunUntilCancelled,
        Row::CancellableLoop,
        Row::CancellableLoopToken,
        Row::BareInScope,
    ];

    fn name(self) -> &'static str {
        match self {
            Row::Bare => "bare",
            Row::SelectToken => "select_token",
            Row::RunUntilCancelled => "run_until_cancelled",
            Row::CancellableLoop => "cancellable_loop",
            Row::CancellableLoopToken => "cancellable_loop_token",
            Row::BareInScope => "bare_in_scope",
        }
    }
}

async fn produce(tx: mpsc::Sender<u64>) {
    for n in 0..messages() {
        if tx.send(n).await.is_err() {
            break;
        }
    }
}

async fn bare(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    while let Some(v) = rx.recv().await {
        total += v;
    }
    total
}

async fn select_token(mut rx: mpsc::Receiver<u64>, token: CancellationToken) -> u64 {
    let mut total = 0;
    loop {
        tokio::select! {
            biased;
            () = token.cancelled() => break,
            v = rx.recv() => match v {
                Some(v) => total += v,
                None => break,
            },
        }
    }
    total
}

async fn run_until_cancelled(mut rx: mpsc::Receiver<u64>, token: CancellationToken) -> u64 {
    let mut total = 0;
    while let Some(Some(v)) = token.run_until_cancelled(rx.recv()).await {
        total += v;
    }
    total
}

#[cancellable_loop]
async fn cancellable(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    while let Some(v) = rx.recv().await {
        total += v;
    }
    total
}

#[cancellable_loop(token = &token)]
async fn cancellable_token(mut rx: mpsc::Receiver<u64>, token: CancellationToken) -> u64 {
    let mut total = 0;
    while let Some(v) = rx.recv().await {
        total += v;
    }
    total
}

/// The consumer's time, from its first poll to its return, and its sum.
async fn timed(consumer: impl Future<Output = u64>) -> (Duration, u64) {
    let started = Instant::now();
    let total = consumer.await;
    (started.elapsed(), total)
}

/// Spawns the consumer with `tokio::spawn`.
fn spawned<F>(consumer: F) -> impl Future<Output = (Duration, u64)>
where
    F: Future<Output = (Duration, u64)> + Send + 'static,
{
    let consumer = tokio::spawn(consumer);
    async move { consumer.await.expect("the consumer finished") }
}

/// Spawns the consumer as a child of a `TaskScope`.
fn in_scope<F>(consumer: F) -> impl Future<Output = (Duration, u64)>
where
    F: Future<Output = (Duration, u64)> + Send + 'static,
{
    let scope = TaskScope::builder().name("consumer").build();
    let child = scope.spawn(async move { Ok::<_, Infallible>(consumer.await) });
    async move {
        let result = child.await.expect("the consumer finished");
        scope.join().await.expect("nothing failed");
        result
    }
}

/// `iters` iterations on a fresh runtime: the consumers' total time.
fn drive(flavor: Flavor, row: Row, iters: u64) -> Duration {
    let runtime = flavor.runtime();
    runtime.block_on(async move {
        let mut elapsed = Duration::ZERO;
        for _ in 0..iters {
            // On a worker, as a service's task would be (not in
            // `block_on`'s own future).
            let driver = tokio::spawn(iteration(row));
            elapsed += driver.await.expect("the driver finished");
        }
        elapsed
    })
}

/// One iteration: the consumer is spawned, then its producer; the
/// consumer's time.
async fn iteration(row: Row) -> Duration {
    let (tx, rx) = mpsc::channel(CAPACITY);
    let token = CancellationToken::new();
    let consumer: Pin<Box<dyn Future<Output = (Duration, u64)> + Send>> = match row {
        Row::Bare => Box::pin(spawned(timed(bare(rx)))),
        Row::SelectToken => Box::pin(spawned(timed(select_token(rx, token.clone())))),
        Row::RunUntilCancelled => Box::pin(spawned(timed(run_until_cancelled(rx, token.clone())))),
        Row::CancellableLoop => Box::pin(in_scope(timed(cancellable(rx)))),
        Row::CancellableLoopToken => Box::pin(spawned(timed(cancellable_token(rx, token.clone())))),
        Row::BareInScope => Box::pin(in_scope(timed(bare(rx)))),
    };
    let producer = tokio::spawn(produce(tx));
    let (elapsed, total) = consumer.await;
    producer.await.expect("the producer finished");
    let n = messages();
    assert_eq!(total, n * (n - 1) / 2, "every message was received");
    drop(token);
    elapsed
}

fn drain(c: &mut Criterion) {
    for flavor in Flavor::ALL {
        let mut group = c.benchmark_group(format!("cancellable_loop/{}", flavor.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(4))
            .throughput(Throughput::Elements(messages()));
        for row in Row::ALL {
            group.bench_function(row.name(), |b| {
                b.iter_custom(|iters| drive(flavor, row, iters));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, drain);
criterion_main!(benches);
