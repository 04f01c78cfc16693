use taskscope::scoped;
use tokio::sync::mpsc;

#[scoped]
async fn sum(mut rx: mpsc::Receiver<u64>) -> u64 {
    let mut total = 0;
    // The fn's tail: a cancellation returns from the fn, with what?
    #[cancellable_loop]
    loop {
        match rx.recv().await {
            Some(n) => total += n,
            None => return total,
        }
    }
}

#[scoped]
async fn name(mut rx: mpsc::Receiver<String>) -> String {
    let mut name = String::new();
    #[cancellable_loop(return)]
    while let Some(part) = rx.recv().await {
        name.push_str(&part);
    }
    name
}

fn main() {}
