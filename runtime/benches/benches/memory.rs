//! Memory per parked child: peak and resident set size of 100 000 children
//! parked on the same future, spawned with plain `tokio::spawn`, with
//! `TaskScope::spawn`, and with a `JoinSet` for reference.
//!
//! Every variant runs in a fresh child process (this binary re-executed with
//! `--child VARIANT PAD N`) so that one variant's freed memory cannot serve
//! the next. The child reads `VmRSS` / `VmHWM` from `/proc/self/status`
//! before spawning and after all children have been polled once, and prints
//! the numbers; the parent prints bytes per child and the ratio to a plain
//! spawn of the same future.
//!
//! The child future is `parked::<PAD>()`, an `async fn` that holds `[0u8; PAD]`
//! across `taskscope::cancelled().await`
//! (`PAD` = 0 is the bare `cancelled()` future); the padded sizes show where
//! tokio's task cell, allocated in 128-byte steps, moves to the next step.
//! Under a scope the future waits for the scope's cancellation; under plain
//! tokio there is no scope and it waits forever. Either way it is parked and
//! owns no heap memory of its own.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-bench cargo bench -p taskscope-benches --bench memory`
//! (with `--bench`, as `cargo bench` passes it: 100 000 children per variant).
//! Without `--bench` (as `cargo test -p taskscope-benches --benches` runs it) each variant runs
//! with 1 000 children as a smoke test. Other arguments filter variants by
//! substring of `memory/KIND/PAD`.

use std::hint::black_box;
use std::process::Command;

use taskscope::TaskScope;
use tokio::task::JoinSet;

/// Children per variant under `cargo bench`.
const FULL: usize = 100_000;
/// Children per variant in test mode.
const SMOKE: usize = 1_000;
/// Padding sizes of the child future, in bytes.
const PADS: [usize; 6] = [0, 16, 24, 32, 64, 128];

/// How the children are spawned and owned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `tokio::spawn`, the `JoinHandle` dropped (the task detached).
    Plain,
    /// `tokio::spawn`, every `JoinHandle` kept in a `Vec`.
    PlainHandles,
    /// `TaskScope::spawn`, the `TaskHandle` dropped (the scope owns the child).
    Scope,
    /// `JoinSet::spawn`.
    JoinSet,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Plain, Kind::PlainHandles, Kind::Scope, Kind::JoinSet];

    fn name(self) -> &'static str {
        match self {
            Kind::Plain => "tokio_spawn",
            Kind::PlainHandles => "tokio_spawn+vec",
            Kind::Scope => "task_scope",
            Kind::JoinSet => "join_set",
        }
    }

    fn from_name(name: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .unwrap_or_else(|| panic!("unknown variant {name:?}"))
    }
}

/// The parked child: `PAD` bytes held across the wait for cancellation.
async fn parked<const PAD: usize>() {
    let pad = [0u8; PAD];
    taskscope::cancelled().await;
    black_box(&pad);
}

/// What one child process measured.
struct Measured {
    future_size: usize,
    rss_before: u64,
    rss_after: u64,
    hwm_after: u64,
}

/// `VmRSS` and `VmHWM` of this process, in bytes.
fn rss_and_hwm() -> (u64, u64) {
    (
        taskscope_benches::proc_status_bytes("VmRSS:"),
        taskscope_benches::proc_status_bytes("VmHWM:"),
    )
}

/// Spawns `n` parked children of `kind` and measures, in this process.
async fn measure<const PAD: usize>(kind: Kind, n: usize) -> Measured {
    let future_size = std::mem::size_of_val(&parked::<PAD>());
    let scope = TaskScope::new();
    let mut handles = Vec::new();
    let mut set = JoinSet::new();
    let (rss_before, _) = rss_and_hwm();
    for _ in 0..n {
        match kind {
            Kind::Plain => drop(tokio::spawn(parked::<PAD>())),
            Kind::PlainHandles => handles.push(tokio::spawn(parked::<PAD>())),
            Kind::Scope => drop(scope.spawn(parked::<PAD>())),
            Kind::JoinSet => drop(set.spawn(parked::<PAD>())),
        }
    }
    // The current-thread run queue is FIFO: once a task spawned after the
    // children has run, every child has been polled once and is parked.
    tokio::spawn(async {}).await.expect("the sentinel task ran");
    let (rss_after, hwm_after) = rss_and_hwm();
    black_box((&scope, &handles, &set));
    Measured {
        future_size,
        rss_before,
        rss_after,
        hwm_after,
    }
}

/// The child process: measure one variant and print it on one line.
fn child(kind: Kind, pad: usize, n: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let driver = rt.spawn(async move {
        match pad {
            0 => measure::<0>(kind, n).await,
            16 => measure::<16>(kind, n).await,
            24 => measure::<24>(kind, n).await,
            32 => measure::<32>(kind, n).await,
            64 => measure::<64>(kind, n).await,
            128 => measure::<128>(kind, n).await,
            other => panic!("no child future with {other} bytes of padding"),
        }
    });
    let measured = rt.block_on(driver).expect("the measuring task panicked");
    println!(
        "{} {} {} {}",
        measured.future_size, measured.rss_before, measured.rss_after, measured.hwm_after
    );
    // Dropping 100 000 parked tasks only costs time; the process ends here.
    std::process::exit(0);
}

/// Re-executes this binary to measure one variant in a fresh process.
fn run_child(kind: Kind, pad: usize, n: usize) -> Measured {
    let exe = std::env::current_exe().expect("the path of this bench binary");
    let output = Command::new(exe)
        .args(["--child", kind.name(), &pad.to_string(), &n.to_string()])
        .output()
        .expect("the child process started");
    assert!(
        output.status.success(),
        "the child process for {} failed: {}",
        kind.name(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("the child prints UTF-8");
    let numbers: Vec<u64> = stdout
        .split_whitespace()
        .map(|word| word.parse().expect("the child prints numbers"))
        .collect();
    let [future_size, rss_before, rss_after, hwm_after] = numbers[..] else {
        panic!("the child printed {stdout:?}");
    };
    Measured {
        future_size: usize::try_from(future_size).expect("a size fits usize"),
        rss_before,
        rss_after,
        hwm_after,
    }
}

/// Criterion's options that take a value, which is not a filter.
const OPTIONS_WITH_VALUE: [&str; 15] = [
    "--save-baseline",
    "--baseline",
    "--baseline-lenient",
    "--load-baseline",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--profile-time",
    "--output-format",
    "--color",
    "--plotting-backend",
];

/// The positional arguments: filters, as criterion takes them.
fn filters(args: &[String]) -> Vec<&str> {
    let mut filters = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if OPTIONS_WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            filters.push(arg.as_str());
        }
    }
    filters
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let kind = Kind::from_name(args.get(1).expect("a variant after --child"));
        let pad = args
            .get(2)
            .and_then(|pad| pad.parse().ok())
            .expect("a padding after the variant");
        let n = args
            .get(3)
            .and_then(|n| n.parse().ok())
            .expect("a child count after the padding");
        child(kind, pad, n);
        return;
    }
    let n = if args.iter().any(|arg| arg == "--bench") {
        FULL
    } else {
        SMOKE
    };
    let filters = filters(&args);
    println!(
        "memory per parked child, {n} children per variant, current-thread runtime, one process per variant"
    );
    let notify = tokio::sync::Notify::new();
    println!(
        "size_of_val: taskscope::cancelled() {} B, parked::<0>() {} B, tokio Notified {} B",
        std::mem::size_of_val(&taskscope::cancelled()),
        std::mem::size_of_val(&parked::<0>()),
        std::mem::size_of_val(&notify.notified()),
    );
    println!(
        "| future | size_of_val | variant | RSS bytes/child | peak (HWM) bytes/child | RSS ratio to tokio_spawn |"
    );
    println!("|---|---:|---|---:|---:|---:|");
    for pad in PADS {
        let mut plain_rss = None;
        for kind in Kind::ALL {
            let id = format!("memory/{}/{pad}", kind.name());
            if !filters.is_empty() && !filters.iter().any(|filter| id.contains(filter)) {
                continue;
            }
            let measured = run_child(kind, pad, n);
            let per_child =
                |bytes: u64| bytes.saturating_sub(measured.rss_before) as f64 / n as f64;
            let rss = per_child(measured.rss_after);
            let hwm = per_child(measured.hwm_after);
            if kind == Kind::Plain {
                plain_rss = Some(rss);
            }
            let ratio =
                plain_rss.map_or_else(|| String::from("-"), |plain| format!("{:.2}", rss / plain));
            println!(
                "| `cancelled()` + {pad} B pad | {} | {} | {rss:.0} | {hwm:.0} | {ratio} |",
                measured.future_size,
                kind.name()
            );
        }
    }
}
