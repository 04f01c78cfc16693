// Snapshot of `#[scoped]` on:
//
// fn not_async() {
//     tokio::spawn(async {});
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot

fn not_async() {
    tokio::spawn(async {});
}
::core::compile_error! {
    "`#[scoped]` goes on an `async fn`: the scope is joined by awaiting it before the fn returns (for a synchronous fn, use `TaskScope` directly; with `#[tokio::main]` or `#[tokio::test]`, put `#[scoped]` above them so that it sees the `async fn`)"
}
