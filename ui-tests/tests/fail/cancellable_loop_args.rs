use taskscope::{cancellable_loop, scoped};
use tokio::sync::mpsc;

#[scoped]
async fn loop_arguments(mut rx: mpsc::Receiver<u64>) {
    #[cancellable_loop(retrun)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[cancellable_loop(return, return)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[cancellable_loop(return = true)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[cancellable_loop(return None)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[cancellable_loop(token)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[cancellable_loop(crate = ::taskscope)]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
    #[cancellable_loop = "return"]
    while let Some(n) = rx.recv().await {
        drop(n);
    }
}

#[cancellable_loop(tokn = &scope, crate = ::taskscope, crate = ::taskscope)]
async fn fn_arguments(mut rx: mpsc::Receiver<u64>) {
    while let Some(n) = rx.recv().await {
        drop(n);
    }
}

fn main() {}
