// Each value is checked, and the message says what to write.

#[taskscope::test(flavor = "local")]
async fn unknown_flavor() {}

#[taskscope::test(flavor = multi_thread)]
async fn flavor_not_a_string() {}

#[taskscope::test(flavor = "multi_thread", worker_threads = 0)]
async fn no_workers() {}

#[taskscope::test(start_paused = 1)]
async fn paused_not_a_bool() {}

#[taskscope::test(settle_ms = 2s)]
async fn settle_with_a_unit() {}

#[taskscope::test(settle_ms = "500ms")]
async fn settle_as_a_string() {}

#[taskscope::test(crate = 1)]
async fn crate_not_a_path() {}

fn main() {}
