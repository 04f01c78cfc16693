use taskscope::scoped;
use tokio::sync::mpsc;

#[scoped]
async fn reasons(mut rx: mpsc::Receiver<u64>) {
    #[uncancellable]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[uncancellable = "drains"]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[uncancellable(reason = " ")]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[uncancellable(because = "drains")]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[uncancellable(reason = "drains")]
    #[uncancellable(reason = "drains")]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
}

fn main() {}
