//! Spawning: into closed and cancelled scopes, outside any scope, and from
//! children while the scope is joining.

use std::future::Future;
use std::num::NonZeroUsize;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use taskscope::{Closed, ScopeHandle, SpawnError, TaskError, TaskScope};
use tokio::sync::oneshot;

use crate::common::{alive_tasks, poll_once, Flag, TaskBaseline};

on_both_runtimes!(
    spawning_into_a_closed_scope_or_outside_any_scope_creates_no_task,
    children_spawned_into_a_cancelled_scope_start_and_see_the_cancellation,
    child_waiting_for_a_slot_when_the_scope_is_cancelled_never_starts,
    child_spawned_into_a_cancelled_limited_scope_with_a_free_slot_starts,
    join_waits_for_children_spawned_while_it_joins,
);

/// Case 5a: spawning through a `ScopeHandle` after the scope was joined (or
/// dropped) is `Closed`, and `taskscope::spawn` outside any scope is
/// `SpawnError::NoScope`; no task is created and the future never runs.
async fn spawning_into_a_closed_scope_or_outside_any_scope_creates_no_task() {
    let baseline = TaskBaseline::take();
    let joined = TaskScope::new();
    let joined_handle = joined.handle();
    joined.join().await.expect("an empty scope joins");
    let dropped = TaskScope::new();
    let dropped_handle = dropped.handle();
    drop(dropped);
    let ran = Flag::default();
    let mark_ran = || {
        let ran = ran.clone();
        async move { ran.set() }
    };
    let alive_before = alive_tasks();

    assert_eq!(joined_handle.spawn(mark_ran()).err(), Some(Closed));
    assert_eq!(
        joined_handle.spawn_background(mark_ran()).err(),
        Some(Closed)
    );
    assert_eq!(
        joined_handle
            .task_builder()
            .name("late")
            .spawn(mark_ran())
            .err(),
        Some(Closed)
    );
    assert_eq!(dropped_handle.spawn(mark_ran()).err(), Some(Closed));
    assert_eq!(
        taskscope::spawn(mark_ran()).err(),
        Some(SpawnError::NoScope)
    );

    assert_eq!(alive_tasks(), alive_before, "no task was created");
    tokio::task::yield_now().await;
    assert!(!ran.is_set(), "no refused future ran");
    baseline.assert_restored().await;
}

/// A child's view of its scope's cancellation when it starts: whether
/// `is_cancelled()` is true, and whether `cancelled()` is ready at its first
/// poll.
async fn observe_cancellation() -> (bool, bool) {
    let cancelled_at_once = poll_once(&mut pin!(taskscope::cancelled()))
        .await
        .is_ready();
    (taskscope::is_cancelled(), cancelled_at_once)
}

/// Case 5b: a child spawned into a cancelled scope that is not joined yet
/// still starts (by the owner, through a handle, or by a sibling), and sees
/// the cancellation at once: `is_cancelled()` is true and `cancelled()` is
/// ready at its first poll.
async fn children_spawned_into_a_cancelled_scope_start_and_see_the_cancellation() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    scope.cancel();

    let by_owner = scope.spawn(observe_cancellation());
    let by_handle = scope
        .handle()
        .spawn(observe_cancellation())
        .expect("the scope is not joined yet");
    let by_sibling = scope.spawn(async {
        taskscope::spawn(observe_cancellation())
            .expect("a child runs inside its scope")
            .await
    });

    assert_eq!(by_owner.await, Ok((true, true)));
    assert_eq!(by_handle.await, Ok((true, true)));
    assert_eq!(by_sibling.await, Ok((true, true)));
    scope
        .join()
        .await
        .expect("a cancellation by the owner is not a failure");
    baseline.assert_restored().await;
}

/// Case 5c: in a scope with a limit, a child still waiting for a slot when
/// the scope is cancelled never starts; its handle says `NotStarted`.
async fn child_waiting_for_a_slot_when_the_scope_is_cancelled_never_starts() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().limit(NonZeroUsize::MIN).build();
    let (holding_tx, holding_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    let holder = scope.spawn(async move {
        holding_tx.send(()).expect("the test waits for this");
        release_rx.await.is_ok()
    });
    holding_rx.await.expect("the holder got the only slot");
    let waiter_ran = Flag::default();
    let waiter = scope.spawn({
        let waiter_ran = waiter_ran.clone();
        async move { waiter_ran.set() }
    });
    // Let the waiter queue for the slot (it must not start either way).
    tokio::task::yield_now().await;

    scope.cancel();

    assert_eq!(waiter.await, Err(TaskError::NotStarted));
    assert!(!waiter_ran.is_set(), "the waiting child never ran");
    release_tx.send(()).expect("the holder is still running");
    assert_eq!(holder.await, Ok(true));
    scope
        .join()
        .await
        .expect("a child that never started is not a failure");
    assert!(!waiter_ran.is_set(), "the waiting child never ran");
    baseline.assert_restored().await;
}

/// Case 5d: the exception for scopes with a limit covers only a child still
/// waiting for a slot when the scope is cancelled. A child spawned into a
/// cancelled limited scope whose slots are all free does not wait: it starts,
/// as in any other scope, and sees the cancellation at once.
async fn child_spawned_into_a_cancelled_limited_scope_with_a_free_slot_starts() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder()
        .limit(NonZeroUsize::new(4).expect("4 is not zero"))
        .build();
    scope.cancel();

    let by_owner = scope.spawn(observe_cancellation());
    let by_handle = scope
        .handle()
        .spawn(observe_cancellation())
        .expect("the scope is not joined yet");

    assert_eq!(by_owner.await, Ok((true, true)));
    assert_eq!(by_handle.await, Ok((true, true)));
    scope
        .join()
        .await
        .expect("a cancellation by the owner is not a failure");
    baseline.assert_restored().await;
}

/// One link of a chain of children: after a yield it counts itself, then
/// spawns the next link into its own scope, through a `ScopeHandle` or
/// through `taskscope::spawn`, alternately.
fn chain_link(
    remaining: usize,
    through_handle: bool,
    ran: Arc<AtomicUsize>,
    scope: ScopeHandle,
) -> Pin<Box<dyn Future<Output = Result<(), SpawnError>> + Send>> {
    Box::pin(async move {
        tokio::task::yield_now().await;
        ran.fetch_add(1, Ordering::SeqCst);
        if remaining > 1 {
            let next = chain_link(remaining - 1, !through_handle, ran, scope.clone());
            // The scope owns the next link; its handle is not needed.
            if through_handle {
                drop(scope.spawn(next)?);
            } else {
                drop(taskscope::spawn(next)?);
            }
        }
        Ok(())
    })
}

/// Case 6: children spawn siblings (through `taskscope::spawn` and through a
/// `ScopeHandle`) while the scope is joining; `join` returns only after the
/// last of them ran.
async fn join_waits_for_children_spawned_while_it_joins() {
    const CHAIN: usize = 50;
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let ran = Arc::new(AtomicUsize::new(0));
    let (go_tx, go_rx) = oneshot::channel();
    let first = scope.spawn({
        let ran = Arc::clone(&ran);
        let handle = scope.handle();
        async move {
            go_rx.await.expect("the test starts the chain");
            chain_link(CHAIN, true, ran, handle).await
        }
    });
    drop(first);
    assert_eq!(ran.load(Ordering::SeqCst), 0);

    let join = async {
        // Starts the chain as the join begins: every link but the first is
        // spawned while `join` is waiting.
        go_tx.send(()).expect("the first child waits for this");
        scope.join().await
    };
    join.await.expect("every spawn in the chain succeeded");

    assert_eq!(
        ran.load(Ordering::SeqCst),
        CHAIN,
        "join returned only after the last link ran"
    );
    baseline.assert_restored().await;
}
