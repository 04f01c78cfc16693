//! The leak check names what a test left behind, and only what that test did.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use taskscope::TaskScope;
use taskscope::leak::LeakCheck;

const SETTLE: Duration = Duration::from_millis(50);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_leaks_nothing_passes() {
    let scope = TaskScope::builder().name("clean").build();
    for n in 0..10u64 {
        scope.spawn(async move { n });
    }
    scope.join().await.expect("nothing failed");
    LeakCheck::new()
        .settle_time(SETTLE)
        .run()
        .await
        .expect("nothing leaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_spawn_is_counted() {
    let raw = tokio::spawn(std::future::pending::<()>());
    let report = LeakCheck::new()
        .settle_time(SETTLE)
        .run()
        .await
        .expect_err("the raw task leaked");
    assert_eq!(report.untracked(), 1);
    assert!(report.leaked().is_empty());
    raw.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_of_a_forgotten_scope_is_named_with_its_spawn_line() {
    let scope = TaskScope::builder().name("forgotten").build();
    let spawn_line = line!() + 4;
    scope
        .task_builder()
        .name("poller")
        .spawn(std::future::pending::<()>());
    std::mem::forget(scope);
    let report = LeakCheck::new()
        .settle_time(SETTLE)
        .run()
        .await
        .expect_err("the forgotten scope's task leaked");
    assert_eq!(report.untracked(), 0);
    let [leaked] = report.leaked() else {
        panic!("exactly one leaked task expected:\n{report}");
    };
    assert_eq!(leaked.name(), Some("poller"));
    assert_eq!(leaked.location().file(), file!());
    assert_eq!(leaked.location().line(), spawn_line);
    assert_eq!(leaked.scope_path(), "forgotten");
}

/// Each test has its own runtime, and the check looks at that runtime only:
/// two leaky tests running at the same time each see their own leaks.
#[test]
fn parallel_tests_each_report_only_their_own_leaks() {
    let both_leaked = Arc::new(Barrier::new(2));
    let leaky_test = |leaks: usize, name: &'static str| {
        let both_leaked = Arc::clone(&both_leaked);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let scope = TaskScope::builder().name(name).build();
                for _ in 0..leaks {
                    scope.spawn(std::future::pending::<()>());
                }
                std::mem::forget(scope);
                // Both tests' tasks are alive while either checks.
                tokio::task::block_in_place(|| {
                    both_leaked.wait();
                });
                LeakCheck::new()
                    .settle_time(SETTLE)
                    .run()
                    .await
                    .expect_err("this test leaked")
            })
        })
    };
    let first = leaky_test(1, "first");
    let second = leaky_test(2, "second");
    let first = first.join().expect("the first test ran");
    let second = second.join().expect("the second test ran");
    assert_eq!(first.leaked().len(), 1, "{first}");
    assert!(
        first
            .leaked()
            .iter()
            .all(|task| task.scope_path() == "first")
    );
    assert_eq!(second.leaked().len(), 2, "{second}");
    assert!(
        second
            .leaked()
            .iter()
            .all(|task| task.scope_path() == "second")
    );
    assert_eq!(first.untracked() + second.untracked(), 0);
}

/// tokio does not count blocking tasks as alive, so a leaked blocking child
/// must not hide a raw task in the count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_child_does_not_hide_a_raw_task() {
    let scope = TaskScope::builder().name("blocking").build();
    let (release, released) = std::sync::mpsc::channel::<()>();
    scope.spawn_blocking(move || released.recv().is_ok());
    let raw = tokio::spawn(std::future::pending::<()>());
    let report = LeakCheck::new()
        .settle_time(SETTLE)
        .run()
        .await
        .expect_err("a blocking child and a raw task leaked");
    assert_eq!(report.leaked().len(), 1, "{report}");
    assert_eq!(report.untracked(), 1, "{report}");
    raw.abort();
    release.send(()).expect("the blocking child is waiting");
    scope.join().await.expect("nothing failed");
}

/// A runtime built by `leak::build_runtime` names each raw task's spawn
/// line with `--cfg tokio_unstable` (`.ci/run` runs this file so), and only
/// counts them without it; the tasks of scopes are never listed twice. (A
/// raw `spawn_blocking` is seen by neither: tokio runs no hooks for it and
/// does not count it.)
#[test]
fn a_recording_runtime_names_the_line_of_each_raw_task() {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(2).enable_all();
    let runtime = taskscope::leak::build_runtime(&mut builder).expect("a runtime");
    runtime.block_on(async {
        let scope = TaskScope::builder().name("tracked").build();
        scope.spawn(std::future::pending::<()>());
        let raw_line = line!() + 1;
        let raw = tokio::spawn(std::future::pending::<()>());
        let finished = tokio::spawn(async {});
        finished.await.expect("it ran");
        let report = LeakCheck::new()
            .settle_time(SETTLE)
            .run()
            .await
            .expect_err("the raw tasks leaked");
        assert_eq!(report.leaked().len(), 1, "the scope's child:\n{report}");
        if cfg!(tokio_unstable) {
            let lines: Vec<_> = report
                .untracked_tasks()
                .iter()
                .map(|task| (task.location().file(), task.location().line()))
                .collect();
            assert_eq!(
                lines,
                [(file!(), raw_line)],
                "the raw task, not the finished one nor the scope's child:\n{report}"
            );
            assert_eq!(report.untracked_tasks()[0].id(), raw.id());
        } else {
            assert!(report.untracked_tasks().is_empty());
        }
        assert_eq!(report.untracked(), 1);
        raw.abort();
        drop(scope);
    });
}
