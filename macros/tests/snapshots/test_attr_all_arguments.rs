// Snapshot of `#[taskscope::test(flavor = "multi_thread", worker_threads = 4, settle_ms = 250, crate = ::reexport::taskscope)]` on:
//
// pub async fn threaded() -> Result<(), std::io::Error> {
//     Ok(())
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot

#[::core::prelude::v1::test]
pub fn threaded() -> impl ::std::process::Termination {
    async fn threaded() -> Result<(), std::io::Error> {
        Ok(())
    }
    let runtime = ::reexport::taskscope::__private::test::build_runtime(
        ::reexport::taskscope::__private::test::tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all(),
    );
    ::reexport::taskscope::__private::test::run(
        runtime,
        ::core::time::Duration::from_millis(250),
        threaded(),
    )
}
