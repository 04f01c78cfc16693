//! What `taskscope::dump()` costs per live scope, from 1 000 to 100 000
//! live scopes: the time of one dump divided by the number of scopes, which
//! stays put when the dump is linear.
//!
//! The scopes are half outer scopes and half nested ones, one nested scope
//! in one child of each outer scope, created from the children as they run
//! on the two workers of a multi-thread runtime: the nested scopes' ids
//! interleave, as they do under load, and every nested scope's parent was
//! created long before it. Every nested scope has one parked child.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-bench cargo bench -p taskscope-benches --bench registry`.
//! tokio offers no dump of its own outside `tokio_unstable` builds, so there
//! is nothing of tokio's to compare side by side; the comparison is between
//! sizes.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use taskscope::TaskScope;

/// Live scopes per measurement.
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// `live / 2` outer scopes, each with a child parked in a nested scope of
/// its own (which has a parked child too), once every nested scope exists.
async fn live_scopes(live: usize) -> Vec<TaskScope> {
    let created = Arc::new(AtomicUsize::new(0));
    let outer: Vec<TaskScope> = (0..live / 2).map(|_| TaskScope::new()).collect();
    for scope in &outer {
        let created = Arc::clone(&created);
        scope.spawn(async move {
            let nested = TaskScope::new();
            nested.spawn(async { taskscope::cancelled().await });
            created.fetch_add(1, Ordering::SeqCst);
            taskscope::cancelled().await;
            nested.cancel();
            let _ = nested.join().await;
        });
    }
    while created.load(Ordering::SeqCst) < outer.len() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    outer
}

fn dump(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut group = c.benchmark_group("dump/multi_thread_2");
    group.sample_size(10);
    for live in SIZES {
        let scopes = runtime.block_on(live_scopes(live));
        group.throughput(Throughput::Elements(live as u64));
        group.bench_with_input(BenchmarkId::from_parameter(live), &live, |b, _| {
            b.iter(|| black_box(taskscope::dump()));
        });
        runtime.block_on(async {
            for scope in scopes {
                scope.cancel();
                let _ = scope.join().await;
            }
        });
    }
    group.finish();
}

criterion_group!(benches, dump);
criterion_main!(benches);
