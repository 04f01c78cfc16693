//! `TaskHandle`: the child's output, dropping the handle, aborting one child.

use std::future::pending;
use std::pin::pin;

use taskscope::{TaskError, TaskScope};
use tokio::sync::oneshot;

use crate::common::{poll_once, Flag, TaskBaseline};

on_both_runtimes!(
    task_handle_returns_the_output,
    dropping_a_task_handle_keeps_the_child_in_the_scope,
    aborting_a_child_stops_only_that_child,
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
