//! `taskscope::timeout` and `move_on_after`: a deadline around a future and
//! everything it started, that returns at the deadline whatever the
//! children do, and is never mistaken for a cancellation.

use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use taskscope::time::{Elapsed, Timeout};
use taskscope::{ScopeError, TaskScope};
use tokio::time::Instant;

use crate::common::{Flag, TaskBaseline};

on_both_runtimes!(
    a_hung_status_update_under_a_timeout_leaves_nothing_running,
    a_fifty_millisecond_timeout_returns_in_time_with_a_child_that_ignores_cancellation,
    a_grace_period_asked_for_lets_children_finish_their_cleanup,
    an_inner_timeout_is_not_taken_for_the_outer_one,
    an_outer_timeout_still_fires_around_an_inner_one,
    a_timeout_that_elapsed_is_not_a_cancellation,
    move_on_after_yields_none_and_stops_the_work,
    work_that_finishes_in_time_is_returned,
    failures_of_the_work_go_to_the_enclosing_scope,
    a_scoped_fn_under_a_timeout_is_cut_off_with_its_children,
);

/// What a status update spawns, counting the steps it takes after the
/// timeout fired (none may happen).
#[derive(Clone, Default)]
struct Steps(Arc<AtomicUsize>);

impl Steps {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Steps every 10 ms and never checks for cancellation (the condition
    /// is never false; a `loop` would make the child's output `!`).
    async fn step_for_ever(self) {
        while self.0.fetch_add(1, Ordering::SeqCst) < usize::MAX {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A status update that spawns work into the current scope; the work hangs
/// in a dependency that never answers, stepping every 10 ms.
async fn push_status(steps: Steps) {
    taskscope::spawn(steps.step_for_ever()).expect("inside the timeout's scope");
    pending::<()>().await
}

/// The first case: a status update that spawns work, under a 1 s
/// timeout, the work hung. After `Err(Elapsed)`, nothing it started runs,
/// and the call took less than 1.1 s. With `tokio::time::timeout` around
/// `tokio::spawn`, the work keeps stepping (the `health_timeout` example
/// counts those tasks).
async fn a_hung_status_update_under_a_timeout_leaves_nothing_running() {
    let baseline = TaskBaseline::take();
    let steps = Steps::default();
    let started = Instant::now();
    let outcome = taskscope::timeout(Duration::from_secs(1), push_status(steps.clone())).await;
    let took = started.elapsed();
    assert!(outcome.is_err(), "the update hung");
    assert!(took >= Duration::from_secs(1), "returned early: {took:?}");
    assert!(took < Duration::from_millis(1_100), "took {took:?}");
    baseline.assert_restored().await; // nothing it started is alive
    let after_return = steps.count();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        steps.count(),
        after_return,
        "the work stepped after Elapsed"
    );
}

/// A 50 ms timeout returns within 50 ms plus scheduling, although its child
/// ignores the cancellation and the default grace period is a second.
async fn a_fifty_millisecond_timeout_returns_in_time_with_a_child_that_ignores_cancellation() {
    let baseline = TaskBaseline::take();
    let dropped = Flag::default();
    let started = Instant::now();
    let outcome = taskscope::timeout(Duration::from_millis(50), {
        let dropped = dropped.clone();
        async move {
            taskscope::spawn(async move {
                let _dropped = dropped.set_on_drop();
                pending::<()>().await // a probe hung in a dependency
            })
            .expect("inside the timeout's scope")
            .await
        }
    })
    .await;
    let took = started.elapsed();
    assert!(outcome.is_err());
    assert!(
        dropped.is_set(),
        "the hung child was aborted before the return"
    );
    assert!(
        took >= Duration::from_millis(50),
        "returned early: {took:?}"
    );
    assert!(took < Duration::from_millis(100), "took {took:?}");
    baseline.assert_restored().await;
}

/// With a grace period, cancelled children end on their own first.
async fn a_grace_period_asked_for_lets_children_finish_their_cleanup() {
    let baseline = TaskBaseline::take();
    let cleaned_up = Flag::default();
    let outcome = Timeout::after(Duration::from_millis(20))
        .grace_period(Duration::from_millis(500))
        .run({
            let cleaned_up = cleaned_up.clone();
            async move {
                taskscope::spawn(async move {
                    taskscope::cancelled().await;
                    tokio::time::sleep(Duration::from_millis(5)).await; // the cleanup
                    cleaned_up.set();
                })
                .expect("inside the timeout's scope");
                pending::<()>().await
            }
        })
        .await;
    assert!(outcome.is_err());
    assert!(
        cleaned_up.is_set(),
        "the child's cleanup ran before the return"
    );
    baseline.assert_restored().await;
}

/// Nested timeouts: the inner one's `Elapsed` is a value the outer future
/// handles; the outer future goes on and finishes in time.
async fn an_inner_timeout_is_not_taken_for_the_outer_one() {
    let baseline = TaskBaseline::take();
    let outer = taskscope::timeout(Duration::from_secs(5), async {
        let inner = taskscope::timeout(Duration::from_millis(10), pending::<()>()).await;
        assert!(inner.is_err(), "the inner deadline passed");
        assert!(
            !taskscope::is_cancelled(),
            "the outer scope is not cancelled"
        );
        "the outer work went on"
    })
    .await;
    assert_eq!(outer, Ok("the outer work went on"));
    baseline.assert_restored().await;
}

/// Nested timeouts: the outer deadline fires while the inner one is still
/// running (with a later deadline), and the outer call returns at its own.
async fn an_outer_timeout_still_fires_around_an_inner_one() {
    let baseline = TaskBaseline::take();
    let started = Instant::now();
    let outer = taskscope::timeout(Duration::from_millis(30), async {
        taskscope::timeout(Duration::from_secs(10), pending::<()>()).await
    })
    .await;
    let took = started.elapsed();
    let elapsed: Elapsed = outer.expect_err("the outer deadline passed first");
    assert!(elapsed.deadline() <= Instant::now());
    assert!(took < Duration::from_millis(80), "took {took:?}");
    baseline.assert_restored().await;
}

/// The Kotlin trap: an `Elapsed` is not a cancellation. A cancellable loop
/// around an inner timeout goes on after it fires, and ends only when its
/// own scope is cancelled.
async fn a_timeout_that_elapsed_is_not_a_cancellation() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let attempts = scope.spawn(async {
        let mut attempts = 0u32;
        let cancellation = taskscope::cancel::Cancellation::current();
        while !cancellation.is_cancelled() {
            let attempt = taskscope::timeout(Duration::from_millis(5), pending::<()>()).await;
            assert!(attempt.is_err());
            attempts += 1;
        }
        attempts
    });
    tokio::time::sleep(Duration::from_millis(60)).await;
    scope.cancel();
    let attempts = attempts.await.expect("the loop ended on the cancellation");
    assert!(
        attempts >= 3,
        "the loop went on after each Elapsed: {attempts}"
    );
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

/// `move_on_after` yields `None` at the deadline, and the work is stopped.
async fn move_on_after_yields_none_and_stops_the_work() {
    let baseline = TaskBaseline::take();
    let steps = Steps::default();
    let hint =
        taskscope::move_on_after(Duration::from_millis(20), push_status(steps.clone())).await;
    assert_eq!(hint, None);
    let after_return = steps.count();
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert_eq!(steps.count(), after_return);
    let quick = taskscope::move_on_after(Duration::from_secs(5), async { 3 }).await;
    assert_eq!(quick, Some(3));
    baseline.assert_restored().await;
}

/// Work that finishes in time, with the children it spawned, is returned;
/// the timeout waits for those children.
async fn work_that_finishes_in_time_is_returned() {
    let baseline = TaskBaseline::take();
    let child_done = Flag::default();
    let answer = taskscope::timeout(Duration::from_secs(5), {
        let child_done = child_done.clone();
        async move {
            taskscope::spawn(async move {
                tokio::time::sleep(Duration::from_millis(10)).await;
                child_done.set();
            })
            .expect("inside the timeout's scope");
            42
        }
    })
    .await;
    assert_eq!(answer, Ok(42));
    assert!(
        child_done.is_set(),
        "the timeout waited for what the work started"
    );
    baseline.assert_restored().await;
}

/// A child of the work that fails is a failure of the enclosing scope, as if
/// the enclosing scope had spawned it; the timeout itself returns the
/// work's value.
async fn failures_of_the_work_go_to_the_enclosing_scope() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let within = scope.spawn(async {
        taskscope::timeout(Duration::from_secs(5), async {
            taskscope::spawn(async { Err::<(), _>("the probe failed") }).expect("in scope");
            "the work's value"
        })
        .await
    });
    assert_eq!(within.await, Ok("the work's value"));
    let error: ScopeError = scope.join().await.expect_err("the probe's failure");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"the probe failed"));
    baseline.assert_restored().await;
}

#[taskscope::scoped]
async fn refresh_all(steps: Steps) -> Result<(), ScopeError> {
    for _ in 0..3 {
        tokio::spawn(steps.clone().step_for_ever());
    }
    Ok(())
}

/// A `#[scoped]` fn's scope is nested in the timeout's: its children are cut
/// off at the deadline too.
async fn a_scoped_fn_under_a_timeout_is_cut_off_with_its_children() {
    let baseline = TaskBaseline::take();
    let steps = Steps::default();
    let outcome = taskscope::timeout(Duration::from_millis(30), refresh_all(steps.clone())).await;
    assert!(outcome.is_err());
    let after_return = steps.count();
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert_eq!(steps.count(), after_return);
    baseline.assert_restored().await;
}
