// A child that holds an `Rc` across an `.await` cannot move between worker
// threads: the first error is that one, at the user's `tokio::spawn`, as
// tokio's own would be (not a mismatch about the child's output type).
use std::rc::Rc;

#[taskscope::scoped]
async fn not_send() -> u32 {
    let handle = tokio::spawn(async {
        let shared = Rc::new(1);
        tokio::task::yield_now().await;
        *shared
    });
    handle.await.unwrap()
}

fn main() {}
