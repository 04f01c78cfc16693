//! `#[taskscope::test]`: a test that leaves a task behind fails, naming it;
//! one that leaves nothing passes, on every runtime the attribute can build.
//!
//! A leaky test must fail, and a failing test would fail this suite, so the
//! leaky ones are generated *inside* an ordinary `#[test]`: an inner item
//! is not registered with the harness (rustc says so with the
//! `unnameable_test_items` lint, allowed here on purpose), but it is a plain
//! fn, which the outer test calls under `catch_unwind` and whose panic
//! message it checks. If the attribute stopped detecting a leak, the inner
//! fn would return normally and `failure_of` would fail the outer test.

use std::any::Any;
use std::panic::{catch_unwind, UnwindSafe};
use std::process::{ExitCode, Termination};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use taskscope::TaskScope;

/// Runs a generated test fn that must fail, and returns its panic message.
#[track_caller]
fn failure_of<R>(test: impl FnOnce() -> R + UnwindSafe) -> String {
    match catch_unwind(test) {
        Ok(_) => panic!("the test passed, but it left a task behind and should have failed"),
        Err(payload) => message(payload),
    }
}

fn message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(message) => String::from(*message),
            Err(_) => String::from("<a panic without a message>"),
        },
    }
}

/// Without `--cfg tokio_unstable`, raw tasks are counted, and the report says
/// how to see their lines; with it (`.ci/run` runs this file so too), each
/// is named with the line that spawned it.
#[test]
#[allow(unnameable_test_items)]
fn a_raw_tokio_spawn_fails_the_test_with_its_count_or_its_line() {
    static LINES: [std::sync::atomic::AtomicU32; 3] =
        [const { std::sync::atomic::AtomicU32::new(0) }; 3];

    #[taskscope::test(settle_ms = 50)]
    async fn leaks_one_raw_task() {
        LINES[0].store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
        tokio::spawn(std::future::pending::<()>());
    }

    #[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 50)]
    async fn leaks_two_raw_tasks() {
        LINES[1].store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
        tokio::spawn(std::future::pending::<()>());
        LINES[2].store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
        tokio::spawn(tokio::time::sleep(Duration::from_secs(3600)));
    }

    let one = failure_of(leaks_one_raw_task);
    assert!(one.starts_with("1 task still alive "), "{one}");
    let two = failure_of(leaks_two_raw_tasks);
    assert!(two.starts_with("2 tasks still alive "), "{two}");
    let line = |index: usize| LINES[index].load(std::sync::atomic::Ordering::Relaxed);
    if cfg!(tokio_unstable) {
        for (report, index) in [(&one, 0), (&two, 1), (&two, 2)] {
            let expected = format!(
                "\n  task spawned outside taskscope at {}:{}:",
                file!(),
                line(index)
            );
            assert!(report.contains(&expected), "`{expected}` in:\n{report}");
        }
        assert!(
            !one.contains("outside taskscope (a raw"),
            "every raw task has its line:\n{one}"
        );
    } else {
        assert!(
            one.contains("\n  1 task spawned outside taskscope (a raw tokio::spawn"),
            "{one}"
        );
        assert!(
            two.contains("\n  2 tasks spawned outside taskscope (a raw tokio::spawn"),
            "{two}"
        );
        assert!(
            one.contains("build with RUSTFLAGS=\"--cfg tokio_unstable\""),
            "the report says how to get the spawn line:\n{one}"
        );
    }
    assert!(
        !one.contains("  task `"),
        "no taskscope task leaked:\n{one}"
    );
}

#[test]
#[allow(unnameable_test_items)]
fn a_task_of_a_forgotten_scope_fails_the_test_naming_its_spawn_line() {
    static SPAWN_LINE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

    #[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 50)]
    async fn forgets_its_scope() {
        let scope = TaskScope::builder().name("forgotten").build();
        let poller = scope.task_builder().name("poller");
        SPAWN_LINE.store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
        poller.spawn(std::future::pending::<()>());
        std::mem::forget(scope);
    }

    let failure = failure_of(forgets_its_scope);
    let line = SPAWN_LINE.load(std::sync::atomic::Ordering::Relaxed);
    let expected = format!("  task `poller` spawned at {}:{line}:", file!());
    assert!(failure.contains(&expected), "`{expected}` in:\n{failure}");
    assert!(
        failure.contains(" in scope forgotten, alive for "),
        "{failure}"
    );
    assert!(failure.starts_with("1 task still alive "), "{failure}");
}

/// The whole message, for a known leak on a paused clock (so every duration
/// in it is exact): a named task, a task of a nested scope, a raw task, and
/// the body's `Err` after the report.
#[test]
#[allow(unnameable_test_items)]
fn the_report_text() {
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    // The lines of the spawns below, as the report must name them.
    static SESSION_LINE: AtomicU32 = AtomicU32::new(0);
    static RAW_LINE: AtomicU32 = AtomicU32::new(0);

    #[taskscope::test(start_paused = true, settle_ms = 1000)]
    async fn leaks_three_and_fails() -> Result<(), String> {
        let outer = TaskScope::builder().name("server").build();
        let (nested_up, up) = tokio::sync::oneshot::channel();
        SESSION_LINE.store(line!() + 1, Relaxed);
        outer.task_builder().name("session").spawn(async move {
            let inner = TaskScope::new();
            inner.spawn(std::future::pending::<()>());
            let _ = nested_up.send(());
            inner.join().await
        });
        up.await.expect("the nested scope is up");
        RAW_LINE.store(line!() + 1, Relaxed);
        tokio::spawn(std::future::pending::<()>());
        tokio::time::advance(Duration::from_secs(3)).await;
        std::mem::forget(outer);
        Err(String::from("the database is down"))
    }

    let failure = failure_of(leaks_three_and_fails);
    let session_line = SESSION_LINE.load(Relaxed);
    let (inner_scope_line, inner_line) = (session_line + 1, session_line + 2);
    let raw_line = RAW_LINE.load(Relaxed);
    let raw = if cfg!(tokio_unstable) {
        format!(
            "  task spawned outside taskscope at {}:{raw_line}:9 (tokio task {{id}}): await or abort its handle before the test returns, or spawn it into a TaskScope",
            file!()
        )
    } else {
        String::from(
            "  1 task spawned outside taskscope (a raw tokio::spawn, a JoinSet, ...): spawn it into a TaskScope to see where it started, or await or abort its handle before the test returns; build with RUSTFLAGS=\"--cfg tokio_unstable\" and #[taskscope::test] (or taskscope::leak::build_runtime) names the line that spawned it",
        )
    };
    let expected = format!(
        "\
3 tasks still alive 1.0s after the test's body returned
  task `session` spawned at {file}:{session_line}:46 in scope server, alive for 4.0s
  task spawned at {file}:{inner_line}:19 in scope server/scope@{file}:{inner_scope_line}:25, alive for 4.0s
{raw}
and the test's body returned Err(\"the database is down\")",
        file = file!()
    );
    // The raw task's id is tokio's to give.
    let failure = match failure.split_once("(tokio task ") {
        Some((before, after)) => match after.split_once(')') {
            Some((_, rest)) => format!("{before}(tokio task {{id}}){rest}"),
            None => failure,
        },
        None => failure,
    };
    assert_eq!(failure, expected);
}

/// Each test has its own runtime and its check looks at that runtime only:
/// two leaky tests running at the same time, each past the point where both
/// have leaked, each report only their own tasks.
#[test]
#[allow(unnameable_test_items)]
fn two_leaky_tests_in_parallel_each_report_only_their_own() {
    static BOTH_LEAKED: Barrier = Barrier::new(2);

    #[taskscope::test(settle_ms = 100)]
    async fn first_leaks_one() {
        let scope = TaskScope::builder().name("first").build();
        scope
            .task_builder()
            .name("first-task")
            .spawn(std::future::pending::<()>());
        std::mem::forget(scope);
        // Blocks the test's thread, and with it this current-thread
        // runtime, which has nothing else to run.
        BOTH_LEAKED.wait();
    }

    #[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 100)]
    async fn second_leaks_two() {
        let scope = TaskScope::builder().name("second").build();
        for _ in 0..2 {
            scope
                .task_builder()
                .name("second-task")
                .spawn(std::future::pending::<()>());
        }
        std::mem::forget(scope);
        // `block_on` polls the body on the test's thread, not on a worker.
        BOTH_LEAKED.wait();
    }

    let first = std::thread::spawn(|| failure_of(first_leaks_one));
    let second = std::thread::spawn(|| failure_of(second_leaks_two));
    let first = first.join().expect("the first test ran");
    let second = second.join().expect("the second test ran");

    assert!(first.starts_with("1 task still alive "), "{first}");
    assert_eq!(first.matches("  task `first-task` ").count(), 1, "{first}");
    assert_eq!(first.matches(" in scope first, ").count(), 1, "{first}");
    assert!(!first.contains("second"), "{first}");
    assert!(!first.contains("outside taskscope"), "{first}");

    assert!(second.starts_with("2 tasks still alive "), "{second}");
    assert_eq!(
        second.matches("  task `second-task` ").count(),
        2,
        "{second}"
    );
    assert_eq!(second.matches(" in scope second, ").count(), 2, "{second}");
    assert!(!second.contains("first"), "{second}");
    assert!(!second.contains("outside taskscope"), "{second}");
}

/// `settle_ms` bounds the wait: a task that ends within it is no leak, one
/// that ends after it is (on a paused clock, so the times are exact).
#[test]
#[allow(unnameable_test_items)]
fn the_settle_time_bounds_the_wait() {
    #[taskscope::test(start_paused = true, settle_ms = 600)]
    async fn ends_within_the_settle_time() {
        tokio::spawn(tokio::time::sleep(Duration::from_millis(500)));
    }

    #[taskscope::test(start_paused = true, settle_ms = 400)]
    async fn ends_after_the_settle_time() {
        tokio::spawn(tokio::time::sleep(Duration::from_millis(500)));
    }

    ends_within_the_settle_time();
    let failure = failure_of(ends_after_the_settle_time);
    assert!(
        failure.starts_with("1 task still alive 400.0ms after the test's body returned\n"),
        "{failure}"
    );
}

/// A body's `Err` fails the test through the harness, as in a `#[test]` fn,
/// once the check has found nothing.
#[test]
#[allow(unnameable_test_items)]
fn an_err_without_a_leak_is_returned_to_the_harness() {
    #[taskscope::test(settle_ms = 50)]
    async fn returns_err() -> Result<(), String> {
        Err(String::from("expected"))
    }

    #[taskscope::test(settle_ms = 50)]
    async fn returns_ok() -> Result<(), String> {
        Ok(())
    }

    // `ExitCode` has no `PartialEq`; its `Debug` tells the codes apart.
    let code = |code: ExitCode| format!("{code:?}");
    assert_eq!(code(returns_err().report()), code(ExitCode::FAILURE));
    assert_eq!(code(returns_ok().report()), code(ExitCode::SUCCESS));
}

/// A panic of the body is the test's failure, as it is: no check runs
/// (which would wait out the settle time and report the tasks the panic
/// left), and the runtime drops those tasks.
#[test]
#[allow(unnameable_test_items)]
fn a_panicking_body_fails_with_its_own_panic() {
    #[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 60_000)]
    async fn leaks_then_panics() {
        let scope = TaskScope::builder().name("abandoned").build();
        scope.spawn(std::future::pending::<()>());
        std::mem::forget(scope);
        tokio::spawn(std::future::pending::<()>());
        panic!("the body's own failure");
    }

    let started = Instant::now();
    assert_eq!(failure_of(leaks_then_panics), "the body's own failure");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "no check waited out the settle time"
    );
}

// Tests that leave nothing behind pass, on each runtime the attribute
// builds: these are real `#[taskscope::test]`s.

#[taskscope::test]
async fn a_test_that_leaks_nothing_passes() {
    let scope = TaskScope::builder().name("clean").build();
    for n in 0..10u64 {
        scope.spawn(async move { n });
    }
    let raw = tokio::spawn(async { 1 });
    assert_eq!(raw.await.expect("the raw task ran"), 1);
    scope.join().await.expect("nothing failed");
}

#[taskscope::test]
async fn the_default_runtime_is_current_thread() {
    assert_eq!(
        tokio::runtime::Handle::current().runtime_flavor(),
        tokio::runtime::RuntimeFlavor::CurrentThread
    );
}

#[taskscope::test(flavor = "current_thread")]
async fn current_thread_runs_the_body_on_the_test_thread() {
    let test_thread = std::thread::current().id();
    let scope = TaskScope::new();
    let child_thread =
        scope.spawn(async { Ok::<_, std::convert::Infallible>(std::thread::current().id()) });
    assert_eq!(child_thread.await, Ok(test_thread));
    scope.join().await.expect("nothing failed");
}

#[taskscope::test(flavor = "multi_thread", worker_threads = 3)]
async fn multi_thread_has_the_workers_asked_for() {
    let runtime = tokio::runtime::Handle::current();
    assert_eq!(
        runtime.runtime_flavor(),
        tokio::runtime::RuntimeFlavor::MultiThread
    );
    assert_eq!(runtime.metrics().num_workers(), 3);
    let scope = TaskScope::new();
    for _ in 0..3 {
        scope.spawn_blocking(|| std::thread::sleep(Duration::from_millis(5)));
    }
    scope.join().await.expect("nothing failed");
}

#[taskscope::test(start_paused = true)]
async fn start_paused_starts_with_the_clock_paused() {
    let real = Instant::now();
    let virtual_start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(virtual_start.elapsed() >= Duration::from_secs(3600));
    assert!(real.elapsed() < Duration::from_secs(60));
}

#[taskscope::test(start_paused = false, settle_ms = 2000)]
async fn a_task_still_finishing_when_the_body_returns_is_waited_for() {
    // Not joined: the check waits for it (up to `settle_ms`), on a running
    // clock.
    tokio::spawn(tokio::time::sleep(Duration::from_millis(20)));
}

#[taskscope::test]
async fn an_ok_result_passes() -> Result<(), taskscope::ScopeError> {
    let scope = TaskScope::new();
    scope.spawn(async { Ok::<_, std::io::Error>(()) });
    scope.join().await
}

mod reexport {
    pub use taskscope as renamed;
}

#[taskscope::test(crate = crate::reexport::renamed, settle_ms = 100)]
async fn a_renamed_crate_is_found_through_its_path() {
    TaskScope::new().join().await.expect("nothing to fail");
}

#[taskscope::test(crate = "crate::reexport::renamed")]
async fn a_renamed_crate_can_be_given_as_a_string() {}

/// The expansion under strict user lints: `cargo clippy --all-targets -- -D
/// warnings` checks this module, where no lint may fire on generated code.
#[deny(
    warnings,
    unused_qualifications,
    unused_results,
    clippy::all,
    clippy::pedantic
)]
mod strict_lints {
    use std::time::Duration;

    use taskscope::{ScopeError, TaskScope};

    #[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 100)]
    async fn multi_thread_returning_a_result() -> Result<(), ScopeError> {
        let scope = TaskScope::new();
        let _handle = scope.spawn(async { tokio::time::sleep(Duration::from_millis(1)).await });
        scope.join().await
    }

    #[taskscope::test(start_paused = true)]
    async fn paused() {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    #[taskscope::test(crate = crate::reexport::renamed)]
    async fn renamed() {
        tokio::task::yield_now().await;
    }
}
