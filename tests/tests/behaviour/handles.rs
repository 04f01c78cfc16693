//! `TaskHandle`: the child's output, dropping the handle, aborting one child.

use std::future::pending;
use std::pin::pin;

use taskscope::{TaskError, TaskScope};
use tokio::sync::oneshot;

use crate::common::{poll_once, silence_expected_panics, Flag, TaskBaseline};

on_both_runtimes!(
    task_handle_returns_the_output,
    dropping_a_task_handle_keeps_the_child_in_the_scope,
    aborting_a_child_stops_only_that_child,
    a_value_childs_err_is_its_handles_and_not_a_failure,
    a_handle_tells_a_panic_from_a_returned_err,
);

/// Case 13a: awaiting a `TaskHandle` gives the child's value (the `Ok` of a
/// `Result` output, or a plain value).
async fn task_handle_returns_the_output() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let plain = scope.spawn(async { String::from("plain value") });
    let fallible = scope.spawn(async { Ok::<_, std::io::Error>(vec![1, 2, 3]) });

    assert_eq!(plain.await, Ok(String::from("plain value")));
    assert_eq!(fallible.await, Ok(vec![1, 2, 3]));
    scope.join().await.expect("no child failed");
    baseline.assert_restored().await;
}

/// Case 13b: dropping a child's handle neither aborts nor detaches it:
/// `join` still waits for it, until a oneshot sent after the drop releases
/// it.
async fn dropping_a_task_handle_keeps_the_child_in_the_scope() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let (release_tx, release_rx) = oneshot::channel();
    let finished = Flag::default();
    let child = scope.spawn({
        let finished = finished.clone();
        async move {
            release_rx.await.expect("the test releases the child");
            finished.set();
        }
    });
    drop(child);

    let mut join = pin!(scope.join());
    assert!(
        poll_once(&mut join.as_mut()).await.is_pending(),
        "join does not return while the child waits"
    );
    release_tx
        .send(())
        .expect("the child is still alive after its handle was dropped");
    join.await.expect("no child failed");

    assert!(finished.is_set(), "join returned after the child finished");
    baseline.assert_restored().await;
}

/// Case 13c: `TaskHandle::abort` stops that child only: its sibling goes on
/// and finishes, the scope is not cancelled, and `join` returns `Ok` (an
/// abort is not a failure).
async fn aborting_a_child_stops_only_that_child() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let (started_tx, started_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    let doomed_dropped = Flag::default();
    let doomed_guard = doomed_dropped.set_on_drop();
    let doomed = scope.spawn(async move {
        let _guard = doomed_guard;
        started_tx.send(()).expect("the test waits for this");
        pending::<()>().await;
    });
    let sibling = scope.spawn(async move {
        release_rx.await.expect("the test releases the sibling");
        "sibling finished"
    });
    started_rx.await.expect("the doomed child started");

    doomed.abort();

    assert_eq!(doomed.await, Err(TaskError::Aborted));
    assert!(doomed_dropped.is_set());
    assert!(!scope.is_cancelled(), "an abort does not cancel the scope");
    release_tx
        .send(())
        .expect("the sibling is still running after the abort");
    assert_eq!(sibling.await, Ok("sibling finished"));
    scope.join().await.expect("an abort is not a failure");
    baseline.assert_restored().await;
}

/// A health probe whose `Err` is the answer: spawned with `spawn_value`
/// (from the owner, a handle, or the current scope), its `Err` is its
/// handle's value, matched as a `tokio::spawn`'s would be; the scope is
/// neither cancelled nor failed by it. A plain `spawn` of the same probe
/// fails the scope, as before.
async fn a_value_childs_err_is_its_handles_and_not_a_failure() {
    #[derive(Debug, PartialEq)]
    struct Unreachable;

    impl std::fmt::Display for Unreachable {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the database is unreachable")
        }
    }

    async fn probe() -> Result<u32, Unreachable> {
        tokio::task::yield_now().await;
        Err(Unreachable)
    }

    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let from_owner = scope.spawn_value(probe());
    let from_handle = scope.handle().spawn_value(probe()).expect("open");
    let from_child = scope.spawn(async {
        let probe = taskscope::spawn_value(probe()).expect("inside the scope");
        probe.await
    });
    let sibling = scope.spawn(async {
        tokio::task::yield_now().await;
        taskscope::is_cancelled()
    });
    for handle in [from_owner, from_handle] {
        match handle.await {
            Ok(Ok(latency)) => panic!("the probe cannot succeed: {latency}"),
            Ok(Err(reason)) => assert_eq!(reason, Unreachable),
            Err(error) => panic!("the probe ran to its end: {error}"),
        }
    }
    // The child's own output is the probe handle's `Result<_, TaskError>`:
    // its `Ok` (the probe's answer) is the value.
    assert_eq!(from_child.await, Ok(Err(Unreachable)));
    assert_eq!(sibling.await, Ok(false), "nothing cancelled the scope");
    scope
        .join()
        .await
        .expect("a value child's Err is not a failure");

    let scope = TaskScope::new();
    let failing = scope.spawn(probe());
    assert_eq!(failing.await, Err(TaskError::Failed));
    let error = scope
        .join()
        .await
        .expect_err("a plain spawn's Err is a failure");
    assert_eq!(error.downcast_ref::<Unreachable>(), Some(&Unreachable));
    baseline.assert_restored().await;
}

/// `TaskError` tells a panic from a returned `Err` (tokio's `is_panic`):
/// the panic's message is on the handle, the payload stays the scope's.
async fn a_handle_tells_a_panic_from_a_returned_err() {
    silence_expected_panics();
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().supervise().build();
    let returned = scope.spawn(async { Err::<(), _>("bad input") });
    let panicked = scope.spawn(async {
        tokio::task::yield_now().await;
        panic!("index out of range")
    });
    let value_panicked = scope.spawn_value(async {
        panic!("{} too", "formatted");
    });
    let returned = returned.await.expect_err("it returned an Err");
    assert!(!returned.is_panic() && !returned.is_aborted());
    assert!(returned.try_into_panic().is_err());
    let panicked = panicked.await.expect_err("it panicked");
    assert!(panicked.is_panic());
    assert_eq!(panicked.panic_message(), Some("index out of range"));
    let payload = panicked.into_panic();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("index out of range")
    );
    let value_panicked = value_panicked.await.expect_err("a value child's panic");
    assert_eq!(value_panicked.panic_message(), Some("formatted too"));
    let joined = tokio::spawn(scope.join()).await;
    let resumed = joined
        .expect_err("join resumes the first panic")
        .into_panic();
    let message = resumed
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| resumed.downcast_ref::<String>().map(String::as_str));
    assert!(
        matches!(message, Some("index out of range" | "formatted too")),
        "the payload itself reached join: {message:?}"
    );
    baseline.assert_restored().await;
}
