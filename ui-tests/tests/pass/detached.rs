//! The escape hatch: `#[detached(reason = "...")]` on a statement keeps it
//! as written (no redirection, no rejection).

use taskscope::scoped;

#[scoped]
async fn escape_hatch() -> u8 {
    #[detached(reason = "the flusher must outlive the request")]
    let thread = std::thread::spawn(|| 1u8);
    #[detached(reason = "handed to tokio on purpose, it is joined below")]
    let task: tokio::task::JoinHandle<u8> = tokio::spawn(async { 2 });
    #[detached(reason = "a Vec holds no task")]
    std::mem::forget(Vec::<u8>::new());
    #[detached(reason = "the runtime's own handle, on purpose")]
    tokio::runtime::Handle::current().spawn(async {});
    thread.join().unwrap() + task.await.unwrap()
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    assert_eq!(runtime.block_on(escape_hatch()), 3);
}
