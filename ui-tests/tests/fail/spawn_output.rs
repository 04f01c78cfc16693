// A redirected spawn goes through taskscope: a child's output of the user's
// own type needs a `TaskOutput` impl (or `spawn_value`), and the handle is a
// `TaskHandle`, not tokio's `JoinHandle`.
use taskscope::scoped;

struct Report;

#[scoped]
async fn outputs() {
    tokio::spawn(async { Report });
    let handle: tokio::task::JoinHandle<u8> = tokio::spawn(async { 1u8 });
    drop(handle);
}

fn main() {}
