//! `TaskScope::channel` and `TaskScope::produce`: a send never blocks past
//! the receiver's end or the scope's, and every value is received, handed
//! back or handed to the undelivered callback.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use taskscope::channel::{ProducerError, SendError};
use taskscope::TaskScope;

use crate::common::{Flag, TaskBaseline};

on_both_runtimes!(
    a_forwarder_blocked_on_a_handler_that_failed_gets_its_request_back,
    a_producer_that_fails_delivers_what_it_sent_then_the_failure,
    a_consumer_that_quits_cancels_the_producer_and_its_pending_send,
    the_end_of_the_scope_ends_the_receiver_despite_a_stray_sender,
    a_cancelled_scope_refuses_sends_and_hands_the_value_back,
    values_left_in_a_dropped_receiver_go_to_the_undelivered_callback,
    a_producer_that_panics_ends_the_stream_with_stopped,
    the_producers_children_are_joined_before_the_stream_ends,
);

fn capacity(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("a test capacity is not zero")
}

/// The second case (the blocked producer of the field story): a
/// receiving loop forwards requests into a channel; the processing side
/// returns an error after the first one. The forwarder's pending send
/// returns with its request and the whole handler finishes. With tokio's
/// `mpsc` and a receiver kept alive elsewhere, the forwarder waits for
/// ever (the `blocked_producer` example counts those tasks).
async fn a_forwarder_blocked_on_a_handler_that_failed_gets_its_request_back() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::builder().name("stream").build();
    let (forward, mut requests) = scope.channel::<u32>(capacity(1));
    let forwarder = scope.spawn(async move {
        for request in 1..=4 {
            if let Err(refused) = forward.send(request).await {
                return Some(refused.into_inner());
            }
        }
        None
    });
    let processing = scope.spawn(async move {
        let first = requests.recv().await;
        let _session = requests; // kept alive, as a reconnecting session would
        Err::<(), _>(format!("processing {first:?} failed"))
    });
    assert!(processing.await.is_err());
    let handed_back = forwarder.await.expect("the forwarder ended");
    assert!(
        matches!(handed_back, Some(2..=4)),
        "the request it was sending came back: {handed_back:?}"
    );
    let error = scope.join().await.expect_err("processing failed");
    assert_eq!(error.failure_count(), 1);
    baseline.assert_restored().await;
}

/// The third case: the producer sends 0..5 then fails; the consumer
/// gets 0..5, then the error, then the end.
async fn a_producer_that_fails_delivers_what_it_sent_then_the_failure() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let mut numbers = scope.produce(capacity(2), |tx| async move {
        for n in 0..5u32 {
            tx.send(n).await.map_err(|_| "the consumer quit")?;
        }
        Err("the source broke")
    });
    let mut received = Vec::new();
    let ended = loop {
        match numbers.recv().await {
            Ok(Some(n)) => received.push(n),
            other => break other,
        }
    };
    assert_eq!(received, [0, 1, 2, 3, 4]);
    assert_eq!(ended, Err(ProducerError::Failed("the source broke")));
    assert_eq!(numbers.recv().await, Ok(None));
    scope
        .join()
        .await
        .expect("the failure was the consumer's to handle");
    baseline.assert_restored().await;
}

/// The fourth case: the consumer drops the receiver; the producer's
/// pending send returns (with its value) and the producer ends.
async fn a_consumer_that_quits_cancels_the_producer_and_its_pending_send() {
    let baseline = TaskBaseline::take();
    let refused = Arc::new(Mutex::new(None));
    let producer_saw_cancel = Flag::default();
    let scope = TaskScope::new();
    let mut stream = scope.produce(capacity(1), {
        let refused = Arc::clone(&refused);
        let producer_saw_cancel = producer_saw_cancel.clone();
        move |tx| async move {
            for n in 0u64.. {
                if let Err(error) = tx.send(n).await {
                    *refused.lock().expect("not poisoned") = Some(error.into_inner());
                    break;
                }
            }
            if taskscope::is_cancelled() {
                producer_saw_cancel.set();
            }
            Ok::<_, SendError<u64>>(())
        }
    });
    assert_eq!(stream.recv().await, Ok(Some(0)));
    tokio::time::sleep(Duration::from_millis(10)).await; // the producer blocks on a full channel
    drop(stream);
    scope.join().await.expect("nothing failed");
    let refused = refused.lock().expect("not poisoned").take();
    assert!(refused.is_some(), "the pending send returned its value");
    assert!(producer_saw_cancel.is_set(), "the producer was cancelled");
    baseline.assert_restored().await;
}

async fn the_end_of_the_scope_ends_the_receiver_despite_a_stray_sender() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let (tx, mut rx) = scope.channel::<u32>(capacity(4));
    tx.send(7).await.expect("room");
    let stray = tx.clone();
    scope.spawn(async move { tx.send(8).await });
    scope.join().await.expect("nothing failed");
    assert_eq!(rx.recv().await, Some(7));
    assert_eq!(rx.recv().await, Some(8));
    assert_eq!(
        rx.recv().await,
        None,
        "the scope ended; the stray sender cannot send"
    );
    assert!(matches!(stray.send(9).await, Err(SendError::Cancelled(9))));
    baseline.assert_restored().await;
}

async fn a_cancelled_scope_refuses_sends_and_hands_the_value_back() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let (tx, rx) = scope.channel::<String>(capacity(1));
    tx.send("fits".to_owned()).await.expect("room");
    let blocked = scope.spawn({
        let tx = tx.clone();
        async move {
            tx.send("waits".to_owned())
                .await
                .map_err(SendError::into_inner)
        }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    scope.cancel();
    match tx.send("late".to_owned()).await {
        Err(SendError::Cancelled(late)) => assert_eq!(late, "late"),
        other => panic!("a send after the cancel must be refused: {other:?}"),
    }
    drop(rx);
    let error = scope
        .join()
        .await
        .expect_err("the blocked send failed its child");
    let waiting: &String = error.downcast_ref().expect("the refused value");
    assert_eq!(waiting, "waits");
    drop(blocked);
    baseline.assert_restored().await;
}

async fn values_left_in_a_dropped_receiver_go_to_the_undelivered_callback() {
    let baseline = TaskBaseline::take();
    let returned = Arc::new(Mutex::new(Vec::new()));
    let scope = TaskScope::new();
    let (tx, rx) = scope.channel::<u32>(capacity(8));
    let rx = rx.on_undelivered({
        let returned = Arc::clone(&returned);
        move |n| returned.lock().expect("not poisoned").push(n)
    });
    for n in 0..5 {
        tx.send(n).await.expect("room");
    }
    drop(rx);
    assert_eq!(*returned.lock().expect("not poisoned"), [0, 1, 2, 3, 4]);
    assert!(matches!(tx.send(5).await, Err(SendError::Disconnected(5))));
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}

async fn a_producer_that_panics_ends_the_stream_with_stopped() {
    crate::common::silence_expected_panics();
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let mut stream = scope.produce(capacity(2), |tx| async move {
        tx.send(1u8).await.map_err(|_| "quit")?;
        crate::common::panic_on_purpose(13, Arc::new(()));
        Ok::<_, &str>(())
    });
    assert_eq!(stream.recv().await, Ok(Some(1)));
    assert_eq!(stream.recv().await, Err(ProducerError::Stopped));
    let joined = tokio::spawn(scope.join()).await;
    let panic = joined
        .expect_err("join resumed the producer's panic")
        .into_panic();
    let payload = panic
        .downcast::<crate::common::ExpectedPanic>()
        .expect("the producer's payload");
    assert_eq!(payload.code, 13);
    baseline.assert_restored().await;
}

async fn the_producers_children_are_joined_before_the_stream_ends() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let mut stream = scope.produce(capacity(4), |tx| async move {
        for part in 0..3u32 {
            let tx = tx.clone();
            taskscope::spawn(async move {
                tokio::time::sleep(Duration::from_millis(5 * u64::from(part))).await;
                tx.send(part).await
            })
            .expect("inside the producer's scope");
        }
        Ok::<_, SendError<u32>>(())
    });
    let mut parts = Vec::new();
    while let Some(part) = stream.recv().await.expect("the producer succeeded") {
        parts.push(part);
    }
    assert_eq!(
        parts,
        [0, 1, 2],
        "the stream ended after every child's value"
    );
    scope.join().await.expect("nothing failed");
    baseline.assert_restored().await;
}
