//! The end of a scope's life: dropped without `join`, dropped mid-join, and
//! background children that end with it.

use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use taskscope::scope::DEFAULT_GRACE_PERIOD;
use taskscope::{ScopeError, TaskScope};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::common::{within, Flag, TaskBaseline};

on_both_runtimes!(
    dropping_an_unjoined_scope_stops_every_child,
    dropping_a_join_or_run_future_mid_way_stops_every_child,
    background_children_end_when_the_foreground_is_done,
    a_scope_dropped_inside_a_child_is_waited_for_by_the_scope_above,
);

/// Spawns, through `taskscope::spawn`, a child that ignores cancellation
/// (parked on `pending()`) and one blocked in a long sleep; each reports on
/// `started` once it runs and sets its flag when its future is dropped.
fn spawn_stubborn_children(started: &mpsc::UnboundedSender<()>, dropped: [&Flag; 2]) {
    let [ignorer_dropped, sleeper_dropped] = dropped;
    let (ignorer_guard, ignorer_started) = (ignorer_dropped.set_on_drop(), started.clone());
    let ignorer = taskscope::spawn(async move {
        let _guard = ignorer_guard;
        ignorer_started.send(()).expect("the test listens");
        pending::<()>().await;
    })
    .expect("called inside a scope");
    let (sleeper_guard, sleeper_started) = (sleeper_dropped.set_on_drop(), started.clone());
    let sleeper = taskscope::spawn(async move {
        let _guard = sleeper_guard;
        sleeper_started.send(()).expect("the test listens");
        tokio::time::sleep(Duration::from_secs(3600)).await;
    })
    .expect("called inside a scope");
    // The scope owns both; the cases check on them through the flags.
    drop((ignorer, sleeper));
}

/// Case 11: a scope dropped without `join` takes its children with it (one
/// ignoring cancellation, one in a long sleep) at once, well within the
/// grace period.
async fn dropping_an_unjoined_scope_stops_every_child() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let handle = scope.handle();
    let ignorer_dropped = Flag::default();
    let sleeper_dropped = Flag::default();
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();
    let spawner = scope.spawn({
        let (ignorer_dropped, sleeper_dropped) = (ignorer_dropped.clone(), sleeper_dropped.clone());
        async move { spawn_stubborn_children(&started_tx, [&ignorer_dropped, &sleeper_dropped]) }
    });
    assert_eq!(spawner.await, Ok(()));
    for _ in 0..2 {
        started_rx.recv().await.expect("a child started");
    }
    let dropped_at = Instant::now();

    drop(scope);

    baseline.assert_restored().await;
    assert!(
        dropped_at.elapsed() < DEFAULT_GRACE_PERIOD,
        "the children were gone within the grace period"
    );
    assert!(ignorer_dropped.is_set() && sleeper_dropped.is_set());
    assert!(handle.is_cancelled(), "a dropped scope is cancelled");
}

/// Case 12: the future running a scope, `join` or `run`, is dropped by
/// `tokio::time::timeout` while the children still run: no child survives.
async fn dropping_a_join_or_run_future_mid_way_stops_every_child() {
    let baseline = TaskBaseline::take();
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();

    // `join` dropped mid-way.
    let joined_dropped = [Flag::default(), Flag::default()];
    let scope = TaskScope::new();
    let spawner = scope.spawn({
        let [ignorer, sleeper] = joined_dropped.clone();
        let started_tx = started_tx.clone();
        async move { spawn_stubborn_children(&started_tx, [&ignorer, &sleeper]) }
    });
    assert_eq!(spawner.await, Ok(()));
    for _ in 0..2 {
        started_rx.recv().await.expect("a child started");
    }
    let timed_out = tokio::time::timeout(Duration::from_millis(20), scope.join()).await;
    assert!(
        timed_out.is_err(),
        "join cannot finish: its children never end"
    );
    baseline.assert_restored().await;
    assert!(
        joined_dropped.iter().all(Flag::is_set),
        "join's children were stopped"
    );

    // `run` dropped mid-way, while its body waits.
    let ran_dropped = [Flag::default(), Flag::default()];
    let body_saw_children = Flag::default();
    let timed_out = tokio::time::timeout(
        Duration::from_millis(200),
        TaskScope::new().run(async {
            spawn_stubborn_children(&started_tx, [&ran_dropped[0], &ran_dropped[1]]);
            for _ in 0..2 {
                started_rx.recv().await.expect("a child started");
            }
            body_saw_children.set();
            pending::<Result<(), ScopeError>>().await
        }),
    )
    .await;
    assert!(timed_out.is_err(), "run cannot finish: its body never ends");
    assert!(
        body_saw_children.is_set(),
        "the children were running when run was dropped"
    );
    baseline.assert_restored().await;
    assert!(
        ran_dropped.iter().all(Flag::is_set),
        "run's children were stopped"
    );
}

/// Background: a background loop (cancellation against an interval tick)
/// runs beside a foreground child without being cancelled; once the
/// foreground child is done, `join` cancels the loop, which cleans up and
/// ends on its own, and `join` returns: the loop did not keep the scope open.
async fn background_children_end_when_the_foreground_is_done() {
    const TICKS_NEEDED: usize = 3;
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let (tick_tx, mut tick_rx) = mpsc::unbounded_channel();
    let (cleanup_tx, mut cleanup_rx) = mpsc::unbounded_channel();
    let ticks = Arc::new(AtomicUsize::new(0));
    let background = scope.spawn_background({
        let ticks = Arc::clone(&ticks);
        async move {
            let mut interval = tokio::time::interval(Duration::from_millis(5));
            loop {
                tokio::select! {
                    () = taskscope::cancelled() => break,
                    _ = interval.tick() => {
                        ticks.fetch_add(1, Ordering::SeqCst);
                        // The foreground child stops listening once it has enough.
                        tick_tx.send(()).ok();
                    }
                }
            }
            tokio::task::yield_now().await;
            cleanup_tx
                .send("metrics flushed")
                .expect("the test listens");
            "background done"
        }
    });
    let foreground = scope.spawn(async move {
        for _ in 0..TICKS_NEEDED {
            tick_rx.recv().await.expect("the background loop ticks");
        }
        (taskscope::is_cancelled(), "foreground done")
    });
    let started = Instant::now();

    within(
        Duration::from_secs(2),
        "join with a background loop",
        scope.join(),
    )
    .await
    .expect("no child failed");

    assert!(
        started.elapsed() < DEFAULT_GRACE_PERIOD,
        "the background loop ended on the cancellation, not by the grace-period abort"
    );
    assert_eq!(
        foreground.await,
        Ok((false, "foreground done")),
        "the scope was not cancelled while the foreground child ran"
    );
    assert_eq!(background.await, Ok("background done"));
    assert_eq!(cleanup_rx.try_recv(), Ok("metrics flushed"));
    assert!(ticks.load(Ordering::SeqCst) >= TICKS_NEEDED);
    baseline.assert_restored().await;
}

/// A nested scope dropped unjoined (its owner, a child of `outer`, lets it
/// go) aborts its children, which tokio stops a moment later: `outer.join()`
/// returns only after every one of them is gone, as it would have waited for
/// them had the nested scope been joined.
async fn a_scope_dropped_inside_a_child_is_waited_for_by_the_scope_above() {
    const GRANDCHILDREN: usize = 100;
    let baseline = TaskBaseline::take();
    let outer = TaskScope::new();
    let gone = Arc::new(AtomicUsize::new(0));
    outer.spawn({
        let gone = Arc::clone(&gone);
        async move {
            let inner = TaskScope::new();
            for _ in 0..GRANDCHILDREN {
                let on_drop = CountOnDrop(Arc::clone(&gone));
                inner.spawn(async move {
                    let _counted = on_drop;
                    pending::<()>().await;
                });
            }
            tokio::task::yield_now().await; // let them start
            drop(inner);
        }
    });
    within(Duration::from_secs(5), "the outer join", outer.join())
        .await
        .expect("nothing failed");
    assert_eq!(
        gone.load(Ordering::SeqCst),
        GRANDCHILDREN,
        "every grandchild was gone when the outer join returned"
    );
    baseline.assert_restored().await;
}

/// Counts one up when dropped.
struct CountOnDrop(Arc<AtomicUsize>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
