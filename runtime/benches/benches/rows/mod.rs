//! The rows of the `core` bench, shared with the `profile` bench: each
//! function is one iteration of one row and returns the time it measured.
//! The rows of the `time_and_channels` bench are in `time`.

pub mod time;

use std::future::Future;
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use taskscope::TaskScope;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The runtimes every row runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `Builder::new_current_thread()`.
    CurrentThread,
    /// `Builder::new_multi_thread()` with 2 worker threads.
    MultiThread2,
}

impl Flavor {
    /// Both flavors, in the order the benches run them.
    pub const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread2];

    /// The name used in benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread2 => "multi_thread_2",
        }
    }

    /// A new runtime of this flavor, with the time driver (the scope's grace
    /// period needs it) for every row alike.
    pub fn runtime(self) -> Runtime {
        let mut builder = match self {
            Flavor::CurrentThread => Builder::new_current_thread(),
            Flavor::MultiThread2 => {
                let mut builder = Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
        };
        builder.enable_all().build().expect("a tokio runtime")
    }
}

/// Runs `iters` timed iterations of `one` inside a driver task (spawned with
/// `rt.spawn`, so the children are spawned from a worker) on a fresh runtime
/// of `flavor`, after one untimed warm-up iteration, and returns the sum of
/// the durations the iterations timed themselves.
///
/// A fresh runtime per call, i.e. per criterion sample: on the multi-thread
/// runtime the time per child settles into a level that holds for seconds
/// and differs from one runtime to the next (which worker runs the driver,
/// how the other one steals), so every sample draws that level anew instead
/// of one draw deciding a whole row.
pub fn drive<F, Fut>(flavor: Flavor, iters: u64, n: usize, one: F) -> Duration
where
    F: Fn(usize) -> Fut + Send + 'static,
    Fut: Future<Output = Duration> + Send,
{
    let rt = flavor.runtime();
    let driver = rt.spawn(async move {
        one(n).await;
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

/// Awaits every handle in order and adds up the children's values.
async fn sum_in_order<H, E>(handles: Vec<H>) -> u64
where
    H: Future<Output = Result<u64, E>>,
    E: std::fmt::Debug,
{
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.expect("no child fails");
    }
    sum
}

/// Joins every child of `set` and adds up their values.
async fn sum_join_set(set: &mut JoinSet<u64>) -> u64 {
    let mut sum = 0;
    while let Some(output) = set.join_next().await {
        sum += output.expect("no child panics");
    }
    sum
}

fn expected_sum(n: usize) -> u64 {
    let n = n as u64;
    n * (n - 1) / 2
}

/// `tokio::spawn` every child, await every `JoinHandle` in order.
pub async fn tokio_spawn(n: usize) -> Duration {
    let start = Instant::now();
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(trivial(i))).collect();
    let sum = sum_in_order(handles).await;
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

/// `JoinSet::spawn` every child, `join_next` until empty.
pub async fn join_set(n: usize) -> Duration {
    let start = Instant::now();
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(trivial(i));
    }
    let sum = sum_join_set(&mut set).await;
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

/// `TaskTracker::spawn` every child, then `close` and `wait`.
pub async fn task_tracker(n: usize) -> Duration {
    let start = Instant::now();
    let tracker = TaskTracker::new();
    for i in 0..n {
        drop(tracker.spawn(trivial(i)));
    }
    tracker.close();
    tracker.wait().await;
    start.elapsed()
}

/// `TaskScope::spawn` every child, await every `TaskHandle` in order, `join`.
pub async fn task_scope(n: usize) -> Duration {
    let start = Instant::now();
    let scope = TaskScope::new();
    let handles: Vec<_> = (0..n).map(|i| scope.spawn(trivial(i))).collect();
    let sum = sum_in_order(handles).await;
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

/// Children parked on `pending()` in a `JoinSet`; times `shutdown`.
pub async fn join_set_shutdown(n: usize) -> Duration {
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

/// Children parked on a `CancellationToken` in a `TaskTracker`; times
/// `cancel`, `close`, `wait`.
pub async fn token_tracker(n: usize) -> Duration {
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

/// Children parked on `taskscope::cancelled()` in a `TaskScope`; times
/// `cancel` + `join`.
pub async fn task_scope_cancel(n: usize) -> Duration {
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

/// At most this many children of the limited group run at once.
pub const LIMIT: usize = 16;

/// The trivial child, once it holds one of `slots`' permits.
async fn trivial_with_slot(slots: Arc<Semaphore>, i: usize) -> u64 {
    let _slot = slots
        .acquire_owned()
        .await
        .expect("the semaphore is never closed");
    trivial(i).await
}

/// `tokio::spawn` every child, each waiting for a permit of a shared
/// `Semaphore` of `LIMIT` first; await every handle in order.
pub async fn limited_tokio_spawn(n: usize) -> Duration {
    let start = Instant::now();
    let slots = Arc::new(Semaphore::new(LIMIT));
    let handles: Vec<_> = (0..n)
        .map(|i| tokio::spawn(trivial_with_slot(Arc::clone(&slots), i)))
        .collect();
    let sum = sum_in_order(handles).await;
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

/// A `JoinSet` of children that each wait for a permit of a shared
/// `Semaphore` of `LIMIT`; `join_next` until empty.
pub async fn limited_join_set(n: usize) -> Duration {
    let start = Instant::now();
    let slots = Arc::new(Semaphore::new(LIMIT));
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(trivial_with_slot(Arc::clone(&slots), i));
    }
    let sum = sum_join_set(&mut set).await;
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

/// A `TaskScope` with `limit(LIMIT)`: spawn every child (each waits for its
/// slot before its first poll), await every handle in order, `join`.
pub async fn limited_task_scope(n: usize) -> Duration {
    task_scope_with_limit(n, LIMIT).await
}

/// [`limited_task_scope`] with a limit no child waits for (`n` slots): what
/// a limit costs a child when its slots are free, as they mostly are in a
/// service whose limit is a ceiling rather than a queue.
pub async fn limited_free_task_scope(n: usize) -> Duration {
    task_scope_with_limit(n, n).await
}

/// Spawns `n` children into a scope of `limit` slots, awaits every handle in
/// order, then `join`s.
async fn task_scope_with_limit(n: usize, limit: usize) -> Duration {
    let start = Instant::now();
    let limit = NonZeroUsize::new(limit).expect("a limit of at least one slot");
    let scope = TaskScope::builder().limit(limit).build();
    let handles: Vec<_> = (0..n).map(|i| scope.spawn(trivial(i))).collect();
    let sum = sum_in_order(handles).await;
    scope.join().await.expect("no child failed");
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

/// `n` short-lived owners in a row, each with one trivial child it waits
/// for (what a request handler pays to own its spawns): `owner(i)` makes the
/// owner, spawns child `i` and returns the child's value.
async fn owners_in_a_row<F, Fut>(n: usize, owner: F) -> Duration
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = u64>,
{
    let start = Instant::now();
    let mut sum = 0;
    for i in 0..n {
        sum += owner(i).await;
    }
    let elapsed = start.elapsed();
    assert_eq!(black_box(sum), expected_sum(n));
    elapsed
}

/// No owner: `tokio::spawn` and await the handle.
pub async fn one_child_tokio_spawn(n: usize) -> Duration {
    owners_in_a_row(n, |i| async move {
        tokio::spawn(trivial(i)).await.expect("a child panicked")
    })
    .await
}

/// A `JoinSet` per owner: `spawn`, `join_next`.
pub async fn one_child_join_set(n: usize) -> Duration {
    owners_in_a_row(n, |i| async move {
        let mut set = JoinSet::new();
        set.spawn(trivial(i));
        let output = set.join_next().await.expect("one child was spawned");
        output.expect("a child panicked")
    })
    .await
}

/// A `TaskTracker` per owner: `spawn`, `close`, `wait`, then the handle.
pub async fn one_child_task_tracker(n: usize) -> Duration {
    owners_in_a_row(n, |i| async move {
        let tracker = TaskTracker::new();
        let child = tracker.spawn(trivial(i));
        tracker.close();
        tracker.wait().await;
        child.await.expect("a child panicked")
    })
    .await
}

/// A `TaskScope` per owner: `spawn`, await the handle, `join`.
pub async fn one_child_task_scope(n: usize) -> Duration {
    owners_in_a_row(n, |i| async move {
        let scope = TaskScope::new();
        let value = scope.spawn(trivial(i)).await.expect("a child failed");
        scope.join().await.expect("no child failed");
        value
    })
    .await
}

/// The handler `#[scoped]` writes: its `tokio::spawn` goes into the fn's
/// scope, which is joined before it returns.
#[taskscope::scoped]
async fn scoped_handler(i: usize) -> u64 {
    tokio::spawn(trivial(i)).await.unwrap_or(0)
}

/// A `#[scoped]` fn per owner.
pub async fn one_child_scoped_fn(n: usize) -> Duration {
    owners_in_a_row(n, scoped_handler).await
}

/// Runs `iters` iterations of the row called `name` with `n` children on a
/// fresh `flavor` runtime, as the `core` bench does; `None` if there is no such row.
#[allow(dead_code)] // used by the profile bench only
pub fn drive_by_name(flavor: Flavor, name: &str, iters: u64, n: usize) -> Option<Duration> {
    Some(match name {
        "tokio_spawn" => drive(flavor, iters, n, tokio_spawn),
        "join_set" => drive(flavor, iters, n, join_set),
        "task_tracker" => drive(flavor, iters, n, task_tracker),
        "task_scope" => drive(flavor, iters, n, task_scope),
        "limited_tokio_spawn" => drive(flavor, iters, n, limited_tokio_spawn),
        "limited_join_set" => drive(flavor, iters, n, limited_join_set),
        "limited_task_scope" => drive(flavor, iters, n, limited_task_scope),
        "limited_free_task_scope" => drive(flavor, iters, n, limited_free_task_scope),
        "join_set_shutdown" => drive(flavor, iters, n, join_set_shutdown),
        "token_tracker" => drive(flavor, iters, n, token_tracker),
        "task_scope_cancel" => drive(flavor, iters, n, task_scope_cancel),
        "one_child_tokio_spawn" => drive(flavor, iters, n, one_child_tokio_spawn),
        "one_child_join_set" => drive(flavor, iters, n, one_child_join_set),
        "one_child_task_tracker" => drive(flavor, iters, n, one_child_task_tracker),
        "one_child_task_scope" => drive(flavor, iters, n, one_child_task_scope),
        "one_child_scoped_fn" => drive(flavor, iters, n, one_child_scoped_fn),
        "channel_tokio_mpsc_1" => drive(flavor, iters, n, |n| time::tokio_mpsc(1, n)),
        "channel_scope_1" => drive(flavor, iters, n, |n| time::scope_channel(1, n)),
        "channel_tokio_mpsc_4" => drive(flavor, iters, n, |n| time::tokio_mpsc(4, n)),
        "channel_scope_4" => drive(flavor, iters, n, |n| time::scope_channel(4, n)),
        "timeout_tokio_ready" => drive(flavor, iters, n, time::tokio_timeout_ready),
        "timeout_taskscope_ready" => drive(flavor, iters, n, time::taskscope_timeout_ready),
        "timeout_tokio_child" => drive(flavor, iters, n, time::tokio_timeout_child),
        "timeout_taskscope_child" => drive(flavor, iters, n, time::taskscope_timeout_child),
        "ticker_interval_task" => drive(flavor, iters, n, time::interval_tasks),
        "ticker_scope_every" => drive(flavor, iters, n, time::scope_every),
        "ticks_interval_loop" => drive(flavor, iters, n, time::interval_loop_ticks),
        "ticks_scope_every" => drive(flavor, iters, n, time::scope_every_ticks),
        _ => return None,
    })
}
