//! Deadlines: a scope that overruns its deadline is cancelled and reports
//! it; one that finished in time is never touched by it.

use std::future::pending;
use std::time::Duration;

use taskscope::{ScopeError, TaskScope};
use tokio::time::Instant;

use crate::common::{Flag, TaskBaseline};

on_both_runtimes!(
    join_past_the_deadline_cancels_children_and_reports_elapsed,
    join_past_the_deadline_aborts_children_that_ignore_it_at_once,
    run_past_the_deadline_drops_the_body_and_reports_elapsed,
    deadline_after_the_scope_finished_never_fires,
);

const DEADLINE: Duration = Duration::from_millis(100);

/// How long the children of a scope that asked for one have to end on their
/// own once the deadline passed.
const ASKED_GRACE: Duration = Duration::from_millis(300);

/// Case 9a: a scope whose children outlive its deadline, with a grace period
/// asked for, is cancelled at the deadline (the children's `cancelled()`
/// arm runs) and `join` returns an elapsed `ScopeError` with no failures,
/// close to the deadline.
async fn join_past_the_deadline_cancels_children_and_reports_elapsed() {
    let baseline = TaskBaseline::take();
    let started = Instant::now();
    let scope = TaskScope::builder()
        .timeout(DEADLINE)
        .grace_period(ASKED_GRACE)
        .build();
    let children: Vec<_> = (0..2)
        .map(|_| {
            let cancelled = Flag::default();
            let child = scope.spawn({
                let cancelled = cancelled.clone();
                async move {
                    tokio::select! {
                        () = taskscope::cancelled() => cancelled.set(),
                        () = tokio::time::sleep(Duration::from_secs(3600)) => {}
                    }
                }
            });
            (child, cancelled)
        })
        .collect();

    let error = scope.join().await.expect_err("the deadline passed");
    let took = started.elapsed();

    assert!(error.is_elapsed(), "the error says so: {error}");
    assert!(error.failures().is_empty(), "no child failed: {error}");
    assert!(
        took >= DEADLINE,
        "join returned before the deadline: {took:?}"
    );
    assert!(
        took < DEADLINE + Duration::from_millis(400),
        "join returned {took:?} after a {DEADLINE:?} deadline"
    );
    for (child, cancelled) in children {
        assert_eq!(child.await, Ok(()), "the child ended on its own");
        assert!(cancelled.is_set(), "the child's cancelled() arm ran");
    }
    baseline.assert_restored().await;
}

/// Case 9a': without a grace period asked for, the deadline is a bound: a
/// child that ignores the cancellation (a probe hung in a dependency) is
/// aborted at once, although the default grace period is a second, and
/// `join` returns within scheduling noise of the deadline. Before, `join`
/// waited out the grace: 1.05-1.08 s for a 50 ms deadline.
async fn join_past_the_deadline_aborts_children_that_ignore_it_at_once() {
    let baseline = TaskBaseline::take();
    let started = Instant::now();
    let scope = TaskScope::builder().timeout(DEADLINE).build();
    let hung = scope.spawn(pending::<()>());
    let error = scope.join().await.expect_err("the deadline passed");
    let took = started.elapsed();
    assert!(error.is_elapsed(), "the error says so: {error}");
    assert!(
        took >= DEADLINE,
        "join returned before the deadline: {took:?}"
    );
    assert!(
        took < DEADLINE + Duration::from_millis(100),
        "join returned {took:?} after a {DEADLINE:?} deadline"
    );
    assert_eq!(hung.await, Err(taskscope::TaskError::Aborted));
    baseline.assert_restored().await;
}

/// Case 9b: with `run`, the deadline drops a body that overran it and
/// cancels the children (their `cancelled()` arm runs); `run` returns an
/// elapsed `ScopeError` close to the deadline.
async fn run_past_the_deadline_drops_the_body_and_reports_elapsed() {
    let baseline = TaskBaseline::take();
    let body_dropped = Flag::default();
    let child_cancelled = Flag::default();
    let started = Instant::now();

    let result: Result<(), ScopeError> = TaskScope::builder()
        .timeout(DEADLINE)
        .grace_period(ASKED_GRACE)
        .build()
        .run(async {
            let _guard = body_dropped.set_on_drop();
            let child_cancelled = child_cancelled.clone();
            let child = taskscope::spawn(async move {
                taskscope::cancelled().await;
                child_cancelled.set();
            })
            .expect("the body runs inside its scope");
            // The scope owns the child; its handle is not needed.
            drop(child);
            pending().await
        })
        .await;
    let took = started.elapsed();

    let error = result.expect_err("the deadline passed");
    assert!(error.is_elapsed(), "the error says so: {error}");
    assert!(error.failures().is_empty(), "no child failed: {error}");
    assert!(body_dropped.is_set(), "the body was dropped");
    assert!(child_cancelled.is_set(), "the child's cancelled() arm ran");
    assert!(
        took >= DEADLINE,
        "run returned before the deadline: {took:?}"
    );
    assert!(
        took < DEADLINE + Duration::from_millis(400),
        "run returned {took:?} after a {DEADLINE:?} deadline"
    );
    baseline.assert_restored().await;
}

/// Case 9c: a scope that finished before its deadline (by `join` or by
/// `run`) returns `Ok`, and the deadline passing later cancels nothing.
async fn deadline_after_the_scope_finished_never_fires() {
    let baseline = TaskBaseline::take();

    let joined = TaskScope::builder().timeout(DEADLINE).build();
    let joined_handle = joined.handle();
    let answer = joined.spawn(async { 6 * 7 });
    joined
        .join()
        .await
        .expect("the child finished before the deadline");
    assert_eq!(answer.await, Ok(42));

    let ran = TaskScope::builder().timeout(DEADLINE).build();
    let ran_handle = ran.handle();
    let answer = ran
        .run(async {
            let child = taskscope::spawn(async { 6 * 7 }).expect("the body runs inside its scope");
            Ok::<_, ScopeError>(child.await)
        })
        .await
        .expect("the body finished before the deadline");
    assert_eq!(answer, Ok(42));

    // Waiting past the deadline is the point here: nothing may happen then.
    tokio::time::sleep(DEADLINE + Duration::from_millis(50)).await;
    assert!(
        !joined_handle.is_cancelled(),
        "the deadline of the joined scope fired late"
    );
    assert!(
        !ran_handle.is_cancelled(),
        "the deadline of the run scope fired late"
    );
    baseline.assert_restored().await;
}
