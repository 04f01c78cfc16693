// Snapshot of `#[scoped]` on:
//
// fn not_async() {
//     tokio::spawn(async {});
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

fn not_async() {
    tokio::spawn(async {});
}
::core::compile_error! {
    "`#[scoped]` goes on an `async fn`: its scope is joined by awaiting it before the fn returns (in a synchronous fn, use a `TaskScope` directly)"
}
