// A redirected spawn goes through taskscope: the child's output must be a
// `TaskOutput`, and the handle is a `TaskHandle`, not tokio's `JoinHandle`.
use taskscope::scoped;

struct Report;

#[scoped]
async fn outputs() {
    tokio::spawn(async { Report });
    let handle: tokio::task::JoinHandle<u8> = tokio::spawn(async { 1u8 });
    drop(handle);
}

fn main() {}
