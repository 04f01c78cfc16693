// Each argument is given once.

#[taskscope::test(flavor = "multi_thread", flavor = "multi_thread")]
async fn flavor_twice() {}

#[taskscope::test(settle_ms = 100, start_paused = true, settle_ms = 200)]
async fn settle_twice() {}

fn main() {}
