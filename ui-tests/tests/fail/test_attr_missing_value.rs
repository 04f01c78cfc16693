// Every argument is `key = value`, separated by commas.

#[taskscope::test(start_paused)]
async fn key_alone() {}

#[taskscope::test(flavor =)]
async fn nothing_after_equals() {}

#[taskscope::test(flavor = "multi_thread" worker_threads = 2)]
async fn missing_comma() {}

#[taskscope::test(, settle_ms = 10)]
async fn leading_comma() {}

fn main() {}
