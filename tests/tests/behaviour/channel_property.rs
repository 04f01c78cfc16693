//! The channels' promise as a property: over random capacities, producers,
//! schedules and ways the consumer stops, every value sent is received,
//! handed back by its send, or handed to the undelivered callback; none is
//! lost and none is counted twice. Run on both runtimes (the multi-thread
//! one races the receiver's drop against sends on another worker).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use taskscope::TaskScope;

/// How the consumer stops once it has received what it wanted.
#[derive(Clone, Copy, Debug)]
enum Stop {
    /// Drops the receiver: what is left goes to the undelivered callback.
    DropReceiver,
    /// Cancels the channel's scope, then drains.
    CancelScope,
    /// Receives until every producer is done.
    ReceiveAll,
}

#[derive(Clone, Debug)]
struct Schedule {
    capacity: usize,
    /// Per producer, the yields before each of its sends.
    producers: Vec<Vec<u8>>,
    /// How many values the consumer takes before it stops, and the yields
    /// before each receive.
    take: usize,
    consumer_yields: Vec<u8>,
    stop: Stop,
}

fn schedules() -> impl Strategy<Value = Schedule> {
    (
        1usize..=4,
        prop::collection::vec(prop::collection::vec(0u8..3, 0..12), 1..=3),
        0usize..30,
        prop::collection::vec(0u8..3, 1..8),
        prop_oneof![
            Just(Stop::DropReceiver),
            Just(Stop::CancelScope),
            Just(Stop::ReceiveAll)
        ],
    )
        .prop_map(
            |(capacity, producers, take, consumer_yields, stop)| Schedule {
                capacity,
                producers,
                take,
                consumer_yields,
                stop,
            },
        )
}

async fn yields(n: u8) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

/// Where each value ended up.
#[derive(Default)]
struct Ledger {
    received: Vec<u32>,
    handed_back: Vec<u32>,
    undelivered: Vec<u32>,
    /// Values whose send returned `Ok`.
    accepted: Vec<u32>,
}

async fn run(schedule: Schedule) -> (Vec<u32>, Ledger) {
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let capacity = NonZeroUsize::new(schedule.capacity).expect("at least 1");
    let scope = TaskScope::new();
    let (tx, rx) = scope.channel::<u32>(capacity);
    let mut rx = rx.on_undelivered({
        let ledger = Arc::clone(&ledger);
        move |value| ledger.lock().expect("not poisoned").undelivered.push(value)
    });
    let mut all = Vec::new();
    for (producer, pauses) in schedule.producers.iter().enumerate() {
        let values: Vec<u32> = (0..pauses.len())
            .map(|seq| (producer * 1000 + seq) as u32)
            .collect();
        all.extend(&values);
        let tx = tx.clone();
        let ledger = Arc::clone(&ledger);
        let pauses = pauses.clone();
        scope.spawn(async move {
            for (value, pause) in values.into_iter().zip(pauses) {
                yields(pause).await;
                match tx.send(value).await {
                    Ok(()) => ledger.lock().expect("not poisoned").accepted.push(value),
                    Err(refused) => {
                        let value = refused.into_inner();
                        ledger.lock().expect("not poisoned").handed_back.push(value);
                    }
                }
            }
        });
    }
    drop(tx);
    let mut taken = 0;
    while taken < schedule.take {
        yields(schedule.consumer_yields[taken % schedule.consumer_yields.len()]).await;
        match rx.recv().await {
            Some(value) => ledger.lock().expect("not poisoned").received.push(value),
            None => break,
        }
        taken += 1;
    }
    match schedule.stop {
        Stop::DropReceiver => drop(rx),
        Stop::CancelScope => {
            scope.cancel();
            while let Some(value) = rx.recv().await {
                ledger.lock().expect("not poisoned").received.push(value);
            }
        }
        Stop::ReceiveAll => {
            while let Some(value) = rx.recv().await {
                ledger.lock().expect("not poisoned").received.push(value);
            }
        }
    }
    scope.join().await.expect("no producer fails");
    let ledger = std::mem::take(&mut *ledger.lock().expect("not poisoned"));
    (all, ledger)
}

fn check(schedule: Schedule, runtime: tokio::runtime::Runtime) -> Result<(), TestCaseError> {
    let (mut all, ledger) = runtime.block_on(run(schedule));
    let mut accounted: Vec<u32> = ledger
        .received
        .iter()
        .chain(&ledger.handed_back)
        .chain(&ledger.undelivered)
        .copied()
        .collect();
    accounted.sort_unstable();
    all.sort_unstable();
    prop_assert_eq!(&accounted, &all, "each value exactly once");
    let mut accepted = ledger.accepted.clone();
    accepted.sort_unstable();
    let mut arrived: Vec<u32> = ledger
        .received
        .iter()
        .chain(&ledger.undelivered)
        .copied()
        .collect();
    arrived.sort_unstable();
    prop_assert_eq!(
        accepted,
        arrived,
        "what a send accepted was received or undelivered"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_value_is_lost_or_duplicated_on_the_current_thread_runtime(schedule in schedules()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        check(schedule, runtime)?;
    }

    #[test]
    fn no_value_is_lost_or_duplicated_on_the_multi_thread_runtime(schedule in schedules()) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        check(schedule, runtime)?;
    }
}
