// Snapshot of `#[taskscope::test(settle = 10)]` on:
//
// fn not_async<T>(value: T) {}
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot

fn not_async<T>(value: T) {}
::core::compile_error! {
    "`#[taskscope::test]` runs an `async fn`: add `async` before `fn` (for a synchronous test, use `#[test]`)"
}
::core::compile_error! {
    "a test fn takes no arguments: remove them, and build what the test needs in its body"
}
::core::compile_error! {
    "a test fn cannot be generic: remove the generic parameters"
}
::core::compile_error! {
    "unknown `#[taskscope::test]` argument `settle`: the settle time is given in milliseconds, as `settle_ms = 2000`; the arguments are `flavor`, `worker_threads`, `start_paused`, `settle_ms`, `crate`"
}
