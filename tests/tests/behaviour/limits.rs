//! Concurrency limits: never more children running than the limit, and every
//! slot comes back, whatever way a child ends.

use std::future::pending;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use taskscope::{TaskError, TaskScope};
use tokio::sync::{mpsc, Barrier};

use crate::common::{
    panic_on_purpose, silence_expected_panics, within, ExpectedPanic, TaskBaseline,
};

on_both_runtimes!(
    limit_caps_the_children_running_at_once,
    slots_come_back_after_panics_and_aborts,
    limit_caps_blocking_children_too,
    a_scoped_fns_scope_applies_backpressure_through_its_handle,
    a_handle_sheds_load_and_counts_running_and_waiting_children,
    a_child_spawned_with_a_free_slot_holds_it_from_the_spawn,
);

/// How long a step that should be immediate may take before the case fails
/// instead of hanging.
const STEP_LIMIT: Duration = Duration::from_secs(5);

/// Counts the children running at once, and the most there ever were.
#[derive(Default)]
struct ConcurrencyProbe {
    running: AtomicUsize,
    most: AtomicUsize,
    finished: AtomicUsize,
}

impl ConcurrencyProbe {
    fn enter(&self) {
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(running, Ordering::SeqCst);
    }

    fn exit(&self) {
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

/// Case 8a: with `limit(10)`, 1 000 children all run, never more than 10 at
/// a time, and 10 at a time do run.
async fn limit_caps_the_children_running_at_once() {
    const LIMIT: usize = 10;
    const CHILDREN: usize = 1_000;
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder()
        .limit(NonZeroUsize::new(LIMIT).expect("10 is not zero"))
        .build();
    let probe = Arc::new(ConcurrencyProbe::default());

    for _ in 0..CHILDREN {
        let probe = Arc::clone(&probe);
        // The scope owns the children; their handles are not needed.
        drop(scope.spawn(async move {
            probe.enter();
            for _ in 0..3 {
                tokio::task::yield_now().await;
            }
            probe.exit();
        }));
    }
    within(STEP_LIMIT, "joining the limited children", scope.join())
        .await
        .expect("no child failed");

    assert_eq!(probe.finished.load(Ordering::SeqCst), CHILDREN);
    assert_eq!(
        probe.most.load(Ordering::SeqCst),
        LIMIT,
        "the limit was reached and never exceeded"
    );
    baseline.assert_restored().await;
}

/// Case 8b: in a `limit(2)` scope, children that panic and children that
/// are aborted give their slots back, whether they waited for their slot
/// (`spawn`) or were spawned into a reserved one (`reserve`): afterwards both
/// slots can be reserved at once, and two children run side by side. The
/// scope supervises, so the panics do not cancel it; its `join` resumes the
/// first panic.
async fn slots_come_back_after_panics_and_aborts() {
    const LIMIT: usize = 2;
    silence_expected_panics();
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder()
        .limit(NonZeroUsize::new(LIMIT).expect("2 is not zero"))
        .supervise()
        .build();
    let reserve = || async {
        within(STEP_LIMIT, "reserving a slot", scope.reserve())
            .await
            .expect("the scope is not cancelled")
    };

    // One child that waited for its slot and one spawned into a reserved
    // slot panic while they hold both slots.
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();
    let panicking = |code| {
        let started_tx = started_tx.clone();
        async move {
            started_tx.send(()).expect("the test listens");
            tokio::task::yield_now().await;
            panic_on_purpose(code, Arc::new(()));
        }
    };
    let panicked = [
        scope.spawn(panicking(1)),
        reserve().await.spawn(panicking(2)),
    ];
    for child in panicked {
        assert_eq!(child.await.map_err(|error| error.is_panic()), Err(true));
    }

    // The same two ways, for two children aborted while they hold both
    // slots (both could start, so the panics gave their slots back).
    let parked = || {
        let started_tx = started_tx.clone();
        async move {
            started_tx.send(()).expect("the test listens");
            pending::<()>().await;
        }
    };
    let aborted = [scope.spawn(parked()), reserve().await.spawn(parked())];
    within(STEP_LIMIT, "the parked children starting", async {
        for _ in 0..2 * LIMIT {
            started_rx.recv().await.expect("a child started");
        }
    })
    .await;
    for child in &aborted {
        child.abort();
    }
    for child in aborted {
        assert_eq!(child.await, Err(TaskError::Aborted));
    }

    let (first, second) = within(STEP_LIMIT, "reserving both slots", async {
        let first = scope.reserve().await.expect("the scope is not cancelled");
        let second = scope.reserve().await.expect("the scope is not cancelled");
        (first, second)
    })
    .await;
    let barrier = Arc::new(Barrier::new(LIMIT));
    let side_by_side: Vec<_> = [first, second]
        .into_iter()
        .map(|slot| {
            let barrier = Arc::clone(&barrier);
            slot.spawn(async move {
                barrier.wait().await;
            })
        })
        .collect();
    for child in side_by_side {
        assert_eq!(
            within(STEP_LIMIT, "two children meeting at a barrier", child).await,
            Ok(())
        );
    }

    let joined = tokio::spawn(scope.join()).await;
    let payload = joined
        .expect_err("join resumes the first panic")
        .into_panic();
    assert!(
        payload.downcast_ref::<ExpectedPanic>().is_some(),
        "the resumed panic is a child's"
    );
    baseline.assert_restored().await;
}

/// The limit counts blocking children as well: each holds its slot for as
/// long as its work runs on the blocking pool.
async fn limit_caps_blocking_children_too() {
    const LIMIT: usize = 2;
    const CHILDREN: usize = 8;
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder()
        .limit(NonZeroUsize::new(LIMIT).expect("2 is not zero"))
        .build();
    let probe = Arc::new(ConcurrencyProbe::default());
    for _ in 0..CHILDREN {
        let probe = Arc::clone(&probe);
        drop(scope.spawn_blocking(move || {
            probe.enter();
            std::thread::sleep(Duration::from_millis(10));
            probe.exit();
        }));
    }
    within(STEP_LIMIT, "the blocking children finish", scope.join())
        .await
        .expect("nothing failed");
    assert_eq!(probe.finished.load(Ordering::SeqCst), CHILDREN);
    assert_eq!(
        probe.most.load(Ordering::SeqCst),
        LIMIT,
        "never more than the limit, and the limit is reached"
    );
    baseline.assert_restored().await;
}

/// A producer under `#[scoped(name = scope, limit = 2)]` waits for a slot
/// before each spawn, through the handle the macro binds: never more than
/// two jobs run at once, and every job ran.
#[taskscope::scoped(name = scope, limit = 2)]
async fn produce(jobs: usize, probe: Arc<ConcurrencyProbe>) -> Result<(), taskscope::ScopeError> {
    for _ in 0..jobs {
        let slot = scope
            .reserve()
            .await
            .expect("the scope is open and not cancelled");
        let probe = Arc::clone(&probe);
        slot.spawn(async move {
            probe.enter();
            tokio::task::yield_now().await;
            probe.exit();
        });
    }
    Ok(())
}

async fn a_scoped_fns_scope_applies_backpressure_through_its_handle() {
    let baseline = TaskBaseline::take();
    let probe = Arc::new(ConcurrencyProbe::default());
    within(STEP_LIMIT, "producing", produce(100, Arc::clone(&probe)))
        .await
        .expect("no job failed");
    assert_eq!(probe.finished.load(Ordering::SeqCst), 100);
    assert!(probe.most.load(Ordering::SeqCst) <= 2);
    baseline.assert_restored().await;
}

/// `try_reserve` gives the free slots and then `None` (the caller sheds the
/// request); the counts say how many children run and how many queue.
async fn a_handle_sheds_load_and_counts_running_and_waiting_children() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder()
        .limit(NonZeroUsize::new(2).expect("2 is not zero"))
        .build();
    let handle = scope.handle();
    let (release, released) = tokio::sync::watch::channel(false);
    let hold = move || {
        let mut released = released.clone();
        async move {
            let _ = released.wait_for(|done| *done).await;
        }
    };
    let mut accepted = 0;
    let mut shed = 0;
    for _ in 0..5 {
        match handle.try_reserve().expect("the scope is open") {
            Some(slot) => {
                slot.spawn(hold());
                accepted += 1;
            }
            None => shed += 1,
        }
    }
    assert_eq!((accepted, shed), (2, 3));
    for _ in 0..3 {
        scope.spawn(hold()); // these queue for a slot
    }
    within(
        STEP_LIMIT,
        "the queued children reaching the limit",
        async {
            while handle.children().waiting() < 3 {
                tokio::task::yield_now().await;
            }
        },
    )
    .await;
    let counts = handle.children();
    assert_eq!(
        (counts.running(), counts.waiting(), counts.foreground()),
        (2, 3, 5)
    );
    release.send(true).expect("the children listen");
    within(STEP_LIMIT, "joining", scope.join())
        .await
        .expect("nothing failed");
    assert_eq!(handle.try_reserve().err(), Some(taskscope::Closed));
    baseline.assert_restored().await;
}

/// A child spawned while a slot is free takes it at the spawn, before its
/// first poll: a reservation asked for right after finds no slot, and the
/// children start in the order they were spawned.
async fn a_child_spawned_with_a_free_slot_holds_it_from_the_spawn() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().limit(NonZeroUsize::MIN).build();
    let (order_tx, mut order_rx) = mpsc::unbounded_channel();
    let first = scope.spawn({
        let order_tx = order_tx.clone();
        async move { order_tx.send("first").expect("the test reads the order") }
    });
    assert!(
        scope
            .handle()
            .try_reserve()
            .expect("the scope is open")
            .is_none(),
        "the first child holds the only slot from its spawn"
    );
    let second =
        scope.spawn(async move { order_tx.send("second").expect("the test reads the order") });
    assert_eq!(first.await, Ok(()));
    assert_eq!(second.await, Ok(()));
    assert_eq!(order_rx.recv().await, Some("first"));
    assert_eq!(order_rx.recv().await, Some("second"));
    scope.join().await.expect("no child failed");
    baseline.assert_restored().await;
}
