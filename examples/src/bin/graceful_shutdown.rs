//! A server that stops on Ctrl-C or SIGTERM: its workers clean up within a
//! grace period, a stubborn one is aborted when the grace runs out, and a
//! second signal aborts everything at once. The exit status says which.
//!
//! `cargo run -p taskscope-examples --bin graceful_shutdown [-- --stubborn | --fail]`,
//! then Ctrl-C. Before taskscope, every program wrote this by hand: a
//! `select!` on Ctrl-C, a cancellation token, a deadline, a join, an exit
//! code. `#[taskscope::main]` is `taskscope::shutdown::run` around `main`;
//! a program with its own runtime calls that function.
//!
//! - no argument: two workers that clean up when cancelled (exit 0);
//! - `--stubborn`: also a worker that ignores the cancellation, aborted
//!   after the 300 ms grace period (exit 2); a second signal aborts at once
//!   (exit 130);
//! - `--fail`: a worker fails after start-up (exit 1, the error on stderr).

use std::time::Duration;

// The workers may take 300 ms to stop once the program is told to.
#[taskscope::main(shutdown_grace_ms = 300)]
async fn main() -> Result<(), taskscope::ScopeError> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    serve(mode).await
}

/// Starts the workers into the program's root scope and returns: the
/// program runs until they are done or a signal stops them.
async fn serve(mode: String) -> Result<(), taskscope::ScopeError> {
    for worker in 1..=2 {
        taskscope::spawn(async move {
            taskscope::cancelled().await;
            tokio::time::sleep(Duration::from_millis(50)).await; // flushing, say
            println!("worker {worker}: cleaned up");
        })
        .expect("in the program's scope");
    }
    match mode.as_str() {
        "--stubborn" => {
            // Ignores its cancellation: only the abort ends it.
            taskscope::spawn(std::future::pending::<()>()).expect("in the program's scope");
        }
        "--fail" => {
            taskscope::spawn(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err::<(), _>("the database went away")
            })
            .expect("in the program's scope");
        }
        _ => {}
    }
    println!("ready");
    Ok(())
}
