//! `taskscope::race`: the first success wins, the other racers (and what
//! they spawned) have ended when it returns; if every racer fails, every
//! failure comes back.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use taskscope::TaskScope;
use tokio::time::Instant;

use crate::common::{poll_once, Flag, TaskBaseline};

on_both_runtimes!(
    a_slow_winner_beats_a_fast_loser,
    the_losers_and_their_children_have_ended_when_the_race_returns,
    when_every_racer_fails_every_failure_is_returned_in_order,
    dropping_the_race_stops_every_racer,
    a_hedged_request_starts_the_second_racer_late,
);

type Racer = Pin<Box<dyn Future<Output = Result<&'static str, String>> + Send>>;

fn racer(delay_ms: u64, outcome: Result<&'static str, &'static str>) -> Racer {
    Box::pin(async move {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        outcome.map_err(str::to_owned)
    })
}

async fn a_slow_winner_beats_a_fast_loser() {
    let baseline = TaskBaseline::take();
    let winner = taskscope::race([racer(5, Err("refused")), racer(30, Ok("slow but right"))]).await;
    assert_eq!(winner, Ok("slow but right"));
    baseline.assert_restored().await;
}

async fn the_losers_and_their_children_have_ended_when_the_race_returns() {
    let baseline = TaskBaseline::take();
    let loser_dropped = Flag::default();
    let grandchild_dropped = Flag::default();
    let started = Instant::now();
    let loser: Racer = Box::pin({
        let loser_dropped = loser_dropped.clone();
        let grandchild_dropped = grandchild_dropped.clone();
        async move {
            let _dropped = loser_dropped.set_on_drop();
            taskscope::spawn(async move {
                let _dropped = grandchild_dropped.set_on_drop();
                std::future::pending::<()>().await // ignores cancellation
            })
            .expect("inside the race's scope");
            std::future::pending::<Result<&'static str, String>>().await
        }
    });
    let winner = taskscope::race([loser, racer(10, Ok("fast"))]).await;
    assert_eq!(winner, Ok("fast"));
    assert!(loser_dropped.is_set(), "the loser has ended");
    assert!(grandchild_dropped.is_set(), "what it spawned has ended");
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "no grace period waited out"
    );
    baseline.assert_restored().await;
}

async fn when_every_racer_fails_every_failure_is_returned_in_order() {
    let baseline = TaskBaseline::take();
    let error = taskscope::race([racer(20, Err("first given")), racer(5, Err("second given"))])
        .await
        .expect_err("both failed");
    assert_eq!(error.failures(), ["first given", "second given"]);
    assert!(error.to_string().starts_with("all 2 racers failed"));
    baseline.assert_restored().await;
}

async fn dropping_the_race_stops_every_racer() {
    let baseline = TaskBaseline::take();
    let dropped = [Flag::default(), Flag::default()];
    let scope = TaskScope::new();
    let racers = dropped.clone().map(|flag| -> Racer {
        Box::pin(async move {
            let _dropped = flag.set_on_drop();
            std::future::pending().await
        })
    });
    let mut race = Box::pin(taskscope::race(racers));
    assert!(poll_once(&mut race).await.is_pending());
    tokio::time::sleep(Duration::from_millis(5)).await;
    drop(race);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(dropped.iter().all(Flag::is_set), "every racer was stopped");
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

/// Hedging: the backup request starts 20 ms late and wins because the
/// primary hangs; the primary is stopped.
async fn a_hedged_request_starts_the_second_racer_late() {
    let baseline = TaskBaseline::take();
    let started = Instant::now();
    let primary = racer(10_000, Ok("primary"));
    let backup: Racer = Box::pin(async {
        tokio::time::sleep(Duration::from_millis(20)).await; // the hedge delay
        racer(5, Ok("backup")).await
    });
    assert_eq!(taskscope::race([primary, backup]).await, Ok("backup"));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(25) && took < Duration::from_millis(300),
        "{took:?}"
    );
    baseline.assert_restored().await;
}
