//! Cancellation: how it reaches nested scopes, and how children get to clean
//! up before the grace period runs out.

use std::future::pending;
use std::time::Duration;

use taskscope::scope::DEFAULT_GRACE_PERIOD;
use taskscope::{ScopeHandle, TaskError, TaskScope};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::common::{within, Flag, TaskBaseline};

on_both_runtimes!(
    cancelling_a_scope_reaches_grandchildren_in_nested_scopes,
    cancelled_children_clean_up_and_ignoring_ones_are_aborted_after_grace,
    children_spawned_after_the_grace_period_are_aborted_too,
);

/// Case 4: cancelling an outer scope cancels the grandchildren in scopes
/// nested in its children (two levels deep), and every inner scope has
/// finished its own `join` before the outer `join` returns.
async fn cancelling_a_scope_reaches_grandchildren_in_nested_scopes() {
    let baseline = TaskBaseline::take();
    let outer = TaskScope::new();
    let grandchild_cancelled = Flag::default();
    let great_grandchild_cancelled = Flag::default();
    let inner_joined = Flag::default();
    let innermost_joined = Flag::default();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<&str>();

    let child = outer.spawn({
        let grandchild_cancelled = grandchild_cancelled.clone();
        let great_grandchild_cancelled = great_grandchild_cancelled.clone();
        let inner_joined = inner_joined.clone();
        let innermost_joined = innermost_joined.clone();
        async move {
            // Made inside a child of `outer`: nested in it.
            let inner = TaskScope::new();
            let grandchild_ready = ready_tx.clone();
            let grandchild = inner.spawn(async move {
                grandchild_ready
                    .send("grandchild")
                    .expect("the test listens");
                taskscope::cancelled().await;
                grandchild_cancelled.set();
            });
            let nesting_child = inner.spawn(async move {
                let innermost = TaskScope::new();
                let great_grandchild = innermost.spawn(async move {
                    ready_tx.send("great-grandchild").expect("the test listens");
                    taskscope::cancelled().await;
                    great_grandchild_cancelled.set();
                });
                drop(great_grandchild);
                let joined = innermost.join().await;
                innermost_joined.set();
                joined
            });
            drop((grandchild, nesting_child));
            let joined = inner.join().await;
            inner_joined.set();
            joined
        }
    });
    let mut ready = vec![
        ready_rx.recv().await.expect("a descendant started"),
        ready_rx.recv().await.expect("a descendant started"),
    ];
    ready.sort_unstable();
    assert_eq!(ready, ["grandchild", "great-grandchild"]);
    assert!(!grandchild_cancelled.is_set() && !great_grandchild_cancelled.is_set());
    let cancelled_at = Instant::now();

    outer.cancel();
    outer
        .join()
        .await
        .expect("a cancellation by the owner is not a failure");

    assert!(
        grandchild_cancelled.is_set(),
        "the grandchild was cancelled"
    );
    assert!(
        great_grandchild_cancelled.is_set(),
        "the great-grandchild was cancelled"
    );
    assert!(innermost_joined.is_set() && inner_joined.is_set());
    assert_eq!(
        child.await,
        Ok(()),
        "the inner scopes joined without failure"
    );
    assert!(
        cancelled_at.elapsed() < DEFAULT_GRACE_PERIOD,
        "everything ended on the cancellation, not by the grace-period abort"
    );
    baseline.assert_restored().await;
}

/// Case 14: a cancelled child runs an asynchronous cleanup (a sleep and a
/// send) before `join` returns; a child that ignores the cancellation is
/// aborted once the grace period is over, and not much later.
async fn cancelled_children_clean_up_and_ignoring_ones_are_aborted_after_grace() {
    const GRACE: Duration = Duration::from_millis(50);
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().grace_period(GRACE).build();
    let (cleanup_tx, mut cleanup_rx) = mpsc::unbounded_channel();
    let (started_tx, started_rx) = oneshot::channel();
    let ignorer_dropped = Flag::default();

    let cooperative = scope.spawn(async move {
        taskscope::cancelled().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        cleanup_tx.send("flushed").expect("the test listens");
        "cleaned up"
    });
    let ignorer_guard = ignorer_dropped.set_on_drop();
    let ignorer = scope.spawn(async move {
        let _guard = ignorer_guard;
        started_tx.send(()).expect("the test waits for this");
        pending::<()>().await;
    });
    started_rx.await.expect("the ignoring child started");
    let cancelled_at = Instant::now();

    scope.cancel();
    scope
        .join()
        .await
        .expect("a cancellation by the owner is not a failure");
    let took = cancelled_at.elapsed();

    assert_eq!(cleanup_rx.try_recv(), Ok("flushed"));
    assert_eq!(cooperative.await, Ok("cleaned up"));
    assert!(ignorer_dropped.is_set(), "the ignoring child was dropped");
    assert_eq!(ignorer.await, Err(TaskError::Aborted));
    assert!(
        took >= GRACE,
        "join aborted before the grace period: {took:?}"
    );
    assert!(
        took < GRACE + Duration::from_millis(500),
        "join took {took:?} for a {GRACE:?} grace period"
    );
    baseline.assert_restored().await;
}

/// Async cleanup for an aborted child: when dropped, it spawns a slow flush
/// into the scope, one that does not watch the cancellation.
struct FlushOnDrop {
    scope: ScopeHandle,
    flush_spawned: Flag,
    flush_dropped: Flag,
}

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        let guard = self.flush_dropped.set_on_drop();
        let flush = self.scope.spawn(async move {
            let _guard = guard;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        });
        if let Ok(flush) = flush {
            self.flush_spawned.set();
            // The scope owns the flush; its handle is not needed.
            drop(flush);
        }
    }
}

/// Case 14b: the grace period bounds `join` also for a child spawned after
/// the grace period ran out (here by the drop of a child the grace-period
/// abort stopped): such a child is aborted too (or refused), and `join`
/// returns.
async fn children_spawned_after_the_grace_period_are_aborted_too() {
    const GRACE: Duration = Duration::from_millis(50);
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().grace_period(GRACE).build();
    let (started_tx, started_rx) = oneshot::channel();
    let flush_spawned = Flag::default();
    let flush_dropped = Flag::default();
    let flush_on_drop = FlushOnDrop {
        scope: scope.handle(),
        flush_spawned: flush_spawned.clone(),
        flush_dropped: flush_dropped.clone(),
    };
    let ignorer = scope.spawn(async move {
        let _flush_on_drop = flush_on_drop;
        started_tx.send(()).expect("the test waits for this");
        pending::<()>().await;
    });
    started_rx.await.expect("the ignoring child started");

    scope.cancel();
    within(
        Duration::from_secs(1),
        "join after the grace period",
        scope.join(),
    )
    .await
    .expect("a cancellation by the owner is not a failure");

    assert_eq!(ignorer.await, Err(TaskError::Aborted));
    assert!(
        !flush_spawned.is_set() || flush_dropped.is_set(),
        "a flush the scope admitted was stopped before join returned"
    );
    baseline.assert_restored().await;
}
