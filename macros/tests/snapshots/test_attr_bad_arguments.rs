// Snapshot of `#[taskscope::test(flavor = "multi_thread", start_paused = true, bogus = 1, flavor = "current_thread", settle_ms = 2s)]` on:
//
// async fn bad() {}
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot

#[::core::prelude::v1::test]
fn bad() {
    async fn bad() {}
    let runtime = ::taskscope::__private::test::build_runtime(
        ::taskscope::__private::test::tokio::runtime::Builder::new_multi_thread()
            .enable_all(),
    );
    ::taskscope::__private::test::run(
        runtime,
        ::taskscope::__private::test::DEFAULT_SETTLE_TIME,
        bad(),
    )
}
::core::compile_error! {
    "unknown `#[taskscope::test]` argument `bogus`: the arguments are `flavor`, `worker_threads`, `start_paused`, `settle_ms`, `crate`"
}
::core::compile_error! {
    "`flavor` is given twice: each of `flavor`, `worker_threads`, `start_paused`, `settle_ms`, `crate` may be given once; remove one `flavor`"
}
::core::compile_error! {
    "`settle_ms` is a number of milliseconds, written without a unit: `settle_ms = 2000`"
}
::core::compile_error! {
    "`start_paused` needs `flavor = \"current_thread\"`: tokio can start with its clock paused only on a current-thread runtime; remove `start_paused` or the `flavor`"
}
