//! Children that never return compile wherever `tokio::spawn` takes them, on
//! both editions (this file is built as 2021 by `compiles.rs` and as 2024 by
//! `edition2024/`): a `loop` without `break`, a `panic!`, a `-> !` fn. On
//! 2021 their output is `()` by the never type's fallback, on 2024 it is `!`;
//! either is a task output, so no lint about the fallback fires and nothing
//! needs annotating. Their handles yield only a `TaskError`.

#![deny(dependency_on_unit_never_type_fallback)]

use std::time::Duration;

use taskscope::TaskScope;

const HOUR: Duration = Duration::from_secs(3600);

/// A ticker that never stops on its own.
async fn forever() -> ! {
    loop {
        tokio::time::sleep(HOUR).await;
    }
}

/// Every spawn of the runtime's API, each with children that never return.
async fn runtime_forms() {
    let scope = TaskScope::builder().grace_period(Duration::ZERO).build();
    let handle = scope.handle();
    let looping = scope.spawn(async {
        loop {
            tokio::time::sleep(HOUR).await;
        }
    });
    let by_fn = scope.spawn(forever());
    let background = scope.spawn_background(forever());
    let through_handle = handle.spawn(forever()).unwrap();
    let background_handle = handle
        .spawn_background(async {
            loop {
                tokio::time::sleep(HOUR).await
            }
        })
        .unwrap();
    let named = scope.task_builder().name("ticker").spawn(forever());
    let named_by_handle = handle
        .task_builder()
        .name("ticker")
        .spawn(forever())
        .unwrap();
    let reserved = scope.reserve().await.unwrap().spawn(forever());
    let nested = scope.spawn(async {
        // From inside a child, through the current scope.
        taskscope::spawn(forever()).unwrap();
        taskscope::spawn_background(forever()).unwrap();
        forever().await
    });
    tokio::task::yield_now().await;
    // They ignore the cancellation: `join` aborts them after the (zero) grace.
    scope.cancel();
    scope.join().await.unwrap();
    // Each awaited on its own: on 2021 a `loop` block's handle is a
    // `TaskHandle<()>` and a `-> !` fn's a `TaskHandle<!>`, as with tokio.
    assert!(looping.await.unwrap_err().is_aborted());
    assert!(by_fn.await.unwrap_err().is_aborted());
    assert!(background.await.unwrap_err().is_aborted());
    assert!(through_handle.await.unwrap_err().is_aborted());
    assert!(background_handle.await.unwrap_err().is_aborted());
    assert!(named.await.unwrap_err().is_aborted());
    assert!(named_by_handle.await.unwrap_err().is_aborted());
    assert!(reserved.await.unwrap_err().is_aborted());
    assert!(nested.await.unwrap_err().is_aborted());
}

/// `panic!` children and blocking loops: the scope joins them, the panic
/// reaches `join`.
async fn panicking_and_blocking() {
    let scope = TaskScope::new();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&stop);
    let spinning = scope.spawn_blocking(move || loop {
        if flag.load(std::sync::atomic::Ordering::Relaxed) {
            panic!("asked to stop");
        }
        std::thread::sleep(Duration::from_millis(1));
    });
    let panicking = scope.spawn(async { panic!("a child that only panics") });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(spinning.await.unwrap_err().is_panic());
    assert!(panicking.await.unwrap_err().is_panic());
    let joined = tokio::spawn(scope.join()).await;
    assert!(
        joined.unwrap_err().is_panic(),
        "join resumes the first panic"
    );
}

/// The same forms as `tokio::spawn` calls in a `#[scoped]` fn.
#[taskscope::scoped(name = scope)]
async fn redirected_forms() {
    let looping = tokio::spawn(async {
        #[uncancellable(reason = "shows a child that never returns; aborted below")]
        loop {
            tokio::time::sleep(HOUR).await;
        }
    });
    let by_fn = tokio::task::spawn(forever());
    let blocking = tokio::task::spawn_blocking(|| panic!("never returns"));
    tokio::task::yield_now().await;
    looping.abort();
    by_fn.abort();
    assert!(looping.await.unwrap_err().is_aborted());
    assert!(by_fn.await.unwrap_err().is_aborted());
    assert!(blocking.await.unwrap_err().is_panic());
    // The blocking child's panic is the scope's; cancel so nothing else runs.
    scope.cancel();
}

/// `spawn_local`, in a `LocalSet`.
async fn local_forms() {
    let scope = TaskScope::builder().grace_period(Duration::ZERO).build();
    let local = scope.spawn_local(forever());
    let named_local = scope.task_builder().name("local").spawn_local(async {
        loop {
            tokio::time::sleep(HOUR).await;
        }
    });
    tokio::task::yield_now().await;
    scope.cancel();
    scope.join().await.unwrap();
    assert!(local.await.unwrap_err().is_aborted());
    assert!(named_local.await.unwrap_err().is_aborted());
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        runtime_forms().await;
        panicking_and_blocking().await;
        let redirected = tokio::spawn(redirected_forms()).await;
        assert!(
            redirected.unwrap_err().is_panic(),
            "the blocking child's panic"
        );
        tokio::task::LocalSet::new().run_until(local_forms()).await;
    });
}
