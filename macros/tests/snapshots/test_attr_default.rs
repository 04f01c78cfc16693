// Snapshot of `#[taskscope::test()]` on:
//
// /// Documented.
// #[ignore]
// async fn plain() {
//     #![allow(unused_variables)]
//     let unused = 1;
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot

/// Documented.
#[ignore]
#[::core::prelude::v1::test]
fn plain() {
    async fn plain() {
        #![allow(unused_variables)]
        let unused = 1;
    }
    let runtime = ::taskscope::__private::test::build_runtime(
        ::taskscope::__private::test::tokio::runtime::Builder::new_current_thread()
            .enable_all(),
    );
    ::taskscope::__private::test::run(
        runtime,
        ::taskscope::__private::test::DEFAULT_SETTLE_TIME,
        plain(),
    )
}
