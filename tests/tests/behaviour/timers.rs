//! `TaskScope::every` and `TaskScope::after`: timers that are children of
//! a scope, stopped by their guard or by the scope's end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use taskscope::time::{MissedTickBehavior, ZeroPeriod};
use taskscope::TaskScope;

use crate::common::{Flag, TaskBaseline};

on_both_runtimes!(
    a_ticker_stops_when_its_scope_is_cancelled,
    a_ticker_stops_when_its_guard_drops,
    a_ticker_stops_when_its_scope_finishes_its_work,
    a_tick_in_progress_is_cancelled_like_any_child,
    a_failing_tick_is_a_failure_of_the_scope_and_stops_the_ticker,
    a_zero_period_is_a_typed_failure,
    missed_ticks_follow_the_policy,
    a_one_shot_runs_once_after_its_delay,
    a_one_shot_whose_guard_dropped_never_runs,
    a_ticker_of_a_dropped_owner_stops,
);

#[derive(Clone, Default)]
struct Ticks(Arc<AtomicUsize>);

impl Ticks {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn tick(&self) -> impl FnMut() -> std::future::Ready<()> + Send + 'static {
        let ticks = self.clone();
        move || {
            ticks.0.fetch_add(1, Ordering::SeqCst);
            std::future::ready(())
        }
    }
}

/// Waits long enough for a ticker that still ran to tick several times.
async fn watch() {
    tokio::time::sleep(Duration::from_millis(40)).await;
}

const PERIOD: Duration = Duration::from_millis(5);

async fn a_ticker_stops_when_its_scope_is_cancelled() {
    let baseline = TaskBaseline::take();
    let ticks = Ticks::default();
    let scope = TaskScope::new();
    let _ticker = scope.every(PERIOD, ticks.tick());
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(ticks.count() >= 2, "it ticked: {}", ticks.count());
    scope.cancel();
    tokio::task::yield_now().await;
    let at_cancel = ticks.count();
    watch().await;
    assert!(
        ticks.count() <= at_cancel + 1,
        "it ticked on after the cancel"
    );
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

async fn a_ticker_stops_when_its_guard_drops() {
    let baseline = TaskBaseline::take();
    let ticks = Ticks::default();
    let scope = TaskScope::new();
    let ticker = scope.every(PERIOD, ticks.tick());
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!ticker.is_finished());
    drop(ticker);
    tokio::task::yield_now().await;
    let at_drop = ticks.count();
    watch().await;
    assert!(ticks.count() <= at_drop + 1, "it ticked on after the drop");
    assert!(!scope.is_cancelled(), "only the ticker stopped");
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

/// A background child: the ticker does not keep its scope open.
async fn a_ticker_stops_when_its_scope_finishes_its_work() {
    let baseline = TaskBaseline::take();
    let ticks = Ticks::default();
    let scope = TaskScope::new();
    scope.every(PERIOD, ticks.tick()).keep_running();
    scope.spawn(tokio::time::sleep(Duration::from_millis(30)));
    scope.join().await.expect("nothing failed");
    let at_join = ticks.count();
    assert!(at_join >= 2, "it ticked while the work ran: {at_join}");
    watch().await;
    assert_eq!(ticks.count(), at_join);
    baseline.assert_restored().await;
}

async fn a_tick_in_progress_is_cancelled_like_any_child() {
    let baseline = TaskBaseline::take();
    let saw_cancel = Flag::default();
    let scope = TaskScope::new();
    let ticker = scope.every(PERIOD, {
        let saw_cancel = saw_cancel.clone();
        move || {
            let saw_cancel = saw_cancel.clone();
            async move {
                taskscope::cancelled().await; // a long tick
                saw_cancel.set();
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(20)).await; // the first tick is running
    drop(ticker);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(saw_cancel.is_set(), "the tick saw the guard's cancellation");
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

async fn a_failing_tick_is_a_failure_of_the_scope_and_stops_the_ticker() {
    let baseline = TaskBaseline::take();
    let ticks = Ticks::default();
    let scope = TaskScope::new();
    let counted = ticks.clone();
    let ticker = scope.every(PERIOD, move || {
        let n = counted.0.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 2 {
                Err("the third tick failed")
            } else {
                Ok(())
            }
        }
    });
    scope.spawn(async { taskscope::cancelled().await });
    let error = scope.join().await.expect_err("the tick failed");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"the third tick failed"));
    assert_eq!(ticks.count(), 3, "no tick after the failure");
    assert!(ticker.is_finished());
    baseline.assert_restored().await;
}

async fn a_zero_period_is_a_typed_failure() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let ticker = scope.every(Duration::ZERO, || async {});
    let error = scope.join().await.expect_err("a zero period cannot tick");
    assert_eq!(error.downcast_ref::<ZeroPeriod>(), Some(&ZeroPeriod));
    drop(ticker);
    baseline.assert_restored().await;
}

/// A tick that takes three periods: with `Skip` the missed ticks are
/// dropped, with `Burst` they are caught up at once.
async fn missed_ticks_follow_the_policy() {
    let baseline = TaskBaseline::take();
    let mut counts = Vec::new();
    for policy in [MissedTickBehavior::Skip, MissedTickBehavior::Burst] {
        let ticks = Ticks::default();
        let scope = TaskScope::new();
        let counted = ticks.clone();
        let ticker = scope.every_with(Duration::from_millis(10), policy, move || {
            let n = counted.0.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    tokio::time::sleep(Duration::from_millis(35)).await;
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(58)).await;
        drop(ticker);
        scope.join().await.expect("nothing failed");
        counts.push(ticks.count());
    }
    // Skip: 10 (slow, to 45), 50. Burst: 10 (to 45), 20, 30, 40 at once, 50.
    let [skip, burst] = counts[..] else {
        unreachable!()
    };
    assert!(burst >= skip + 2, "skip {skip}, burst {burst}");
    baseline.assert_restored().await;
}

async fn a_one_shot_runs_once_after_its_delay() {
    let baseline = TaskBaseline::take();
    let fired = Flag::default();
    let scope = TaskScope::new();
    let reminder = scope.after(Duration::from_millis(10), {
        let fired = fired.clone();
        async move { fired.set() }
    });
    assert!(!fired.is_set());
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(fired.is_set());
    assert!(reminder.is_finished());
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

async fn a_one_shot_whose_guard_dropped_never_runs() {
    let baseline = TaskBaseline::take();
    let fired = Flag::default();
    let scope = TaskScope::new();
    let warning = scope.after(Duration::from_millis(10), {
        let fired = fired.clone();
        async move { fired.set() }
    });
    drop(warning);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!fired.is_set());
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

/// The pool of the field story: a reaper in the constructor, the pool
/// dropped without a close. The reaper stops with it.
async fn a_ticker_of_a_dropped_owner_stops() {
    struct Pool {
        _reaper: taskscope::time::TimerGuard,
        _tasks: TaskScope,
    }
    let baseline = TaskBaseline::take();
    let ticks = Ticks::default();
    let tasks = TaskScope::root();
    let pool = Pool {
        _reaper: tasks.every(PERIOD, ticks.tick()),
        _tasks: tasks,
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(pool);
    tokio::task::yield_now().await;
    let at_drop = ticks.count();
    watch().await;
    assert!(ticks.count() <= at_drop + 1);
    baseline.assert_restored().await;
}
