use taskscope::scoped;
use tokio::sync::mpsc;

#[scoped]
async fn unarmed_loop(tx: mpsc::Sender<u64>) {
    loop {
        tx.send(1).await.ok();
    }
}

#[scoped]
async fn unarmed_while(done: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    while !done.load(std::sync::atomic::Ordering::Relaxed) {
        tokio::task::yield_now().await;
    }
}

#[scoped]
async fn unarmed_while_let(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    total
}

#[scoped]
async fn unarmed_select_in_a_child(mut rx: mpsc::Receiver<u64>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(n) = rx.recv() => drop(n),
                else => break,
            }
        }
    });
}

fn main() {}
