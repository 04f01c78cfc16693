//! Memory of a long-lived scope whose children keep failing: one million
//! children, each returning an `Err` holding a 64-byte `String`, spawned in
//! batches of 10 000 into one `supervise` scope that stays open, as a
//! server's connections would. The resident set size is read after every
//! 100 000 children; flat after the first batches means the scope's
//! memory is bounded (it keeps the first `MAX_KEPT_FAILURES` errors and
//! counts the rest).
//!
//! Variants, each in a fresh process (this binary re-executed with
//! `--child VARIANT`): `supervise_awaited` (every handle awaited),
//! `supervise_dropped` (handles dropped at spawn), `on_failure` (a hook that
//! counts the errors and drops them), and `join_set` for reference (a
//! `JoinSet` whose results are taken with `join_next` as they come).
//!
//! Run: `CARGO_TARGET_DIR=/work/target-bench cargo bench -p taskscope-benches --bench failures`
//! (one million children per variant). Without `--bench`, as
//! `cargo test -p taskscope-benches --benches` runs it, 20 000 children per variant.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use taskscope::TaskScope;
use tokio::task::JoinSet;

const FULL: usize = 1_000_000;
const SMOKE: usize = 20_000;
const BATCH: usize = 10_000;
const VARIANTS: [&str; 4] = [
    "supervise_awaited",
    "supervise_dropped",
    "on_failure",
    "join_set",
];

/// `VmRSS` of this process, in bytes.
fn rss() -> u64 {
    taskscope_benches::proc_status_bytes("VmRSS:")
}

/// A child's error: 64 bytes of text.
async fn failing() -> Result<(), String> {
    Err("x".repeat(64))
}

/// Runs `children` failing children through `variant`, printing the RSS
/// after every tenth of them.
async fn run(variant: &str, children: usize) {
    let counted = Arc::new(AtomicUsize::new(0));
    let scope = match variant {
        "on_failure" => {
            let counted = Arc::clone(&counted);
            Some(
                TaskScope::builder()
                    .on_failure(move |_| {
                        counted.fetch_add(1, Ordering::Relaxed);
                    })
                    .build(),
            )
        }
        "join_set" => None,
        _ => Some(TaskScope::builder().supervise().build()),
    };
    let mut set = JoinSet::new();
    let mut samples = Vec::new();
    let mut spawned = 0;
    while spawned < children {
        match (&scope, variant) {
            (Some(scope), "supervise_awaited") => {
                let handles: Vec<_> = (0..BATCH).map(|_| scope.spawn(failing())).collect();
                for handle in handles {
                    assert!(handle.await.is_err(), "every child fails");
                }
            }
            (Some(scope), _) => {
                for _ in 0..BATCH {
                    drop(scope.spawn(failing()));
                }
                // Let the batch run before the next.
                tokio::spawn(async {}).await.expect("the sentinel ran");
            }
            (None, _) => {
                for _ in 0..BATCH {
                    set.spawn(failing());
                }
                while let Some(result) = set.join_next().await {
                    assert!(result.expect("no panic").is_err(), "every child fails");
                }
            }
        }
        spawned += BATCH;
        if spawned % (children / 10) == 0 {
            samples.push(rss());
        }
    }
    if let Some(scope) = scope {
        match scope.join().await {
            Ok(()) => assert_eq!(counted.load(Ordering::Relaxed), children),
            Err(error) => assert_eq!(error.failure_count(), children),
        }
    }
    let line: Vec<String> = samples.iter().map(u64::to_string).collect();
    println!("{}", line.join(" "));
}

fn child(variant: &str, children: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run(variant, children));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--child") {
        let variant = args.get(at + 1).expect("a variant after --child");
        let children = args
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .expect("a count after the variant");
        child(variant, children);
        return;
    }
    let children = if args.iter().any(|arg| arg == "--bench") {
        FULL
    } else {
        SMOKE
    };
    let exe = std::env::current_exe().expect("the path of this bench binary");
    println!("| variant | RSS (MiB) after each tenth of {children} failing children |");
    println!("|---|---|");
    for variant in VARIANTS {
        let output = Command::new(&exe)
            .args(["--child", variant, &children.to_string()])
            .output()
            .expect("the child process started");
        assert!(
            output.status.success(),
            "{variant} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let samples: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .map(|bytes| {
                let bytes: f64 = bytes.parse().expect("the child prints numbers");
                format!("{:.1}", bytes / (1024.0 * 1024.0))
            })
            .collect();
        println!("| `{variant}` | {} |", samples.join(", "));
    }
}
