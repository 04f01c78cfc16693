// `#[taskscope::test]` runs an `async fn`; a plain fn is a `#[test]`.

#[taskscope::test]
fn synchronous() {}

#[taskscope::test(flavor = "multi_thread", worker_threads = 2)]
fn synchronous_with_arguments() {}

fn main() {}
