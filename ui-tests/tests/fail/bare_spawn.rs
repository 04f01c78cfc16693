//! A bare `spawn` may be tokio's, imported by a `use` the macro cannot see:
//! a call of it is rejected, with the paths to write instead.
use taskscope::scoped;
use tokio::spawn;
use tokio::task::{spawn_blocking, spawn_local};

#[scoped]
async fn imported() {
    spawn(async {});
    let _ = spawn_blocking(|| 1);
    let _local = spawn_local(async {});
}

#[scoped]
async fn in_a_macro() {
    let _ = tokio::join!(async { spawn(async {}) });
}

fn main() {}
