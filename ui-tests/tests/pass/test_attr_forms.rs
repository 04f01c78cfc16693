// Every form of `#[taskscope::test]` expands without an error, and each
// test runs here (what the leak check does is tested in
// `tests/tests/leak_test_macro.rs`).

#[taskscope::test]
async fn default_flavor() {}

#[taskscope::test(flavor = "current_thread", settle_ms = 10)]
async fn current_thread() {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
}

#[taskscope::test(flavor = "multi_thread")]
async fn multi_thread() {}

#[taskscope::test(flavor = "multi_thread", worker_threads = 2, settle_ms = 2_000)]
async fn multi_thread_with_workers() -> Result<(), taskscope::ScopeError> {
    let scope = taskscope::TaskScope::new();
    scope.spawn(async {});
    scope.join().await
}

#[taskscope::test(start_paused = false, settle_ms = 0u64, flavor = "current_thread")]
async fn suffixed_literal_and_flavor_last() {}

#[taskscope::test(worker_threads = 1usize, flavor = "multi_thread")]
async fn workers_before_flavor() {}

/// Documented, ignored, and with its own lints.
#[ignore = "shows that attributes are kept"]
#[taskscope::test]
async fn attributes_are_kept() {
    #![allow(unused_variables)]
    let unused = 1;
}

#[should_panic(expected = "boom")]
#[taskscope::test]
async fn should_panic_is_kept() {
    panic!("boom")
}

mod renamed {
    pub use taskscope as scoped_runtime;
}

#[taskscope::test(crate = crate::test_attr_forms::renamed::scoped_runtime)]
async fn crate_as_a_path() {}

#[taskscope::test(crate = "crate::test_attr_forms::renamed::scoped_runtime")]
async fn crate_as_a_string() {}

#[taskscope::test]
pub async fn public() {}
