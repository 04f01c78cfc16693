// Snapshot of `#[cancellable_loop(return)]` on:
//
// #[scoped(limit = 2)]
// ///x
// async fn run(mut rx: Receiver<u64>) -> Option<u64> {
//     while let Some(n) = rx.recv().await {
//         tokio::spawn(work(n));
//     }
//     None
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

#[scoped(limit = 2)]
#[cancellable_loop(return)]
///x
async fn run(mut rx: Receiver<u64>) -> Option<u64> {
    while let Some(n) = rx.recv().await {
        tokio::spawn(work(n));
    }
    None
}
