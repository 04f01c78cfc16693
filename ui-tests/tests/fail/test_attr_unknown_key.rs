// Unknown keys are named, with the list of the valid ones.

#[taskscope::test(unhandled_panic = "shutdown_runtime")]
async fn tokio_only_argument() {}

#[taskscope::test(flavor = "multi_thread", core_threads = 2)]
async fn misspelled() {}

// The settle time has a unit in its name.
#[taskscope::test(settle = 2000)]
async fn settle_without_unit() {}

// A misspelt key gets a "did you mean".
#[taskscope::test(worker_thread = 2)]
async fn misspelt_worker_threads() {}

#[taskscope::test(flavour = "current_thread")]
async fn british_flavor() {}

#[taskscope::test("current_thread")]
async fn not_a_key() {}

fn main() {}
