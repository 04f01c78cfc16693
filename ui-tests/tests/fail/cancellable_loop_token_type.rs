use taskscope::{scoped, TaskScope};
use tokio::sync::mpsc;

#[scoped]
async fn wrong_token(mut rx: mpsc::Receiver<u64>, scope: TaskScope) {
    #[cancellable_loop(token = 5)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[cancellable_loop(token = scope)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
}

fn main() {}
