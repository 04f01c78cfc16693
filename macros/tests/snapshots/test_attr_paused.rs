// Snapshot of `#[taskscope::test(start_paused = true, crate = "my_taskscope")]` on:
//
// #[should_panic(expected = "boom")]
// async fn paused() -> () {
//     panic!("boom")
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot

#[should_panic(expected = "boom")]
#[::core::prelude::v1::test]
fn paused() {
    async fn paused() -> () {
        panic!("boom")
    }
    let runtime = my_taskscope::__private::test::build_runtime(
        my_taskscope::__private::test::tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true),
    );
    my_taskscope::__private::test::run(
        runtime,
        my_taskscope::__private::test::DEFAULT_SETTLE_TIME,
        paused(),
    )
}
