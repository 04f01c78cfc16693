//! Every spawn form that is redirected into the fn's scope, wherever it is
//! written: statements, expressions, value position, closures, async blocks,
//! macro bodies. A redirected call returns a `taskscope::TaskHandle`:
//! `.await.unwrap()`, `.abort()`, `.is_finished()` keep working. Nested
//! items are left alone: their `tokio::spawn` stays tokio's.

#![deny(unused_imports)]

use std::time::Duration;

use taskscope::scoped;
use tokio::task;

#[scoped]
async fn every_path() -> u32 {
    tokio::spawn(async {});
    ::tokio::spawn(async {});
    tokio::task::spawn(async {});
    ::tokio::task::spawn(async {});
    task::spawn(async {});
    // The handle is taskscope's; a literal takes the type asked of it, and
    // a turbofish written for tokio's parameters still fits.
    let a: taskscope::TaskHandle<u32> = tokio::spawn(async { 1 });
    let b = tokio::spawn::<_>(async { 2u32 });
    let c = tokio::task::spawn_blocking(|| 3u32);
    let d = task::spawn_blocking::<_, u32>(|| 4);
    tokio::task::spawn_blocking(|| ());
    a.await.unwrap() + b.await.unwrap() + c.await.unwrap() + d.await.unwrap()
}

#[scoped]
async fn value_position() -> u32 {
    let handles: Vec<_> = (1..=3u32)
        .map(|n| async move { n })
        .map(tokio::spawn)
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    sum
}

#[scoped]
async fn closures_and_async_blocks() -> u32 {
    let start = |n: u32| tokio::spawn(async move { n });
    let nested = async {
        let inner = tokio::spawn(async { 10u32 });
        inner.await.unwrap()
    };
    // A child that spawns: its grandchild lands in the fn's scope too.
    let parent = tokio::spawn(async {
        let grandchild = tokio::spawn(async { 100u32 });
        grandchild.await.unwrap()
    });
    start(1).await.unwrap() + nested.await + parent.await.unwrap()
}

#[scoped]
async fn macro_bodies() -> u32 {
    let (a, b) = tokio::join!(tokio::spawn(async { 1u32 }), async {
        tokio::spawn(async {});
        2u32
    });
    let c = tokio::select! {
        biased;
        c = tokio::spawn(async { 3u32 }) => {
            tokio::spawn(async {});
            c.unwrap()
        }
        () = tokio::time::sleep(Duration::from_secs(5)) => 0,
    };
    let handles = vec![tokio::spawn(async { 4u32 })];
    assert_ne!(tokio::spawn(async {}).id(), tokio::spawn(async {}).id());
    let mut sum = a.unwrap() + b + c;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    sum
}

#[scoped]
async fn statement_attributes() {
    #[cfg(any())]
    tokio::spawn(async { compile_error!("configured out") });
    #[allow(clippy::unit_arg)]
    tokio::spawn(async {});
}

#[scoped]
async fn handle_api() -> bool {
    let stuck = tokio::spawn(std::future::pending::<()>());
    stuck.abort();
    matches!(stuck.await, Err(taskscope::TaskError::Aborted))
}

#[scoped]
async fn local_tasks() -> u8 {
    let shared = std::rc::Rc::new(5u8);
    let local = tokio::task::spawn_local(async move { *shared });
    local.await.unwrap()
}

#[scoped]
async fn nested_items_are_left_alone() -> u8 {
    // Not redirected: this fn may be called from anywhere.
    fn detached() -> tokio::task::JoinHandle<u8> {
        tokio::spawn(async { 7 })
    }
    struct Starter;
    impl Starter {
        fn start(&self) -> tokio::task::JoinHandle<u8> {
            tokio::spawn(async { 8 })
        }
    }
    macro_rules! start {
        () => {
            tokio::spawn(async { 9u8 })
        };
    }
    let from_fn: tokio::task::JoinHandle<u8> = detached();
    let from_method: tokio::task::JoinHandle<u8> = Starter.start();
    let from_macro = start!();
    from_fn.await.unwrap() + from_method.await.unwrap() - 8 + from_macro.await.unwrap() - 9
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        assert_eq!(every_path().await, 10);
        assert_eq!(value_position().await, 6);
        assert_eq!(closures_and_async_blocks().await, 111);
        assert_eq!(macro_bodies().await, 10);
        assert!(handle_api().await);
        statement_attributes().await;
        let local = tokio::task::LocalSet::new();
        assert_eq!(local.run_until(local_tasks()).await, 5);
        assert_eq!(nested_items_are_left_alone().await, 7);
    });
}
