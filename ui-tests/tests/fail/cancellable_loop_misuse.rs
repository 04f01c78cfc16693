use taskscope::scoped;
use tokio::sync::mpsc;

#[scoped]
async fn misplaced(mut rx: mpsc::Receiver<u64>) {
    #[cancellable_loop]
    let first = rx.recv().await;
    #[cancellable_loop]
    drop(first);
    let pair = (#[uncancellable(reason = "not a loop")] 1, 2);
    drop(pair);
}

#[scoped]
async fn nothing_to_race(items: Vec<u64>) -> u64 {
    let mut total = 0;
    #[cancellable_loop]
    for item in items {
        total += item;
    }
    total
}

#[scoped]
async fn marked_twice(mut rx: mpsc::Receiver<u64>) {
    #[cancellable_loop]
    while let Some(batch) = rx.recv().await {
        #[cancellable_loop]
        for _ in 0..batch {
            tokio::task::yield_now().await;
        }
    }
    #[cancellable_loop]
    #[uncancellable(reason = "both")]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
}

fn main() {}
