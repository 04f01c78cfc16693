//! A program's root scope and its shutdown: SIGINT or SIGTERM cancels it,
//! children get a grace period to finish, stragglers are then aborted, a
//! second signal aborts at once, and the exit status says which happened.
//! What `#[tokio::main]` plus a hand-written `select!` on Ctrl-C, a
//! deadline and an exit code did in every program.
//!
//! - `signal.rs`: [`signal`], the first SIGINT or SIGTERM.
//! - `program.rs`: [`run`], a program's body in a root scope until it ends
//!   or a signal stops it, and the [`ExitCode`](std::process::ExitCode) that
//!   says how.
//!
//! Behind the `signal` feature (on by default), which turns on tokio's.

mod program;
mod signal;

pub use program::{EXIT_ABORTED, EXIT_BODY_FAILED, EXIT_INTERRUPTED_TWICE, run};
pub use signal::signal;
