//! Failures: a child's error or panic, several failures, the parent body's own
//! error, and the supervise policy.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use taskscope::{ScopeError, TaskError, TaskHandle, TaskScope};
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::common::{panic_on_purpose, silence_expected_panics, ExpectedPanic, Flag, TaskBaseline};

on_both_runtimes!(
    child_error_cancels_siblings_and_is_returned,
    every_failure_is_kept_first_first,
    failing_body_cancels_and_waits_for_children,
    supervised_failure_leaves_siblings_running,
    cancelling_a_supervised_scope_cancels_every_child,
    child_panic_cancels_siblings_and_reaches_the_parent,
);

/// A child's error, of a type of the test's own.
#[derive(Debug, PartialEq, Eq)]
struct Rejected {
    code: u32,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rejected with code {}", self.code)
    }
}

/// The error type of a parent body run by `TaskScope::run`.
#[derive(Debug)]
enum AppError {
    Config,
    Scope(ScopeError),
}

impl From<ScopeError> for AppError {
    fn from(error: ScopeError) -> Self {
        AppError::Scope(error)
    }
}

/// Case 1: a child returning `Err` cancels its sibling, which sees the
/// cancellation exactly once, and `join` returns that very error.
async fn child_error_cancels_siblings_and_is_returned() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let cancellations = Arc::new(AtomicUsize::new(0));
    let (waiting_tx, waiting_rx) = oneshot::channel();
    let sibling = scope.spawn({
        let cancellations = Arc::clone(&cancellations);
        async move {
            waiting_tx
                .send(())
                .expect("the failing child waits for this");
            taskscope::cancelled().await;
            cancellations.fetch_add(1, Ordering::SeqCst);
        }
    });
    let failing = scope.spawn(async move {
        waiting_rx.await.expect("the sibling started");
        Err::<(), _>(Rejected { code: 7 })
    });

    let error = scope.join().await.expect_err("a child failed");

    assert!(!error.is_elapsed());
    assert_eq!(error.failures().len(), 1, "one child failed: {error}");
    assert_eq!(
        error.downcast::<Rejected>().ok(),
        Some(Rejected { code: 7 }),
        "join returns the child's own error"
    );
    assert_eq!(failing.await, Err(TaskError::Failed));
    assert_eq!(
        sibling.await,
        Ok(()),
        "the sibling ended on its own, not by abort"
    );
    assert_eq!(cancellations.load(Ordering::SeqCst), 1);
    baseline.assert_restored().await;
}

/// Case 2: when two children fail, `ScopeError::failures` keeps both, the
/// first failure first. The second child fails only once the first failure
/// has cancelled the scope, so the order is fixed.
async fn every_failure_is_kept_first_first() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let second = scope.task_builder().name("second").spawn(async {
        taskscope::cancelled().await;
        Err::<(), _>(Rejected { code: 2 })
    });
    let first = scope
        .task_builder()
        .name("first")
        .spawn(async { Err::<(), _>(Rejected { code: 1 }) });

    let error = scope.join().await.expect_err("two children failed");

    let failures: Vec<_> = error
        .failures()
        .iter()
        .map(|failure| {
            (
                failure.task().name(),
                failure.error().downcast_ref::<Rejected>().map(|r| r.code),
            )
        })
        .collect();
    assert_eq!(
        failures,
        [(Some("first"), Some(1)), (Some("second"), Some(2))],
        "both failures, in the order they happened"
    );
    assert_eq!(first.await, Err(TaskError::Failed));
    assert_eq!(second.await, Err(TaskError::Failed));
    baseline.assert_restored().await;
}

/// Case 3: the body of `run` fails while its children run. The scope is
/// cancelled; `run` waits for the child that cleans up and for the one that
/// sleeps on (aborted after the grace period), then returns the body's own
/// error, not a `ScopeError`.
async fn failing_body_cancels_and_waits_for_children() {
    const GRACE: Duration = Duration::from_millis(50);
    let baseline = TaskBaseline::take();
    let cleaned_up = Flag::default();
    let sleeper_dropped = Flag::default();
    let started = Instant::now();

    let result: Result<(), AppError> = TaskScope::builder()
        .grace_period(GRACE)
        .build()
        .run(async {
            let sleeper_guard = sleeper_dropped.set_on_drop();
            let sleeper = taskscope::spawn(async move {
                let _guard = sleeper_guard;
                tokio::time::sleep(Duration::from_secs(3600)).await;
            })
            .expect("the body runs inside its scope");
            let cleaned_up = cleaned_up.clone();
            let cleaner = taskscope::spawn(async move {
                taskscope::cancelled().await;
                tokio::task::yield_now().await;
                cleaned_up.set();
            })
            .expect("the body runs inside its scope");
            // The scope owns both children; their handles are not needed.
            drop((sleeper, cleaner));
            Err(AppError::Config)
        })
        .await;
    let took = started.elapsed();

    match result {
        Err(AppError::Config) => {}
        Err(AppError::Scope(error)) => panic!("the children's error came out: {error}"),
        Ok(()) => panic!("the body failed, run returned Ok"),
    }
    assert!(cleaned_up.is_set(), "the cancelled child cleaned up first");
    assert!(sleeper_dropped.is_set(), "the sleeping child was stopped");
    assert!(
        took >= GRACE,
        "run waited for the sleeper's grace period, took {took:?}"
    );
    assert!(
        took < GRACE + Duration::from_millis(900),
        "run took {took:?}"
    );
    baseline.assert_restored().await;
}

/// Case 7a: in a supervise scope a failing child leaves its siblings
/// running: one finishes its work after the failure was recorded, and `join`
/// returns every failure.
async fn supervised_failure_leaves_siblings_running() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().supervise().build();
    let (failing_tx, failing_rx) = oneshot::channel::<TaskHandle<()>>();
    let survivor = scope.spawn(async move {
        let failing = failing_rx
            .await
            .expect("the failing child's handle arrives");
        // The handle yields once the failure has been recorded in the scope.
        let failed = failing.await;
        tokio::task::yield_now().await;
        (failed, taskscope::is_cancelled(), "work done")
    });
    let failing = scope.spawn(async { Err::<(), _>(Rejected { code: 1 }) });
    failing_tx
        .send(failing)
        .expect("the survivor waits for the handle");
    let other_failing = scope.spawn(async { Err::<(), _>(Rejected { code: 2 }) });

    assert_eq!(
        survivor.await,
        Ok((Err(TaskError::Failed), false, "work done")),
        "the survivor saw the failure, was not cancelled, and finished"
    );
    let error = scope.join().await.expect_err("two children failed");

    let mut codes: Vec<_> = error
        .failures()
        .iter()
        .filter_map(|failure| failure.error().downcast_ref::<Rejected>())
        .map(|rejected| rejected.code)
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, [1, 2], "every failure is returned: {error}");
    assert_eq!(other_failing.await, Err(TaskError::Failed));
    baseline.assert_restored().await;
}

/// Case 7b: cancelling a supervise scope still cancels every child.
async fn cancelling_a_supervised_scope_cancels_every_child() {
    const CHILDREN: usize = 3;
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().supervise().build();
    let cancelled = Arc::new(AtomicUsize::new(0));
    let children: Vec<_> = (0..CHILDREN)
        .map(|_| {
            let cancelled = Arc::clone(&cancelled);
            scope.spawn(async move {
                taskscope::cancelled().await;
                cancelled.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    let started = Instant::now();

    scope.cancel();
    scope
        .join()
        .await
        .expect("a cancellation by the owner is not a failure");

    assert_eq!(cancelled.load(Ordering::SeqCst), CHILDREN);
    assert!(
        started.elapsed() < taskscope::scope::DEFAULT_GRACE_PERIOD,
        "the children ended on the cancellation, not by the grace-period abort"
    );
    for child in children {
        assert_eq!(child.await, Ok(()));
    }
    baseline.assert_restored().await;
}

/// Case 10: a child's panic cancels its siblings, and `join` resumes the
/// panic in the parent with the original payload, the very same value.
async fn child_panic_cancels_siblings_and_reaches_the_parent() {
    silence_expected_panics();
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let sibling_cancelled = Flag::default();
    let (waiting_tx, waiting_rx) = oneshot::channel();
    let token = Arc::new(());
    let sibling = scope.spawn({
        let sibling_cancelled = sibling_cancelled.clone();
        async move {
            waiting_tx
                .send(())
                .expect("the panicking child waits for this");
            taskscope::cancelled().await;
            sibling_cancelled.set();
        }
    });
    let panicking = scope.spawn({
        let token = Arc::clone(&token);
        async move {
            waiting_rx.await.expect("the sibling started");
            panic_on_purpose(42, token);
        }
    });

    let joined = tokio::spawn(scope.join()).await;

    let payload = joined
        .expect_err("join resumed the child's panic")
        .into_panic();
    let payload = payload
        .downcast::<ExpectedPanic>()
        .expect("the payload keeps its type");
    assert_eq!(payload.code, 42);
    assert!(
        Arc::ptr_eq(&payload.token, &token),
        "the payload is the value the child panicked with"
    );
    assert!(sibling_cancelled.is_set(), "the sibling was cancelled");
    assert_eq!(sibling.await, Ok(()), "the sibling ended on its own");
    assert_eq!(
        panicking.await.map_err(|error| error.is_panic()),
        Err(true),
        "the handle says the child panicked"
    );
    baseline.assert_restored().await;
}
