// tokio pauses time only on a current-thread runtime, and only a
// multi-thread runtime has workers to count.

#[taskscope::test(flavor = "multi_thread", start_paused = true)]
async fn paused_multi_thread() {}

#[taskscope::test(worker_threads = 4)]
async fn workers_on_the_default_flavor() {}

#[taskscope::test(flavor = "current_thread", worker_threads = 4)]
async fn workers_on_current_thread() {}

fn main() {}
